using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// What the API server's nodePort allocator decides before validation runs (pkg/registry/core/service/portallocator):
/// a requested nodePort must be in the cluster's range and not held by another Service. The allocator knows no
/// protocols, so 30080/TCP and 30080/UDP in two Services clash; within one Service the same number may serve both.
/// </summary>
internal static class NodePortChecks
{
    public static void Run(DesignContext context, List<ValidationFinding>[] findings)
    {
        var range = context.Current.NodePortRange;

        // Every port the allocator holds now, and for whom (health check nodePorts come from the same pool).
        var held = new Dictionary<int, ObjectRef>();
        foreach (var s in context.Current.Services.Values.OrderBy(s => s.Key()))
        {
            foreach (var port in Allocated(s))
            {
                held.TryAdd(port, s.Ref());
            }
        }

        foreach (var designed in context.Designed)
        {
            // Only NodePort and LoadBalancer Services get nodePorts allocated; elsewhere validation refuses or ignores them.
            if (designed.Model is not Service service || service.Type is not (ServiceTypes.NodePort or ServiceTypes.LoadBalancer))
            {
                continue;
            }

            // An update keeps the ports it already holds; only new ones are allocated.
            var previous = context.Current.Services.GetValueOrDefault(service.Key());
            var own = previous is null ? [] : Allocated(previous).ToHashSet();
            var mine = new HashSet<int>();
            var failed = false;
            for (var i = 0; i < service.Ports.Length; i++)
            {
                if (service.Ports[i].NodePort is not { } nodePort)
                {
                    continue;
                }

                var problem = Allocate(nodePort, range, own, mine, held, out var holder);
                if (problem is not null)
                {
                    failed = true;
                    var path = $"spec.ports[{i}].nodePort";
                    findings[designed.Index].Add(ValidationFinding.Create(path, ValidationSeverity.Error, $"Invalid value: {nodePort}: {problem}") with { Related = holder });
                }
            }

            if (NeedsNewPort(service, previous).ToList() is { Count: > 0 } unset)
            {
                var free = range.Last - range.First + 1 - held.Keys.Concat(mine).Distinct().Count(range.Contains);
                foreach (var i in unset.Skip(Math.Max(free, 0)))
                {
                    // Answered with a 500 ("Internal error occurred: ...") and no field path; the path says which port.
                    failed = true;
                    findings[designed.Index].Add(ValidationFinding.Create($"spec.ports[{i}].nodePort", ValidationSeverity.Error, "failed to allocate a nodePort: range is full"));
                }
            }

            if (service.Type == ServiceTypes.LoadBalancer && service.ExternalPolicyLocal && service.HealthCheckNodePort is { } hc and not 0)
            {
                var problem = Allocate(hc, range, own, mine, held, out var holder);
                if (problem is not null)
                {
                    failed = true;

                    // The server answers this one with a 500 ("Internal error occurred: ...") and no field path.
                    findings[designed.Index].Add(ValidationFinding.Create("spec.healthCheckNodePort", ValidationSeverity.Error, $"failed to allocate requested HealthCheck NodePort {hc}: {problem}") with { Related = holder });
                }
            }

            // A Service the server refuses allocates nothing; the previous version, if any, keeps its ports.
            if (failed)
            {
                continue;
            }

            foreach (var port in own.Where(p => !mine.Contains(p)))
            {
                held.Remove(port);
            }

            foreach (var port in mine)
            {
                held[port] = service.Ref();
            }
        }
    }

    /// <returns>The allocator's error text, or null when the port can be had.</returns>
    private static string? Allocate(int port, NodePortRange range, HashSet<int> own, HashSet<int> mine, Dictionary<int, ObjectRef> held, out ObjectRef? holder)
    {
        holder = null;
        if (!range.Contains(port))
        {
            return $"provided port is not in the valid range. The range of valid ports is {range}";
        }

        if (!own.Contains(port) && !mine.Contains(port) && held.TryGetValue(port, out var other))
        {
            holder = other;
            return "provided port is already allocated";
        }

        mine.Add(port);
        return null;
    }

    /// <summary>
    /// The ports that get a nodePort picked by the allocator: those without one, unless another port with the same
    /// number already has one (the server shares it), allocation is off for this LoadBalancer, or an update keeps the
    /// nodePort the same port and protocol had before.
    /// </summary>
    private static IEnumerable<int> NeedsNewPort(Service service, Service? previous)
    {
        if (service.Type == ServiceTypes.LoadBalancer && service.AllocateLoadBalancerNodePorts == false)
        {
            yield break;
        }

        var numbered = service.Ports.Where(p => p.NodePort is not null).Select(p => p.Port).ToHashSet();
        for (var i = 0; i < service.Ports.Length; i++)
        {
            var port = service.Ports[i];
            var kept = previous?.Ports.Any(p => p.Port == port.Port && p.Protocol == port.Protocol && p.NodePort is not null) ?? false;
            if (port.NodePort is null && !kept && numbered.Add(port.Port))
            {
                yield return i;
            }
        }
    }

    private static IEnumerable<int> Allocated(Service s) =>
        s.Ports.Select(p => p.NodePort ?? 0).Append(s.HealthCheckNodePort ?? 0).Where(p => p != 0);

}
