using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Tests.Fixtures;

namespace PortMapper.Core.Tests.Gateway;

/// <summary>
/// Gateway API objects read from YAML (Fixtures/gateway/cluster.yaml) through the whole analysis: the paths from a
/// Gateway's address through a listener and a route rule to a Service port and its pods, and the findings PM600-PM608.
/// </summary>
public class GatewayScenarioTests
{
    private static readonly LoadResult Loaded = ManifestLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "gateway", "cluster.yaml"));

    private static readonly ClusterAnalysis Cluster = Analyze();

    private static ClusterAnalysis Analyze(Func<IKubeObject, IKubeObject?>? edit = null)
    {
        Assert.Empty(Loaded.Errors);
        var objects = edit is null ? Loaded.Objects : [.. Loaded.Objects.Select(edit).OfType<IKubeObject>()];
        return ClusterAnalyzer.Analyze(ClusterSnapshot.From(objects), ManifestFindings.From(Loaded));
    }

    private static Diagnostic Finding(ClusterAnalysis a, string code, string obj) =>
        Assert.Single(a.Diagnostics, d => d.Code == code && $"{d.Object.Namespace}/{d.Object.Name}" == obj);

    [Fact]
    public void Load_EveryGatewayApiKindIsReadNotSkipped()
    {
        Assert.Empty(Loaded.Skipped);
        Assert.Empty(Loaded.Issues);
        var s = Cluster.Snapshot;
        Assert.Equal(["example"], s.GatewayClasses.Keys);
        Assert.Equal("example.com/gateway-controller", s.GatewayClasses["example"].ControllerName);
        var gw = s.Gateways[new ObjectKey("infra", "shop-gw")];
        Assert.Equal(["http", "https", "https-dup", "raw"], gw.Listeners.Select(l => l.Name).ToArray());
        Assert.Equal(["203.0.113.20"], gw.Addresses.ToArray());
        Assert.Equal(5, s.Routes.Count);
        var storefront = s.Routes[new ObjectRef("HTTPRoute", "shop", "storefront")];
        Assert.Equal(["Accepted", "ResolvedRefs"], storefront.Parents.Single().Conditions.Select(c => c.Type).ToArray());
    }

    /// <summary>
    /// HTTPRoute spec: a request matching a rule goes to its backendRefs; the path runs client → Gateway address and
    /// listener port → the Service port → the pods behind it (the implementation reads the endpoints).
    /// </summary>
    [Fact]
    public void Path_AttachedRoute_RunsFromTheGatewayAddressThroughTheListenerToThePods()
    {
        var p = Cluster.FindPath("httproute:shop/storefront:0.https:0:0")!;
        Assert.Equal(Exposure.Gateway, p.Exposure);
        Assert.Equal(PathStatus.Ok, p.Status);
        Assert.Equal([HopKind.Client, HopKind.Gateway, HopKind.ClusterIp, HopKind.Endpoints], p.Hops.Select(h => h.Kind).ToArray());
        var gw = p.Hops[1];
        Assert.Equal(["203.0.113.20"], gw.Addresses.ToArray());
        Assert.Equal(443, gw.Port);
        Assert.True(gw.Tls);
        Assert.Equal("shop.example.com/api", gw.Name);
        Assert.Contains("listener https (HTTPS) of Gateway infra/shop-gw", gw.Note, StringComparison.Ordinal);
        Assert.Equal(8080, p.Hops[2].Port);
        Assert.Equal("10.244.1.6:9090", Assert.Single(p.Hops[3].Endpoints).ToString());
        Assert.Equal(new ObjectRef("Gateway", "infra", "shop-gw"), p.Gateway);
        Assert.Equal(new ObjectRef("HTTPRoute", "shop", "storefront"), p.Route);
    }

    /// <summary>HTTPBackendRef.weight: "proportional to the sum of all weights in this rule"; a refused backend answers 500 for its share.</summary>
    [Fact]
    public void Path_WeightedBackends_OnePathEachWithItsShare_TheRefusedShareIs500()
    {
        var web = Cluster.FindPath("httproute:shop/storefront:0.https:1:0")!;
        var legacy = Cluster.FindPath("httproute:shop/storefront:0.https:1:1")!;
        Assert.Equal(0.9, web.Weight!.Value, 3);
        Assert.Equal(0.1, legacy.Weight!.Value, 3);
        Assert.Equal(PathStatus.Ok, web.Status);
        Assert.Equal(PathStatus.Broken, legacy.Status);
        Assert.StartsWith("500: ", legacy.Hops[^1].Note, StringComparison.Ordinal);
    }

    /// <summary>ParentReference: a parent that does not exist attaches the route to nothing (Accepted=False, NoMatchingParent).</summary>
    [Fact]
    public void PM600_ParentMissing_RouteAttachedToNothing()
    {
        var d = Finding(Cluster, Codes.GatewayRouteNotAttached, "shop/orphan");
        Assert.Equal("spec.parentRefs[0]", d.Field);
        Assert.Contains("Gateway infra/no-such-gw, which does not exist", d.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Paths, p => p.Route?.Name == "orphan");
    }

    /// <summary>AllowedRoutes.namespaces from: Selector — "only routes in namespaces selected by the selector may be attached".</summary>
    [Fact]
    public void PM600_NamespaceNotSelected_FixNamesTheSelectorAndTheMetadataNameLabel()
    {
        var d = Finding(Cluster, Codes.GatewayRouteNotAttached, "other/legacy");
        Assert.Contains("NotAllowedByListeners", d.Message, StringComparison.Ordinal);
        Assert.Contains("kubernetes.io/metadata.name: other", d.Fix, StringComparison.Ordinal);
    }

    /// <summary>HTTPRoute hostnames: a route none of whose hostnames intersects the listener's is not accepted (NoMatchingListenerHostname).</summary>
    [Fact]
    public void PM601_HostnameOutsideTheListener()
    {
        var d = Finding(Cluster, Codes.GatewayHostnameMismatch, "shop/wrong-host");
        Assert.Equal("spec.hostnames", d.Field);
        Assert.Contains("*.example.com", d.Message, StringComparison.Ordinal);
    }

    /// <summary>BackendRef: "a ReferenceGrant is required" for a reference into another namespace (ResolvedRefs=False, RefNotPermitted).</summary>
    [Fact]
    public void PM602_CrossNamespaceBackendWithoutGrant_FixGivesTheGrant_AndAGrantMendsIt()
    {
        var d = Finding(Cluster, Codes.GatewayReferenceNotPermitted, "shop/storefront");
        Assert.Equal("spec.rules[1].backendRefs[1].namespace", d.Field);
        Assert.Equal(["httproute:shop/storefront:0.https:1:1"], d.Paths.ToArray());
        Assert.Contains("ReferenceGrant in namespace other", d.Fix, StringComparison.Ordinal);

        var grant = ManifestLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: shop-routes, namespace: other}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
              to: [{group: "", kind: Service}]
            """, "grant.yaml").Objects.Single();
        var mended = ClusterAnalyzer.Analyze(Cluster.Snapshot.Upsert(grant));
        Assert.DoesNotContain(mended.Diagnostics, x => x.Code == Codes.GatewayReferenceNotPermitted);
        Assert.DoesNotContain("500", mended.FindPath("httproute:shop/storefront:0.https:1:1")!.Hops[^1].Note ?? "", StringComparison.Ordinal);
    }

    /// <summary>BackendRef.port: the Service's port (not the targetPort); a port the Service lacks is an invalid reference (500).</summary>
    [Fact]
    public void PM603_BackendPortNotInTheService()
    {
        var d = Finding(Cluster, Codes.GatewayBackendPortMissing, "shop/storefront");
        Assert.Equal("spec.rules[2].backendRefs[0].port", d.Field);
        Assert.Contains("has no port 8080 (it has 80)", d.Message, StringComparison.Ordinal);
        Assert.Contains("not the container's targetPort", d.Fix, StringComparison.Ordinal);
    }

    /// <summary>HTTPRouteRule precedence: equal matches go to "the oldest Route based on creation timestamp".</summary>
    [Fact]
    public void PM605_SameMatchInAYoungerRoute_IsShadowedByTheOlder()
    {
        var d = Finding(Cluster, Codes.GatewayRuleShadowed, "shop/api-v2");
        Assert.Equal("spec.rules[0].matches[0]", d.Field);
        Assert.Contains("shop/storefront rule 0", d.Message, StringComparison.Ordinal);
        Assert.Contains("older route wins", d.Message, StringComparison.Ordinal);
        Assert.Equal(["httproute:shop/api-v2:0.https:0:0"], d.Paths.ToArray());
        Assert.DoesNotContain(Cluster.Diagnostics, x => x.Code == Codes.GatewayRuleShadowed && x.Object.Name == "storefront");
    }

    /// <summary>HTTPRoute precedence goes by hostname first: an exact hostname's catch-all takes /api from a wildcard route.</summary>
    [Fact]
    public void PM605_ExactHostnameCatchAllShadowsAWildcardRoutesPath()
    {
        var extra = ManifestLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: wildcard-api, namespace: shop}
            spec:
              parentRefs: [{name: shop-gw, namespace: infra, sectionName: https}]
              hostnames: ["*.example.com"]
              rules: [{matches: [{path: {type: PathPrefix, value: /checkout}}], backendRefs: [{name: web, port: 80}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: wildcard-safe, namespace: shop}
            spec:
              parentRefs: [{name: shop-gw, namespace: infra, sectionName: https}]
              hostnames: [pay.example.com, shop.example.com]
              rules: [{matches: [{path: {type: PathPrefix, value: /pay}}], backendRefs: [{name: web, port: 80}]}]
            """, "extra.yaml").Objects;
        var a = ClusterAnalyzer.Analyze(extra.Aggregate(Cluster.Snapshot, (s, o) => s.Upsert(o)));

        // storefront's rule 1 (every request on shop.example.com) wins for shop.example.com, but *.example.com has
        // other hosts where /checkout still reaches wildcard-api: not shadowed.
        Assert.DoesNotContain(a.Diagnostics, d => d.Code == Codes.GatewayRuleShadowed && d.Object.Name == "wildcard-api");

        // wildcard-safe's /pay on shop.example.com is taken by storefront's catch-all there, but pay.example.com is its own: not shadowed either.
        Assert.DoesNotContain(a.Diagnostics, d => d.Code == Codes.GatewayRuleShadowed && d.Object.Name == "wildcard-safe");

        var only = ManifestLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: shop-pay, namespace: shop}
            spec:
              parentRefs: [{name: shop-gw, namespace: infra, sectionName: https}]
              hostnames: ["*.example.com"]
              rules: [{matches: [{path: {type: PathPrefix, value: /pay}}], backendRefs: [{name: web, port: 80}]}]
            """, "only.yaml").Objects.Single();
        var catchAll = ManifestLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: catch-all, namespace: shop}
            spec:
              parentRefs: [{name: shop-gw, namespace: infra, sectionName: https}]
              hostnames: ["*.example.com"]
              rules: [{backendRefs: [{name: web, port: 80}]}, {matches: [{path: {type: PathPrefix, value: /}}], backendRefs: [{name: api, port: 8080}]}]
            """, "catch.yaml").Objects.Single();
        var b = ClusterAnalyzer.Analyze(Cluster.Snapshot.Upsert(only).Upsert(catchAll));
        Assert.DoesNotContain(b.Diagnostics, d => d.Code == Codes.GatewayRuleShadowed && d.Object.Name == "shop-pay");
        var own = Finding(b, Codes.GatewayRuleShadowed, "shop/catch-all");
        Assert.Equal("spec.rules[1].matches[0]", own.Field);
        Assert.Contains("its own rule 0", own.Message, StringComparison.Ordinal);
    }

    /// <summary>Gateway listeners: on one port, protocols must be compatible and hostnames distinct (Conflicted: ProtocolConflict / HostnameConflict).</summary>
    [Fact]
    public void PM606_ListenerConflicts_HostnameAndProtocol()
    {
        var conflicts = Cluster.Diagnostics.Where(d => d.Code == Codes.GatewayListenerConflict).OrderBy(d => d.Field, StringComparer.Ordinal).ToList();
        Assert.Equal(["spec.listeners[2]", "spec.listeners[3]"], conflicts.Select(d => d.Field ?? "").ToArray());
        Assert.Contains("HostnameConflict", conflicts[0].Message, StringComparison.Ordinal);
        Assert.Contains("ProtocolConflict", conflicts[1].Message, StringComparison.Ordinal);

        // The routes on the first listener are not the ones marked.
        Assert.Equal(PathStatus.Ok, Cluster.FindPath("httproute:shop/storefront:0.https:0:0")!.Status);
    }

    /// <summary>RouteParentStatus: the controller's conditions are shown beside the prediction, and a disagreement is flagged.</summary>
    [Fact]
    public void PM607_ControllerSaysResolvedRefsTrue_PortMapperFindsTwoUnresolved()
    {
        var d = Finding(Cluster, Codes.GatewayStatusDisagrees, "shop/storefront");
        Assert.Equal("status.parents[0].conditions[ResolvedRefs]", d.Field);
        Assert.Contains("example.com/gateway-controller reports ResolvedRefs=True", d.Message, StringComparison.Ordinal);
        Assert.Contains("RefNotPermitted", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PM607_ControllerRefusesWhatPortMapperAccepts_QuotesTheControllersReason()
    {
        var a = Analyze(o => o is HttpRoute { Metadata.Name: "storefront" } r
            ? r with { Parents = [r.Parents[0] with { Conditions = [new StatusCondition("Accepted", "False", "UnsupportedValue", "TLS certificate shop-tls not found")] }] }
            : o);
        var d = Finding(a, Codes.GatewayStatusDisagrees, "shop/storefront");
        Assert.Contains("Accepted=False (UnsupportedValue: TLS certificate shop-tls not found)", d.Message, StringComparison.Ordinal);
        Assert.Contains("PortMapper predicts the route attaches", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PM608_GatewayClassMissing()
    {
        var a = Analyze(o => o is Model.Gateway g ? g with { GatewayClassName = "istio" } : o);
        var d = Finding(a, Codes.GatewayClassMissing, "infra/shop-gw");
        Assert.Contains("Set spec.gatewayClassName to one of: example", d.Fix, StringComparison.Ordinal);
        Assert.Contains("httproute:shop/storefront:0.https:0:0", d.Paths);
    }

    /// <summary>Without status.addresses the path starts at the Service the implementation made for the Gateway.</summary>
    [Fact]
    public void Entry_NoStatusAddress_TheGatewaysOwnServiceIsTheEntry()
    {
        var svc = ManifestLoader.LoadText("""
            apiVersion: v1
            kind: Service
            metadata: {name: shop-gw-istio, namespace: infra, labels: {gateway.networking.k8s.io/gateway-name: shop-gw}}
            spec: {type: LoadBalancer, clusterIP: 10.96.0.99, ports: [{port: 443, targetPort: 8443}]}
            status: {loadBalancer: {ingress: [{ip: 198.51.100.7}]}}
            """, "svc.yaml").Objects.Single();
        var snapshot = Analyze(o => o is Model.Gateway g ? g with { Addresses = [] } : o).Snapshot.Upsert(svc);
        var hop = ClusterAnalyzer.Analyze(snapshot).FindPath("httproute:shop/storefront:0.https:0:0")!.Hops[1];
        Assert.Equal(["198.51.100.7"], hop.Addresses.ToArray());
        Assert.Contains("Service infra/shop-gw-istio, LoadBalancer", hop.Note, StringComparison.Ordinal);
    }

    /// <summary>Live changes recompute only the routes they touch, and give what a full analysis gives.</summary>
    [Fact]
    public void Incremental_EveryGatewayChange_MatchesAFullAnalysis()
    {
        var analyzer = new ClusterAnalyzer(Cluster.Snapshot);
        var s = Cluster.Snapshot;
        var gw = s.Gateways[new ObjectKey("infra", "shop-gw")];
        var steps = new List<ClusterChange>
        {
            new(ChangeType.Modified, gw with { Listeners = [.. gw.Listeners.Where(l => l.Name != "https-dup")] }),
            new(ChangeType.Deleted, s.Routes[new ObjectRef("HTTPRoute", "shop", "storefront")]),
            new(ChangeType.Modified, s.Services[new ObjectKey("shop", "api")] with { Ports = [] }),
            new(ChangeType.Modified, s.Namespaces["other"] with { Metadata = s.Namespaces["other"].Metadata with { Labels = s.Namespaces["other"].Metadata.Labels.SetItem("gateway-access", "yes") } }),
            new(ChangeType.Deleted, s.Pods[new ObjectKey("shop", "web-0")]),
        };
        foreach (var step in steps)
        {
            s = s.Apply(step);
            var incremental = analyzer.Apply(step);
            Assert.Null(AnalysisComparison.Difference(ClusterAnalyzer.Analyze(s), incremental));
        }

        Assert.DoesNotContain(analyzer.Current.Diagnostics, d => d.Code == Codes.GatewayRouteNotAttached && d.Object.Name == "legacy");
    }

    /// <summary>
    /// TLSRoute (experimental channel): attaches to TLS listeners, by SNI hostname, passthrough; TCPRoute to TCP
    /// listeners, every connection; an HTTPRoute on a TCP listener is refused (the protocol does not carry it).
    /// </summary>
    [Fact]
    public void ConnectionRoutes_TlsByHostnameAndTcpOnTheirListeners_HttpRouteRefusedOnTcp()
    {
        var loaded = ManifestLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: shop}
            spec:
              gatewayClassName: example
              listeners:
              - {name: tls, port: 8443, protocol: TLS, hostname: "*.db.example.com", tls: {mode: Passthrough}}
              - {name: pg, port: 5432, protocol: TCP}
            status: {addresses: [{type: IPAddress, value: 203.0.113.40}]}
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: api-tls, namespace: shop}
            spec:
              parentRefs: [{name: edge, sectionName: tls}]
              hostnames: [api.db.example.com]
              rules: [{backendRefs: [{name: api, port: 8080}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: pg, namespace: shop}
            spec:
              parentRefs: [{name: edge, sectionName: pg}]
              rules: [{backendRefs: [{name: web, port: 80}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: on-tcp, namespace: shop}
            spec:
              parentRefs: [{name: edge, sectionName: pg}]
              rules: [{backendRefs: [{name: web, port: 80}]}]
            """, "l4.yaml");
        Assert.Empty(loaded.Skipped);
        Assert.Empty(loaded.Issues);
        var a = ClusterAnalyzer.Analyze(loaded.Objects.Aggregate(Cluster.Snapshot, (s, o) => s.Upsert(o)));

        var tls = a.FindPath("tlsroute:shop/api-tls:0.tls:0:0")!;
        Assert.Equal(PathStatus.Ok, tls.Status);
        Assert.Equal("tls://api.db.example.com:8443", tls.Hops[1].Name);
        Assert.Contains("TLS passthrough", tls.Hops[1].Note, StringComparison.Ordinal);
        Assert.Equal("10.244.1.6:9090", Assert.Single(tls.Hops[^1].Endpoints).ToString());
        var tcp = a.FindPath("tcproute:shop/pg:0.pg:0:0")!;
        Assert.Equal("tcp://*:5432", tcp.Hops[1].Name);
        Assert.Equal(["203.0.113.40"], tcp.Hops[1].Addresses.ToArray());
        var refused = Finding(a, Codes.GatewayRouteNotAttached, "shop/on-tcp");
        Assert.Contains("does not admit HTTPRoutes", refused.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP or HTTPS", refused.Fix, StringComparison.Ordinal);
    }
}
