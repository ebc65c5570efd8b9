using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>Renders kube-proxy's rules for a Service of an analysed cluster, on one of its nodes.</summary>
public static class KubeProxyFromAnalysis
{
    /// <summary>
    /// The rules for <paramref name="service"/> as node <paramref name="nodeName"/> (default: the first node) programs
    /// them, with the endpoints the analysis resolved (from EndpointSlices, or predicted from selectors).
    /// Null when there is no such Service; an unknown node is reported through <paramref name="error"/>.
    /// </summary>
    /// <param name="family">"IPv4" or "IPv6": which proxier's rules (iptables or ip6tables); null for the Service's primary family.</param>
    public static KubeProxyRuleSet? Generate(ClusterAnalysis analysis, ObjectKey service, string? nodeName, out string? error, string? family = null) =>
        Input(analysis, service, nodeName, family, out error) is { } input ? KubeProxyRuleGenerator.Generate(input) : null;

    /// <summary>The same Service's rules as kube-proxy in nftables mode writes them into its <c>kube-proxy</c> table.</summary>
    public static NftablesRuleSet? GenerateNftables(ClusterAnalysis analysis, ObjectKey service, string? nodeName, out string? error, string? family = null) =>
        Input(analysis, service, nodeName, family, out error) is { } input ? NftablesRuleGenerator.Generate(input) : null;

    /// <summary>The same Service as kube-proxy in IPVS mode programs it: virtual servers, real servers, ipsets.</summary>
    public static IpvsRuleSet? GenerateIpvs(ClusterAnalysis analysis, ObjectKey service, string? nodeName, out string? error, string? family = null) =>
        Input(analysis, service, nodeName, family, out error) is { } input ? IpvsRuleGenerator.Generate(input) : null;

    private static KubeProxyInput? Input(ClusterAnalysis analysis, ObjectKey service, string? nodeName, string? family, out string? error)
    {
        error = null;
        var snapshot = analysis.Snapshot;
        if (!snapshot.Services.TryGetValue(service, out var svc))
        {
            error = $"Service {service} not found";
            return null;
        }

        KubeProxyNode node;
        if (nodeName is not null)
        {
            if (!snapshot.Nodes.TryGetValue(nodeName, out var n))
            {
                error = $"node \"{nodeName}\" not found; nodes: {string.Join(", ", snapshot.Nodes.Keys.Order(StringComparer.Ordinal))}";
                return null;
            }

            node = KubeProxyNode.From(n);
        }
        else
        {
            var first = snapshot.Nodes.Values.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).FirstOrDefault();
            node = first is null ? new KubeProxyNode("(any node)") : KubeProxyNode.From(first);
        }

        var ports = ImmutableArray.CreateBuilder<KubeProxyPortEndpoints>();
        foreach (var port in svc.Ports)
        {
            var path = analysis.FindPath(UnitAnalysis.ServicePathId(Exposure.ClusterIP, svc, port))
                ?? analysis.FindPath(UnitAnalysis.ServicePathId(Exposure.Headless, svc, port));
            var targets = path?.Hops.LastOrDefault(h => h.Kind == HopKind.Endpoints)?.Endpoints ?? [];
            // One endpoint per address: each family's rules take the addresses of their family.
            ports.Add(new KubeProxyPortEndpoints(port.Name ?? "", [.. targets
                .Where(t => t.Ip is not null && t.Port is not null)
                .SelectMany(t => (t.Ips.IsDefaultOrEmpty ? [t.Ip!] : t.Ips).Select(ip => new KubeProxyEndpoint(ip, t.Port!.Value)
                {
                    NodeName = t.NodeName,
                    Ready = t.Ready,
                    Serving = t.Serving,
                    Terminating = t.Terminating,
                    ForZones = t.ForZones,
                    ForNodes = t.ForNodes,
                }))])
            {
                Protocol = port.Protocol,
            });
        }

        var rendered = family ?? svc.Families[0];
        return new KubeProxyInput(svc, node)
        {
            Endpoints = ports.ToImmutable(),
            IpFamily = family,
            ClusterCidr = ClusterCidrOf(snapshot, rendered),
            ServiceCidrs = ServiceCidrsOf(snapshot),
        };
    }

    /// <summary>
    /// The Service ranges of every ServiceCIDR object, as kube-proxy's nftables proxier joins them for its drop rule (the
    /// default first, then by name); each family's table takes its own. Empty without ServiceCIDRs.
    /// </summary>
    private static ImmutableArray<string> ServiceCidrsOf(ClusterSnapshot snapshot) =>
        [.. snapshot.ServiceCidrs.Values
            .OrderBy(c => c.Metadata.Name == ServiceCidr.DefaultName ? 0 : 1).ThenBy(c => c.Metadata.Name, StringComparer.Ordinal)
            .SelectMany(c => c.Cidrs).Distinct(StringComparer.Ordinal)];

    /// <summary>kube-proxy's clusterCIDR from its ConfigMap ("v4,v6" on dual-stack clusters), the part of <paramref name="family"/>.</summary>
    private static string? ClusterCidrOf(ClusterSnapshot snapshot, string family)
    {
        return KubeProxyConfig.Of(snapshot)?.ClusterCidr?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(c => Service.IpFamilyOf(c) == family);
    }
}
