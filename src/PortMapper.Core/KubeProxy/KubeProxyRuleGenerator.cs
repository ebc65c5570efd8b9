using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// Reproduces the nat and filter rules kube-proxy in iptables mode writes for one Service on one node
/// (syncProxyRules and writeServiceToEndpointRules in pkg/proxy/iptables/proxier.go, endpoint selection
/// from pkg/proxy/topology.go). Rules come out in kube-proxy's own argument order and comment text.
/// </summary>
public static class KubeProxyRuleGenerator
{
    private const string Nat = "nat";
    private const string Filter = "filter";

    /// <summary>
    /// The jumps kube-proxy inserts into the built-in chains, in the order of its iptablesJumpChains list.
    /// Each one is prepended (iptables -I), so within one built-in chain they end up in reverse order.
    /// </summary>
    private static readonly (string Table, string Target, string From, string Comment, bool NewOnly)[] BuiltInJumps =
    [
        (Filter, KubeProxyChains.ExternalServices, "INPUT", "kubernetes externally-visible service portals", true),
        (Filter, KubeProxyChains.ExternalServices, "FORWARD", "kubernetes externally-visible service portals", true),
        (Filter, KubeProxyChains.NodePorts, "INPUT", "kubernetes health check service ports", false),
        (Filter, KubeProxyChains.Services, "FORWARD", "kubernetes service portals", true),
        (Filter, KubeProxyChains.Services, "OUTPUT", "kubernetes service portals", true),
        (Filter, KubeProxyChains.Forward, "FORWARD", "kubernetes forwarding rules", false),
        (Filter, KubeProxyChains.ProxyFirewall, "INPUT", "kubernetes load balancer firewall", true),
        (Filter, KubeProxyChains.ProxyFirewall, "OUTPUT", "kubernetes load balancer firewall", true),
        (Filter, KubeProxyChains.ProxyFirewall, "FORWARD", "kubernetes load balancer firewall", true),
        (Nat, KubeProxyChains.Services, "OUTPUT", "kubernetes service portals", false),
        (Nat, KubeProxyChains.Services, "PREROUTING", "kubernetes service portals", false),
        (Nat, KubeProxyChains.Postrouting, "POSTROUTING", "kubernetes postrouting rules", false),
    ];

    public static KubeProxyRuleSet Generate(KubeProxyInput input)
    {
        if (WhyNoRules(input, out var clusterIp) is { } reason)
        {
            return KubeProxyRuleSet.WithoutRules(input, reason);
        }

        var writer = new Writer(input, clusterIp);
        foreach (var port in input.Service.Ports)
        {
            writer.WritePort(port);
        }

        writer.WriteBoilerplate();
        return writer.Build();
    }

    /// <summary>
    /// Why kube-proxy (in any mode) writes nothing for the Service of <paramref name="input"/>: ExternalName,
    /// headless, no cluster IP (of the requested family), or an unparsable one. Null when it does write rules.
    /// </summary>
    internal static string? WhyNoRules(KubeProxyInput input, out IPAddress clusterIp)
    {
        clusterIp = IPAddress.None;
        var service = input.Service;
        var key = service.Key();
        if (service.IsExternalName)
        {
            return $"{key} is an ExternalName Service: kube-proxy writes no rules for it. " +
                $"The cluster DNS answers its name with a CNAME to {service.ExternalName ?? "spec.externalName"}, and clients connect there directly.";
        }

        if (service.IsHeadless)
        {
            return $"{key} is headless (clusterIP: None): kube-proxy writes no rules for it. " +
                "The cluster DNS answers its name with the ready pod IPs, and clients connect to the pods directly.";
        }

        if (string.IsNullOrEmpty(service.ClusterIp))
        {
            return $"{key} has no cluster IP yet: kube-proxy skips a Service until the API server allocates one. " +
                "Apply it to a cluster (or set spec.clusterIP) to see its rules.";
        }

        var chosen = input.ClusterIpOfFamily();
        if (chosen is null)
        {
            return $"{key} has no {input.IpFamily} cluster IP (spec.clusterIPs: {string.Join(", ", service.ClusterIps)}), so the {input.IpFamily} proxier writes no rules for it.";
        }

        if (!IpText.TryNormalize(chosen, out clusterIp))
        {
            return $"{key} has cluster IP \"{chosen}\", which is not an IP address, so kube-proxy cannot write rules for it.";
        }

        return null;
    }

