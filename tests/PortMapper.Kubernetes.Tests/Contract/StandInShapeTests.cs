using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Contract;

/// <summary>
/// The stand-in answers the recorded requests with the recorded shapes: status codes, header names, compact JSON,
/// and for errors the very same bytes. It is seeded with the objects the recordings were made against.
/// </summary>
public sealed class StandInShapeTests : IAsyncLifetime
{
    private const string RecorderAgent = "k8s-recorder/1.0 (linux/amd64)";
    private ApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        _server.Store.PutAll([K8s.Namespace("default"), K8s.Namespace("demo"), K8s.IngressClass("nginx")]);
        foreach (var (file, kind, apiVersion) in new[]
                 {
                     ("list-services.json", "Service", "v1"), ("list-pods.json", "Pod", "v1"), ("list-nodes.json", "Node", "v1"),
                     ("list-endpointslices.json", "EndpointSlice", "discovery.k8s.io/v1"), ("list-ingresses.json", "Ingress", "networking.k8s.io/v1"),
                 })
        {
            foreach (var item in JsonNode.Parse(Recordings.Text(file))!["items"]!.AsArray())
            {
                var o = item!.DeepClone().AsObject();
                o["kind"] = kind;
                o["apiVersion"] = apiVersion;
                _server.Store.Put(o);
            }
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HttpClient Client(string user = "admin", string group = "system:masters", string agent = RecorderAgent)
    {
        var cert = _server.CreateClientCertificate(user, group.Length == 0 ? [] : [group]);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c is X509Certificate2 x && _server.Pki.Issued(x);
        handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPem(cert.CertificatePem, cert.KeyPem)];
        var client = new HttpClient(handler) { BaseAddress = _server.BaseAddress };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(agent);
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        return client;
    }

    private static IEnumerable<string> HeaderNames(HttpResponseMessage r) =>
        r.Headers.Select(h => h.Key).Concat(r.Content.Headers.Select(h => h.Key)).Select(h => h.ToUpperInvariant()).Order(StringComparer.Ordinal);

    private static void AssertSameAnswer(string recording, HttpResponseMessage response, string body, bool exactBody)
    {
        Assert.Equal(Recordings.StatusCode(recording), (int)response.StatusCode);
        Assert.Equal(Recordings.HeaderNames(recording).Select(h => h.ToUpperInvariant()).Order(StringComparer.Ordinal), HeaderNames(response));
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-cache, private", response.Headers.CacheControl!.ToString());
        var file = Directory.GetFiles(Recordings.Dir, recording + ".json*").Single();
        if (exactBody)
        {
            Assert.Equal(File.ReadAllText(file), body);
        }
        else
        {
            var lines = file.EndsWith(".jsonl", StringComparison.Ordinal);
            var expected = lines ? File.ReadAllText(file).Split('\n')[0] : File.ReadAllText(file);
            Assert.Equal("", string.Join("; ", JsonShape.Differences(JsonNode.Parse(expected), JsonNode.Parse(lines ? body.Split('\n')[0] : body))));
        }
    }

    [Theory]
    [InlineData("/api/v1/services", "list-services")]
    [InlineData("/api/v1/pods", "list-pods")]
    [InlineData("/api/v1/nodes", "list-nodes")]
    [InlineData("/apis/discovery.k8s.io/v1/endpointslices", "list-endpointslices")]
    [InlineData("/api/v1/namespaces/demo/services/web", "get-service-demo-web")]
    public async Task Get_RecordedRead_AnswersWithTheRecordedShape(string path, string recording)
    {
        using var client = Client();

        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        AssertSameAnswer(recording, response, body, exactBody: false);
        Assert.DoesNotContain('\n', body.TrimEnd('\n'));
    }

