using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Trace.TraceCluster;

namespace PortMapper.Core.Tests.Trace;

/// <summary>Addresses kube-proxy does not own: hostPorts, hostNetwork pods, pod IPs, and addresses nothing owns.</summary>
public class TracerAddressTests
{
    [Fact]
    public void Trace_ExternalToHostPortOnItsNode_DeliveredByPortmap()
    {
        var result = Run("external", "192.168.1.12:9100");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("hostport:shop/agent:main:9100/TCP", result.PathId);
        Assert.Equal("10.244.3.40:9100", Assert.Single(result.Endpoints).ToString());
        var hostPort = result.Steps[1];
        Assert.Null(hostPort.Chain);
        Assert.Equal("node-c", hostPort.Node);
        Assert.Contains("the CNI portmap plugin on node node-c DNATs 192.168.1.12:9100 → 10.244.3.40:9100", hostPort.Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HostPortOnAnotherNode_NothingListensAndPointsAtTheRightNode()
    {
        var result = Run("external", "192.168.1.10:9100");

        Assert.False(result.Reachable);
        Assert.StartsWith("Nothing in the cluster listens on 192.168.1.10:9100/TCP as far as PortMapper can see.", result.Reason, StringComparison.Ordinal);
        Assert.Contains("On port 9100: 10.244.3.40:9100/TCP (containerPort of pod shop/agent), 192.168.1.12:9100/TCP (hostPort of pod shop/agent).", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HostPortBoundToOtherHostIp_NotReachable()
    {
        var objects = Replacing(Agent, Agent with { Spec = Agent.Spec with { Containers = [new Container { Name = "main", Ports = [Port("metrics", 9100) with { HostPort = 9100, HostIp = "127.0.0.1" }] }] } });

        var result = Run("external", "192.168.1.12:9100", Analyze(objects));

        Assert.False(result.Reachable);
        Assert.StartsWith("Nothing in the cluster listens on 192.168.1.12:9100/TCP", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HostPortOfNotReadyPod_StillReachesIt()
    {
        var objects = Replacing(Agent, Agent with { Ready = false });

        var result = Run("external", "192.168.1.12:9100", Analyze(objects));

        Assert.True(result.Reachable, result.Reason);
        Assert.Contains("a hostPort ignores readiness", result.Steps[^1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ExternalToHostNetworkPort_NoTranslation()
    {
        var result = Run("external", "192.168.1.11:9256");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("hostnetwork:shop/exporter:main:9256/TCP", result.PathId);
        var target = Assert.Single(result.Endpoints);
        Assert.Equal(("192.168.1.11:9256", "node-b"), (target.ToString(), target.NodeName));
        Assert.StartsWith("no translation: hostNetwork pod shop/exporter shares node node-b's network", result.Steps[^1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HostNetworkPortOnAnotherNode_NotReachable()
    {
        var result = Run("external", "192.168.1.10:9256");

        Assert.False(result.Reachable);
        Assert.Contains("On port 9256: 192.168.1.11:9256/TCP (hostNetwork pod shop/exporter).", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HostNetworkPortThatIsAlsoANodePort_KubeProxyWins()
    {
        var objects = Replacing(Exporter, Exporter with { Spec = Exporter.Spec with { Containers = [new Container { Name = "main", Ports = [Port("metrics", 30080)] }] } });

        var result = Run("external", "192.168.1.11:30080", Analyze(objects));

        Assert.Equal("nodeport:shop/web-np:80/TCP", result.PathId);
        Assert.Contains("a hostNetwork pod on this node listens on the same port, but kube-proxy captures the packet first (PM100)", result.Steps[1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_PodToDeclaredPortOfPodIp_ArrivesWithoutTranslation()
    {
        var result = Run("pod:shop/client-c", "10.244.1.5:8080");

        Assert.True(result.Reachable, result.Reason);
        Assert.Null(result.PathId);
        Assert.Equal("10.244.1.5:8080", Assert.Single(result.Endpoints).ToString());
        Assert.Contains("routes pod IPs directly; the packet arrives at pod shop/web-1 on node node-a, containerPort 8080 \"http\"", result.Steps[^1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_PodToServedButUndeclaredPort_Reachable()
    {
        var objects = Objects().Append(Service("raw", "10.96.0.40", new ServicePort { Name = "raw", Port = 9000, TargetPort = IntOrName.FromNumber(9000) }))
            .Append(Slice("raw", "raw", 9000, Web1));

        var result = Run("pod:shop/client-c", "10.244.1.5:9000", Analyze(objects));

        Assert.True(result.Reachable, result.Reason);
        Assert.Contains("port 9000, which a Service sends it traffic on", result.Steps[^1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ExternalToPodIp_NotRoutable()
    {
        var result = Run("external", "10.244.1.5:8080");

        Assert.False(result.Reachable);
        Assert.StartsWith("10.244.1.5 is the IP of pod shop/web-1: pod IPs are normally not routable from outside the cluster", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_PodToUndeclaredPortOfPodIp_SaysPortMapperCannotTell()
    {
        var result = Run("pod:shop/client-c", "10.244.1.5:9999");

        Assert.False(result.Reachable);
        Assert.StartsWith("Pod shop/web-1 (10.244.1.5) declares no container port 9999/TCP (it declares http=8080/TCP) and no Service sends it traffic on that port", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_UnknownAddress_NothingListensWithNearestCandidates()
    {
        var result = Run("pod:shop/client-a", "10.96.0.99:80");

        Assert.False(result.Reachable);
        Assert.StartsWith("Nothing in the cluster listens on 10.96.0.99:80/TCP as far as PortMapper can see. On port 80: ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("10.96.0.12:80/TCP (clusterIP of Service shop/web)", result.Reason, StringComparison.Ordinal);
        Assert.EndsWith("PortMapper knows no Service, node or pod with the address 10.96.0.99.", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_NodeAddressOnUnusedPort_ListsThatNodesPorts()
    {
        var result = Run("external", "192.168.1.10:8080");

        Assert.False(result.Reachable);
        Assert.Contains("On 192.168.1.10: 192.168.1.10:30080/TCP (nodePort of Service shop/web-np)", result.Reason, StringComparison.Ordinal);
        Assert.Contains("On port 8080: 10.244.1.5:8080/TCP (containerPort of pod shop/web-1)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_NodePortAddressUnknownNode_SuggestsAnyNode()
    {
        var result = Run("external", "192.168.9.9:30080");

        Assert.False(result.Reachable);
        Assert.Contains("On port 30080: <any node address>:30080/TCP (nodePort of Service shop/web-np)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_Ipv6ClusterIp_MatchesWhateverTheSpelling()
    {
        var v6Slice = Slice("v6", "http", 8080, Web1) with { AddressType = "IPv6" };
        v6Slice = v6Slice with { Endpoints = [v6Slice.Endpoints[0] with { Addresses = ["fd00:10:244:1::5"] }] };
        var objects = Objects()
            .Select(o => ReferenceEquals(o, ClientA) ? ClientA with { PodIps = ["10.244.1.3", "fd00:10:244:1::3"] } : o)
            .Append(Service("v6", "fd00:10:96::c") with { Ports = [HttpPort(80)] })
            .Append(v6Slice);

        var result = Run("pod:shop/client-a", "[FD00:10:96:0::C]:80", Analyze(objects));

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("[fd00:10:96::c]:80", result.Steps[1].Address);
    }
}
