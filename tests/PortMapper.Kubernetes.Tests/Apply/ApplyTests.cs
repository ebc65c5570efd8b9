using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Tests.Support;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Apply;

public sealed class ApplyTests : IAsyncLifetime
{
    private static readonly ApplyOptions Apply = new(DryRun: false);
    private ApiServer _server = null!;
    private KubernetesClusterSource _source = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync();
        _server.Store.Put(K8s.Namespace("demo"));
        _source = LiveSource.For(_server, _server.CreateToken("admin", "system:masters"), LiveSource.Fast with { AllowApply = true }, ns: "demo");
        await _source.StartAsync(CancellationToken.None);
        await _source.WaitForSyncAsync(Eventually.Limit());
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<ApplyObjectResult> ApplyOneAsync(JsonObject obj, ApplyOptions? options = null) =>
        Assert.Single(await _source.ApplyAsync([obj], options ?? Apply, CancellationToken.None));

    [Fact]
    public async Task ApplyAsync_NewThenSameThenChanged_IsCreatedUnchangedConfigured()
    {
        var created = await ApplyOneAsync(K8s.Service("demo", "web", "NodePort", nodePort: 30080));
        var rv = (string?)created.Result!["metadata"]!["resourceVersion"];
        Assert.True(await Eventually.TrueAsync(() => _source.Snapshot.Services.GetValueOrDefault(new ObjectKey("demo", "web"))?.Metadata.ResourceVersion == rv));
        var same = await ApplyOneAsync(K8s.Service("demo", "web", "NodePort", nodePort: 30080));
        var changed = await ApplyOneAsync(K8s.Service("demo", "web", "NodePort", port: 8080, nodePort: 30080));

        Assert.Equal((ApplyOutcome.Created, 201, "Service demo/web created"), (created.Outcome, created.HttpStatus, created.Message));
        Assert.Equal((ApplyOutcome.Unchanged, 200), (same.Outcome, same.HttpStatus));
        Assert.Equal((ApplyOutcome.Configured, 200), (changed.Outcome, changed.HttpStatus));
        Assert.Equal(8080, (int)_server.Store.Get("Service", "demo", "web")!["spec"]!["ports"]![0]!["port"]!);
    }

    [Fact]
    public async Task ApplyAsync_FieldOwnedByAnotherManager_IsAConflictNamingManagerAndField()
    {
        await ApplyOneAsync(K8s.Service("demo", "shared", "NodePort", nodePort: 30081), Apply with { FieldManager = "other-manager" });

        var result = await ApplyOneAsync(K8s.Service("demo", "shared", "NodePort", nodePort: 30082));
        var forced = await ApplyOneAsync(K8s.Service("demo", "shared", "NodePort", nodePort: 30082), Apply with { Force = true });

        Assert.Equal((ApplyOutcome.Conflict, 409), (result.Outcome, result.HttpStatus));
        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal(("other-manager", ".spec.ports[port=80,protocol=\"TCP\"].nodePort"), (conflict.Manager, conflict.Field));
        Assert.Contains("Apply with force to take them over", result.Message, StringComparison.Ordinal);
        Assert.Equal(ApplyOutcome.Configured, forced.Outcome);
        Assert.Equal(30082, (int)_server.Store.Get("Service", "demo", "shared")!["spec"]!["ports"]![0]!["nodePort"]!);
    }