    [Fact]
    public async Task List_ItemsCarryNoKindAndTheListHasTheRecordedResourceVersionField()
    {
        using var client = Client();

        var body = JsonNode.Parse(await client.GetStringAsync("/apis/networking.k8s.io/v1/ingresses"))!;

        Assert.Equal(("IngressList", "networking.k8s.io/v1"), ((string?)body["kind"], (string?)body["apiVersion"]));
        Assert.Equal(_server.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)body["metadata"]!["resourceVersion"]);
        Assert.Null(body["items"]![0]!["kind"]);
    }

    [Fact]
    public async Task Get_MissingService_AnswersTheRecorded404Bytes()
    {
        using var client = Client();

        using var response = await client.GetAsync("/api/v1/namespaces/demo/services/does-not-exist");

        AssertSameAnswer("error-404-service-not-found", response, await response.Content.ReadAsStringAsync(), exactBody: true);
    }

    [Fact]
    public async Task List_UserWithoutRbac_AnswersTheRecorded403Bytes()
    {
        using var client = Client("nobody", "");

        using var response = await client.GetAsync("/api/v1/namespaces/demo/services");

        AssertSameAnswer("error-403-forbidden-client-cert", response, await response.Content.ReadAsStringAsync(), exactBody: true);
    }

    [Theory]
    [InlineData("web-dup", 30080, "http", "error-422-duplicate-nodeport")]
    [InlineData("web-lowport", 80, "http", "error-422-nodeport-out-of-range")]
    [InlineData("web-badname", 30090, "Web_HTTP", "error-422-invalid-port-name")]
    [InlineData("web", 30080, "http", "error-422-existing-name-same-nodeport")]
    public async Task Create_InvalidService_AnswersTheRecorded422Bytes(string name, int nodePort, string portName, string recording)
    {
        using var client = Client();
        var bodyC = """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"NAME","namespace":"demo"},
             "spec":{"type":"NodePort","selector":{"app":"web"},
              "ports":[{"name":"PORTNAME","port":80,"protocol":"TCP","targetPort":"http","nodePort":NODEPORT}]}}
            """.Replace("PORTNAME", portName, StringComparison.Ordinal).Replace("NAME", name, StringComparison.Ordinal)
            .Replace("NODEPORT", nodePort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        using var response = await client.PostAsync("/api/v1/namespaces/demo/services", new StringContent(bodyC, Encoding.UTF8, "application/json"));

        AssertSameAnswer(recording, response, await response.Content.ReadAsStringAsync(), exactBody: true);
    }

    [Fact]
    public async Task Create_ExistingService_AnswersTheRecorded409Bytes()
    {
        using var client = Client();
        const string bodyD = """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"demo"},
             "spec":{"type":"ClusterIP","selector":{"app":"web"},"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":"http"}]}}
            """;

        using var response = await client.PostAsync("/api/v1/namespaces/demo/services", new StringContent(bodyD, Encoding.UTF8, "application/json"));

        AssertSameAnswer("error-409-already-exists", response, await response.Content.ReadAsStringAsync(), exactBody: true);
    }

    private static StringContent ApplyBody(string yaml) => new(yaml, Encoding.UTF8, new MediaTypeHeaderValue("application/apply-patch+yaml"));

    private static string BodyB(int nodePort) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: ssa-conflict-demo
          namespace: demo
        spec:
          type: NodePort
          selector:
            app: web
          ports:
          - name: http
            port: 80
            protocol: TCP
            targetPort: http
            nodePort: {nodePort}
        """;

    [Fact]
    public async Task Apply_CreateThenConflictingManager_AnswersTheRecorded201ShapeAnd409Bytes()
    {
        using var client = Client();

        using var created = await client.PatchAsync("/api/v1/namespaces/demo/services/ssa-conflict-demo?fieldManager=portmapper", ApplyBody(BodyB(30081)));
        var createdBody = await created.Content.ReadAsStringAsync();
        using var conflict = await client.PatchAsync("/api/v1/namespaces/demo/services/ssa-conflict-demo?fieldManager=other-manager", ApplyBody(BodyB(30082)));

        AssertSameAnswer("ssa-apply-create-response", created, createdBody, exactBody: false);
        var recorded = JsonNode.Parse(Recordings.Text("ssa-apply-create-response.json"))!;
        Assert.True(JsonNode.DeepEquals(recorded["metadata"]!["managedFields"]![0]!["fieldsV1"], JsonNode.Parse(createdBody)!["metadata"]!["managedFields"]![0]!["fieldsV1"]));
        AssertSameAnswer("error-409-ssa-conflict", conflict, await conflict.Content.ReadAsStringAsync(), exactBody: true);
    }

    [Fact]
    public async Task Apply_DryRun_AnswersTheRecordedMergeAndSavesNothing()
    {
        using var client = Client();
        const string bodyA = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: demo
              annotations:
                portmapper.example.com/managed: "true"
            spec:
              type: NodePort
              ports:
              - name: http
                port: 80
                protocol: TCP
                targetPort: http
                nodePort: 30080
            """;
        var before = _server.Store.Get("Service", "demo", "web")!.ToJsonString();

        using var response = await client.PatchAsync("/api/v1/namespaces/demo/services/web?fieldManager=portmapper&dryRun=All", ApplyBody(bodyA));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        AssertSameAnswer("ssa-dryrun-response", response, body.ToJsonString(), exactBody: false);
        var recorded = JsonNode.Parse(Recordings.Text("ssa-dryrun-response.json"))!;
        Assert.Equal(["portmapper", "kubectl-client-side-apply"], body["metadata"]!["managedFields"]!.AsArray().Select(m => (string)m!["manager"]!).ToArray());
        Assert.True(JsonNode.DeepEquals(recorded["metadata"]!["managedFields"]![0]!["fieldsV1"], body["metadata"]!["managedFields"]![0]!["fieldsV1"]));
        Assert.Equal("true", (string?)body["metadata"]!["annotations"]!["portmapper.example.com/managed"]);
        Assert.Equal(before, _server.Store.Get("Service", "demo", "web")!.ToJsonString());
    }

    [Fact]
    public async Task List_CompactedResourceVersion_AnswersTheRecorded410Bytes()
    {
        using var client = Client();
        var old = _server.Store.Revision;
        _server.Store.Put(K8s.Namespace("after-compaction"));
        _server.Store.Compact();

        using var response = await client.GetAsync($"/api/v1/namespaces/demo/services?resourceVersion={old}&resourceVersionMatch=Exact");

        AssertSameAnswer("error-410-list-compacted-rv", response, await response.Content.ReadAsStringAsync(), exactBody: true);
    }

    [Fact]
    public async Task Watch_TooOldResourceVersion_Answers200WithTheRecordedErrorEvent()
    {
        using var client = Client();
        _server.Store.Put(K8s.Namespace("bump"));
        _server.Store.Compact();

        using var response = await client.GetAsync("/api/v1/services?watch=1&resourceVersion=1&timeoutSeconds=5", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        AssertSameAnswer("error-410-watch-too-old-rv", response, body, exactBody: false);
        var line = Assert.Single(body.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (""", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_CreateModifyDelete_StreamsTheRecordedEventShapes()
    {
        using var client = Client();
        var from = _server.Store.Revision;
        using var response = await client.GetAsync($"/api/v1/services?watch=1&resourceVersion={from}&allowWatchBookmarks=true&timeoutSeconds=70", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        const string created = """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"watch-demo","namespace":"demo","labels":{"app":"watch-demo"}},
             "spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":8080,"protocol":"TCP","targetPort":"http"}]}}
            """;
        (await client.PostAsync("/api/v1/namespaces/demo/services", new StringContent(created, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var modified = created.Replace("8080", "8081", StringComparison.Ordinal).Replace("\"app\":\"watch-demo\"", "\"app\":\"watch-demo\",\"stage\":\"modified\"", StringComparison.Ordinal);
        (await client.PatchAsync("/api/v1/namespaces/demo/services/watch-demo?fieldManager=kubectl-patch&force=true", ApplyBody(modified))).EnsureSuccessStatusCode();
        (await client.DeleteAsync("/api/v1/namespaces/demo/services/watch-demo")).EnsureSuccessStatusCode();

        // Bookmarks come every 200 ms here; keep the events and the first bookmark after the delete.
        var lines = new List<string>();
        while (lines.Count < 4 && await reader.ReadLineAsync() is { } line)
        {
            if (lines.Count == 3 || !line.StartsWith("{\"type\":\"BOOKMARK\"", StringComparison.Ordinal))
            {
                lines.Add(line);
            }
        }

        var recorded = Recordings.Text("watch-services.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ADDED", "MODIFIED", "DELETED", "BOOKMARK"], lines.Select(l => (string)JsonNode.Parse(l)!["type"]!).ToArray());
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("", string.Join("; ", JsonShape.Differences(JsonNode.Parse(recorded[i]), JsonNode.Parse(lines[i]))));
        }

        Assert.Equal(Recordings.HeaderNames("watch-services").Select(h => h.ToUpperInvariant()).Order(StringComparer.Ordinal), HeaderNames(response));
    }

    [Fact]
    public async Task Version_AnyUserAgent_IsIndentedWithTheRecordedFields()
    {
        using var client = Client();

        using var response = await client.GetAsync("/version");
        var body = await response.Content.ReadAsStringAsync();

        AssertSameAnswer("version", response, body, exactBody: false);
        Assert.StartsWith("{\n  \"major\": \"1\",", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_CurlUserAgent_IsPrettyPrinted()
    {
        using var client = Client(agent: "curl/8.5.0");

        var body = await client.GetStringAsync("/api/v1/namespaces/demo/services/web");

        Assert.Contains("\n  \"metadata\": {", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_NoCredentials_Answers401Status()
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var client = new HttpClient(handler) { BaseAddress = _server.BaseAddress };

        using var response = await client.GetAsync("/api/v1/pods");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}\n", await response.Content.ReadAsStringAsync());
    }
}
