using System.Collections.Immutable;
using System.Net;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// Reproduces what kube-proxy in nftables mode writes into its <c>ip kube-proxy</c> (or <c>ip6 kube-proxy</c>)
/// table for one Service on one node: syncProxyRules and writeServiceToEndpointRules in
/// pkg/proxy/nftables/proxier.go, with the same endpoint selection as iptables mode. Statements come out in
/// the form of kube-proxy's transaction (<c>add chain</c>, <c>add rule</c>, <c>add element</c>, <c>add set</c>),
/// which is what its unit tests compare; <see cref="NftablesRuleSet.ToNftList"/> prints them as
/// <c>nft list table</c> shows them.
/// </summary>
public static class NftablesRuleGenerator
{
    public static NftablesRuleSet Generate(KubeProxyInput input)
    {
        var v6Requested = input.IpFamily == "IPv6";
        if (KubeProxyRuleGenerator.WhyNoRules(input, out var clusterIp) is { } reason)
        {
            return new NftablesRuleSet(input.Service.Key(), input.Node.Name, v6Requested ? "ip6" : "ip")
            {
                NoRulesReason = reason,
                Notes = [reason],
            };
        }

        var writer = new NftWriter(input, clusterIp);
        writer.WriteBase();
        foreach (var port in input.Service.Ports)
        {
            writer.WritePort(port);
        }

        return writer.Build();
    }
}

/// <summary>What a statement of an nftables transaction creates.</summary>
internal enum NftKind
{
    Set,
    Map,
    Chain,
    Rule,
    Element,
}

/// <summary>What a rule does with a packet once it matches.</summary>
internal enum NftVerdict
{
    /// <summary>No verdict (a set update): evaluation goes on with the next rule.</summary>
    Continue,
    Jump,
    Goto,
    /// <summary><c>numgen random mod n vmap { … }</c>: one of <see cref="NftStatement.Targets"/> at random.</summary>
    RandomGoto,
    Dnat,
    Drop,
    Reject,
    Return,
    Masquerade,
}

/// <summary>
/// One statement with the structure the trace needs. <see cref="Rule"/> is its public face; for an element,
/// <see cref="Key"/> is the element key (<c>172.30.0.41 . tcp . 80</c>) and <see cref="Targets"/> its verdict's chain.
/// </summary>
internal sealed record NftStatement(NftKind Kind, string Object, string Body, KubeProxyRule Rule)
{
    public NftVerdict Verdict { get; init; } = NftVerdict.Continue;

    public ImmutableArray<string> Targets { get; init; } = [];

    public string? Key { get; init; }

    /// <summary>The element's verdict text ("goto service-…", "drop", "goto reject-chain").</summary>
    public string? Value { get; init; }

    /// <summary>For the firewall chain's drop rule: the sources it admits (CIDRs and addresses).</summary>
    public ImmutableArray<string> Sources { get; init; } = [];

    /// <summary>Set when the rule is one of the fixed rules of the base chains, naming its job for the trace.</summary>
    public string? BaseRole { get; init; }
}

internal sealed class NftWriter
{
    private readonly KubeProxyInput _input;
    private readonly Service _service;
    private readonly IPAddress _clusterIp;
    private readonly bool _v6;
    private readonly string _family;
    private readonly string _ipX;
    private readonly string _addrType;
    private readonly IPAddress? _nodeIp;
    private readonly IpText.Cidr? _podCidr;
    private readonly string _podCidrText;
    private readonly ImmutableArray<IpText.Cidr> _serviceCidrs;
    private readonly List<NftStatement> _statements = [];
    private readonly List<string> _notes = [];

    public NftWriter(KubeProxyInput input, IPAddress clusterIp)
    {
        _input = input;
        _service = input.Service;
        _clusterIp = clusterIp;
        _v6 = IpText.IsV6(clusterIp);
        _family = _v6 ? "ip6" : "ip";
        _ipX = _v6 ? "ip6" : "ip";
        _addrType = _v6 ? "ipv6_addr" : "ipv4_addr";
        _nodeIp = input.Node.Addresses
            .Select(a => IpText.TryNormalize(a, out var ip) ? ip : null)
            .FirstOrDefault(ip => ip is not null && IpText.IsV6(ip) == _v6);
        (_podCidr, _podCidrText) = ResolvePodCidr();
        _serviceCidrs = ResolveServiceCidrs();
        if (_service.ClusterIps.Length > 1)
        {
            _notes.Add($"Dual-stack Service: this is the {_family} kube-proxy table for {_clusterIp}; the other family's proxier writes the {(_v6 ? "ip" : "ip6")} kube-proxy table.");
        }
    }

    private string Prefix => $"{_family} {NftablesNames.Table}";

