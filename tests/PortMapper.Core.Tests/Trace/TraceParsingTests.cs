using PortMapper.Core.Model;
using PortMapper.Core.Trace;

namespace PortMapper.Core.Tests.Trace;

public class TraceParsingTests
{
    private static readonly ClusterSnapshot Snapshot = TraceCluster.Shared.Snapshot;

    [Theory]
    [InlineData("external", TraceSourceKind.External)]
    [InlineData(" External ", TraceSourceKind.External)]
    [InlineData("node:node-a", TraceSourceKind.Node)]
    [InlineData("pod:shop/client-a", TraceSourceKind.Pod)]
    public void TraceSourceTryParse_AcceptedForm_Parses(string text, TraceSourceKind kind)
    {
        Assert.True(TraceSource.TryParse(text, Snapshot, out var source, out var error), error);

        Assert.Equal(kind, source.Kind);
    }

    [Fact]
    public void TraceSourceTryParse_Pod_KeepsNamespaceAndName()
    {
        Assert.True(TraceSource.TryParse("pod:shop/client-a", Snapshot, out var source, out _));

        Assert.Equal(new ObjectKey("shop", "client-a"), source.Pod);
        Assert.Equal("pod:shop/client-a", source.ToString());
    }

    [Theory]
    [InlineData("", "No trace source given. Accepted sources: external, node:<name>, pod:<namespace>/<name>.")]
    [InlineData("internet", "\"internet\" is not a trace source. Accepted sources: external, node:<name>, pod:<namespace>/<name>.")]
    [InlineData("node:", "\"node:\" names no node: write node:<name>")]
    [InlineData("node:node-z", "There is no node \"node-z\" in the cluster (nodes: node-a, node-b, node-c).")]
    [InlineData("pod:client-a", "\"pod:client-a\" is not a pod reference: write pod:<namespace>/<name>")]
    [InlineData("pod:shop/", "is not a pod reference")]
    [InlineData("pod:shop/ghost", "There is no pod \"shop/ghost\" in the cluster (pods in shop: agent, client-a, client-c, db-0, exporter, web-1, web-2, web-3).")]
    [InlineData("pod:nowhere/web-1", "There is no pod \"nowhere/web-1\" in the cluster (namespace nowhere has no pods).")]
    public void TraceSourceTryParse_Invalid_SaysWhatIsWrong(string text, string expected)
    {
        Assert.False(TraceSource.TryParse(text, Snapshot, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TraceSourceTryParse_NodeInClusterWithoutNodes_ExplainsManifests()
    {
        Assert.False(TraceSource.TryParse("node:worker", ClusterSnapshot.Empty, out _, out var error));

        Assert.Contains("it has no Node objects", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.96.0.12:80", "10.96.0.12", 80, "TCP")]
    [InlineData("10.96.0.10:53/UDP", "10.96.0.10", 53, "UDP")]
    [InlineData("10.0.0.1:3868/sctp", "10.0.0.1", 3868, "SCTP")]
    [InlineData("[fd00::1]:80/tcp", "fd00::1", 80, "TCP")]
    [InlineData("[FD00:0:0::1]:8080", "fd00::1", 8080, "TCP")]
    public void TraceTargetTryParse_Address_ParsesIpPortProtocol(string text, string ip, int port, string protocol)
    {
        Assert.True(TraceTarget.TryParse(text, out var target, out var error), error);

        Assert.Equal(new AddressTarget(ip, port, protocol), target);
    }

    [Theory]
    [InlineData("web.shop:80", "web", "shop", "80", null)]
    [InlineData("web.shop.svc:http", "web", "shop", "http", null)]
    [InlineData("Web.Shop.svc.cluster.local.:80/udp", "web", "shop", "80", "UDP")]
    [InlineData("my-db.data-1.svc.cluster.local:pg-main", "my-db", "data-1", "pg-main", null)]
    public void TraceTargetTryParse_ServiceName_ParsesServiceNamespaceAndPort(string text, string service, string ns, string port, string? protocol)
    {
        Assert.True(TraceTarget.TryParse(text, out var target, out var error), error);

        var name = Assert.IsType<ServiceNameTarget>(target);
        Assert.Equal((service, ns, port, protocol), (name.Service, name.Namespace, name.Port.ToString(), name.Protocol));
    }

    [Theory]
    [InlineData("https://Shop.Example.com/api/v1?x=1#top", true, "shop.example.com", 443, "/api/v1")]
    [InlineData("http://shop.example.com", false, "shop.example.com", 80, "/")]
    [InlineData("http://203.0.113.50:8080/login", false, "203.0.113.50", 8080, "/login")]
    [InlineData("HTTP://[fd00::5]:81/x/", false, "fd00::5", 81, "/x/")]
    [InlineData("http://shop.example.com?q=1", false, "shop.example.com", 80, "/")]
    public void TraceTargetTryParse_Url_ParsesSchemeHostPortPath(string text, bool https, string host, int port, string path)
    {
        Assert.True(TraceTarget.TryParse(text, out var target, out var error), error);

        Assert.Equal(new IngressUrlTarget(https, host, port, path), target);
    }

    [Theory]
    [InlineData("", "No trace target given. Accepted targets: ip:port[/protocol] (IPv4)")]
    [InlineData("10.96.0.12", "\"10.96.0.12\" has no port: add one, for example 10.96.0.12:80. Accepted targets:")]
    [InlineData("10.96.0.12:", "has no port after the ':'")]
    [InlineData("10.96.0.12:0", "has the port 0, which is not between 1 and 65535")]
    [InlineData("10.96.0.12:70000", "has the port 70000, which is not between 1 and 65535")]
    [InlineData("10.96.0.12:http", "after an IP address the port must be a number")]
    [InlineData("10.96.0.300:80", "has \"10.96.0.300\", which is not an IPv4 address")]
    [InlineData("10.96.012.1:80", "which is not an IPv4 address")]
    [InlineData("10.96.0:80", "which is not an IPv4 address")]
    [InlineData("fd00::1:80", "has more than one ':': put an IPv6 address in brackets, for example [fd00::1]:80")]
    [InlineData("[fd00::1]80", "is not [ipv6]:port")]
    [InlineData("[10.0.0.1]:80", "has \"10.0.0.1\" in brackets, which is not an IPv6 address")]
    [InlineData("web:80", "names \"web\" without a namespace: write <service>.<namespace>, for example web.default:80")]
    [InlineData("web.shop.cluster:80", "is not a Service name: write <service>.<namespace>, <service>.<namespace>.svc or <service>.<namespace>.svc.cluster.local")]
    [InlineData("1web.shop:80", "names the Service \"1web\", which is not a valid Service name")]
    [InlineData("web.sh_op:80", "names the namespace \"sh_op\", which is not a valid namespace name")]
    [InlineData("web.shop:80/http", "has the protocol \"http\": use tcp, udp or sctp")]
    [InlineData("web.shop:Http", "has the port \"Http\", which is neither a number nor a Service port name")]
    [InlineData(":80", "has no address or name before the port")]
    [InlineData("ftp://files.example.com/a", "uses the scheme \"ftp\": only http:// and https:// URLs are traced")]
    [InlineData("http:///path", "has no host")]
    [InlineData("http://shop.example.com:99999/", "has the port \"99999\", which is not a number between 1 and 65535")]
    [InlineData("http://shop.example.com:/", "has no port after the ':'")]
    [InlineData("http://user@shop.example.com/", "has user information before the host")]
    [InlineData("http://shop_example.com/", "has the host \"shop_example.com\", which is not a DNS name or IP address")]
    public void TraceTargetTryParse_Invalid_SaysWhatWasGivenAndWhatIsAccepted(string text, string expected)
    {
        Assert.False(TraceTarget.TryParse(text, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.EndsWith($"Accepted targets: {TraceTarget.AcceptedForms}.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ChainNamesName_UpstreamExamples_MatchKubeProxy()
    {
        Assert.Equal("KUBE-SVC-XPGD46QRK7WJZT7O", ChainNames.Name(ChainNames.ServicePrefix, "ns1/svc1:p80", "TCP", null));
        Assert.Equal("KUBE-EXT-XPGD46QRK7WJZT7O", ChainNames.Name(ChainNames.ExternalPrefix, "ns1/svc1:p80", "tcp", null));
        Assert.Equal("KUBE-SEP-SXIVWICOYRO3J4NJ", ChainNames.Name(ChainNames.EndpointPrefix, "ns1/svc1:p80", "TCP", "10.180.0.1:80"));
    }

    [Fact]
    public void ChainNamesServicePortName_NamedAndUnnamedPorts_FollowServicePortNameString()
    {
        var svc = new Service(new ObjectMeta { Name = "svc1", Namespace = "ns1" });

        Assert.Equal("ns1/svc1:p80", ChainNames.ServicePortName(svc, new ServicePort { Name = "p80", Port = 80 }));
        Assert.Equal("ns1/svc1", ChainNames.ServicePortName(svc, new ServicePort { Port = 80 }));
    }
}