    private sealed class Writer
    {
        private readonly KubeProxyInput _input;
        private readonly Service _service;
        private readonly KubeProxySettings _settings;
        private readonly IPAddress _clusterIp;
        private readonly bool _v6;
        private readonly IPAddress? _nodeIp;
        private readonly IpText.Cidr? _podCidr;
        private readonly string _podCidrText;
        private readonly List<KubeProxyRule> _rules = [];
        private readonly List<string> _notes = [];

        public Writer(KubeProxyInput input, IPAddress clusterIp)
        {
            _input = input;
            _service = input.Service;
            _settings = input.Settings;
            _clusterIp = clusterIp;
            _v6 = IpText.IsV6(clusterIp);
            _nodeIp = input.Node.Addresses
                .Select(a => IpText.TryNormalize(a, out var ip) ? ip : null)
                .FirstOrDefault(ip => ip is not null && IpText.IsV6(ip) == _v6);
            (_podCidr, _podCidrText) = ResolvePodCidr();
            if (_service.ClusterIps.Length > 1)
            {
                _notes.Add($"Dual-stack Service: these are the {Family(_v6)} rules for {_clusterIp}; kube-proxy writes the other family's rules into ip{(_v6 ? "" : "6")}tables separately.");
            }
        }

        private static string Family(bool v6) => v6 ? "IPv6" : "IPv4";

        private (IpText.Cidr? Cidr, string Text) ResolvePodCidr()
        {
            if (!_settings.DetectLocalTraffic)
            {
                _notes.Add("kube-proxy is taken to run without a local-traffic detector (no --cluster-cidr): it writes no \"! -s <cluster CIDR>\" masquerade rule and no pod short-circuit for Local external traffic policy.");
                return (null, "");
            }

            if (_input.ClusterCidr is { } configured)
            {
                if (IpText.TryParseCidr(configured, out var cidr) && cidr.IsV6 == _v6)
                {
                    return (cidr, cidr.ToString());
                }

                _notes.Add($"The cluster CIDR \"{configured}\" is not a valid {Family(_v6)} CIDR, so kube-proxy would have no local-traffic detector for this Service: the rules that depend on it are left out.");
                return (null, "");
            }

            if (_v6)
            {
                _notes.Add("The cluster's IPv6 pod CIDR is unknown, so the rules are shown as kube-proxy writes them without a local-traffic detector.");
                return (null, "");
            }

            IpText.TryParseCidr(KubeProxyInput.AssumedClusterCidr, out var assumed);
            _notes.Add($"The cluster CIDR is unknown; PortMapper assumed {KubeProxyInput.AssumedClusterCidr} (the kubeadm/Flannel default) for the rules that tell pod traffic from other traffic. Set it to see the exact rules.");
            return (assumed, $"{assumed} (assumed)");
        }

        public void WritePort(ServicePort port)
        {
            var name = new ServicePortName(_service.Metadata.Namespace, _service.Metadata.Name, port.Name ?? "");
            new PortWriter(this, port, name).Write();
        }

