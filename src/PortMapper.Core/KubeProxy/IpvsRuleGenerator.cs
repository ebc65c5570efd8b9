using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>One IPVS real server: an endpoint behind a virtual server, masqueraded (NAT), weight 1.</summary>
public sealed record IpvsRealServer(string HostPort, bool Local, bool Terminating);

/// <summary>
/// One IPVS virtual server kube-proxy creates: an address kube-proxy answers on (cluster IP, node IP + nodePort,
/// external IP, load-balancer IP) and port, with its scheduler and the endpoints it balances over.
/// </summary>
public sealed record IpvsVirtualServer(string Protocol, string HostPort, string Role, ImmutableArray<IpvsRealServer> RealServers)
{
    public string Scheduler { get; init; } = "rr";

    /// <summary>sessionAffinity ClientIP: IPVS persistence, in seconds.</summary>
    public int? PersistentSeconds { get; init; }

    /// <summary>Which endpoints it uses: every usable one, or only the node's own (a Local traffic policy).</summary>
    public string Explanation { get; init; } = "";
}

/// <summary>An entry of one of kube-proxy's ipsets, which its few fixed iptables rules match.</summary>
public sealed record IpvsSetEntry(string Set, string Entry, string Explanation);

/// <summary>What kube-proxy in IPVS mode programs on one node for one Service.</summary>
public sealed record IpvsRuleSet(ObjectKey Service, string Node, string Family)
{
    public ImmutableArray<IpvsVirtualServer> VirtualServers { get; init; } = [];

    public ImmutableArray<IpvsSetEntry> SetEntries { get; init; } = [];

    /// <summary>Addresses bound to the dummy interface kube-ipvs0 so that the node accepts packets to them.</summary>
    public ImmutableArray<string> DummyAddresses { get; init; } = [];

    public ImmutableArray<string> Notes { get; init; } = [];

    public string? NoRulesReason { get; init; }

    /// <summary>As <c>ipvsadm -Ln</c> lists these virtual servers (connection counters left out: they are live state).</summary>
    public string ToIpvsadm()
    {
        var sb = new StringBuilder();
        sb.Append("# kube-proxy (IPVS mode, deprecated upstream in favour of nftables) on node ").Append(Node).Append(" for Service ").Append(Service).Append('\n');
        foreach (var note in Notes)
        {
            sb.Append("# ").Append(note).Append('\n');
        }

        if (NoRulesReason is not null)
        {
            return sb.ToString();
        }

        sb.Append("# ipvsadm -Ln\n");
        sb.Append("Prot LocalAddress:Port Scheduler Flags\n");
        sb.Append("  -> RemoteAddress:Port           Forward Weight\n");
        foreach (var vs in VirtualServers)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{vs.Protocol,-4} {vs.HostPort} {vs.Scheduler}");
            if (vs.PersistentSeconds is { } seconds)
            {
                sb.Append(CultureInfo.InvariantCulture, $" persistent {seconds}");
            }

            sb.Append('\n');
            foreach (var rs in vs.RealServers)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  -> {rs.HostPort,-28} Masq    1\n");
            }
        }

        sb.Append("\n# ip addr show dev kube-ipvs0 (dummy interface: the node accepts these addresses)\n");
        foreach (var address in DummyAddresses)
        {
            sb.Append("    inet").Append(address.Contains(':', StringComparison.Ordinal) ? "6 " : " ").Append(address).Append(address.Contains(':', StringComparison.Ordinal) ? "/128" : "/32").Append(" scope global kube-ipvs0\n");
        }

        sb.Append("\n# ipset list (entries of this Service; kube-proxy's fixed iptables rules match these sets)\n");
        foreach (var group in SetEntries.GroupBy(e => e.Set))
        {
            sb.Append("Name: ").Append(group.Key).Append('\n');
            foreach (var e in group)
            {
                sb.Append("  ").Append(e.Entry).Append('\n');
            }
        }

        return sb.ToString();
    }
}

