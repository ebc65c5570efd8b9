using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// What the API server decides about a designed Service given the cluster and the version it replaces: its address
/// families against the cluster's Service ranges and the old cluster IPs (<see cref="ServiceFamilies.Resolve"/>), and
/// a loadBalancerClass, which may not change once set.
/// </summary>
internal static class ServiceUpdateChecks
{
    public static void Run(DesignContext context, List<ValidationFinding>[] findings)
    {
        // Without a cluster nothing is known of its ranges: both families are assumed, so only the object's own rules count.
        var families = context.KnowsCluster ? ClusterServiceFamilies.Infer(context.Current) : new([IpFamily.V4, IpFamily.V6], false);
        foreach (var designed in context.Designed)
        {
            if (designed.Model is not Service service)
            {
                continue;
            }

            var previous = context.Current.Services.GetValueOrDefault(service.Key());
            if (ServiceFamilies.Resolve(service, previous, families) is { } allocation)
            {
                findings[designed.Index].AddRange(allocation.Findings);
            }

            if (LoadBalancerClassChange(service, previous) is { } changed)
            {
                findings[designed.Index].Add(changed with { Related = previous!.Ref() });
            }
        }
    }

    /// <summary>validateLoadBalancerClassField on update: both LoadBalancer, and the class differs.</summary>
    public static ValidationFinding? LoadBalancerClassChange(Service service, Service? previous) =>
        previous is { Type: ServiceTypes.LoadBalancer } && service.Type == ServiceTypes.LoadBalancer && previous.LoadBalancerClass != service.LoadBalancerClass
            ? ValidationFinding.Create("spec.loadBalancerClass", ValidationSeverity.Error,
                $"Invalid value: {(service.LoadBalancerClass is { } c ? GoValues.Quote(c) : "null")}: may not change once set")
            : null;
}
