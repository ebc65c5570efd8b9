using PortMapper.Core.Model;
using PortMapper.Core.Trace;
using static PortMapper.Core.Tests.Trace.TraceCluster;

namespace PortMapper.Core.Tests.Trace;

/// <summary>Targets owned by kube-proxy: clusterIPs, nodePorts, load balancer addresses and externalIPs.</summary>
public class TracerServiceTests
{
    [Fact]
    public void Trace_PodToClusterIp_DnatsToReadyEndpointsThroughKubeProxyChains()
    {
        var result = Run("pod:shop/client-a", "10.96.0.12:80");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("clusterip:shop/web:80/TCP", result.PathId);
        Assert.Equal([TraceStepKind.Client, TraceStepKind.ClusterIp, TraceStepKind.ServiceChain, TraceStepKind.Endpoints], result.Steps.Select(s => s.Kind));
        Assert.Equal(["KUBE-SERVICES", Svc("shop/web:http")], result.Steps.Skip(1).Take(2).Select(s => s.Chain));
        Assert.Equal(["10.244.1.5:8080", "10.244.2.7:8080"], result.Endpoints.Select(e => e.ToString()));
        var dnat = result.Steps[^1];
        Assert.StartsWith("kube-proxy DNAT 10.96.0.12:80 → one of 2 endpoints: 10.244.1.5:8080 (pod shop/web-1 on node node-a)", dnat.Translation, StringComparison.Ordinal);
        Assert.Equal<string?>(
            [ChainNames.Name("KUBE-SEP-", "shop/web:http", "TCP", "10.244.1.5:8080"), ChainNames.Name("KUBE-SEP-", "shop/web:http", "TCP", "10.244.2.7:8080")],
            dnat.EndpointChains);
        Assert.Contains("1 endpoint(s) that are not ready get nothing", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ExternalToClusterIp_NotReachableBecauseClusterIpIsInternal()
    {
        var result = Run("external", "10.96.0.20:80");

        Assert.False(result.Reachable);
        Assert.Contains("10.96.0.20:80 is the clusterIP of Service shop/web-np: a clusterIP is only routable inside the cluster", result.Reason, StringComparison.Ordinal);
        Assert.Contains("From outside use <node address>:30080 (nodePort).", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ClusterIpWithoutThatPort_ListsTheServicePorts()
    {
        var result = Run("pod:shop/client-a", "10.96.0.12:81");

        Assert.False(result.Reachable);
        Assert.StartsWith("10.96.0.12 is the clusterIP of Service shop/web, which has no port 81/TCP (its ports: \"http\" (80/TCP))", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_NodeToClusterIp_SaysThePacketIsMasqueraded()
    {
        var result = Run("node:node-c", "10.96.0.12:80");

        Assert.True(result.Reachable);
        Assert.Equal("node-c", result.Steps[1].Node);
        Assert.Contains("masqueraded (SNAT to the node address) because its source is not a pod address", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ServiceWithoutEndpoints_RejectedWithTheRootCause()
    {
        var result = Run("pod:shop/client-a", "10.96.0.30:80");

        Assert.False(result.Reachable);
        var reject = result.Steps[^1];
        Assert.Equal((TraceStepKind.Dropped, "KUBE-SERVICES"), (reject.Kind, reject.Chain));
        Assert.Contains("REJECT \"has no endpoints\"", reject.Translation, StringComparison.Ordinal);
        Assert.StartsWith("Service shop/orphan port \"http\" (80/TCP) has no endpoints, so kube-proxy rejects the connection. PM001: The selector {app=nothing}", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_OwnChainNamer_NamesEveryKubeProxyChainWithIt()
    {
        Assert.True(TraceSource.TryParse("pod:shop/client-a", Shared.Snapshot, out var from, out _));
        Assert.True(TraceTarget.TryParse("10.96.0.12:80", out var to, out _));

        var result = Tracer.Trace(Shared, from, to, (prefix, spn, protocol, endpoint) => $"{prefix}{spn}/{protocol}/{endpoint}");

        Assert.Equal("KUBE-SVC-shop/web:http/TCP/", result.Steps[2].Chain);
        Assert.Equal<string?>(["KUBE-SEP-shop/web:http/TCP/10.244.1.5:8080", "KUBE-SEP-shop/web:http/TCP/10.244.2.7:8080"], result.Steps[3].EndpointChains);
    }

    [Fact]
    public void Trace_ExternalToNodePortClusterPolicy_SnatsToTheNodeAddress()
    {
        var result = Run("external", "192.168.1.10:30080");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("nodeport:shop/web-np:80/TCP", result.PathId);
        Assert.Equal(
            [TraceStepKind.Client, TraceStepKind.NodePort, TraceStepKind.ExternalPolicy, TraceStepKind.ServiceChain, TraceStepKind.Endpoints],
            result.Steps.Select(s => s.Kind));
        Assert.Equal(["KUBE-NODEPORTS", ChainNames.Name("KUBE-EXT-", "shop/web-np:http", "TCP", null), Svc("shop/web-np:http")], result.Steps[1..4].Select(s => s.Chain));
        Assert.StartsWith("SNAT to the node address because externalTrafficPolicy is Cluster (KUBE-MARK-MASQ): the pod sees node node-a's address", result.Steps[2].Translation, StringComparison.Ordinal);
        Assert.Equal(2, result.Endpoints.Length);
    }

    [Fact]
    public void Trace_ExternalToNodePortLocalPolicyOnNodeWithEndpoint_UsesOnlyThatNode()
    {
        var result = Run("external", "192.168.1.11:30081");

        Assert.True(result.Reachable, result.Reason);
        var only = Assert.Single(result.Endpoints);
        Assert.Equal(("10.244.2.7", "node-b"), (only.Ip, only.NodeName));
        Assert.Equal(ChainNames.Name("KUBE-SVL-", "shop/web-local:http", "TCP", null), result.Steps[3].Chain);
        Assert.Equal(ChainNames.Name("KUBE-SEP-", "shop/web-local:http", "TCP", "10.244.2.7:8080"), result.Steps[4].Chain);
        Assert.Contains("the client address is kept (no SNAT) and only endpoints on node node-b are used", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ExternalToNodePortLocalPolicyOnNodeWithoutReadyEndpoint_Dropped()
    {
        var result = Run("external", "192.168.1.12:30081");

        Assert.False(result.Reachable);
        Assert.Empty(result.Endpoints);
        var drop = result.Steps[^1];
        Assert.Equal((TraceStepKind.Dropped, "KUBE-EXTERNAL-SERVICES", "node-c"), (drop.Kind, drop.Chain, drop.Node));
        Assert.Contains("DROP \"has no local endpoints\"", drop.Translation, StringComparison.Ordinal);
        Assert.StartsWith("externalTrafficPolicy is Local and node node-c has no ready endpoint of Service shop/web-local, so kube-proxy on node-c drops the packet", result.Reason, StringComparison.Ordinal);
        Assert.Contains("Send the request to a node that runs a ready pod (node-a, node-b)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_PodToNodePortLocalPolicyOnNodeWithoutEndpoint_ShortCircuitsToAllEndpoints()
    {
        var result = Run("pod:shop/client-c", "192.168.1.12:30081");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal(2, result.Endpoints.Length);
        Assert.Contains("the source is a pod: kube-proxy treats in-cluster traffic as internal", result.Steps[2].Translation, StringComparison.Ordinal);
        Assert.Equal(Svc("shop/web-local:http"), result.Steps[3].Chain);
    }

    [Fact]
    public void Trace_OtherNodeToNodePortLocalPolicyWithoutEndpoint_Dropped()
    {
        var result = Run("node:node-a", "192.168.1.12:30081");

        Assert.False(result.Reachable);
        Assert.Contains("node node-c has no ready endpoint", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_SameNodeToNodePortLocalPolicy_ShortCircuitsWithMasquerade()
    {
        var result = Run("node:node-c", "192.168.1.12:30081");

        Assert.True(result.Reachable, result.Reason);
        Assert.Contains("the packet starts on node node-c itself: kube-proxy masquerades it", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ExternalToLoadBalancer_ReachesEndpointsWithSnat()
    {
        var result = Run("external", "203.0.113.10:443");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("loadbalancer:shop/web-lb:443/TCP", result.PathId);
        Assert.Equal(TraceStepKind.LoadBalancer, result.Steps[1].Kind);
        Assert.Contains("to its nodePort 30443, or keeping the destination", result.Steps[1].Translation, StringComparison.Ordinal);
        Assert.Contains("SNAT to the node address because externalTrafficPolicy is Cluster", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_LoadBalancerWithSourceRanges_NamesTheFirewallChain()
    {
        var objects = Objects().Select(o => o is Service { Metadata.Name: "web-lb" } s ? s with { LoadBalancerSourceRanges = ["10.0.0.0/8"] } : o);

        var result = Run("external", "203.0.113.10:443", Analyze(objects));

        Assert.Equal(ChainNames.Name("KUBE-FW-", "shop/web-lb:http", "TCP", null), result.Steps[1].Chain);
        Assert.Contains("lets only 10.0.0.0/8 through (KUBE-FW)", result.Steps[1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_LoadBalancerAddressOtherPort_NotReachable()
    {
        var result = Run("external", "203.0.113.10:80");

        Assert.False(result.Reachable);
        Assert.StartsWith("203.0.113.10 is the load balancer address of Service shop/web-lb, but no port 80/TCP is open there", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ExternalToExternalIp_ReachesEndpoints()
    {
        var result = Run("external", "198.51.100.7:8081");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("externalip:shop/web-ext:8081/TCP", result.PathId);
        Assert.Contains("your network must route 198.51.100.7:8081 to a node", result.Steps[1].Translation, StringComparison.Ordinal);
        Assert.Equal(TraceStepKind.ExternalPolicy, result.Steps[2].Kind);
    }

    [Fact]
    public void Trace_ExternalIpOtherPort_NotReachable()
    {
        var result = Run("external", "198.51.100.7:80");

        Assert.False(result.Reachable);
        Assert.StartsWith("198.51.100.7 is the externalIP of Service shop/web-ext, but no port 80/TCP is open there", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_PodToInternalLocalPolicyWithLocalEndpoint_UsesOnlyItsNode()
    {
        var result = Run("pod:shop/client-a", "web-itp.shop:80");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("10.244.1.5", Assert.Single(result.Endpoints).Ip);
        Assert.Equal(ChainNames.Name("KUBE-SVL-", "shop/web-itp:http", "TCP", null), result.Steps[3].Chain);
        Assert.Contains("only endpoints on node node-a, the client's own node (internalTrafficPolicy Local)", result.Steps[3].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_PodToInternalLocalPolicyWithoutLocalEndpoint_Dropped()
    {
        var result = Run("pod:shop/client-c", "10.96.0.23:80");

        Assert.False(result.Reachable);
        Assert.Equal(("KUBE-SERVICES", TraceStepKind.Dropped), (result.Steps[^1].Chain, result.Steps[^1].Kind));
        Assert.StartsWith("internalTrafficPolicy is Local and node node-c, where the client runs, has no ready endpoint of Service shop/web-itp, so kube-proxy drops the packet. Ready endpoints are only on node-a, node-b.", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_OnlyTerminatingServingEndpoints_FallsBackToThem()
    {
        var terminating = Slice("web", "http", 8080, Web1) with
        {
            Endpoints = [Slice("web", "http", 8080, Web1).Endpoints[0] with { Conditions = new EndpointConditions(false, true, true) }],
        };
        var objects = Objects().Select(o => o is EndpointSlice { Metadata.Name: "web-abc12" } ? terminating : o);

        var result = Run("pod:shop/client-a", "10.96.0.12:80", Analyze(objects));

        Assert.True(result.Reachable, result.Reason);
        Assert.Contains("falls back to those still serving while they terminate", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_PodToServiceSelectingItself_MentionsHairpin()
    {
        var result = Run("pod:shop/web-1", "10.96.0.12:80");

        Assert.Contains("if it picks pod shop/web-1 itself, the packet is also masqueraded", result.Steps[^1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_UnknownSourceNode_NotReachableNamingIt()
    {
        var result = Tracer.Trace(Shared, TraceSource.FromNode("node-z"), new AddressTarget("10.96.0.12", 80, Protocols.Tcp));

        Assert.False(result.Reachable);
        Assert.StartsWith("There is no node \"node-z\" in the cluster", result.Reason, StringComparison.Ordinal);
    }
}
