using PortMapper.Core.Model;
using PortMapper.Core.Trace;
using static PortMapper.Core.Tests.Trace.TraceCluster;

namespace PortMapper.Core.Tests.Trace;

/// <summary>Targets given as a Service's cluster DNS name.</summary>
public class TracerNameTests
{
    [Theory]
    [InlineData("web.shop:80")]
    [InlineData("web.shop.svc:http")]
    [InlineData("web.shop.svc.cluster.local:80/tcp")]
    public void Trace_PodToServiceName_ResolvesToClusterIpThenEndpoints(string target)
    {
        var result = Run("pod:shop/client-a", target);

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("clusterip:shop/web:80/TCP", result.PathId);
        Assert.Equal([TraceStepKind.Client, TraceStepKind.Dns, TraceStepKind.ClusterIp, TraceStepKind.ServiceChain, TraceStepKind.Endpoints], result.Steps.Select(s => s.Kind));
        Assert.Equal("cluster DNS answers web.shop.svc.cluster.local with the clusterIP 10.96.0.12 (A record)", result.Steps[1].Translation);
        Assert.Equal("10.96.0.12:80", result.Steps[2].Address);
    }

    [Fact]
    public void Trace_ExternalToServiceName_DoesNotResolveOutside()
    {
        var result = Run("external", "web-np.shop:80");

        Assert.False(result.Reachable);
        Assert.Equal("web-np.shop.svc.cluster.local is a cluster DNS name: cluster DNS names do not resolve outside the cluster. From outside use <node address>:30080 (nodePort).", result.Reason);
    }

    [Fact]
    public void Trace_NodeToServiceName_SuggestsTheClusterIp()
    {
        var result = Run("node:node-a", "web.shop:http");

        Assert.False(result.Reachable);
        Assert.StartsWith("Node node-a resolves names with its own resolver (/etc/resolv.conf), which normally does not ask cluster DNS", result.Reason, StringComparison.Ordinal);
        Assert.EndsWith("Dial the clusterIP instead: 10.96.0.12:80.", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HostNetworkPodToServiceName_NotesDnsPolicy()
    {
        var result = Run("pod:shop/exporter", "web.shop:80");

        Assert.True(result.Reachable, result.Reason);
        Assert.Contains("a hostNetwork pod asks cluster DNS only with dnsPolicy ClusterFirstWithHostNet", result.Steps[1].Translation, StringComparison.Ordinal);
        Assert.Contains("masqueraded (SNAT to the node address)", result.Steps[3].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_UnknownService_ListsTheNamespacesServices()
    {
        var result = Run("pod:shop/client-a", "webb.shop:80");

        Assert.False(result.Reachable);
        Assert.Equal("There is no Service \"webb\" in namespace shop, so webb.shop.svc.cluster.local does not resolve (cluster DNS answers NXDOMAIN). Services in shop: db, db-mapped, orphan, payments, web, web-ext, web-itp, web-lb, web-local, web-np.", result.Reason);
    }

    [Fact]
    public void Trace_UnknownNamespace_SaysSo()
    {
        var result = Run("pod:shop/client-a", "web.shopp:80");

        Assert.False(result.Reachable);
        Assert.StartsWith("There is no namespace \"shopp\" in the cluster, so web.shopp.svc.cluster.local does not resolve", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("web.shop:8080", "Service shop/web has no port 8080/TCP (its ports: \"http\" (80/TCP)). Dial one of its ports.")]
    [InlineData("web.shop:https", "Service shop/web has no port named \"https\" (its ports: \"http\" (80/TCP)). Use one of its port names or numbers.")]
    [InlineData("web.shop:80/udp", "Service shop/web has no port 80/UDP (its ports: \"http\" (80/TCP)). Dial one of its ports.")]
    [InlineData("web.shop:http/udp", "Port \"http\" of Service shop/web is 80/TCP, not UDP. Leave the protocol out or write /tcp.")]
    public void Trace_UnknownServicePort_ListsTheAvailablePorts(string target, string reason)
    {
        var result = Run("pod:shop/client-a", target);

        Assert.False(result.Reachable);
        Assert.Equal(reason, result.Reason);
    }

    [Fact]
    public void Trace_NumberOnlyOnAnotherProtocol_SuggestsTheProtocol()
    {
        var dns = new Service(Meta("dns")) { ClusterIps = ["10.96.0.10"], Ports = [new ServicePort { Name = "dns", Port = 53, Protocol = Protocols.Udp }] };

        var result = Run("pod:shop/client-a", "dns.shop:53", Analyze(Objects().Append(dns)));

        Assert.EndsWith("Add /udp to trace its UDP port 53.", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ExternalNameService_CnameThenLeavesTheCluster()
    {
        var result = Run("pod:shop/client-a", "payments.shop:443");

        Assert.False(result.Reachable);
        Assert.Equal("externalname:shop/payments", result.PathId);
        Assert.Equal("cluster DNS answers payments.shop.svc.cluster.local with a CNAME record to api.payments.example.com", result.Steps[1].Translation);
        Assert.Equal((TraceStepKind.ExternalName, "api.payments.example.com:443"), (result.Steps[2].Kind, result.Steps[2].Address));
        Assert.Contains("dials port 443 there: no proxy, no kube-proxy, no port translation", result.Steps[2].Translation, StringComparison.Ordinal);
        Assert.StartsWith("The request leaves the cluster: Service shop/payments is an ExternalName alias for api.payments.example.com", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ExternalNameServiceByPortName_PortNamesMeanNothing()
    {
        var result = Run("pod:shop/client-a", "payments.shop:https");

        Assert.False(result.Reachable);
        Assert.Contains("it does no port mapping, so the port name \"https\" means nothing", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("db.shop:5432")]
    [InlineData("db.shop:pg")]
    public void Trace_HeadlessService_ConnectsStraightToPodIps(string target)
    {
        var result = Run("pod:shop/client-c", target);

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("headless:shop/db:5432/TCP", result.PathId);
        Assert.Equal("10.244.1.20:5432", Assert.Single(result.Endpoints).ToString());
        Assert.All(result.Steps, s => Assert.Null(s.Chain));
        Assert.Contains("headless Service: no clusterIP, no kube-proxy", result.Steps[1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HeadlessServicePortThatMapsElsewhere_NoTranslationSoNotServed()
    {
        var result = Run("pod:shop/client-c", "db-mapped.shop:15432");

        Assert.False(result.Reachable);
        Assert.StartsWith("The client dials port 15432/TCP on the pod IPs directly (headless Services do no port translation), but no pod of Service shop/db-mapped declares or serves it.", result.Reason, StringComparison.Ordinal);
        Assert.Contains("so dial 5432", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HeadlessServiceWithoutReadyPods_DoesNotResolve()
    {
        var objects = Replacing(Db0, Db0 with { Ready = false }).Select(o => o is EndpointSlice { Metadata.Name: "db-abc12" } ? Slice("db", "pg", 5432, Db0 with { Ready = false }) : o);

        var result = Run("pod:shop/client-c", "db.shop:5432", Analyze(objects));

        Assert.False(result.Reachable);
        Assert.StartsWith("Service shop/db port \"pg\" (5432/TCP) has 1 endpoint(s) but none is ready, so cluster DNS has no address to answer with", result.Reason, StringComparison.Ordinal);
    }
}