    private (IpText.Cidr? Cidr, string Text) ResolvePodCidr()
    {
        if (!_input.Settings.DetectLocalTraffic)
        {
            _notes.Add("kube-proxy is taken to run without a local-traffic detector: no \"saddr != <cluster CIDR>\" masquerade rule and no pod short-circuit.");
            return (null, "");
        }

        if (_input.ClusterCidr is { } configured)
        {
            if (IpText.TryParseCidr(configured, out var cidr) && cidr.IsV6 == _v6)
            {
                return (cidr, cidr.ToString());
            }

            _notes.Add($"The cluster CIDR \"{configured}\" is not a valid {(_v6 ? "IPv6" : "IPv4")} CIDR, so kube-proxy would have no local-traffic detector: the rules that depend on it are left out.");
            return (null, "");
        }

        if (_v6)
        {
            _notes.Add("The cluster's IPv6 pod CIDR is unknown, so the rules are shown as kube-proxy writes them without a local-traffic detector.");
            return (null, "");
        }

        IpText.TryParseCidr(KubeProxyInput.AssumedClusterCidr, out var assumed);
        _notes.Add($"The cluster CIDR is unknown; PortMapper assumed {KubeProxyInput.AssumedClusterCidr} (the kubeadm/Flannel default). Set it to see the exact rules.");
        return (assumed, $"{assumed} (assumed)");
    }

    private ImmutableArray<IpText.Cidr> ResolveServiceCidrs()
    {
        var configured = _input.ServiceCidrs
            .Select(text => IpText.TryParseCidr(text, out var cidr) ? cidr : (IpText.Cidr?)null)
            .OfType<IpText.Cidr>().Where(c => c.IsV6 == _v6).ToImmutableArray();
        if (!configured.IsEmpty)
        {
            return configured;
        }

        if (!_v6 && IpText.TryParseCidr(KubeProxyInput.AssumedServiceCidr, out var assumed) && assumed.Contains(_clusterIp))
        {
            _notes.Add($"The Service CIDR is unknown; PortMapper assumed {KubeProxyInput.AssumedServiceCidr} (the kubeadm default) for the \"drop traffic to unallocated ClusterIPs\" rule.");
            return [assumed];
        }

        // A /24 (/120) around the cluster IP at least shows the rule's shape; said plainly.
        IpText.TryParseCidr($"{_clusterIp}/{(_v6 ? 120 : 24)}", out var around);
        _notes.Add($"The Service CIDR is unknown; the \"drop traffic to unallocated ClusterIPs\" rule is shown with {around}, a stand-in around the cluster IP.");
        return [around];
    }

    private void Add(NftStatement statement) => _statements.Add(statement);

    private KubeProxyRule PublicRule(NftKind kind, string obj, string text, string explanation, RuleRole role, string? jump, ServicePortName? port, string? endpoint, RuleMatch match) =>
        new(Prefix, obj, text, explanation, role) { Jump = jump, ServicePort = port, Endpoint = endpoint, Match = match };

    private void Declare(NftKind kind, string name, string spec, string explanation, RuleRole role, ServicePortName? port = null)
    {
        var word = kind switch { NftKind.Set => "set", NftKind.Map => "map", _ => "chain" };
        var text = $"add {word} {Prefix} {name}" + (spec.Length == 0 ? "" : $" {{ {spec} ; }}");
        Add(new NftStatement(kind, name, spec, PublicRule(kind, name, text, explanation, role, null, port, null, RuleMatch.Any)));
    }

    private void Rule(string chain, string body, string explanation, RuleRole role, RuleMatch match, NftVerdict verdict,
        ImmutableArray<string> targets = default, ServicePortName? port = null, string? endpoint = null, string? baseRole = null,
        ImmutableArray<string> sources = default)
    {
        var text = $"add rule {Prefix} {chain} {body}";
        var jump = targets.IsDefaultOrEmpty ? verdict switch
        {
            NftVerdict.Drop => "drop",
            NftVerdict.Reject => "reject",
            NftVerdict.Dnat => "dnat",
            NftVerdict.Masquerade => "masquerade",
            _ => null,
        } : targets[0];
        Add(new NftStatement(NftKind.Rule, chain, body, PublicRule(NftKind.Rule, chain, text, explanation, role, jump, port, endpoint, match))
        {
            Verdict = verdict,
            Targets = targets.IsDefault ? [] : targets,
            BaseRole = baseRole,
            Sources = sources.IsDefault ? [] : sources,
        });
    }

    private void Element(string set, string key, string? comment, string? value, string explanation, RuleRole role, ServicePortName? port = null)
    {
        var commentText = comment is null ? "" : $" comment \"{comment}\"";
        var valueText = value is null ? "" : $" : {value}";
        var text = $"add element {Prefix} {set} {{ {key}{commentText}{valueText} }}";
        var target = value is not null && value.StartsWith("goto ", StringComparison.Ordinal) ? value[5..] : null;
        Add(new NftStatement(NftKind.Element, set, $"{key}{commentText}{valueText}",
            PublicRule(NftKind.Element, set, text, explanation, role, target ?? value, port, null, RuleMatch.Any))
        {
            Key = key,
            Value = value,
            Targets = target is null ? [] : [target],
        });
    }

