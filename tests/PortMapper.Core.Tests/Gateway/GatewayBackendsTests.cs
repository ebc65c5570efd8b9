using PortMapper.Core.Gateway;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Gateway;

/// <summary>Golden cases of backend resolution (HTTPBackendRef, BackendRef and ReferenceGrant in Gateway API v1.3.0).</summary>
public class GatewayBackendsTests
{
    private static readonly Service Web = new(new ObjectMeta { Namespace = "shop", Name = "web" }) { Ports = [new ServicePort { Port = 80 }] };
    private static readonly Service Api = new(new ObjectMeta { Namespace = "bank", Name = "api" }) { Ports = [new ServicePort { Port = 9090 }] };
    private static readonly Service Empty = new(new ObjectMeta { Namespace = "shop", Name = "empty" }) { Ports = [new ServicePort { Port = 80 }] };

    private static HttpRoute Route(params BackendRef[] backends) =>
        new(new ObjectMeta { Namespace = "shop", Name = "route" }) { Rules = [new HttpRouteRule { BackendRefs = [.. backends] }] };

    private static System.Collections.Immutable.ImmutableArray<BackendShare> Resolve(HttpRoute route, params ReferenceGrant[] grants) =>
        GatewayBackends.Resolve(route, route.Rules[0], k => new[] { Web, Api, Empty }.FirstOrDefault(s => s.Key() == k), grants, (s, _) => s != Empty);

    private static ReferenceGrant Grant(string fromNamespace, string? name = null) =>
        new(new ObjectMeta { Namespace = "bank", Name = "from-shop" })
        {
            From = [new ReferenceGrantFrom(GatewayApi.Group, "HTTPRoute", fromNamespace)],
            To = [new ReferenceGrantTo("", "Service", name)],
        };

    [Fact] // BackendRef.Weight: traffic is split proportionally; unspecified weight is 1.
    public void Resolve_Weights_SplitProportionally()
    {
        var shares = Resolve(Route(new BackendRef("web") { Port = 80, Weight = 3 }, new BackendRef("web") { Port = 80 }));

        Assert.Equal([0.75, 0.25], shares.Select(s => s.Share));
        Assert.All(shares, s => Assert.True(s.Forwarded));
    }

    [Fact] // "If weight is set to 0 for an entry, no traffic should be forwarded for that entry."
    public void Resolve_WeightZero_ReceivesNothing()
    {
        var shares = Resolve(Route(new BackendRef("web") { Port = 80 }, new BackendRef("missing") { Port = 80, Weight = 0 }));

        Assert.Equal([1.0, 0.0], shares.Select(s => s.Share));
        Assert.True(shares[1].Forwarded); // a zero-weight reference is never used, valid or not
    }

    [Fact] // A rule without backendRefs (and without filters): every matching request gets 500.
    public void Resolve_NoBackendRefs_All500()
    {
        var share = Assert.Single(Resolve(Route()));

        Assert.Equal((1.0, 500), (share.Share, share.Status));
        Assert.Contains("no backendRefs", share.Reason, StringComparison.Ordinal);
    }

    [Fact] // An invalid reference answers 500 "for requests that would have otherwise been routed to an invalid backend".
    public void Resolve_MissingService_500ForItsShareOnly()
    {
        var shares = Resolve(Route(new BackendRef("web") { Port = 80 }, new BackendRef("gone") { Port = 80 }));

        Assert.Null(shares[0].Status);
        Assert.Equal((0.5, 500), (shares[1].Share, shares[1].Status));
        Assert.Contains("BackendNotFound", shares[1].Reason, StringComparison.Ordinal);
    }

    [Fact] // BackendRef.Port: required when the referent is a Kubernetes Service, and must be one of its ports.
    public void Resolve_MissingOrWrongPort_500()
    {
        var shares = Resolve(Route(new BackendRef("web"), new BackendRef("web") { Port = 8080 }));

        Assert.Contains("gives no port", shares[0].Reason, StringComparison.Ordinal);
        Assert.Contains("has no port 8080 (it has 80)", shares[1].Reason, StringComparison.Ordinal);
        Assert.All(shares, s => Assert.Equal(500, s.Status));
    }

    [Fact] // ReferenceGrant: a reference to another namespace needs a grant there; without one, RefNotPermitted and 500.
    public void Resolve_CrossNamespaceWithoutGrant_RefNotPermitted()
    {
        var share = Assert.Single(Resolve(Route(new BackendRef("api") { Namespace = "bank", Port = 9090 })));

        Assert.Equal(500, share.Status);
        Assert.Contains("RefNotPermitted", share.Reason, StringComparison.Ordinal);
    }

    [Fact] // ReferenceGrant from HTTPRoutes of the route's namespace to Services (all, or that name): forwarded.
    public void Resolve_CrossNamespaceWithGrant_Forwarded()
    {
        Assert.True(Assert.Single(Resolve(Route(new BackendRef("api") { Namespace = "bank", Port = 9090 }), Grant("shop"))).Forwarded);
        Assert.True(Assert.Single(Resolve(Route(new BackendRef("api") { Namespace = "bank", Port = 9090 }), Grant("shop", "api"))).Forwarded);
    }

    [Fact] // A grant for another namespace or another Service name does not apply.
    public void Resolve_GrantForOthers_StillRefused()
    {
        Assert.Equal(500, Assert.Single(Resolve(Route(new BackendRef("api") { Namespace = "bank", Port = 9090 }), Grant("web"))).Status);
        Assert.Equal(500, Assert.Single(Resolve(Route(new BackendRef("api") { Namespace = "bank", Port = 9090 }), Grant("shop", "ledger"))).Status);
    }

    [Fact] // A Service without ready endpoints: implementations answer 503 for its share.
    public void Resolve_NoReadyEndpoints_503()
    {
        var share = Assert.Single(Resolve(Route(new BackendRef("empty") { Port = 80 })));

        Assert.Equal(503, share.Status);
    }

    [Fact] // BackendRef kinds other than Service are implementation-specific: PortMapper reports them as InvalidKind.
    public void Resolve_UnknownKind_InvalidKind500()
    {
        var share = Assert.Single(Resolve(Route(new BackendRef("bucket") { Group = "storage.example.com", Kind = "Bucket", Port = 80 })));

        Assert.Equal(500, share.Status);
        Assert.Contains("InvalidKind", share.Reason, StringComparison.Ordinal);
    }
}
