using System.Text.Json.Nodes;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Source;

/// <summary>NetworkPolicy is always watched; ClusterNetworkPolicy only where discovery says the cluster serves it.</summary>
public class PolicySourceTests
{
    private static JsonObject DenyAll(string ns, string name) => JsonNode.Parse($$$"""
        {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},
         "spec":{"podSelector":{},"policyTypes":["Ingress"]}}
        """)!.AsObject();

    private static JsonObject AdminDeny(string name) => JsonNode.Parse($$$"""
        {"apiVersion":"policy.networking.k8s.io/v1alpha2","kind":"ClusterNetworkPolicy","metadata":{"name":"{{{name}}}"},
         "spec":{"tier":"Admin","priority":10,"subject":{"namespaces":{}},
                 "ingress":[{"name":"deny-all","action":"Deny","from":[{"namespaces":{}}]}]}}
        """)!.AsObject();

    [Fact]
    public async Task Source_PoliciesServed_ListsAndWatchesBothKinds()
    {
        await using var server = await ApiServer.StartAsync();
        server.Store.Put(K8s.Namespace("shop"));
        server.Store.Put(DenyAll("shop", "default-deny"));
        server.Store.Put(AdminDeny("tenant-deny"));
        await using var source = LiveSource.For(server, server.CreateToken("admin", "system:masters"));

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());
        Assert.Equal(["shop/default-deny"], source.Snapshot.NetworkPolicies.Keys.Select(k => k.ToString()));
        Assert.Equal(["tenant-deny"], source.Snapshot.ClusterNetworkPolicies.Keys);
        Assert.Equal(["Ingress"], source.Snapshot.NetworkPolicies[new ObjectKey("shop", "default-deny")].PolicyTypes.ToArray());

        server.Store.Put(DenyAll("shop", "second"));
        server.Store.Delete("ClusterNetworkPolicy", null, "tenant-deny");

        Assert.True(await Eventually.TrueAsync(() => source.Snapshot.NetworkPolicies.Count == 2 && source.Snapshot.ClusterNetworkPolicies.IsEmpty));
    }

    [Fact]
    public async Task Source_ClusterNetworkPolicyNotInstalled_IsQuietlyNotWatched()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions
        {
            Unserved = new HashSet<string> { "policy.networking.k8s.io/v1alpha2" },
            // The fast source calls a silent watch stalled after 1 s; bookmarks keep its quiet watches healthy, so
            // "live" is the steady state rather than a window between restarts.
            BookmarkInterval = TimeSpan.FromMilliseconds(200),
        });
        server.Store.Put(DenyAll("default", "deny"));
        await using var source = LiveSource.For(server, server.CreateToken("admin", "system:masters"));

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        Assert.Single(source.Snapshot.NetworkPolicies);
        Assert.DoesNotContain(source.Informers, i => i.Resource.StartsWith("clusternetworkpolicies", StringComparison.Ordinal));
        Assert.Empty(source.State.Hidden);
        Assert.Equal("live", source.State.StatusName);
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("clusternetworkpolicies", StringComparison.Ordinal));
    }
}