/// <summary>
/// Reproduces kube-proxy's IPVS proxier (pkg/proxy/ipvs/proxier.go, syncProxyRules) for one Service on one node:
/// a virtual server per Service address and port, real servers from the same endpoint selection as the other modes,
/// the kube-ipvs0 dummy addresses and the ipset entries. IPVS mode is deprecated upstream; nftables replaces it.
/// </summary>
public static class IpvsRuleGenerator
{
    public static IpvsRuleSet Generate(KubeProxyInput input)
    {
        var family = input.IpFamily ?? input.Service.Families[0];
        if (KubeProxyRuleGenerator.WhyNoRules(input, out var clusterIp) is { } reason)
        {
            return new IpvsRuleSet(input.Service.Key(), input.Node.Name, family) { NoRulesReason = reason, Notes = [reason] };
        }

        var svc = input.Service;
        var v6 = IpText.IsV6(clusterIp);
        family = v6 ? IpFamily.V6 : IpFamily.V4;
        var notes = new List<string>
        {
            "IPVS mode is deprecated upstream: kube-proxy's maintainers recommend the nftables mode, which PortMapper renders with mode=nftables.",
        };
        if (svc.IsDualStack)
        {
            notes.Add($"Dual-stack Service: these are the {family} virtual servers; the other family's proxier creates its own.");
        }

        var vss = ImmutableArray.CreateBuilder<IpvsVirtualServer>();
        var sets = ImmutableArray.CreateBuilder<IpvsSetEntry>();
        var dummy = new SortedSet<string>(StringComparer.Ordinal) { clusterIp.ToString() };
        var nodeIps = input.Node.Addresses
            .Select(a => IpText.TryNormalize(a, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Where(ip => IpText.IsV6(ip) == v6)
            .Distinct()
            .ToList();
        var externalIps = SameFamily(svc.ExternalIps, v6);
        var lbIps = SameFamily(svc.LoadBalancerStatus.Select(l => l.Ip).OfType<string>(), v6);
        var persistent = svc.SessionAffinity == "ClientIP" ? svc.SessionAffinityTimeoutSeconds ?? 10800 : (int?)null;

        foreach (var port in svc.Ports)
        {
            var name = new ServicePortName(svc.Metadata.Namespace, svc.Metadata.Name, port.Name ?? "").ToString();
            var proto = port.Protocol.ToLowerInvariant();
            var nodePort = svc.HasNodePorts ? port.NodePort ?? 0 : 0;
            var externallyAccessible = nodePort != 0 || externalIps.Count > 0 || lbIps.Count > 0;
            var externalLocal = svc.ExternalPolicyLocal && externallyAccessible;
            var usesCluster = !svc.InternalPolicyLocal || externallyAccessible;
            var usesLocal = svc.InternalPolicyLocal || externalLocal;
            var all = EndpointSelection.Normalize(input, port, v6, name, notes.Add);
            var (cluster, local, _, _) = EndpointSelection.Categorize(all, usesCluster, usesLocal, input.Node);
            var internalEps = svc.InternalPolicyLocal ? local : cluster;
            var externalEps = svc.ExternalPolicyLocal ? local : cluster;
            var prot = port.Protocol.ToUpperInvariant();

            IpvsVirtualServer Vs(IPAddress ip, int p, string role, List<ProxyEndpoint> eps, bool localOnly) =>
                new(prot, IpText.JoinHostPort(ip, p), role, [.. eps.Select(e => new IpvsRealServer(e.HostPort, e.Local, e.Terminating))])
                {
                    PersistentSeconds = persistent,
                    Explanation = eps.Count == 0
                        ? localOnly
                            ? $"{name}: no ready endpoint on node {input.Node.Name} (traffic policy Local): the virtual server has no real servers, so connections to it fail here"
                            : $"{name}: no usable endpoint: the virtual server has no real servers and connections to it fail"
                        : localOnly
                            ? $"{name}: only endpoints on node {input.Node.Name} (traffic policy Local); round robin over {eps.Count}"
                            : $"{name}: round robin over {eps.Count} endpoint(s){(persistent is { } s ? $", each client address kept on its endpoint for {s}s (sessionAffinity ClientIP)" : "")}",
                };

            vss.Add(Vs(clusterIp, port.Port, "cluster IP", internalEps, svc.InternalPolicyLocal));
            sets.Add(new IpvsSetEntry("KUBE-CLUSTER-IP", $"{clusterIp},{proto}:{port.Port}", "the cluster IP and port: matched to masquerade traffic from outside the pod network"));
            foreach (var ip in externalIps)
            {
                dummy.Add(ip.ToString());
                vss.Add(Vs(ip, port.Port, "external IP", externalEps, svc.ExternalPolicyLocal));
                sets.Add(new IpvsSetEntry(svc.ExternalPolicyLocal ? "KUBE-EXTERNAL-IP-LOCAL" : "KUBE-EXTERNAL-IP", $"{ip},{proto}:{port.Port}", "an external IP: accepted and (policy Cluster) masqueraded"));
            }

            foreach (var ip in lbIps)
            {
                dummy.Add(ip.ToString());
                vss.Add(Vs(ip, port.Port, "load-balancer IP", externalEps, svc.ExternalPolicyLocal));
                sets.Add(new IpvsSetEntry("KUBE-LOAD-BALANCER", $"{ip},{proto}:{port.Port}", "a load-balancer ingress IP"));
                if (svc.ExternalPolicyLocal)
                {
                    sets.Add(new IpvsSetEntry("KUBE-LOAD-BALANCER-LOCAL", $"{ip},{proto}:{port.Port}", "policy Local: not masqueraded, the client address is kept"));
                }

                if (!svc.LoadBalancerSourceRanges.IsDefaultOrEmpty)
                {
                    sets.Add(new IpvsSetEntry("KUBE-LOAD-BALANCER-FW", $"{ip},{proto}:{port.Port}", "loadBalancerSourceRanges: packets to it are dropped unless their source is listed in KUBE-LOAD-BALANCER-SOURCE-CIDR"));
                    foreach (var range in svc.LoadBalancerSourceRanges)
                    {
                        sets.Add(new IpvsSetEntry("KUBE-LOAD-BALANCER-SOURCE-CIDR", $"{ip},{proto}:{port.Port},{range.Trim()}", "a source range allowed to reach the load-balancer IP"));
                    }
                }
            }

            if (nodePort != 0)
            {
                foreach (var ip in nodeIps)
                {
                    vss.Add(Vs(ip, nodePort, "node port", externalEps, svc.ExternalPolicyLocal));
                }

                var suffix = port.Protocol.ToUpperInvariant();
                sets.Add(new IpvsSetEntry($"KUBE-NODE-PORT-{suffix}", nodePort.ToString(CultureInfo.InvariantCulture), "the node port: accepted on every node address"));
                if (svc.ExternalPolicyLocal)
                {
                    sets.Add(new IpvsSetEntry($"KUBE-NODE-PORT-LOCAL-{suffix}", nodePort.ToString(CultureInfo.InvariantCulture), "policy Local: not masqueraded, the client address is kept"));
                }

                if (nodeIps.Count == 0)
                {
                    notes.Add($"Node {input.Node.Name} has no {family} address in the snapshot, so no node-port virtual server is shown.");
                }
            }

            foreach (var e in all.Where(e => e.Local))
            {
                // Hairpin: a pod that reaches itself through the Service is masqueraded so the reply comes back.
                sets.Add(new IpvsSetEntry("KUBE-LOOP-BACK", $"{e.Ip},{proto}:{e.Port},{e.Ip}", "an endpoint on this node: masqueraded when it connects to itself through the Service (hairpin)"));
            }
        }

        return new IpvsRuleSet(svc.Key(), input.Node.Name, family)
        {
            VirtualServers = vss.ToImmutable(),
            SetEntries = sets.ToImmutable(),
            DummyAddresses = [.. dummy],
            Notes = [.. notes],
        };
    }

    private static List<IPAddress> SameFamily(IEnumerable<string> addresses, bool v6) =>
        [.. addresses.Select(a => IpText.TryNormalize(a, out var ip) ? ip : null).OfType<IPAddress>().Where(ip => IpText.IsV6(ip) == v6)];
}
