using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Design;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Demo;

/// <summary>
/// The demo's API server changes a Service's address families as kube-apiserver does on update: a move to SingleStack
/// releases the secondary cluster IP, a dual-stack policy allocates one, the primary family and a loadBalancerClass stay.
/// </summary>
public class DemoServiceFamilyUpdateTests
{
    private static JsonObject Search(string extra) => JsonNode.Parse(
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"search\",\"namespace\":\"shop\"},\"spec\":{" + extra
        + "\"trafficDistribution\":\"PreferClose\",\"selector\":{\"app\":\"search\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":\"http\"}]}}")!.AsObject();

    /// <summary>The stored Service as a manifest: its spec (with the allocated cluster IPs), no status.</summary>
    private static JsonObject AsManifest(DemoCluster demo, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "shop" },
        ["spec"] = demo.Get(new ObjectRef("Service", "shop", name))!["spec"]!.DeepClone(),
    };

    private static async Task<ApplyObjectResult> Apply(DemoCluster demo, JsonObject obj) =>
        (await demo.ApplyAsync([obj], new ApplyOptions(false, Force: true), CancellationToken.None))[0];

    [Fact]
    public async Task Apply_SearchToSingleStack_ReleasesItsIpv6ClusterIpAndItsIpv6Endpoints()
    {
        var demo = DemoCluster.CreateDefault();
        var before = demo.Snapshot.Services[new ObjectKey("shop", "search")];

        var result = await Apply(demo, Search("\"ipFamilyPolicy\":\"SingleStack\","));

        Assert.Equal(ApplyOutcome.Configured, result.Outcome);
        var after = demo.Snapshot.Services[new ObjectKey("shop", "search")];
        Assert.Equal([before.ClusterIps[0]], after.ClusterIps.ToArray());
        Assert.Equal([IpFamily.V4], after.IpFamilies.ToArray());
        var path = ClusterAnalyzer.Analyze(demo.Snapshot).FindPath("clusterip:shop/search:80/TCP")!;
        Assert.All(path.Hops[^1].Endpoints, e => Assert.DoesNotContain(':', e.Ip!));
    }

    [Fact]
    public async Task Apply_SingleStackServiceToRequireDualStack_GetsAnIpv6ClusterIp()
    {
        var demo = DemoCluster.CreateDefault();
        var before = demo.Snapshot.Services[new ObjectKey("shop", "frontend")];
        var frontend = AsManifest(demo, "frontend");
        frontend["spec"]!["ipFamilyPolicy"] = "RequireDualStack";

        var result = await Apply(demo, frontend);

        Assert.Equal(ApplyOutcome.Configured, result.Outcome);
        var after = demo.Snapshot.Services[new ObjectKey("shop", "frontend")];
        Assert.Equal(before.ClusterIps[0], after.ClusterIps[0]);
        Assert.StartsWith("fd00:10:96::", after.ClusterIps[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ChangingThePrimaryFamily_IsRefusedWithTheApiServersMessage()
    {
        var demo = DemoCluster.CreateDefault();
        var ips = demo.Snapshot.Services[new ObjectKey("shop", "search")].ClusterIps;

        var result = await Apply(demo, Search("\"ipFamilies\":[\"IPv6\",\"IPv4\"],"));

        Assert.Equal((ApplyOutcome.Invalid, 422), (result.Outcome, result.HttpStatus));
        Assert.Equal(
            $"Service \"search\" is invalid: [spec.clusterIPs[0]: Invalid value: \"{ips[0]}\": expected an IPv6 value as indicated by `ipFamilies[0]`, "
            + $"spec.clusterIPs[1]: Invalid value: \"{ips[1]}\": expected an IPv4 value as indicated by `ipFamilies[1]`]",
            result.Message);
    }

    [Fact]
    public async Task Apply_AnotherLoadBalancerClass_MayNotChangeOnceSet()
    {
        var demo = DemoCluster.CreateDefault();
        var partners = AsManifest(demo, "payments-partners");
        partners["spec"]!["loadBalancerClass"] = "example.com/other-lb";

        var result = await Apply(demo, partners);

        Assert.Equal("Service \"payments-partners\" is invalid: spec.loadBalancerClass: Invalid value: \"example.com/other-lb\": may not change once set", result.Message);
    }

    [Fact]
    public void WhatIf_SearchAsItIs_ChangesNothing()
    {
        var demo = DemoCluster.CreateDefault();

        var result = WhatIf.Compute(demo.Snapshot, [Search("\"ipFamilyPolicy\":\"PreferDualStack\",")]);

        Assert.False(result.HasChanges, string.Join(", ", result.Caused.Select(d => d.Code).Concat(result.Changed.Select(c => c.Id))));
    }

    [Fact]
    public void WhatIf_ANewPodBehindADualStackService_IsOneEndpointUntilItHasAddresses()
    {
        var demo = DemoCluster.CreateDefault();
        var before = ClusterAnalyzer.Analyze(demo.Snapshot).FindPath("clusterip:shop/search:80/TCP")!.Hops[^1].Endpoints.Length;
        var pod = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"search-extra","namespace":"shop","labels":{"app":"search"}},
             "spec":{"containers":[{"name":"search","image":"search:1","ports":[{"name":"http","containerPort":7700}]}]}}
            """)!.AsObject();

        var result = WhatIf.Compute(demo.Snapshot, [pod]);

        Assert.Equal(before + 1, result.After.FindPath("clusterip:shop/search:80/TCP")!.Hops[^1].Endpoints.Length);
    }

    [Fact]
    public void WhatIf_SearchToSingleStack_TheClusterIpPathLosesItsIpv6Address()
    {
        var demo = DemoCluster.CreateDefault();

        var result = WhatIf.Compute(demo.Snapshot, [Search("\"ipFamilyPolicy\":\"SingleStack\",")]);

        var change = Assert.Single(result.Changed, c => c.Id == "clusterip:shop/search:80/TCP");
        Assert.Equal(2, change.Before.Hops.Single(h => h.Kind == HopKind.ClusterIp).Addresses.Length);
        Assert.Single(change.After.Hops.Single(h => h.Kind == HopKind.ClusterIp).Addresses);
    }
}