        public void WriteBoilerplate()
        {
            var usesMarkMasq = _rules.Any(r => r.Jump == KubeProxyChains.MarkMasquerade);
            var hasNatRules = _rules.Any(r => r.Table == Nat);

            if (usesMarkMasq)
            {
                var mark = _settings.MasqueradeMark;
                Add(Nat, KubeProxyChains.Postrouting, $"-m mark ! --mark {mark}/{mark} -j RETURN", RuleRole.Boilerplate,
                    "Packets nobody marked for SNAT leave this chain unchanged.",
                    new RuleMatch { Marked = false }, "RETURN");
                Add(Nat, KubeProxyChains.Postrouting, $"-j MARK --xor-mark {mark}", RuleRole.Boilerplate,
                    "Clears the SNAT mark, so a packet that passes through the network stack again is not masqueraded twice.",
                    RuleMatch.Any, "MARK");
                Add(Nat, KubeProxyChains.Postrouting,
                    "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE" + (_settings.RandomFully ? " --random-fully" : ""),
                    RuleRole.Boilerplate,
                    "Rewrites the source of marked packets to this node's address (MASQUERADE), so the endpoint's reply comes back through this node and can be un-NATed"
                        + (_settings.RandomFully ? "; --random-fully picks source ports at random to avoid port collisions." : "."),
                    RuleMatch.Any, "MASQUERADE");
                Add(Nat, KubeProxyChains.MarkMasquerade, $"-j MARK --or-mark {mark}", RuleRole.Boilerplate,
                    $"Sets the SNAT mark {mark}; the rewrite itself happens on the way out, in KUBE-POSTROUTING.",
                    RuleMatch.Any, "MARK");
            }

            // kube-proxy writes this tail rule on every sync; it is shown with any Service that has nat rules.
            if (hasNatRules)
            {
                // --nodeport-addresses is not modelled: this is the rule for its default (every local address).
                var localhost = _v6 ? " ! -d ::1/128" : _settings.LocalhostNodePorts ? "" : " ! -d 127.0.0.0/8";
                IpText.TryParseCidr(_v6 ? "::1/128" : "127.0.0.0/8", out var loopback);
                var localhostNote = _v6
                    ? " IPv6 node ports never answer on ::1."
                    : _settings.LocalhostNodePorts ? " That includes 127.0.0.1 (--iptables-localhost-nodeports)." : " Loopback addresses are excluded.";
                Add(Nat, KubeProxyChains.Services,
                    $"-m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL{localhost} -j {KubeProxyChains.NodePorts}",
                    RuleRole.Boilerplate,
                    "The last rule of KUBE-SERVICES: traffic that matched no Service address but is addressed to one of this node's own addresses goes on to KUBE-NODEPORTS, where node ports are matched." + localhostNote,
                    new RuleMatch { DestinationLocal = true, ExcludedDestination = localhost.Length == 0 ? null : loopback },
                    KubeProxyChains.NodePorts);
            }

            var usedChains = _rules.Select(r => (r.Table, r.Chain)).ToHashSet();
            foreach (var jump in Enumerable.Reverse(BuiltInJumps))
            {
                // Only the hooks that lead to rules of this Service; KUBE-POSTROUTING is reached whenever something masquerades.
                if (!usedChains.Contains((jump.Table, jump.Target)))
                {
                    continue;
                }

                var conntrack = jump.NewOnly ? "-m conntrack --ctstate NEW " : "";
                Add(jump.Table, jump.From, $"{conntrack}-m comment --comment \"{jump.Comment}\" -j {jump.Target}", RuleRole.Boilerplate,
                    BuiltInExplanation(jump.Table, jump.From, jump.Target), RuleMatch.Any, jump.Target);
            }
        }

        private static string BuiltInExplanation(string table, string from, string target)
        {
            var traffic = (table, from) switch
            {
                (Nat, "PREROUTING") => "Every packet arriving at this node",
                (Nat, "OUTPUT") => "Every packet this node sends itself",
                (Nat, _) => "Every packet leaving this node",
                (_, "INPUT") when target == KubeProxyChains.NodePorts => "Every packet addressed to this node",
                (_, "INPUT") => "Every new connection addressed to this node",
                (_, "OUTPUT") => "Every new connection this node opens itself",
                _ => "Every new connection this node forwards",
            };
            return $"{traffic} passes through {target} ({table} table, {from}); kube-proxy installs this jump once for all Services.";
        }

        public void Add(string table, string chain, string args, RuleRole role, string explanation, RuleMatch match, string? jump,
            ServicePortName? port = null, string? endpoint = null) =>
            _rules.Add(new KubeProxyRule(table, chain, $"-A {chain} {args}", explanation, role)
            {
                Jump = jump,
                Match = match,
                ServicePort = port,
                Endpoint = endpoint,
            });

        public void Note(string note) => _notes.Add(note);

        public KubeProxyRuleSet Build() =>
            new(_service.Key(), _input.Node.Name)
            {
                // OrderBy is stable, so rules of one chain keep the order kube-proxy writes them in.
                Rules = _rules.Order(KubeProxyRuleSet.SaveOrder).ToImmutableArray(),
                Notes = [.. _notes],
                Context = new TraceContext(
                    _v6,
                    _input.Node.Addresses.Select(a => IpText.TryNormalize(a, out var ip) ? ip : null).OfType<IPAddress>().ToImmutableArray(),
                    _nodeIp,
                    _podCidr),
            };