    [Fact]
    public async Task ApplyAsync_InvalidNodePort_IsInvalidWithTheFieldError()
    {
        var result = await ApplyOneAsync(K8s.Service("demo", "lowport", "NodePort", nodePort: 80));

        Assert.Equal((ApplyOutcome.Invalid, 422), (result.Outcome, result.HttpStatus));
        Assert.Equal(
            new FieldError("spec.ports[0].nodePort", "FieldValueInvalid", "Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"),
            Assert.Single(result.Errors));
        Assert.StartsWith("Service demo/lowport is invalid: spec.ports[0].nodePort: Invalid value: 80", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_DryRun_ReportsTheOutcomeAndSavesNothing()
    {
        var created = await ApplyOneAsync(K8s.Service("demo", "planned", "NodePort", nodePort: 30090), Apply with { DryRun = true });
        await ApplyOneAsync(K8s.Service("demo", "kept", port: 80));
        var before = _server.Store.Get("Service", "demo", "kept")!.ToJsonString();
        var changed = await ApplyOneAsync(K8s.Service("demo", "kept", port: 81), Apply with { DryRun = true });

        Assert.Equal((ApplyOutcome.Created, "Service demo/planned would be created (dry run: nothing was saved)"), (created.Outcome, created.Message));
        Assert.Null(_server.Store.Get("Service", "demo", "planned"));
        Assert.Equal(81, (int)changed.Result!["spec"]!["ports"]![0]!["port"]!);
        Assert.Equal(before, _server.Store.Get("Service", "demo", "kept")!.ToJsonString());
    }

    [Fact]
    public async Task ApplyAsync_IdentityWithoutPatch_IsForbiddenWithTheMissingPermission()
    {
        var token = _server.CreateToken("reader");
        _server.Access.GrantRead("reader", ["*"]);
        await using var readerSource = LiveSource.For(_server, token, LiveSource.Fast with { AllowApply = true }, ns: "demo");

        var result = Assert.Single(await readerSource.ApplyAsync([K8s.Service("demo", "web")], Apply, CancellationToken.None));

        Assert.Equal((ApplyOutcome.Forbidden, 403), (result.Outcome, result.HttpStatus));
        Assert.Contains("User \"reader\" cannot patch resource \"services\"", result.Message, StringComparison.Ordinal);
        Assert.Contains("needs patch (and create, for new objects) on services in namespace \"demo\"", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_RevokedCredentials_IsUnauthorized()
    {
        await using var revoked = LiveSource.For(_server, "revoked-token", LiveSource.Fast with { AllowApply = true });

        var result = Assert.Single(await revoked.ApplyAsync([K8s.Service("demo", "web")], Apply, CancellationToken.None));

        Assert.Equal((ApplyOutcome.Unauthorized, 401), (result.Outcome, result.HttpStatus));
        Assert.DoesNotContain("revoked-token", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_MissingNamespace_IsNotFoundUnlessNamespacesAreCreated()
    {
        var missing = await ApplyOneAsync(K8s.Service("new-team", "web"));
        var results = await _source.ApplyAsync([K8s.Service("new-team", "web")], Apply with { CreateNamespaces = true }, CancellationToken.None);

        Assert.Equal((ApplyOutcome.NotFound, 404), (missing.Outcome, missing.HttpStatus));
        Assert.Contains("namespace \"new-team\" does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Equal(
            [(new ObjectRef("Service", "new-team", "web"), ApplyOutcome.Created), (new ObjectRef("Namespace", "", "new-team"), ApplyOutcome.Created)],
            results.Select(r => (r.Object, r.Outcome)).ToArray());
    }

    [Fact]
    public async Task ApplyAsync_EveryKindGoesToItsResource()
    {
        static JsonObject Workload(string apiVersion, string kind) => K8s.Parse("""
            {"apiVersion":"API","kind":"KIND","metadata":{"name":"w-LOWER"},
             "spec":{"selector":{"matchLabels":{"app":"w"}},"template":{"metadata":{"labels":{"app":"w"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
            """.Replace("API", apiVersion, StringComparison.Ordinal).Replace("KIND", kind, StringComparison.Ordinal).Replace("LOWER", kind.ToLowerInvariant(), StringComparison.Ordinal));
        JsonObject[] objects =
        [
            K8s.Namespace("extra"), K8s.IngressClass("traefik"), K8s.Ingress("demo", "web", "web.local", "web"), K8s.Pod("demo", "solo", "10.244.1.5"),
            Workload("apps/v1", "Deployment"), Workload("apps/v1", "StatefulSet"), Workload("apps/v1", "DaemonSet"), Workload("apps/v1", "ReplicaSet"), Workload("batch/v1", "Job"),
        ];

        var results = await _source.ApplyAsync(objects, Apply, CancellationToken.None);

        Assert.All(results, r => Assert.Equal(ApplyOutcome.Created, r.Outcome));
        Assert.NotNull(_server.Store.Get("IngressClass", null, "traefik"));
        Assert.NotNull(_server.Store.Get("Job", "demo", "w-job"));
        Assert.Contains(_server.Requests, r => r.Method == "PATCH" && r.Path == "/apis/apps/v1/namespaces/demo/statefulsets/w-statefulset");
        Assert.Contains(_server.Requests, r => r.Method == "PATCH" && r.Path == "/apis/networking.k8s.io/v1/ingressclasses/traefik" && r.Query == "?fieldManager=portmapper");
    }

    [Fact]
    public async Task ApplyAsync_UnknownKindOrWrongGroup_IsAnErrorResultNotAnException()
    {
        var results = await _source.ApplyAsync(
            [K8s.Parse("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"demo"}}"""),
             K8s.Parse("""{"apiVersion":"v1","kind":"Deployment","metadata":{"name":"d"}}"""),
             K8s.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{}}""")],
            Apply, CancellationToken.None);

        Assert.All(results, r => Assert.Equal(ApplyOutcome.Error, r.Outcome));
        Assert.Contains("cannot apply kind Widget", results[0].Message, StringComparison.Ordinal);
        Assert.Contains("Deployment, ", results[0].Message, StringComparison.Ordinal);
        Assert.Contains("use apiVersion apps/v1", results[1].Message, StringComparison.Ordinal);
        Assert.Contains("metadata.name is required", results[2].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task ApplyAsync_ReadOnlySource_RefusesEveryObject()
    {
        await using var readOnly = LiveSource.For(_server, _server.CreateToken("admin2", "system:masters"), ns: "demo");

        var results = await readOnly.ApplyAsync([K8s.Service("demo", "a"), K8s.Pod("demo", "b", "10.0.0.1")], Apply, CancellationToken.None);

        Assert.False(readOnly.CanApply);
        Assert.All(results, r => Assert.Equal(ApplyOutcome.Refused, r.Outcome));
        Assert.Contains("read-only", results[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task ApplyAsync_ObjectWithoutNamespace_GoesToTheContextNamespace()
    {
        var result = await ApplyOneAsync(K8s.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"nons"},"spec":{"ports":[{"port":80}]}}"""));

        Assert.Equal((new ObjectRef("Service", "demo", "nons"), ApplyOutcome.Created), (result.Object, result.Outcome));
        Assert.Equal("80", _server.Store.Get("Service", "demo", "nons")!["spec"]!["ports"]![0]!["targetPort"]!.ToJsonString());
    }

    [Fact]
    public async Task ApplyAsync_ApiClientDirectly_MapsTheSameOutcomes()
    {
        var result = await _source.Client.ApplyAsync(K8s.Service("demo", "direct"), Apply with { FieldManager = "someone-else" }, "demo", CancellationToken.None);

        Assert.Equal(ApplyOutcome.Created, result.Outcome);
        Assert.Contains(_server.Requests, r => r.Query == "?fieldManager=someone-else");
        Assert.Equal(ResourceType.Applicable["Service"], ResourceType.Services);
    }

    [Fact]
    public async Task ApplyAsync_DryRunAndForce_ReachTheServerAsQueryParameters()
    {
        var result = await ApplyOneAsync(K8s.Service("demo", "dry", "NodePort", nodePort: 30090), Apply with { DryRun = true, Force = true });

        Assert.Equal(ApplyOutcome.Created, result.Outcome);
        Assert.Contains("dry run", result.Message, StringComparison.Ordinal);
        Assert.Null(_server.Store.Get("Service", "demo", "dry"));
        Assert.Contains(_server.Requests, r => r.Method == "PATCH" && r.Path == "/api/v1/namespaces/demo/services/dry" && r.Query == "?dryRun=All&fieldManager=portmapper&force=true");
    }

    [Fact]
    public async Task ApplyAsync_OlderApiVersionOfAKnownKind_NamesTheVersionToUse()
    {
        var deployment = new JsonObject { ["apiVersion"] = "apps/v1beta2", ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = "old", ["namespace"] = "demo" } };

        var result = await ApplyOneAsync(deployment);

        Assert.Equal(ApplyOutcome.Error, result.Outcome);
        Assert.Contains("Deployment demo/old: PortMapper applies Deployment as apps/v1, not apps/v1beta2", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypedApply_EveryApplicableKind_HasALibraryCall() =>
        Assert.Equal(ResourceType.Applicable.Keys.Order(StringComparer.Ordinal), PortMapper.Kubernetes.Apply.TypedApply.Kinds.Order(StringComparer.Ordinal));
}
