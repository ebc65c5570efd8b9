using System.Collections.Immutable;
using System.Text.RegularExpressions;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.KubeProxy;

/// <summary>
/// Builds inputs the way NewFakeProxier in kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go
/// configures its proxier: node "test-node" at 192.168.0.2, pod CIDR 10.0.0.0/8, mark 0x4000,
/// localhost node ports on, and an iptables without --random-fully.
/// </summary>
internal static class KubeProxyFixtures
{
    public const string TestNodeName = "test-node";

    public static KubeProxyNode UpstreamNode { get; } = new(TestNodeName)
    {
        Addresses = ["192.168.0.2", "192.168.1.2", "192.168.99.11", "2001:db8::1", "2001:db8:1::2"],
    };

    public static KubeProxySettings UpstreamSettings { get; } = new() { RandomFully = false };

    public static Service Service(string ns, string name, string clusterIp, Func<Service, Service>? configure = null, params ServicePort[] ports)
    {
        var service = new Service(new ObjectMeta { Name = name, Namespace = ns })
        {
            ClusterIps = [clusterIp],
            Ports = ports.Length == 0 ? [P80()] : [.. ports],
        };
        return configure is null ? service : configure(service);
    }

    public static ServicePort P80(int? nodePort = null) => new() { Name = "p80", Port = 80, Protocol = Protocols.Tcp, NodePort = nodePort };

    public static KubeProxyEndpoint Ep(string ip, string? node = null, int port = 80) => new(ip, port) { NodeName = node };

    public static KubeProxyInput Input(Service service, params KubeProxyEndpoint[] endpoints) =>
        new(service, UpstreamNode)
        {
            Endpoints = [new KubeProxyPortEndpoints(service.Ports[0].Name ?? "", [.. endpoints]) { Protocol = service.Ports[0].Protocol }],
            ClusterCidr = "10.0.0.0/8",
            Settings = UpstreamSettings,
        };

    /// <summary>The rule lines of one Service: everything but the shared boilerplate.</summary>
    public static ImmutableArray<string> ServiceLines(this KubeProxyRuleSet set) =>
        [.. set.Rules.Where(r => !r.IsBoilerplate).Select(r => r.Text)];

    /// <summary>
    /// The "-A" lines of an upstream expected output that belong to <paramref name="service"/>, in order:
    /// lines that name it, and lines of its own KUBE-SVC/SVL/EXT/FW/SEP chains (some carry no comment).
    /// Lines with "-m nfacct" are left out: they only feed kube-proxy's metrics counters and PortMapper
    /// does not reproduce them (see docs/kube-proxy.md).
    /// </summary>
    public static ImmutableArray<string> UpstreamLinesFor(string expected, string service)
    {
        var rules = expected.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        var names = new Regex(Regex.Escape(service) + "([: \"]|$)");
        var ownChains = rules.Where(l => names.IsMatch(l))
            .SelectMany(l => Regex.Matches(l, @"KUBE-(SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16}").Select(m => m.Value))
            .ToHashSet();
        return [.. rules
            .Where(l => names.IsMatch(l) || ownChains.Contains(l.Split(' ')[1]))
            .Where(l => !l.Contains("-m nfacct", StringComparison.Ordinal))];
    }

    /// <summary>Compares line by line as one text, so a failure shows the first differing line in full.</summary>
    public static void AssertSameLines(IEnumerable<string> expected, IEnumerable<string> actual) =>
        Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));

    public static ImmutableArray<string> Lines(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
}