        /// <summary>Writes the rules of one Service port in the order syncProxyRules writes them.</summary>
        private sealed class PortWriter
        {
            private readonly Writer _w;
            private readonly ServicePort _port;
            private readonly ServicePortName _name;
            private readonly string _n;
            private readonly string _proto;
            private readonly string _svcChain;
            private readonly string _svlChain;
            private readonly string _extChain;
            private readonly string _fwChain;

            public PortWriter(Writer writer, ServicePort port, ServicePortName name)
            {
                _w = writer;
                _port = port;
                _name = name;
                _n = name.ToString();
                _proto = port.Protocol.ToLowerInvariant();
                _svcChain = KubeProxyChains.ServicePortChainName(name, _proto);
                _svlChain = KubeProxyChains.ServiceLocalChainName(name, _proto);
                _extChain = KubeProxyChains.ServiceExternalChainName(name, _proto);
                _fwChain = KubeProxyChains.ServiceFirewallChainName(name, _proto);
            }

            private Service Service => _w._service;

            private string Proto => $"-m {_proto} -p {_proto}";

            private string ClusterAddress => $"{_w._clusterIp}:{_port.Port}";

            private void Add(string table, string chain, string args, RuleRole role, string explanation, RuleMatch match, string? jump, string? endpoint = null) =>
                _w.Add(table, chain, args, role, explanation, match, jump, _name, endpoint);

            private RuleMatch To(IPAddress destination, int port) =>
                new() { Protocol = _proto, Destination = destination, DestinationPort = port };

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
                var healthCheckNodePort = Service.Type == ServiceTypes.LoadBalancer && externalPolicyLocal ? Service.HealthCheckNodePort ?? 0 : 0;
                var affinity = Service.SessionAffinity == "ClientIP";
                var stickySeconds = Service.SessionAffinityTimeoutSeconds ?? 10800;

                var usesClusterEndpoints = !internalPolicyLocal || externallyAccessible;
                var usesLocalEndpoints = internalPolicyLocal || (externalPolicyLocal && externallyAccessible);
                var (clusterEndpoints, localEndpoints, reachable, hasEndpoints) = Categorize(Endpoints(), usesClusterEndpoints, usesLocalEndpoints, _w._input.Node);

                var usesClusterPolicyChain = clusterEndpoints.Count > 0 && usesClusterEndpoints;
                var usesLocalPolicyChain = localEndpoints.Count > 0 && usesLocalEndpoints;

                var internalChain = internalPolicyLocal ? _svlChain : _svcChain;
                var hasInternalEndpoints = hasEndpoints && (!internalPolicyLocal || localEndpoints.Count > 0);
                var externalPolicyChain = externalPolicyLocal ? _svlChain : _svcChain;
                var hasExternalEndpoints = hasEndpoints && (!externalPolicyLocal || localEndpoints.Count > 0);
                var usesExternalChain = hasEndpoints && externallyAccessible;
                var usesFirewallChain = hasEndpoints && !loadBalancerIps.IsEmpty && !sourceRanges.IsEmpty;
                var loadBalancerChain = usesFirewallChain ? _fwChain : _extChain;

                var node = _w._input.Node.Name;
                string internalFilterTarget = "", internalFilterComment = "", internalFilterWhy = "";
                string externalFilterTarget = "", externalFilterComment = "", externalFilterWhy = "";
                if (!hasEndpoints)
                {
                    internalFilterTarget = externalFilterTarget = "REJECT";
                    internalFilterComment = externalFilterComment = $"\"{_n} has no endpoints\"";
                    internalFilterWhy = externalFilterWhy = $"{_n} has no usable endpoint anywhere in the cluster, so the connection is refused at once (REJECT) instead of timing out.";
                }
                else
                {
                    if (!hasInternalEndpoints)
                    {
                        internalFilterTarget = "DROP";
                        internalFilterComment = $"\"{_n} has no local endpoints\"";
                        internalFilterWhy = $"internalTrafficPolicy is Local and node {node} runs no usable endpoint of {_n}, so traffic from this node to the cluster IP is dropped.";
                    }

                    if (!hasExternalEndpoints)
                    {
                        externalFilterTarget = "DROP";
                        externalFilterComment = $"\"{_n} has no local endpoints\"";
                        externalFilterWhy = $"externalTrafficPolicy is Local and node {node} runs no usable endpoint of {_n}, so outside traffic is dropped here (pods and the node itself were already sent to the cluster-wide endpoints by {_extChain}).";
                    }
                }

