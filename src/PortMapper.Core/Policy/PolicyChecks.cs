using System.Collections.Immutable;
using System.Net;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Policy;

/// <summary>
/// Findings about one NetworkPolicy (PM500–PM503), as an analyzer unit <c>pol:ns/name</c>. A unit depends on the pods
/// of the policy's namespace (selection, declared ports, pod IPs), on the DNS pods, on namespace labels and on the
/// ClusterNetworkPolicies (DNS reachability); <see cref="MarkAffected"/> names the units a change touches.
/// </summary>
internal static class PolicyChecks
{
    private const string DnsLabelKey = "k8s-app";
    private const string DnsLabelValue = "kube-dns";

    /// <summary>Stands in for CoreDNS when the snapshot has no pod labelled k8s-app=kube-dns (manifests alone).</summary>
    private static readonly Pod AssumedDns = new(new ObjectMeta
    {
        Name = "coredns",
        Namespace = "kube-system",
        Labels = ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer).Add(DnsLabelKey, DnsLabelValue),
    })
    {
        Spec = new PodSpecPorts
        {
            Containers =
            [
                new Container
                {
                    Name = "coredns",
                    Ports = [new ContainerPort { Name = "dns", Number = 53, Protocol = Protocols.Udp }, new ContainerPort { Name = "dns-tcp", Number = 53 }],
                },
            ],
        },
        FromTemplate = true,
    };

    public static string UnitName(ObjectKey policy) => $"pol:{policy.Namespace}/{policy.Name}";

    /// <summary>Follows the snapshot: created once the cluster has a policy, then kept current change by change.</summary>
    public static PolicyIndex? Track(PolicyIndex? index, ClusterSnapshot after, ClusterChange? change)
    {
        if (index is null)
        {
            return after.NetworkPolicies.IsEmpty && after.ClusterNetworkPolicies.IsEmpty ? null : new PolicyIndex(after);
        }

        if (change is not null)
        {
            index.Apply(change);
        }

        return index;
    }

    /// <summary>
    /// The units a change can affect: a pod touches the policies of its namespace (all of them when it is a DNS pod); a
    /// namespace or ClusterNetworkPolicy (<paramref name="pod"/> null) touches every policy.
    /// </summary>
    public static void MarkAffected(ClusterSnapshot snapshot, Pod? pod, HashSet<string> dirty) =>
        MarkNamespace(snapshot, pod is null || pod.Metadata.Labels.GetValueOrDefault(DnsLabelKey) == DnsLabelValue ? null : pod.Metadata.Namespace, dirty);

    /// <summary>
    /// The units of every policy of <paramref name="ns"/> (all namespaces when null). A NetworkPolicy change touches its
    /// whole namespace: the DNS check of a policy sees the union of every policy selecting the same pods.
    /// </summary>
    public static void MarkNamespace(ClusterSnapshot snapshot, string? ns, HashSet<string> dirty)
    {
        foreach (var key in snapshot.NetworkPolicies.Keys)
        {
            if (ns is null || KubeNames.Comparer.Equals(key.Namespace, ns))
            {
                dirty.Add(UnitName(key));
            }
        }
    }

    public static UnitResult Check(ClusterIndex cluster, PolicyIndex policies, NetworkPolicy policy)
    {
        var selected = cluster.SelectPods(policy.Metadata.Namespace, policy.PodSelector.MatchLabels)
            .Where(p => policy.PodSelector.Matches(p.Metadata.Labels))
            .ToList();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        if (selected.Count == 0)
        {
            diagnostics.Add(new Diagnostic
            {
                Code = Codes.PolicySelectsNoPod,
                Severity = Severity.Warning,
                Object = policy.Ref(),
                Field = "spec.podSelector",
                Message = $"NetworkPolicy {policy.Metadata.Namespace}/{policy.Metadata.Name} selects no pod in namespace {policy.Metadata.Namespace}: it has no effect until a pod with matching labels exists.",
                Fix = "Make spec.podSelector match the labels of the pods to protect (a NetworkPolicy only selects pods of its own namespace), or remove the policy.",
            });
        }
        else
        {
            PortNames(policy, selected, diagnostics);
            Dns(policies, policy, selected, diagnostics);
        }

        PodAddresses(cluster, policy, diagnostics);
        return new UnitResult([], diagnostics.ToImmutable());
    }

    /// <summary>PM501: an ingress port name resolves against the selected pods' container ports; none declares it.</summary>
    private static void PortNames(NetworkPolicy policy, List<Pod> selected, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        for (var i = 0; i < policy.Ingress.Length; i++)
        {
            var ports = policy.Ingress[i].Ports;
            for (var j = 0; j < ports.Length; j++)
            {
                if (ports[j].Port is not { IsName: true, Name: { } name })
                {
                    continue;
                }

                var protocol = ports[j].Protocol;
                if (!selected.Any(p => p.Spec.AllPorts.Any(x => x.Port.Name == name && x.Port.Protocol == protocol)))
                {
                    diagnostics.Add(new Diagnostic
                    {
                        Code = Codes.PolicyPortNameUndeclared,
                        Severity = Severity.Warning,
                        Object = policy.Ref(),
                        Field = $"spec.ingress[{i}].ports[{j}].port",
                        Message = $"Port name \"{name}\" ({protocol}) of NetworkPolicy {policy.Metadata.Namespace}/{policy.Metadata.Name} is declared by none of the {selected.Count} pod(s) it selects: a named port resolves against the pod's container ports, so this entry admits nothing.",
                        Fix = $"Use the name of a container port the pods declare (with protocol {protocol}), or the port number.",
                    });
                }
            }
        }
    }

    /// <summary>PM502: egress isolation that leaves no way to DNS (53 over UDP and TCP) for the selected pods.</summary>
    private static void Dns(PolicyIndex policies, NetworkPolicy policy, List<Pod> selected, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var source = selected.FirstOrDefault(p => !p.HostNetwork);
        if (!policy.IsolatesEgress || source is null)
        {
            return;
        }

        var dnsPods = policies.PodsLabelled(DnsLabelKey, DnsLabelValue).Where(p => !p.HostNetwork).ToList();
        var dns = dnsPods.Count == 0 ? AssumedDns : dnsPods[0];
        var evaluator = new PolicyEvaluator(policies);
        var blocked = new[] { Protocols.Udp, Protocols.Tcp }
            .Where(proto => evaluator.Evaluate(new PolicyPacket(PolicySource.FromPod(source), dns, 53, proto)).Egress is { Verdict: PolicyVerdictKind.Blocked })
            .ToList();
        if (blocked.Count == 0)
        {
            return;
        }

        var assumed = dnsPods.Count == 0 ? " (assumed: no pod labelled k8s-app=kube-dns is known, so CoreDNS in kube-system is assumed)" : "";
        diagnostics.Add(new Diagnostic
        {
            Code = Codes.EgressBlocksDns,
            Severity = Severity.Warning,
            Object = policy.Ref(),
            Field = "spec.egress",
            Message = $"NetworkPolicy {policy.Metadata.Namespace}/{policy.Metadata.Name} isolates egress of pod {source.Metadata.Namespace}/{source.Metadata.Name} and no rule admits DNS to {dns.Metadata.Namespace}/{dns.Metadata.Name} on port 53 over {string.Join(" and ", blocked)}{assumed}: name lookups fail, so connections by Service name fail too.",
            Fix = "Add an egress rule to the DNS pods on port 53 for both UDP and TCP, e.g. to: namespaceSelector kubernetes.io/metadata.name: kube-system with podSelector k8s-app: kube-dns.",
        });
    }

    /// <summary>PM503: an ipBlock that covers a node's pod network or pods of the policy's namespace.</summary>
    private static void PodAddresses(ClusterIndex cluster, NetworkPolicy policy, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        foreach (var (rules, direction, peersKey) in new[] { (policy.Ingress, "ingress", "from"), (policy.Egress, "egress", "to") })
        {
            for (var i = 0; i < rules.Length; i++)
            {
                for (var j = 0; j < rules[i].Peers.Length; j++)
                {
                    if (rules[i].Peers[j].IpBlock is not { } block || !IPNetwork.TryParse(block.Cidr, out var cidr))
                    {
                        continue;
                    }

                    var except = block.Except.Select(e => IPNetwork.TryParse(e, out var n) ? n : (IPNetwork?)null).OfType<IPNetwork>().ToList();
                    if (PodNetworkInside(cluster, policy, cidr, except) is { } what)
                    {
                        diagnostics.Add(new Diagnostic
                        {
                            Code = Codes.IpBlockContainsPods,
                            Severity = Severity.Warning,
                            Object = policy.Ref(),
                            Field = $"spec.{direction}[{i}].{peersKey}[{j}].ipBlock.cidr",
                            Message = $"ipBlock {block.Cidr} of NetworkPolicy {policy.Metadata.Namespace}/{policy.Metadata.Name} contains {what}. Whether ipBlock matches pod IPs differs between network plugins (many match only traffic that leaves the pod network), and pod IPs change when pods are recreated.",
                            Fix = "Select pods with podSelector/namespaceSelector instead, and keep ipBlock for addresses outside the cluster (use except to cut out the pod network).",
                        });
                    }
                }
            }
        }
    }

    private static string? PodNetworkInside(ClusterIndex cluster, NetworkPolicy policy, IPNetwork cidr, List<IPNetwork> except)
    {
        foreach (var node in cluster.Snapshot.Nodes.Values.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal))
        {
            if (node.PodCidr is { } text && IPNetwork.TryParse(text, out var podNet)
                && (cidr.Contains(podNet.BaseAddress) || podNet.Contains(cidr.BaseAddress))
                && !except.Any(e => e.Contains(podNet.BaseAddress) && e.PrefixLength <= podNet.PrefixLength))
            {
                return $"the pod network {text} of node {node.Metadata.Name}";
            }
        }

        foreach (var pod in cluster.SelectPods(policy.Metadata.Namespace, ImmutableDictionary<string, string>.Empty))
        {
            foreach (var address in pod.PodIps.IsDefault ? [] : pod.PodIps)
            {
                if (!pod.HostNetwork && IPAddress.TryParse(address, out var ip) && cidr.Contains(ip) && !except.Any(e => e.Contains(ip)))
                {
                    return $"the IP {address} of pod {pod.Metadata.Namespace}/{pod.Metadata.Name}";
                }
            }
        }

        return null;
    }
}