    /// <summary>The table, sets, maps and base chains every node has, written once by kube-proxy (setupNFTables).</summary>
    public void WriteBase()
    {
        const RuleRole B = RuleRole.Boilerplate;
        var mark = _input.Settings.MasqueradeMark;
        Add(new NftStatement(NftKind.Chain, NftablesNames.Table, "",
            PublicRule(NftKind.Chain, NftablesNames.Table, $"add table {Prefix} {{ comment \"rules for kube-proxy\" ; }}",
                $"kube-proxy's own {_family} table; nothing else writes into it.", B, null, null, null, RuleMatch.Any)) { BaseRole = "table" });

        Declare(NftKind.Set, NftablesNames.ClusterIps, $"type {_addrType} ; comment \"Active ClusterIPs\"", "Every allocated cluster IP, so that traffic to a wrong port of one is rejected.", B);
        Declare(NftKind.Set, NftablesNames.NodePortIps, $"type {_addrType} ; comment \"IPs that accept NodePort traffic\"", "The node addresses node ports answer on (--nodeport-addresses; by default the node IP).", B);
        Declare(NftKind.Map, NftablesNames.FirewallIps, $"type {_addrType} . inet_proto . inet_service : verdict ; comment \"destinations that are subject to LoadBalancerSourceRanges\"", "Load-balancer IP and port → the firewall chain that enforces loadBalancerSourceRanges.", B);
        Declare(NftKind.Map, NftablesNames.NoEndpointNodePorts, "type inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to service nodeports with no endpoints\"", "Node ports without usable endpoints → drop or reject.", B);
        Declare(NftKind.Map, NftablesNames.NoEndpointServices, $"type {_addrType} . inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to services with no endpoints\"", "Service addresses without usable endpoints → drop or reject.", B);
        Declare(NftKind.Map, NftablesNames.ServiceIps, $"type {_addrType} . inet_proto . inet_service : verdict ; comment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\"", "Every Service address and port → its service- or external- chain: one lookup instead of a list of rules.", B);
        Declare(NftKind.Map, NftablesNames.ServiceNodePorts, "type inet_proto . inet_service : verdict ; comment \"NodePort traffic\"", "Every node port → its external- chain.", B);

        Declare(NftKind.Chain, NftablesNames.ClusterIpsCheck, "", "Filters traffic to cluster IPs that no Service port handles.", B);
        Declare(NftKind.Chain, "filter-prerouting-pre-dnat", "type filter hook prerouting priority -110", "Runs before DNAT for arriving packets: the load-balancer source-range check.", B);
        Declare(NftKind.Chain, "filter-output-pre-dnat", "type filter hook output priority -110", "Runs before DNAT for the node's own packets: the load-balancer source-range check.", B);
        Declare(NftKind.Chain, "filter-forward", "type filter hook forward priority 0", "Filter hook for forwarded packets.", B);
        Declare(NftKind.Chain, "filter-input", "type filter hook input priority 0", "Filter hook for packets addressed to the node.", B);
        Declare(NftKind.Chain, "filter-output", "type filter hook output priority 0", "Filter hook for the node's own packets.", B);
        Declare(NftKind.Chain, NftablesNames.FirewallCheck, "", "Looks the destination up in @firewall-ips.", B);
        Declare(NftKind.Chain, NftablesNames.MarkForMasquerade, "", "Marks a packet for SNAT.", B);
        Declare(NftKind.Chain, NftablesNames.Masquerading, "", "SNATs marked packets on the way out.", B);
        Declare(NftKind.Chain, "nat-output", "type nat hook output priority -100", "DNAT hook for the node's own packets.", B);
        Declare(NftKind.Chain, "nat-postrouting", "type nat hook postrouting priority 100", "SNAT hook.", B);
        Declare(NftKind.Chain, "nat-prerouting", "type nat hook prerouting priority -100", "DNAT hook for arriving packets.", B);
        Declare(NftKind.Chain, NftablesNames.NodePortEndpointsCheck, "", "Looks node ports up in @no-endpoint-nodeports.", B);
        Declare(NftKind.Chain, NftablesNames.RejectChain, "comment \"helper for @no-endpoint-services / @no-endpoint-nodeports\"", "Rejects (nftables verdict maps cannot say reject directly).", B);
        Declare(NftKind.Chain, NftablesNames.Services, "", "Dispatches Service traffic through @service-ips and @service-nodeports.", B);
        Declare(NftKind.Chain, NftablesNames.ServiceEndpointsCheck, "", "Looks Service addresses up in @no-endpoint-services.", B);

        var serviceCidr = string.Join(", ", _serviceCidrs);
        Rule(NftablesNames.ClusterIpsCheck, $"{_ipX} daddr @cluster-ips reject comment \"Reject traffic to invalid ports of ClusterIPs\"",
            "A connection to a cluster IP on a port no Service port handles is refused.", B, RuleMatch.Any, NftVerdict.Reject, baseRole: "cluster-ips-reject");
        Rule(NftablesNames.ClusterIpsCheck, $"{_ipX} daddr {{ {serviceCidr} }} drop comment \"Drop traffic to unallocated ClusterIPs\"",
            $"A connection to an unallocated address of the Service CIDR {serviceCidr} is dropped.", B, RuleMatch.Any, NftVerdict.Drop, baseRole: "cluster-ips-drop");
        Rule("filter-prerouting-pre-dnat", $"ct state new jump {NftablesNames.FirewallCheck}", "New arriving connections pass the load-balancer firewall check first.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.FirewallCheck], baseRole: "hook-prerouting-firewall");
        Rule("filter-forward", $"ct state new jump {NftablesNames.ServiceEndpointsCheck}", "New forwarded connections are checked against Services without endpoints.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.ServiceEndpointsCheck], baseRole: "hook-forward-endpoints");
        Rule("filter-forward", $"ct state new jump {NftablesNames.ClusterIpsCheck}", "New forwarded connections to cluster IPs nobody handles are filtered.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.ClusterIpsCheck], baseRole: "hook-forward-clusterips");
        Rule("filter-input", $"ct state new jump {NftablesNames.NodePortEndpointsCheck}", "New connections to the node are checked against node ports without endpoints.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.NodePortEndpointsCheck], baseRole: "hook-input-nodeports");
        Rule("filter-input", $"ct state new jump {NftablesNames.ServiceEndpointsCheck}", "New connections to the node are checked against Services without endpoints.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.ServiceEndpointsCheck], baseRole: "hook-input-endpoints");
        Rule("filter-output", $"ct state new jump {NftablesNames.ServiceEndpointsCheck}", "The node's own new connections are checked against Services without endpoints.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.ServiceEndpointsCheck], baseRole: "hook-output-endpoints");
        Rule("filter-output-pre-dnat", $"ct state new jump {NftablesNames.FirewallCheck}", "The node's own new connections pass the load-balancer firewall check first.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.FirewallCheck], baseRole: "hook-output-firewall");
        Rule("filter-output", $"ct state new jump {NftablesNames.ClusterIpsCheck}", "The node's own new connections to cluster IPs nobody handles are filtered.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.ClusterIpsCheck], baseRole: "hook-output-clusterips");
        Rule(NftablesNames.FirewallCheck, $"{_ipX} daddr . meta l4proto . th dport vmap @{NftablesNames.FirewallIps}", "Looks the destination address, protocol and port up in @firewall-ips.", B, RuleMatch.Any, NftVerdict.Continue, baseRole: "firewall-lookup");
        Rule(NftablesNames.MarkForMasquerade, $"mark set mark or {mark}", $"Sets the SNAT mark {mark}; the rewrite happens on the way out, in masquerading.", B, RuleMatch.Any, NftVerdict.Continue, baseRole: "mark");
        Rule(NftablesNames.Masquerading, $"mark and {mark} == 0 return", "Packets nobody marked for SNAT leave unchanged.", B, RuleMatch.Any, NftVerdict.Return, baseRole: "masq-return");
        Rule(NftablesNames.Masquerading, $"mark set mark xor {mark}", "Clears the SNAT mark, so a packet that passes through again is not masqueraded twice.", B, RuleMatch.Any, NftVerdict.Continue, baseRole: "masq-clear");
        Rule(NftablesNames.Masquerading, "masquerade fully-random", "Rewrites the source of marked packets to this node's address, so the reply comes back through this node.", B, RuleMatch.Any, NftVerdict.Masquerade, baseRole: "masq");
        Rule("nat-output", $"jump {NftablesNames.Services}", "The node's own packets pass through services.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.Services], baseRole: "hook-nat-output");
        Rule("nat-postrouting", $"jump {NftablesNames.Masquerading}", "Every leaving packet passes through masquerading.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.Masquerading], baseRole: "hook-nat-postrouting");
        Rule("nat-prerouting", $"jump {NftablesNames.Services}", "Every arriving packet passes through services.", B, RuleMatch.Any, NftVerdict.Jump, [NftablesNames.Services], baseRole: "hook-nat-prerouting");
        Rule(NftablesNames.NodePortEndpointsCheck, $"{_ipX} daddr @{NftablesNames.NodePortIps} meta l4proto . th dport vmap @{NftablesNames.NoEndpointNodePorts}", "Node ports without usable endpoints are dropped or rejected here.", B, RuleMatch.Any, NftVerdict.Continue, baseRole: "nodeport-noendpoints-lookup");
        Rule(NftablesNames.RejectChain, "reject", "Refuses the connection at once (ICMP port unreachable / TCP reset).", B, RuleMatch.Any, NftVerdict.Reject, baseRole: "reject");
        Rule(NftablesNames.Services, $"{_ipX} daddr . meta l4proto . th dport vmap @{NftablesNames.ServiceIps}", "Looks the destination address, protocol and port up in @service-ips and jumps to the chain found there.", B, RuleMatch.Any, NftVerdict.Continue, baseRole: "service-ips-lookup");
        Rule(NftablesNames.Services, $"{_ipX} daddr @{NftablesNames.NodePortIps} meta l4proto . th dport vmap @{NftablesNames.ServiceNodePorts}", "Traffic to a node-port address is looked up by protocol and port in @service-nodeports.", B, RuleMatch.Any, NftVerdict.Continue, baseRole: "service-nodeports-lookup");
        if (_nodeIp is not null)
        {
            Element(NftablesNames.NodePortIps, _nodeIp.ToString(), null, null, $"Node ports answer on the node IP {_nodeIp} (--nodeport-addresses default: the primary node IP).", B);
        }
        else
        {
            _notes.Add($"Node {_input.Node.Name} has no {(_v6 ? "IPv6" : "IPv4")} address in the snapshot, so @nodeport-ips is shown empty.");
        }

        Rule(NftablesNames.ServiceEndpointsCheck, $"{_ipX} daddr . meta l4proto . th dport vmap @{NftablesNames.NoEndpointServices}", "Service addresses without usable endpoints are dropped or rejected here.", B, RuleMatch.Any, NftVerdict.Continue, baseRole: "service-noendpoints-lookup");
    }

    public void WritePort(ServicePort port)
    {
        var name = new ServicePortName(_service.Metadata.Namespace, _service.Metadata.Name, port.Name ?? "");
        new NftPortWriter(this, port, name).Write();
    }

    public NftablesRuleSet Build()
    {
        var nodeAddresses = _input.Node.Addresses.Select(a => IpText.TryNormalize(a, out var ip) ? ip : null).OfType<IPAddress>().ToImmutableArray();
        return new NftablesRuleSet(_service.Key(), _input.Node.Name, _family)
        {
            Statements = [.. _statements],
            Notes = [.. _notes],
            ServiceCidrs = _serviceCidrs,
            Context = new TraceContext(_v6, nodeAddresses, _nodeIp, _podCidr),
        };
    }

    /// <summary>Writes the statements of one Service port in the order syncProxyRules adds them.</summary>
    private sealed class NftPortWriter
    {
        private readonly NftWriter _w;
        private readonly ServicePort _port;
        private readonly ServicePortName _name;
        private readonly string _n;
        private readonly string _proto;
        private readonly string _serviceChain;
        private readonly string _localChain;
        private readonly string _externalChain;
        private readonly string _firewallChain;

        public NftPortWriter(NftWriter writer, ServicePort port, ServicePortName name)
        {
            _w = writer;
            _port = port;
            _name = name;
            _n = name.ToString();
            _proto = port.Protocol.ToLowerInvariant();
            _serviceChain = NftablesNames.ServiceChain(name, _proto);
            _localChain = NftablesNames.LocalChain(name, _proto);
            _externalChain = NftablesNames.ExternalChain(name, _proto);
            _firewallChain = NftablesNames.FirewallChain(name, _proto);
        }

        private Service Service => _w._service;

        private string IpX => _w._ipX;

        private void Chain(string chain, string explanation) => _w.Declare(NftKind.Chain, chain, "", explanation, RuleRole.Capture, _name);

        private void Rule(string chain, string body, RuleRole role, string explanation, RuleMatch match, NftVerdict verdict, ImmutableArray<string> targets = default, string? endpoint = null) =>
            _w.Rule(chain, body, explanation, role, match, verdict, targets, _name, endpoint);

        private void Element(string set, string key, string? comment, string? value, string explanation, RuleRole role) =>
            _w.Element(set, key, comment, value, explanation, role, _name);

        private string EndpointChain(ProxyEndpoint ep) => NftablesNames.EndpointChain(_name, _proto, ep.HostPort);

        private string AffinitySet(ProxyEndpoint ep) => NftablesNames.AffinitySet(_name, _proto, ep.HostPort);

        public void Write()
        {
            var externalIps = SameFamily(Service.ExternalIps, "external IP");
            var loadBalancerIps = SameFamily(Service.LoadBalancerStatus.Where(i => !string.IsNullOrEmpty(i.Ip)).Select(i => i.Ip!), "load-balancer ingress IP");
            var sourceRanges = SourceRanges();
            var nodePort = _port.NodePort ?? 0;

            var externallyAccessible = nodePort != 0 || !loadBalancerIps.IsEmpty || !externalIps.IsEmpty;
            var externalPolicyLocal = Service.ExternalPolicyLocal
                && (Service.Type is ServiceTypes.NodePort or ServiceTypes.LoadBalancer || !Service.ExternalIps.IsDefaultOrEmpty);
            var internalPolicyLocal = Service.InternalPolicyLocal;
            var affinity = Service.SessionAffinity == "ClientIP";
            var stickySeconds = Service.SessionAffinityTimeoutSeconds ?? 10800;

            var usesClusterEndpoints = !internalPolicyLocal || externallyAccessible;
            var usesLocalEndpoints = internalPolicyLocal || (externalPolicyLocal && externallyAccessible);
            var all = EndpointSelection.Normalize(_w._input, _port, _w._v6, _n, _w._notes.Add);
            var (clusterEndpoints, localEndpoints, reachable, hasEndpoints) = EndpointSelection.Categorize(all, usesClusterEndpoints, usesLocalEndpoints, _w._input.Node);

            var usesClusterPolicyChain = clusterEndpoints.Count > 0 && usesClusterEndpoints;
            var usesLocalPolicyChain = localEndpoints.Count > 0 && usesLocalEndpoints;
            var internalChain = internalPolicyLocal ? _localChain : _serviceChain;
            var hasInternalEndpoints = hasEndpoints && (!internalPolicyLocal || localEndpoints.Count > 0);
            var externalPolicyChain = externalPolicyLocal ? _localChain : _serviceChain;
            var hasExternalEndpoints = hasEndpoints && (!externalPolicyLocal || localEndpoints.Count > 0);
            var usesExternalChain = hasEndpoints && externallyAccessible;
            var usesFirewallChain = !loadBalancerIps.IsEmpty && !sourceRanges.IsEmpty;

            var node = _w._input.Node.Name;
            string internalVerdict = "", externalVerdict = "", internalWhy = "", externalWhy = "";
            if (!hasEndpoints)
            {
                internalVerdict = externalVerdict = $"goto {NftablesNames.RejectChain}";
                internalWhy = externalWhy = $"{_n} has no usable endpoint anywhere in the cluster, so the connection is refused at once (reject-chain) instead of timing out.";
            }
            else
            {
                if (!hasInternalEndpoints)
                {
                    internalVerdict = "drop";
                    internalWhy = $"internalTrafficPolicy is Local and node {node} runs no usable endpoint of {_n}, so traffic from this node to the cluster IP is dropped.";
                }

                if (!hasExternalEndpoints)
                {
                    externalVerdict = "drop";
                    externalWhy = $"externalTrafficPolicy is Local and node {node} runs no usable endpoint of {_n}, so outside traffic is dropped (pods and the node itself were already short-circuited by {_externalChain}).";
                }
            }

            // Affinity sets and chains first, as kube-proxy's transaction declares them.
            if (affinity)
            {
                foreach (var ep in reachable)
                {
                    _w.Declare(NftKind.Set, AffinitySet(ep), $"type {_w._addrType} ; flags dynamic,timeout ; timeout {stickySeconds}s",
                        $"Session affinity: the clients that reached {ep.HostPort}, each remembered for {stickySeconds} seconds.", RuleRole.SessionAffinity, _name);
                }
            }

            if (usesClusterPolicyChain)
            {
                Chain(_serviceChain, $"Picks among every usable endpoint of {_n} (Cluster traffic policy).");
            }

            if (usesLocalPolicyChain)
            {
                Chain(_localChain, $"Picks among the endpoints of {_n} on node {node} only (Local traffic policy).");
            }

            if (usesExternalChain)
            {
                Chain(_externalChain, $"Entry for traffic to {_n} through a node port, external IP or load-balancer IP; applies the external traffic policy.");
            }

            if (usesFirewallChain)
            {
                Chain(_firewallChain, $"Enforces loadBalancerSourceRanges of {_n}.");
            }

            foreach (var ep in reachable)
            {
                Chain(EndpointChain(ep), $"DNATs to the endpoint {ep.HostPort} of {_n}.");
            }

            if (hasInternalEndpoints)
            {
                WriteInternalMasquerade(internalChain);
            }

            if (usesExternalChain)
            {
                WriteExternalChain(externalPolicyLocal, hasExternalEndpoints, externalPolicyChain);
            }

            if (usesFirewallChain)
            {
                WriteFirewallChain(sourceRanges, loadBalancerIps);
            }

            if (usesClusterPolicyChain)
            {
                WriteServiceToEndpoints(_serviceChain, clusterEndpoints, affinity, stickySeconds);
            }

            if (usesLocalPolicyChain)
            {
                WriteServiceToEndpoints(_localChain, localEndpoints, affinity, stickySeconds);
            }

            foreach (var ep in reachable)
            {
                var chain = EndpointChain(ep);
                Rule(chain, $"{IpX} saddr {ep.Ip} jump {NftablesNames.MarkForMasquerade}", RuleRole.Masquerade,
                    $"Hairpin: when {ep.HostPort} is itself the client, the packet is marked for SNAT so the reply goes back through the node.",
                    new RuleMatch { Source = new IpText.Cidr(ep.Ip, _w._v6 ? 128 : 32) }, NftVerdict.Jump, [NftablesNames.MarkForMasquerade], ep.HostPort);
                if (affinity)
                {
                    Rule(chain, $"update @{AffinitySet(ep)} {{ {IpX} saddr }}", RuleRole.SessionAffinity,
                        $"Records the client's address in {AffinitySet(ep)} for session affinity.", RuleMatch.Any, NftVerdict.Continue, default, ep.HostPort);
                }

                Rule(chain, $"meta l4proto {_proto} dnat to {ep.HostPort}", RuleRole.Dnat, $"Rewrites the destination to the endpoint {ep.HostPort}.",
                    new RuleMatch { Protocol = _proto, DnatTo = ep.HostPort }, NftVerdict.Dnat, default, ep.HostPort);
            }

            // Elements: cluster IP, external IPs, load-balancer IPs, node port, and the no-endpoint verdicts.
            var port = _port.Port;
            var clusterKey = $"{_w._clusterIp} . {_proto} . {port}";
            Element(NftablesNames.ClusterIps, _w._clusterIp.ToString(), null, null, $"{_w._clusterIp} is an allocated cluster IP.", RuleRole.Capture);
            if (hasInternalEndpoints)
            {
                Element(NftablesNames.ServiceIps, clusterKey, null, $"goto {internalChain}",
                    $"Captures {_port.Protocol} traffic to the cluster IP {_w._clusterIp}:{port} and sends it to {internalChain}.", RuleRole.Capture);
            }
            else
            {
                Element(NftablesNames.NoEndpointServices, clusterKey, _n, internalVerdict, $"Traffic to the cluster IP {_w._clusterIp}:{port}: {internalWhy}", RuleRole.Filter);
            }

            foreach (var externalIp in externalIps)
            {
                var key = $"{externalIp} . {_proto} . {port}";
                if (hasEndpoints)
                {
                    Element(NftablesNames.ServiceIps, key, null, $"goto {_externalChain}", $"Captures traffic to the external IP {externalIp}:{port} and sends it to {_externalChain}.", RuleRole.Capture);
                }

                if (!hasExternalEndpoints)
                {
                    Element(NftablesNames.NoEndpointServices, key, _n, externalVerdict, $"Traffic to the external IP {externalIp}:{port}: {externalWhy}", RuleRole.Filter);
                }
            }

            foreach (var lbIp in loadBalancerIps)
            {
                var key = $"{lbIp} . {_proto} . {port}";
                if (hasEndpoints)
                {
                    Element(NftablesNames.ServiceIps, key, null, $"goto {_externalChain}", $"Captures traffic to the load-balancer IP {lbIp}:{port} and sends it to {_externalChain}.", RuleRole.Capture);
                }

                if (usesFirewallChain)
                {
                    Element(NftablesNames.FirewallIps, key, null, $"goto {_firewallChain}",
                        $"Before DNAT, traffic to {lbIp}:{port} passes {_firewallChain}, which drops sources outside loadBalancerSourceRanges.", RuleRole.Policy);
                }
            }

            if (nodePort != 0 && hasEndpoints)
            {
                Element(NftablesNames.ServiceNodePorts, $"{_proto} . {nodePort}", null, $"goto {_externalChain}",
                    $"Captures traffic to node port {nodePort} on the node-port addresses and sends it to {_externalChain}. Node ports ignore loadBalancerSourceRanges.", RuleRole.Capture);
            }

            if (nodePort != 0 && !hasExternalEndpoints)
            {
                Element(NftablesNames.NoEndpointNodePorts, $"{_proto} . {nodePort}", _n, externalVerdict, $"Traffic to node port {nodePort}: {externalWhy}", RuleRole.Filter);
            }

            if (!hasExternalEndpoints)
            {
                foreach (var lbIp in loadBalancerIps)
                {
                    Element(NftablesNames.NoEndpointServices, $"{lbIp} . {_proto} . {port}", _n, externalVerdict, $"Traffic to the load-balancer IP {lbIp}:{port}: {externalWhy}", RuleRole.Filter);
                }
            }
        }

        private void WriteInternalMasquerade(string internalChain)
        {
            var match = new RuleMatch { Destination = _w._clusterIp };
            if (_w._input.Settings.MasqueradeAll)
            {
                Rule(internalChain, $"{IpX} daddr {_w._clusterIp} jump {NftablesNames.MarkForMasquerade}", RuleRole.Masquerade,
                    $"--masquerade-all: every packet to {_w._clusterIp}:{_port.Port} is marked for SNAT.", match, NftVerdict.Jump, [NftablesNames.MarkForMasquerade]);
            }
            else if (_w._podCidr is { } podCidr)
            {
                Rule(internalChain, $"{IpX} daddr {_w._clusterIp} {IpX} saddr != {podCidr} jump {NftablesNames.MarkForMasquerade}", RuleRole.Masquerade,
                    $"Traffic to {_w._clusterIp}:{_port.Port} from outside the pod network {_w._podCidrText} is marked for SNAT, so the reply comes back through this node.",
                    match with { Source = podCidr, SourceNegated = true }, NftVerdict.Jump, [NftablesNames.MarkForMasquerade]);
            }
        }

        private void WriteExternalChain(bool externalPolicyLocal, bool hasExternalEndpoints, string externalPolicyChain)
        {
            if (!externalPolicyLocal)
            {
                Rule(_externalChain, $"jump {NftablesNames.MarkForMasquerade}", RuleRole.Masquerade,
                    "Marks all external traffic for SNAT: the chosen endpoint may be on another node and must reply through this one (externalTrafficPolicy: Cluster).",
                    RuleMatch.Any, NftVerdict.Jump, [NftablesNames.MarkForMasquerade]);
            }
            else
            {
                if (_w._podCidr is { } podCidr)
                {
                    Rule(_externalChain, $"{IpX} saddr {podCidr} goto {_serviceChain} comment \"short-circuit pod traffic\"", RuleRole.Policy,
                        $"Traffic from the pod network {_w._podCidrText} goes to {_serviceChain}, all endpoints, as if it had gone out to the load balancer and come back.",
                        new RuleMatch { Source = podCidr }, NftVerdict.Goto, [_serviceChain]);
                }

                Rule(_externalChain, $"fib saddr type local jump {NftablesNames.MarkForMasquerade} comment \"masquerade local traffic\"", RuleRole.Masquerade,
                    "Connections the node opens itself are marked for SNAT: their source is a local address the endpoint could not reply to correctly.",
                    new RuleMatch { SourceLocal = true }, NftVerdict.Jump, [NftablesNames.MarkForMasquerade]);
                Rule(_externalChain, $"fib saddr type local goto {_serviceChain} comment \"short-circuit local traffic\"", RuleRole.Policy,
                    $"Traffic the node sends itself goes to {_serviceChain}, all endpoints: the Local policy applies only to traffic from outside.",
                    new RuleMatch { SourceLocal = true }, NftVerdict.Goto, [_serviceChain]);
            }

            if (hasExternalEndpoints)
            {
                Rule(_externalChain, $"goto {externalPolicyChain}", RuleRole.Policy,
                    externalPolicyLocal
                        ? $"Everything else goes to {externalPolicyChain}: only endpoints on this node, and the client's source IP is kept (externalTrafficPolicy: Local)."
                        : $"Sends external traffic on to {externalPolicyChain}, which picks among all usable endpoints.",
                    RuleMatch.Any, NftVerdict.Goto, [externalPolicyChain]);
            }
        }

        private void WriteFirewallChain(ImmutableArray<IpText.Cidr> sourceRanges, ImmutableArray<IPAddress> loadBalancerIps)
        {
            var sources = sourceRanges.Select(r => r.ToString()).ToList();
            if (_w._nodeIp is { } nodeIp && sourceRanges.Any(r => r.Contains(nodeIp)))
            {
                sources.AddRange(loadBalancerIps.Select(ip => ip.ToString()));
            }

            Rule(_firewallChain, $"{IpX} saddr != {{ {string.Join(" , ", sources)} }} drop", RuleRole.Filter,
                $"Drops load-balancer traffic whose source is outside loadBalancerSourceRanges ({string.Join(", ", sourceRanges)})"
                    + (sources.Count > sourceRanges.Length ? "; the load-balancer IPs themselves are admitted because a range contains this node's IP, so the node can reach its own VIP." : "."),
                RuleMatch.Any, NftVerdict.Drop);
            _w._statements[^1] = _w._statements[^1] with { Sources = [.. sources] };
        }

        private void WriteServiceToEndpoints(string chain, List<ProxyEndpoint> endpoints, bool affinity, int stickySeconds)
        {
            if (affinity)
            {
                foreach (var ep in endpoints)
                {
                    Rule(chain, $"{IpX} saddr @{AffinitySet(ep)} goto {EndpointChain(ep)}", RuleRole.SessionAffinity,
                        $"Session affinity: a client that reached {ep.HostPort} within the last {stickySeconds} seconds goes back to it.",
                        new RuleMatch { PerConnection = true }, NftVerdict.Goto, [EndpointChain(ep)], ep.HostPort);
                }
            }

            var elements = string.Join(" , ", endpoints.Select((ep, i) => $"{i} : goto {EndpointChain(ep)}"));
            Rule(chain, $"numgen random mod {endpoints.Count} vmap {{ {elements} }}", RuleRole.LoadBalance,
                endpoints.Count == 1
                    ? $"Sends every connection to the only endpoint, {endpoints[0].HostPort}."
                    : $"Picks one of {endpoints.Count} endpoints at random, each with probability 1/{endpoints.Count}: {string.Join(", ", endpoints.Select(e => e.HostPort))}.",
                endpoints.Count == 1 ? RuleMatch.Any : new RuleMatch { PerConnection = true }, NftVerdict.RandomGoto,
                [.. endpoints.Select(EndpointChain)]);
        }

        private ImmutableArray<IPAddress> SameFamily(IEnumerable<string> addresses, string what)
        {
            var result = ImmutableArray.CreateBuilder<IPAddress>();
            foreach (var text in addresses)
            {
                if (!IpText.TryNormalize(text, out var ip))
                {
                    _w._notes.Add($"{_n}: {what} \"{text}\" is not an IP address; kube-proxy ignores it.");
                }
                else if (IpText.IsV6(ip) == _w._v6)
                {
                    result.Add(ip);
                }
            }

            return result.ToImmutable();
        }

        private ImmutableArray<IpText.Cidr> SourceRanges()
        {
            var result = ImmutableArray.CreateBuilder<IpText.Cidr>();
            foreach (var text in Service.LoadBalancerSourceRanges)
            {
                if (IpText.TryParseCidr(text, out var cidr))
                {
                    if (cidr.IsV6 == _w._v6)
                    {
                        result.Add(cidr);
                    }
                }
                else
                {
                    _w._notes.Add($"{_n}: loadBalancerSourceRange \"{text}\" is not a CIDR; kube-proxy ignores it.");
                }
            }

            return result.ToImmutable();
        }
    }
}