                // Capture the cluster IP.
                if (hasInternalEndpoints)
                {
                    Add(Nat, KubeProxyChains.Services,
                        $"-m comment --comment \"{_n} cluster IP\" {Proto} -d {_w._clusterIp} --dport {_port.Port} -j {internalChain}",
                        RuleRole.Capture,
                        $"Captures {_port.Protocol} traffic to the cluster IP {ClusterAddress} and sends it to {internalChain}"
                            + (internalPolicyLocal ? ", which holds only this node's endpoints (internalTrafficPolicy: Local)." : ", which picks among all usable endpoints."),
                        To(_w._clusterIp, _port.Port), internalChain);
                }
                else
                {
                    Add(Filter, KubeProxyChains.Services,
                        $"-m comment --comment {internalFilterComment} {Proto} -d {_w._clusterIp} --dport {_port.Port} -j {internalFilterTarget}",
                        RuleRole.Filter, $"Traffic to the cluster IP {ClusterAddress}: {internalFilterWhy}",
                        To(_w._clusterIp, _port.Port), internalFilterTarget);
                }

                // Capture external IPs.
                foreach (var externalIp in externalIps)
                {
                    var address = $"{externalIp}:{_port.Port}";
                    if (hasEndpoints)
                    {
                        Add(Nat, KubeProxyChains.Services,
                            $"-m comment --comment \"{_n} external IP\" {Proto} -d {externalIp} --dport {_port.Port} -j {_extChain}",
                            RuleRole.Capture, $"Captures traffic to the external IP {address} and sends it to {_extChain}, which applies the external traffic policy.",
                            To(externalIp, _port.Port), _extChain);
                    }

                    if (!hasExternalEndpoints)
                    {
                        Add(Filter, KubeProxyChains.ExternalServices,
                            $"-m comment --comment {externalFilterComment} {Proto} -d {externalIp} --dport {_port.Port} -j {externalFilterTarget}",
                            RuleRole.Filter, $"Traffic to the external IP {address}: {externalFilterWhy}",
                            To(externalIp, _port.Port), externalFilterTarget);
                    }
                }

                // Capture load-balancer ingress IPs.
                foreach (var lbIp in loadBalancerIps)
                {
                    var address = $"{lbIp}:{_port.Port}";
                    if (hasEndpoints)
                    {
                        Add(Nat, KubeProxyChains.Services,
                            $"-m comment --comment \"{_n} loadbalancer IP\" {Proto} -d {lbIp} --dport {_port.Port} -j {loadBalancerChain}",
                            RuleRole.Capture,
                            $"Captures traffic to the load-balancer IP {address} and sends it to {loadBalancerChain}"
                                + (usesFirewallChain ? ", which admits only sources in loadBalancerSourceRanges." : ", which applies the external traffic policy."),
                            To(lbIp, _port.Port), loadBalancerChain);
                    }

                    if (usesFirewallChain)
                    {
                        Add(Filter, KubeProxyChains.ProxyFirewall,
                            $"-m comment --comment \"{_n} traffic not accepted by {_fwChain}\" {Proto} -d {lbIp} --dport {_port.Port} -j DROP",
                            RuleRole.Filter,
                            $"Drops traffic to {address} that {_fwChain} did not accept: its source is outside loadBalancerSourceRanges ({string.Join(", ", sourceRanges)}).",
                            To(lbIp, _port.Port), "DROP");
                    }
                }

