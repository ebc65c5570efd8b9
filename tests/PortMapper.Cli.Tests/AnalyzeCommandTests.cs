using System.Diagnostics;
using System.Text.Json;
using PortMapper.Core.Analysis;

namespace PortMapper.Cli.Tests;

public sealed class AnalyzeCommandTests : IDisposable
{
    private const string InvalidPort = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
        spec:
          selector:
            app: web
          ports:
          - port: 80
            targetPort: 70000
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: shop
          labels:
            app: web
        spec:
          containers:
          - name: web
            image: nginx
            ports:
            - containerPort: 80
        """;

    private readonly Manifests _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Analyze_Seeds_ReportsWarningsGroupedByFileAndObjectAndPasses()
    {
        var run = CliRun.Of(["analyze", Repo.Seeds]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        var lines = run.Stdout.Split('\n');
        Assert.Contains(lines, l => l == Repo.Seed("05-webapp-three-ways.yaml"));
        Assert.Contains(lines, l => l.StartsWith("  Service web/webapp (line ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("    warning PM002 spec.ports[0].targetPort: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("      fix: ", StringComparison.Ordinal));
        Assert.Matches(@"\n0 errors, \d+ warnings?, \d+ notes? in \d+ objects from 5 files\.\n", run.Stdout);
    }

    [Fact]
    public void Analyze_SeedsFailOnWarning_ExitsWith1()
    {
        Assert.Equal(1, CliRun.Of(["analyze", Repo.Seeds, "--fail-on", "warning"]).ExitCode);
    }

    [Fact]
    public void Analyze_InvalidPort_IsAnErrorAtTheObjectsLineAndFails()
    {
        var file = _files.Write("invalid-port.yaml", InvalidPort);

        var run = CliRun.Of(["analyze", file]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("  Service shop/web (line 1)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("    error PM106 spec.ports[0].targetPort: The API server would refuse Service shop/web: spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_ErrorsWithFailOnNever_Passes()
    {
        var file = _files.Write("invalid-port.yaml", InvalidPort);

        Assert.Equal(0, CliRun.Of(["analyze", file, "--fail-on", "never"]).ExitCode);
    }

    [Fact]
    public void Analyze_MalformedYaml_IsPM105WithTheLineAndFails()
    {
        var file = _files.Write("broken.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x\n  bad: [\n");

        var run = CliRun.Of(["analyze", file, "--format", "json"]);

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var diagnostic = Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("PM105", diagnostic.GetProperty("code").GetString());
        Assert.Equal("error", diagnostic.GetProperty("severity").GetString());
        Assert.Equal(file, diagnostic.GetProperty("location").GetProperty("file").GetString());
        Assert.Equal(4, diagnostic.GetProperty("location").GetProperty("line").GetInt32());
        Assert.Contains("malformed YAML", diagnostic.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_UnknownKinds_AreListedAsNotAnalysedAndPass()
    {
        var file = _files.Write("crd.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");

        var run = CliRun.Of(["analyze", file]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Not analysed (kinds without ports or routes): 1 ConfigMap, 1 Widget.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("no Kubernetes objects PortMapper analyses", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_MissingFile_ExitsWith2AndSaysWhich()
    {
        var missing = Path.Combine(_files.Folder, "nope.yaml");

        var run = CliRun.Of(["analyze", missing]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal($"portmapper: cannot read {missing}: no such file or directory", run.Stderr.Trim());
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "analyze" }, "Required argument missing")]
    [InlineData(new[] { "analyze", ".", "--format", "xml" }, "'xml'")]
    [InlineData(new[] { "analyze", ".", "--fail-on", "info" }, "'info'")]
    [InlineData(new[] { "analyze", ".", "--node-port-range", "32767-30000" }, "--node-port-range: '32767-30000' is not a port range")]
    [InlineData(new[] { "lint", "." }, "'lint'")]
    public void Run_UsageError_ExitsWith2AndExplains(string[] args, string expected)
    {
        var run = CliRun.Of(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_Help_ListsTheOptionsAndExitsWith0()
    {
        var run = CliRun.Of(["analyze", "--help"]);

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--format", "--fail-on", "--node-port-range", "files-or-dirs" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Analyze_NodePortRange_JudgesNodePortsAgainstIt()
    {
        var file = _files.Write("nodeport.yaml", """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              type: NodePort
              selector: {app: web}
              ports:
              - port: 80
                nodePort: 31500
            """);

        var inDefault = CliRun.Of(["analyze", file, "--format", "json"]);
        var narrow = CliRun.Of(["analyze", file, "--format", "json", "--node-port-range", "30000-30999"]);

        Assert.DoesNotContain("\"PM005\"", inDefault.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"PM005\"", narrow.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, narrow.ExitCode);
    }

    [Fact]
    public void Analyze_Stdin_ReadsHelmTemplateOutputAndNamesTheTemplate()
    {
        const string helm = """
            ---
            # Source: shop/templates/service.yaml
            apiVersion: v1
            kind: Service
            metadata:
              name: api
            spec:
              selector:
                app: api
              ports:
              - port: 80
                targetPort: http
            """;

        var run = CliRun.Of(["analyze", "-", "--format", "json"], helm);

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var location = json.RootElement.GetProperty("diagnostics")[0].GetProperty("location");
        Assert.Equal("<stdin>", location.GetProperty("file").GetString());
        Assert.Equal("shop/templates/service.yaml", location.GetProperty("template").GetString());
    }

    [Fact]
    public void Analyze_StdinWithChartDir_PointsAtTheChartsTemplateFile()
    {
        const string helm = "---\n# Source: shop/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {app: api}\n  ports:\n  - port: 80\n";

        var run = CliRun.Of(["analyze", "-", "--format", "sarif", "--chart-dir", "charts/shop/"], helm);

        using var json = JsonDocument.Parse(run.Stdout);
        var location = json.RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("locations")[0];
        Assert.Equal("charts/shop/templates/service.yaml", location.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
    }

    [Fact]
    public void Analyze_Json_IsStableAndItsSummaryCountsTheDiagnostics()
    {
        var first = CliRun.Of(["analyze", Repo.Seeds, Repo.Root + "/samples/demo", "--format", "json"]);
        var second = CliRun.Of(["analyze", Repo.Seeds, Repo.Root + "/samples/demo", "--format", "json"]);

        Assert.Equal(first.Stdout, second.Stdout);
        using var json = JsonDocument.Parse(first.Stdout);
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        var diagnostics = json.RootElement.GetProperty("diagnostics").EnumerateArray().ToList();
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal(diagnostics.Count(d => d.GetProperty("severity").GetString() == "error"), summary.GetProperty("errors").GetInt32());
        Assert.Equal(diagnostics.Count(d => d.GetProperty("severity").GetString() == "warning"), summary.GetProperty("warnings").GetInt32());
        Assert.Equal(diagnostics.Count, summary.GetProperty("errors").GetInt32() + summary.GetProperty("warnings").GetInt32() + summary.GetProperty("notes").GetInt32());
        Assert.NotEqual(0, summary.GetProperty("errors").GetInt32());
        Assert.All(diagnostics, d => Assert.All(new[] { "code", "severity", "object", "field", "message", "fix", "location" }, p => Assert.True(d.TryGetProperty(p, out _), p)));
        Assert.Equal(1, first.ExitCode);
    }

    /// <summary>A Service port no client may reach (the policy lists the Service port) and an Ingress its controller may not reach.</summary>
    private const string PolicyMistakes = """
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: nginx}
        spec: {controller: k8s.io/ingress-nginx}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
        spec:
          selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
          template:
            metadata: {labels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}}
            spec: {containers: [{name: controller, image: ingress-nginx}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: shop}
        spec: {selector: {app: api}, ports: [{port: 80, targetPort: 8080}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: api-ingress, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: api}}
          ingress: [{ports: [{port: 80}]}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-from-shop, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress: [{from: [{podSelector: {}}]}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: shop}
        spec:
          ingressClassName: nginx
          rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
        """;

    [Fact]
    public void Analyze_NetworkPolicyMistakes_ReportsPM504AndPM505InTextAndSarif()
    {
        var file = _files.Write("policy-mistakes.yaml", PolicyMistakes);

        var text = CliRun.Of(["analyze", file]);
        var sarif = CliRun.Of(["analyze", file, "--format", "sarif"]);

        Assert.Equal(1, text.ExitCode);
        Assert.Contains("  Service shop/api (line 24)", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    error PM504 spec.ports[0]: Service shop/api port 80/TCP: NetworkPolicy shop/api-ingress isolates the only ready endpoint (shop/api-", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("for Ingress and no rule admits port 8080/TCP from any peer", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("Rule spec.ingress[0] of shop/api-ingress admits port 80, the Service port", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("  Ingress shop/web (line 57)", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    error PM505 spec.rules[0].http.paths[0].backend: Ingress shop/web sends shop.example.com/ to Service shop/web, but NetworkPolicy blocks the controller pod of IngressClass nginx", text.Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(sarif.Stdout);
        var run = json.RootElement.GetProperty("runs")[0];
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("ruleId").GetString() == "PM504" && r.GetProperty("level").GetString() == "error");
        Assert.Contains(results, r => r.GetProperty("ruleId").GetString() == "PM505" && r.GetProperty("level").GetString() == "error");
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Contains("PM504", rules);
        Assert.Contains("PM505", rules);
    }

    /// <summary>The Gateway API scenario of the Core tests (tests/PortMapper.Core.Tests/Fixtures/gateway/cluster.yaml): one of each mistake.</summary>
    [Fact]
    public void Analyze_GatewayApiMistakes_ReportsTheGatewayCodesInTextAndSarif()
    {
        var fixture = Path.Combine(RepoRoot(), "tests", "PortMapper.Core.Tests", "Fixtures", "gateway", "cluster.yaml");

        var text = CliRun.Of(["analyze", fixture]);
        var sarif = CliRun.Of(["analyze", fixture, "--format", "sarif"]);

        Assert.Equal(1, text.ExitCode);
        Assert.Contains("  HTTPRoute shop/orphan (line ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    error PM600 spec.parentRefs[0]: HTTPRoute shop/orphan is not accepted by its parentRefs[0] (NoMatchingParent)", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    error PM601 spec.hostnames: HTTPRoute shop/wrong-host", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    error PM602 spec.rules[1].backendRefs[1].namespace: HTTPRoute shop/storefront rule 1: Service other/legacy is in another namespace", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    error PM603 spec.rules[2].backendRefs[0].port:", text.Stdout, StringComparison.Ordinal);
        // Applied together, the routes are as old as each other (the API server sets creationTimestamp): the name decides.
        Assert.Contains("    warning PM605 spec.rules[0].matches[0]: HTTPRoute shop/storefront rule 0 (PathPrefix /api) never receives a request on listener https of Gateway infra/shop-gw: HTTPRoute shop/api-v2 rule 0", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("so shop/api-v2 wins alphabetically", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("  Gateway infra/shop-gw (line ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    error PM606 spec.listeners[3]:", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    warning PM607 status.parents[0].conditions[ResolvedRefs]:", text.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("not analysed", text.Stdout, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(sarif.Stdout);
        var run = json.RootElement.GetProperty("runs")[0];
        var found = run.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("ruleId").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "PM600", "PM601", "PM602", "PM603", "PM605", "PM606", "PM607" }, found);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortMapper.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("PortMapper.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Rules_EveryDiagnosticCode_HasADescription()
    {
        var codes = typeof(Codes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(codes.Order(StringComparer.Ordinal), Rules.All.Select(r => r.Id));
        Assert.All(codes, code => Assert.True(Rules.IsDescribed(code), $"{code} has no description in Rules"));
    }

    [Fact]
    public async Task Executable_StdinWithABrokenService_ExitsWith1()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "portmapper"), ["analyze", "-"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(InvalidPort);
        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(guard.Token);

        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith("<stdin>\n  Service shop/web (line 1)", stdout, StringComparison.Ordinal);
    }
}
