using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// Whether a designed Service reaches anything: its selector against the pods and pod templates of its namespace, and
/// each targetPort against the ports those pods declare, resolved as the EndpointSlice controller resolves them.
/// </summary>
internal static class ServiceWiringChecks
{
    private const int NamesShown = 5;

    /// <summary>A pod, or a workload's template standing in for the pods it will make.</summary>
    private sealed record Target(ObjectRef Ref, PodSpecPorts Spec);

    public static void Run(DesignContext context, List<ValidationFinding>[] findings)
    {
        foreach (var d in context.Designed)
        {
            if (d.Model is not Service { IsExternalName: false, Selector: { Count: > 0 } selector } service)
            {
                continue;
            }

            var ns = service.Metadata.Namespace;
            var targets = context.After.Pods.Values
                .Where(p => p.Metadata.Namespace == ns && Matches(selector, p.Metadata.Labels))
                .OrderBy(p => p.Key())
                .Select(p => new Target(p.Ref(), p.Spec))
                .Concat(context.After.Workloads.Values
                    .Where(w => w.Metadata.Namespace == ns && Matches(selector, w.TemplateLabels))
                    .OrderBy(w => w.Key())
                    .Select(w => new Target(w.Ref(), w.Template)))
                .ToList();

            if (targets.Count == 0)
            {
                // Without a cluster the pods may simply not be part of the design.
                if (context.KnowsCluster)
                {
                    var text = string.Join(",", selector.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
                    findings[d.Index].Add(ValidationFinding.Create("spec.selector", ValidationSeverity.Warning,
                        $"selector {text} matches no pods and no pod templates in namespace {ns}: the Service has no endpoints"));
                }

                continue;
            }

            for (var i = 0; i < service.Ports.Length; i++)
            {
                if (CheckTargetPort(service.Ports[i], targets) is { } finding)
                {
                    findings[d.Index].Add(ValidationFinding.Create($"spec.ports[{i}].targetPort", finding.Severity, finding.Detail));
                }
            }
        }
    }

    private static bool Matches(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    private static (ValidationSeverity Severity, string Detail)? CheckTargetPort(ServicePort port, List<Target> targets)
    {
        var target = port.EffectiveTargetPort;
        if (target.Name is { } name)
        {
            // Matched on name and protocol, over containers and restartable init containers (EndpointSlice utils).
            var lacking = targets.Where(t => !t.Spec.AllPorts.Any(p => p.Port.Name == name && p.Port.Protocol == port.Protocol)).ToList();
            if (lacking.Count == 0)
            {
                return null;
            }

            return lacking.Count == targets.Count
                ? (ValidationSeverity.Error, $"no selected pod declares a port named {GoValues.Quote(name)} with protocol {port.Protocol} ({Names(targets)}): the Service has no endpoints for this port")
                : (ValidationSeverity.Error, $"{Names(lacking)} {(lacking.Count == 1 ? "does" : "do")} not declare a port named {GoValues.Quote(name)} with protocol {port.Protocol}: {(lacking.Count == 1 ? "it gets" : "they get")} no endpoints for this port");
        }

        var number = target.Number ?? 0;
        if (targets.Any(t => t.Spec.AllPorts.Any(p => p.Port.Number == number && p.Port.Protocol == port.Protocol)))
        {
            return null;
        }

        var declared = targets.SelectMany(t => t.Spec.AllPorts).Select(p => $"{p.Port.Number}/{p.Port.Protocol}").Distinct().ToList();
        var what = declared.Count == 0 ? "they declare no ports" : $"they declare {string.Join(", ", declared)}";
        return (ValidationSeverity.Warning,
            $"no selected pod declares containerPort {number}/{port.Protocol} ({what}): traffic reaches port {number} only if the process listens there anyway");
    }

    private static string Names(List<Target> targets)
    {
        var shown = string.Join(", ", targets.Take(NamesShown).Select(t => t.Ref.ToString()));
        return targets.Count > NamesShown ? $"{shown} and {targets.Count - NamesShown} more" : shown;
    }
}