                if (!hasExternalEndpoints)
                {
                    foreach (var lbIp in loadBalancerIps)
                    {
                        Add(Filter, KubeProxyChains.ExternalServices,
                            $"-m comment --comment {externalFilterComment} {Proto} -d {lbIp} --dport {_port.Port} -j {externalFilterTarget}",
                            RuleRole.Filter, $"Traffic to the load-balancer IP {lbIp}:{_port.Port}: {externalFilterWhy}",
                            To(lbIp, _port.Port), externalFilterTarget);
                    }
                }

                // Capture node ports.
                if (nodePort != 0)
                {
                    if (hasEndpoints)
                    {
                        Add(Nat, KubeProxyChains.NodePorts,
                            $"-m comment --comment {_n} {Proto} --dport {nodePort} -j {_extChain}",
                            RuleRole.Capture,
                            $"Captures traffic to node port {nodePort} on this node's addresses and sends it to {_extChain}. Node ports ignore loadBalancerSourceRanges.",
                            new RuleMatch { Protocol = _proto, DestinationPort = nodePort }, _extChain);
                    }

                    if (!hasExternalEndpoints)
                    {
                        Add(Filter, KubeProxyChains.ExternalServices,
                            $"-m comment --comment {externalFilterComment} -m addrtype --dst-type LOCAL {Proto} --dport {nodePort} -j {externalFilterTarget}",
                            RuleRole.Filter, $"Traffic to node port {nodePort} on this node: {externalFilterWhy}",
                            new RuleMatch { Protocol = _proto, DestinationPort = nodePort, DestinationLocal = true }, externalFilterTarget);
                    }
                }

                if (healthCheckNodePort != 0)
                {
                    Add(Filter, KubeProxyChains.NodePorts,
                        $"-m comment --comment \"{_n} health check node port\" -m tcp -p tcp --dport {healthCheckNodePort} -j ACCEPT",
                        RuleRole.Filter,
                        $"Accepts the load balancer's health checks on node port {healthCheckNodePort}; kube-proxy answers them itself, healthy only while this node has a local endpoint.",
                        new RuleMatch { Protocol = "tcp", DestinationPort = healthCheckNodePort }, "ACCEPT");
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
                    WriteServiceToEndpoints(_svcChain, clusterEndpoints, affinity, stickySeconds);
                }

                if (usesLocalPolicyChain)
                {
                    WriteServiceToEndpoints(_svlChain, localEndpoints, affinity, stickySeconds);
                }

                foreach (var ep in reachable)
                {
                    Add(Nat, SepChain(ep), $"-m comment --comment {_n} -s {ep.Ip} -j {KubeProxyChains.MarkMasquerade}",
                        RuleRole.Masquerade,
                        $"Hairpin: when {ep.HostPort} is itself the client (a pod calling its own Service), the packet is marked for SNAT so the reply goes back through the node.",
                        new RuleMatch { Source = new IpText.Cidr(ep.Ip, IpText.IsV6(ep.Ip) ? 128 : 32) }, KubeProxyChains.MarkMasquerade, ep.HostPort);
                    var recent = affinity ? $"-m recent --name {SepChain(ep)} --set " : "";
                    Add(Nat, SepChain(ep), $"-m comment --comment {_n} {recent}{Proto} -j DNAT --to-destination {ep.HostPort}",
                        RuleRole.Dnat,
                        $"Rewrites the destination to the endpoint {ep.HostPort}" + (affinity ? " and records the client's address for session affinity." : "."),
                        new RuleMatch { Protocol = _proto, DnatTo = ep.HostPort }, "DNAT", ep.HostPort);
                }
            }

            private void WriteInternalMasquerade(string internalChain)
            {
                var args = $"-m comment --comment \"{_n} cluster IP\" {Proto} -d {_w._clusterIp} --dport {_port.Port}";
                var match = To(_w._clusterIp, _port.Port);
                if (_w._settings.MasqueradeAll)
                {
                    Add(Nat, internalChain, $"{args} -j {KubeProxyChains.MarkMasquerade}", RuleRole.Masquerade,
                        $"--masquerade-all: every packet to {ClusterAddress} is marked for SNAT.", match, KubeProxyChains.MarkMasquerade);
                }
                else if (_w._podCidr is { } podCidr)
                {
                    Add(Nat, internalChain, $"{args} ! -s {podCidr} -j {KubeProxyChains.MarkMasquerade}", RuleRole.Masquerade,
                        $"Traffic to {ClusterAddress} from outside the pod network {_w._podCidrText} is marked for SNAT, so the reply comes back through this node (for example a host routing the Service range to a node).",
                        match with { Source = podCidr, SourceNegated = true }, KubeProxyChains.MarkMasquerade);
                }
            }

