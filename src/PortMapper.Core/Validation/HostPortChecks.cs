using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// Host ports (hostPort, or every containerPort of a hostNetwork pod) that another pod already uses on a node the
/// designed pod may land on. The scheduler's NodePorts filter keeps two such pods off one node, so this is a warning:
/// the pod goes elsewhere, or stays Pending when there is nowhere else.
/// </summary>
internal static class HostPortChecks
{
    /// <param name="Nodes">The nodes the pod runs on or may run on; null when that is not known (unscheduled, no nodes in the snapshot).</param>
    private sealed record HostPortUse(ObjectRef Owner, string Path, string Protocol, string HostIp, int Port, bool HostNetwork, ImmutableArray<string>? Nodes);

    public static void Run(DesignContext context, List<ValidationFinding>[] findings)
    {
        var others = new List<HostPortUse>();
        foreach (var pod in context.Current.Pods.Values.Where(p => !context.IsDesigned(p)).OrderBy(p => p.Key()))
        {
            others.AddRange(Uses(pod.Ref(), pod.Spec, pod.NodeName is { Length: > 0 } n ? [n] : null));
        }

        // In a live cluster the workloads' pods are already there; templates stand in for them only in manifest sets.
        if (!context.Current.EndpointSlicesAuthoritative)
        {
            foreach (var w in context.Current.Workloads.Values.Where(w => !context.IsDesigned(w)).OrderBy(w => w.Key()))
            {
                others.AddRange(Uses(w.Ref(), w.Template, WorkloadNodes(w, context.Current)));
            }
        }

        var designedUses = context.Designed.Select(d => DesignedUses(d, context.Current)).ToArray();
        foreach (var d in context.Designed)
        {
            var selector = (d.Model as Workload)?.Selector;
            var candidates = others
                .Where(o => selector is null || !OwnedBy(o.Owner, d.Ref, selector, context.Current))
                .Concat(designedUses.Where((_, j) => j != d.Index).SelectMany(u => u));
            foreach (var use in designedUses[d.Index])
            {
                foreach (var other in candidates.Where(o => Collide(use, o)))
                {
                    if (Detail(use, other) is { } detail)
                    {
                        findings[d.Index].Add(ValidationFinding.Create(use.Path, ValidationSeverity.Warning, detail) with { Related = other.Owner });
                    }
                }
            }
        }
    }

    /// <summary>A workload's own pods (its selector matches them) are replaced by it, not in its way.</summary>
    private static bool OwnedBy(ObjectRef pod, ObjectRef workload, LabelSelector selector, ClusterSnapshot cluster) =>
        pod.Kind == "Pod" && pod.Namespace == workload.Namespace
        && cluster.Pods.TryGetValue(new ObjectKey(pod.Namespace, pod.Name), out var p) && selector.Matches(p.Metadata.Labels);

    private static IEnumerable<HostPortUse> Uses(ObjectRef owner, PodSpecPorts spec, ImmutableArray<string>? nodes) =>
        spec.AllPorts
            .Select(x => (x.Port, HostPort: x.Port.HostPort != 0 ? x.Port.HostPort : spec.HostNetwork ? x.Port.Number : 0))
            .Where(x => x.HostPort != 0)
            .Select(x => new HostPortUse(owner, "", x.Port.Protocol, x.Port.HostIp ?? "", x.HostPort, spec.HostNetwork, nodes));

