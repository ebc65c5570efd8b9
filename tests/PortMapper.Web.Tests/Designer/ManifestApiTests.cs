using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using PortMapper.Web.Security;

namespace PortMapper.Web.Tests.Designer;

/// <summary>POST /api/manifests/validate and /apply through the whole app, on the demo cluster.</summary>
public sealed class ManifestApiTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private const string BadService = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: default
        spec:
          type: NodePort
          selector: {name: nginx-pod}
          ports:
          - name: Web_HTTP
            port: 8080
            targetPort: 80
            nodePort: 80
        """;

    [Fact]
    public async Task Validate_BadPortNameAndNodePort_ReturnsTheApiServersMessages()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/manifests/validate", Yaml(BadService));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        var entry = Assert.Single(body.EnumerateArray());
        Assert.Equal("""{"kind":"Service","namespace":"default","name":"web"}""", entry.GetProperty("object").GetRawText());
        Assert.Equal(1, entry.GetProperty("document").GetInt32());
        var findings = entry.GetProperty("findings").EnumerateArray().Select(f => (f.GetProperty("field").GetString(), f.GetProperty("severity").GetString(), f.GetProperty("message").GetString())).ToList();
        Assert.Contains(("spec.ports[0].name", "error",
            "spec.ports[0].name: Invalid value: \"Web_HTTP\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
            findings);
        Assert.Contains(("spec.ports[0].nodePort", "error",
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"),
            findings);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/x-yaml")]
    public async Task Validate_JsonBodyInAnyAcceptedType_IsRead(string contentType)
    {
        using var client = factory.CreateClient();
        var json = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"ok","namespace":"default"},"spec":{"selector":{"name":"nginx-pod"},"ports":[{"port":80}]}}""";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/manifests/validate") { Content = new StringContent(json, Encoding.UTF8, contentType) };
        if (contentType == "text/plain")
        {
            // A content type a cross-site form can send must carry the anti-forgery header (docs/security.md).
            request.Headers.Add("X-PortMapper-Request", "1");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single((await ReadJsonAsync(response)).EnumerateArray());
        Assert.Empty(entry.GetProperty("findings").EnumerateArray());
    }

    [Fact]
    public async Task Validate_MalformedYaml_Returns400NamingDocumentAndLine()
    {
        using var client = factory.CreateClient();
        var text = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n namespace: x\n";

        using var response = await client.PostAsync("/api/manifests/validate", Yaml(text));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadJsonAsync(response);
        Assert.Equal("Malformed manifest", problem.GetProperty("title").GetString());
        Assert.StartsWith("document 2, line 9: malformed YAML: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, problem.GetProperty("document").GetInt32());
        Assert.Equal(9, problem.GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task Validate_UnknownKind_IsAnInfoFindingOnKind()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/manifests/validate", Yaml("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"));

        var finding = Assert.Single(Assert.Single((await ReadJsonAsync(response)).EnumerateArray()).GetProperty("findings").EnumerateArray());
        Assert.Equal("kind", finding.GetProperty("field").GetString());
        Assert.Equal("info", finding.GetProperty("severity").GetString());
        Assert.Equal("kind: PortMapper does not validate kind \"Widget\": the API server will check it when it is applied", finding.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ApplyDryRun_NewService_Answers201WithoutStoringIt()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/manifests/apply?dryRun=true", Yaml(Service("dry-e2e", 8181)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = Assert.Single((await ReadJsonAsync(response)).EnumerateArray());
        Assert.Equal("""{"kind":"Service","namespace":"default","name":"dry-e2e"}""", result.GetProperty("object").GetRawText());
        Assert.Equal("created", result.GetProperty("outcome").GetString());
        Assert.Equal(201, result.GetProperty("status").GetInt32());
        Assert.Equal("Service default/dry-e2e would be created (server dry run)", result.GetProperty("message").GetString());
        Assert.Empty(result.GetProperty("conflicts").EnumerateArray());
        Assert.Empty(result.GetProperty("errors").EnumerateArray());
        Assert.Null(Demo().Get(new ObjectRef("Service", "default", "dry-e2e")));
    }

    [Fact]
    public async Task Apply_NewService_IsStoredAndItsPathsAppearInTheApi()
    {
        using var client = factory.CreateClient();
        try
        {
            using var response = await client.PostAsync("/api/manifests/apply?dryRun=false", Yaml(Service("applied-e2e", 8182)));

            var result = Assert.Single((await ReadJsonAsync(response)).EnumerateArray());
            Assert.Equal("created", result.GetProperty("outcome").GetString());
            Assert.Equal(201, result.GetProperty("status").GetInt32());
            Assert.NotNull(Demo().Get(new ObjectRef("Service", "default", "applied-e2e")));
            await WaitForAsync(async () =>
            {
                var paths = await client.GetFromJsonAsync<JsonElement>("/api/paths?namespace=default");
                return paths.EnumerateArray().Any(p => p.GetProperty("id").GetString() == "nodeport:default/applied-e2e:8182/TCP");
            });
        }
        finally
        {
            Demo().Delete(new ObjectRef("Service", "default", "applied-e2e"));
        }
    }

    [Fact]
    public async Task Apply_NodePortAlreadyAllocated_Returns422FromTheAllocator()
    {
        using var client = factory.CreateClient();
        var taken = Service("taken-e2e", 8183, nodePort: 30001);

        using var response = await client.PostAsync("/api/manifests/apply?dryRun=false", Yaml(taken));

        var result = Assert.Single((await ReadJsonAsync(response)).EnumerateArray());
        Assert.Equal("invalid", result.GetProperty("outcome").GetString());
        Assert.Equal(422, result.GetProperty("status").GetInt32());
        Assert.Equal("Service \"taken-e2e\" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated", result.GetProperty("message").GetString());
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal("spec.ports[0].nodePort", error.GetProperty("field").GetString());
        Assert.Equal("Invalid value: 30001: provided port is already allocated", error.GetProperty("message").GetString());
        Assert.Null(Demo().Get(new ObjectRef("Service", "default", "taken-e2e")));
    }

    [Fact]
    public async Task Apply_FieldOwnedByAnotherManager_Returns409NamingManagerAndField()
    {
        using var client = factory.CreateClient();
        try
        {
            using var first = await client.PostAsync("/api/manifests/apply?dryRun=false&fieldManager=ci-pipeline", Yaml(Service("owned-e2e", 8184)));
            Assert.Equal("created", Assert.Single((await ReadJsonAsync(first)).EnumerateArray()).GetProperty("outcome").GetString());

            using var second = await client.PostAsync("/api/manifests/apply?dryRun=true", Yaml(Service("owned-e2e", 8184).Replace("targetPort: 80", "targetPort: 8080", StringComparison.Ordinal)));

            var result = Assert.Single((await ReadJsonAsync(second)).EnumerateArray());
            Assert.Equal("conflict", result.GetProperty("outcome").GetString());
            Assert.Equal(409, result.GetProperty("status").GetInt32());
            var conflict = Assert.Single(result.GetProperty("conflicts").EnumerateArray());
            Assert.Equal("ci-pipeline", conflict.GetProperty("manager").GetString());
            Assert.Equal(".spec.ports[port=8184,protocol=\"TCP\"].targetPort", conflict.GetProperty("field").GetString());

            using var forced = await client.PostAsync("/api/manifests/apply?dryRun=true&force=true", Yaml(Service("owned-e2e", 8184).Replace("targetPort: 80", "targetPort: 8080", StringComparison.Ordinal)));
            Assert.Equal("configured", Assert.Single((await ReadJsonAsync(forced)).EnumerateArray()).GetProperty("outcome").GetString());
        }
        finally
        {
            Demo().Delete(new ObjectRef("Service", "default", "owned-e2e"));
        }
    }

    [Fact]
    public async Task Apply_MissingNamespace_Is404UnlessCreateNamespacesIsSet()
    {
        using var client = factory.CreateClient();
        var elsewhere = Service("ns-e2e", 8185).Replace("namespace: default", "namespace: not-there-yet", StringComparison.Ordinal);

        using var refused = await client.PostAsync("/api/manifests/apply?dryRun=true", Yaml(elsewhere));
        using var created = await client.PostAsync("/api/manifests/apply?dryRun=true&createNamespaces=true", Yaml(elsewhere));

        var missing = Assert.Single((await ReadJsonAsync(refused)).EnumerateArray());
        Assert.Equal(("notfound", 404), (missing.GetProperty("outcome").GetString(), missing.GetProperty("status").GetInt32()));
        Assert.Equal("namespaces \"not-there-yet\" not found", missing.GetProperty("message").GetString());
        Assert.Equal(201, Assert.Single((await ReadJsonAsync(created)).EnumerateArray()).GetProperty("status").GetInt32());
        Assert.Null(Demo().Get(new ObjectRef("Namespace", "", "not-there-yet")));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("text/plain")]
    public async Task Apply_FormContentType_Returns415(string contentType)
    {
        using var client = factory.CreateClient();
        using var content = new StringContent(Service("form-e2e", 8186));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        using var response = await client.PostAsync("/api/manifests/apply?dryRun=false", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await ReadJsonAsync(response);
        Assert.Contains("needs Content-Type: application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(Demo().Get(new ObjectRef("Service", "default", "form-e2e")));
    }

    [Theory]
    [InlineData("/api/manifests/apply", "dryRun is required: dryRun=true asks the cluster for a server-side dry run (nothing is stored), dryRun=false applies.")]
    [InlineData("/api/manifests/apply?dryRun=yes", "dryRun must be true or false, not \"yes\".")]
    [InlineData("/api/manifests/apply?dryRun=true&force=1", "force must be true or false, not \"1\".")]
    public async Task Apply_BadQuery_Returns400SayingWhatIsAccepted(string url, string detail)
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync(url, Yaml(Service("query-e2e", 8187)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, (await ReadJsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Apply_GuardRefuses_Returns403WithTheReasonAndAppliesNothing()
    {
        // Not disposed here: the class fixture disposes the factories derived from it.
        var refusing = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton<IApplyGuard>(new RefusingGuard()))));
        using var client = refusing.CreateClient();

        using var response = await client.PostAsync("/api/manifests/apply?dryRun=true", Yaml(Service("refused-e2e", 8188)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await ReadJsonAsync(response);
        Assert.Equal("Dry run not allowed", problem.GetProperty("title").GetString());
        Assert.Equal(RefusingGuard.Reason, problem.GetProperty("detail").GetString());
    }

    /// <summary>A NodePort Service for the demo's nginx pod; the nodePort defaults to one no demo Service holds.</summary>
    private static string Service(string name, int port, int? nodePort = null) => $$"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {{name}}
          namespace: default
        spec:
          type: NodePort
          selector:
            name: nginx-pod
          ports:
          - port: {{port}}
            targetPort: 80
            nodePort: {{nodePort ?? 30900 + (port % 100)}}
        """;

    private DemoCluster Demo() => (DemoCluster)factory.Services.GetRequiredService<LiveAnalysis>().Source;

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 10 seconds");
            await Task.Delay(50);
        }
    }

    private sealed class RefusingGuard : IApplyGuard
    {
        public const string Reason = "Only members of group platform-admins may apply; you are signed in as guest.";

        public ApplyDecision Check(ClaimsPrincipal user, bool dryRun) => new(false, Reason);

        public void Audit(ClaimsPrincipal user, IReadOnlyList<ApplyObjectResult> results, bool dryRun) =>
            throw new InvalidOperationException("A refused call must not be audited as an apply.");
    }
}