            private void WriteExternalChain(bool externalPolicyLocal, bool hasExternalEndpoints, string externalPolicyChain)
            {
                if (!externalPolicyLocal)
                {
                    Add(Nat, _extChain, $"-m comment --comment \"masquerade traffic for {_n} external destinations\" -j {KubeProxyChains.MarkMasquerade}",
                        RuleRole.Masquerade,
                        "Marks all external traffic for SNAT: the chosen endpoint may be on another node and must reply through this one, so the endpoint sees this node's address, not the client's (externalTrafficPolicy: Cluster).",
                        RuleMatch.Any, KubeProxyChains.MarkMasquerade);
                }
                else
                {
                    if (_w._podCidr is { } podCidr)
                    {
                        Add(Nat, _extChain, $"-m comment --comment \"pod traffic for {_n} external destinations\" -s {podCidr} -j {_svcChain}",
                            RuleRole.Policy,
                            $"Traffic from the pod network {_w._podCidrText} to an external address of the Service goes to {_svcChain}, all endpoints, as if it had gone out to the load balancer and come back; the Local policy does not apply to it.",
                            new RuleMatch { Source = podCidr }, _svcChain);
                    }

                    Add(Nat, _extChain, $"-m comment --comment \"masquerade LOCAL traffic for {_n} external destinations\" -m addrtype --src-type LOCAL -j {KubeProxyChains.MarkMasquerade}",
                        RuleRole.Masquerade,
                        "Connections the node opens itself are marked for SNAT: their source is a local address (possibly the external IP itself) that the endpoint could not reply to correctly.",
                        new RuleMatch { SourceLocal = true }, KubeProxyChains.MarkMasquerade);
                    Add(Nat, _extChain, $"-m comment --comment \"route LOCAL traffic for {_n} external destinations\" -m addrtype --src-type LOCAL -j {_svcChain}",
                        RuleRole.Policy,
                        $"Traffic the node sends itself goes to {_svcChain}, all endpoints: the Local policy applies only to traffic from outside.",
                        new RuleMatch { SourceLocal = true }, _svcChain);
                }

                if (hasExternalEndpoints)
                {
                    Add(Nat, _extChain, $"-j {externalPolicyChain}", RuleRole.Policy,
                        externalPolicyLocal
                            ? $"Everything else goes to {externalPolicyChain}: only endpoints on this node, and the client's source IP is kept (externalTrafficPolicy: Local)."
                            : $"Sends external traffic on to {externalPolicyChain}, which picks among all usable endpoints.",
                        RuleMatch.Any, externalPolicyChain);
                }
            }

            private void WriteFirewallChain(ImmutableArray<IpText.Cidr> sourceRanges, ImmutableArray<IPAddress> loadBalancerIps)
            {
                var args = $"-m comment --comment \"{_n} loadbalancer IP\"";
                var allowFromNode = false;
                foreach (var range in sourceRanges)
                {
                    Add(Nat, _fwChain, $"{args} -s {range} -j {_extChain}", RuleRole.Policy,
                        $"Admits load-balancer traffic from {range} (loadBalancerSourceRanges) and sends it to {_extChain}.",
                        new RuleMatch { Source = range }, _extChain);
                    allowFromNode |= _w._nodeIp is { } nodeIp && range.Contains(nodeIp);
                }

                if (allowFromNode)
                {
                    foreach (var lbIp in loadBalancerIps)
                    {
                        Add(Nat, _fwChain, $"{args} -s {lbIp} -j {_extChain}", RuleRole.Policy,
                            $"Admits traffic whose source is the load-balancer IP {lbIp} itself: a request from this node to the VIP loops back with that source, and the source ranges admit this node ({_w._nodeIp}).",
                            new RuleMatch { Source = new IpText.Cidr(lbIp, IpText.IsV6(lbIp) ? 128 : 32) }, _extChain);
                    }
                }

                Add(Nat, _fwChain, $"-m comment --comment \"other traffic to {_n} will be dropped by KUBE-PROXY-FIREWALL\"", RuleRole.Policy,
                    "Any other source is left alone here (no DNAT); KUBE-PROXY-FIREWALL in the filter table then drops it.",
                    RuleMatch.Any, null);
            }