    /// <summary>The designed object's host ports, read from the JSON so that each carries its field path.</summary>
    private static List<HostPortUse> DesignedUses(DesignedObject d, ClusterSnapshot cluster)
    {
        var (specPath, spec) = d.Model switch
        {
            Pod p => ("spec", p.Spec),
            Workload w => ("spec.template.spec", w.Template),
            _ => (null, null),
        };
        if (specPath is null || spec is null)
        {
            return [];
        }

        var nodes = d.Model switch
        {
            Pod { NodeName.Length: > 0 } p => ImmutableArray.Create(p.NodeName!),
            Workload w => WorkloadNodes(w, cluster),
            _ => CandidateNodes(spec, cluster),
        };
        // Values of the wrong type are the manifest validator's to report; here they just read as absent.
        var ignored = new FindingList();
        var specJson = specPath.Split('.').Aggregate((JsonObject?)d.Json, (o, key) => JsonFields.Object(o, key, key, ignored));
        var uses = new List<HostPortUse>();
        foreach (var key in new[] { "containers", "initContainers" })
        {
            foreach (var (c, cPath) in JsonFields.ObjectList(specJson, key, $"{specPath}.{key}", ignored) ?? [])
            {
                // Only containers that keep running hold their ports; a restartable init container is a sidecar.
                if (key == "initContainers" && JsonFields.String(c, "restartPolicy", "", ignored) != "Always")
                {
                    continue;
                }

                foreach (var (p, pPath) in JsonFields.ObjectList(c, "ports", $"{cPath}.ports", ignored) ?? [])
                {
                    var containerPort = JsonFields.Int(p, "containerPort", "", ignored) ?? 0;
                    var hostPort = JsonFields.Int(p, "hostPort", "", ignored) ?? 0;
                    var effective = hostPort != 0 ? hostPort : spec.HostNetwork ? containerPort : 0;
                    if (effective is < 1 or > 65535)
                    {
                        continue;
                    }

                    var protocol = JsonFields.String(p, "protocol", "", ignored);
                    uses.Add(new HostPortUse(
                        d.Ref,
                        hostPort != 0 ? $"{pPath}.hostPort" : $"{pPath}.containerPort",
                        string.IsNullOrEmpty(protocol) ? Protocols.Tcp : protocol,
                        JsonFields.String(p, "hostIP", "", ignored) ?? "",
                        effective,
                        spec.HostNetwork,
                        nodes));
                }
            }
        }

        return uses;
    }

    /// <summary>A DaemonSet runs on every node it may; any other workload's pods may land on any of them.</summary>
    private static ImmutableArray<string>? WorkloadNodes(Workload w, ClusterSnapshot cluster) =>
        w.Kind == "DaemonSet" ? CandidateNodes(w.Template, cluster) : null;

    private static ImmutableArray<string>? CandidateNodes(PodSpecPorts spec, ClusterSnapshot cluster)
    {
        if (spec.NodeName is { Length: > 0 } name)
        {
            return [name];
        }

        if (cluster.Nodes.IsEmpty)
        {
            return null;
        }

        return [.. cluster.Nodes.Values
            .Where(n => !n.Unschedulable && spec.NodeSelector.All(s => n.Metadata.Labels.GetValueOrDefault(s.Key) == s.Value))
            .Select(n => n.Metadata.Name)
            .Order(KubeNames.Comparer)];
    }

    /// <summary>The NodePorts filter: same protocol and port, and addresses that overlap (an empty hostIP or 0.0.0.0 means all).</summary>
    private static bool Collide(HostPortUse a, HostPortUse b) =>
        a.Port == b.Port && a.Protocol == b.Protocol && (IsAny(a.HostIp) || IsAny(b.HostIp) || a.HostIp == b.HostIp);

    private static bool IsAny(string ip) => ip is "" or "0.0.0.0" or "::";

    /// <returns>The warning's text, or null when the two can never share a node.</returns>
    private static string? Detail(HostPortUse use, HostPortUse other)
    {
        var port = use.HostIp.Length > 0 ? $"{use.HostIp}:{use.Port}/{use.Protocol}" : $"{use.Port}/{use.Protocol}";
        var holder = other.HostNetwork ? $"{other.Owner} (hostNetwork)" : other.Owner.ToString();
        if (other.Nodes is not { } otherNodes)
        {
            return $"host port {port} is also used by {holder}: the two cannot run on the same node";
        }

        var shared = use.Nodes is { } mine ? otherNodes.Intersect(mine, KubeNames.Comparer).ToList() : [.. otherNodes];
        if (shared.Count == 0)
        {
            return null;
        }

        var where = shared.Count == 1 ? $"node {shared[0]}" : $"nodes {string.Join(", ", shared)}";
        return $"host port {port} is already used on {where} by {holder}: the two cannot run on the same node";
    }
}