            private void WriteServiceToEndpoints(string chain, List<ProxyEndpoint> endpoints, bool affinity, int stickySeconds)
            {
                if (affinity)
                {
                    foreach (var ep in endpoints)
                    {
                        Add(Nat, chain,
                            $"-m comment --comment \"{_n} -> {ep.HostPort}\" -m recent --name {SepChain(ep)} --rcheck --seconds {stickySeconds} --reap -j {SepChain(ep)}",
                            RuleRole.SessionAffinity,
                            $"Session affinity: a client that reached {ep.HostPort} within the last {stickySeconds} seconds goes back to it.",
                            new RuleMatch { PerConnection = true }, SepChain(ep), ep.HostPort);
                    }
                }

                var count = endpoints.Count;
                for (var i = 0; i < count; i++)
                {
                    var ep = endpoints[i];
                    var comment = $"-m comment --comment \"{_n} -> {ep.HostPort}\"";
                    if (i < count - 1)
                    {
                        var probability = Probability(count - i);
                        Add(Nat, chain, $"{comment} -m statistic --mode random --probability {probability} -j {SepChain(ep)}", RuleRole.LoadBalance,
                            i == 0
                                ? $"1 of {count}: picks {ep.HostPort} with probability {probability}."
                                : $"{i + 1} of {count}: picks {ep.HostPort} with probability {probability} of the connections not yet picked (1/{count} of all).",
                            new RuleMatch { PerConnection = true }, SepChain(ep), ep.HostPort);
                    }
                    else
                    {
                        Add(Nat, chain, $"{comment} -j {SepChain(ep)}", RuleRole.LoadBalance,
                            count == 1
                                ? $"Sends every connection to the only endpoint, {ep.HostPort}."
                                : $"{count} of {count}: takes every connection not yet picked (1/{count} of all) to {ep.HostPort}.",
                            RuleMatch.Any, SepChain(ep), ep.HostPort);
                    }
                }
            }

            /// <summary>Go's fmt "%0.10f" of 1/n.</summary>
            internal static string Probability(int n) => (1.0 / n).ToString("F10", CultureInfo.InvariantCulture);

            private ImmutableArray<IPAddress> SameFamily(IEnumerable<string> addresses, string what)
            {
                var result = ImmutableArray.CreateBuilder<IPAddress>();
                foreach (var text in addresses)
                {
                    if (!IpText.TryNormalize(text, out var ip))
                    {
                        _w.Note($"{_n}: {what} \"{text}\" is not an IP address; kube-proxy ignores it.");
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
                    // Like kube-proxy: surrounding blanks are tolerated, invalid or other-family ranges dropped.
                    if (IpText.TryParseCidr(text, out var cidr))
                    {
                        if (cidr.IsV6 == _w._v6)
                        {
                            result.Add(cidr);
                        }
                    }
                    else
                    {
                        _w.Note($"{_n}: loadBalancerSourceRange \"{text}\" is not a CIDR; kube-proxy ignores it.");
                    }
                }

                return result.ToImmutable();
            }

            /// <summary>The port's endpoints as kube-proxy's endpoint cache holds them: one per "IP:port", sorted by that text.</summary>
            private List<ProxyEndpoint> Endpoints() => EndpointSelection.Normalize(_w._input, _port, _w._v6, _n, _w.Note);

            private static (List<ProxyEndpoint> Cluster, List<ProxyEndpoint> Local, List<ProxyEndpoint> Reachable, bool HasAny) Categorize(
                List<ProxyEndpoint> all, bool usesCluster, bool usesLocal, KubeProxyNode node) => EndpointSelection.Categorize(all, usesCluster, usesLocal, node);

            /// <summary>The KUBE-SEP chain of one endpoint.</summary>
            private string SepChain(ProxyEndpoint ep) => KubeProxyChains.ServicePortEndpointChainName(_name, _proto, ep.HostPort);
        }
    }
}
