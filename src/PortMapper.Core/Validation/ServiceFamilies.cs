using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// The address families a cluster allocates Service IPs for, primary first: what kube-apiserver's
/// <c>--service-cluster-ip-range</c> says. <see cref="Known"/> is false when PortMapper only inferred it.
/// </summary>
public sealed record ClusterServiceFamilies(ImmutableArray<string> Families, bool Known)
{
    /// <summary>The demo's control plane: IPv4 first, then IPv6.</summary>
    public static ClusterServiceFamilies DualStackIpv4First { get; } = new([IpFamily.V4, IpFamily.V6], true);

    public string Primary => Families[0];

    public bool IsDualStack => Families.Length > 1;

    public bool Configures(string family) => Families.Contains(family, StringComparer.Ordinal);

    /// <summary>
    /// The default ServiceCIDR's families where the cluster has one (Kubernetes 1.33+): exactly the API server's ranges.
    /// Else what the cluster's Services show. A Service holding cluster IPs of both families proves a dual-stack range; the
    /// primary family is that of the <c>default/kubernetes</c> Service (the API server's own, from the first range). A
    /// cluster whose Services are all single-stack may still have a second range nobody asked for yet, so that answer is
    /// not <see cref="Known"/>.
    /// </summary>
    public static ClusterServiceFamilies Infer(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.ServiceCidrs.GetValueOrDefault(ServiceCidr.DefaultName) is { Cidrs.IsDefaultOrEmpty: false } ranges)
        {
            return new([.. ranges.Cidrs.Select(Service.IpFamilyOf).Distinct(StringComparer.Ordinal)], true);
        }

        string? primary = null;
        string? firstSeen = null;
        var dual = false;
        foreach (var s in cluster.Services.Values)
        {
            if (s.IsHeadless || s.ClusterIps.IsDefaultOrEmpty || s.IsExternalName)
            {
                continue;
            }

            firstSeen ??= Service.IpFamilyOf(s.ClusterIps[0]);
            dual |= s.ClusterIps.Length > 1 && Service.IpFamilyOf(s.ClusterIps[0]) != Service.IpFamilyOf(s.ClusterIps[1]);
            if (s.Metadata.Namespace == "default" && s.Metadata.Name == "kubernetes")
            {
                primary = Service.IpFamilyOf(s.ClusterIps[0]);
            }
        }

        primary ??= firstSeen ?? IpFamily.V4;
        return dual ? new([primary, ServiceFamilies.Other(primary)], true) : new([primary], false);
    }
}

/// <summary>
/// What the API server decides about a Service's address families before it allocates cluster IPs (initIPFamilyFields
/// in pkg/registry/core/service/storage/alloc.go, and ValidateServiceUpdate's clusterIP rules), with its messages.
/// </summary>
/// <param name="Families">spec.ipFamilies once defaulted, primary first.</param>
/// <param name="Policy">spec.ipFamilyPolicy once defaulted.</param>
/// <param name="ClusterIps">The cluster IPs the Service asks for or keeps, in family order; a family beyond them gets a new one.</param>
/// <param name="Released">Cluster IPs of the previous version that this update gives back.</param>
/// <param name="Findings">What the API server refuses. A rule that depends on the cluster's ranges is a warning when those were only inferred.</param>
public sealed record FamilyAllocation(
    ImmutableArray<string> Families,
    string Policy,
    ImmutableArray<string> ClusterIps,
    ImmutableArray<string> Released,
    ImmutableArray<ValidationFinding> Findings)
{
    public bool IsHeadless => ClusterIps.Length == 1 && ClusterIps[0] == "None";

    /// <summary>The families that get a newly allocated cluster IP.</summary>
    public IEnumerable<string> ToAllocate => IsHeadless ? [] : Families.Skip(ClusterIps.Length);

    public bool HasErrors => Findings.Any(f => f.Severity == ValidationSeverity.Error);
}

public static class ServiceFamilies
{
    private const string Policy = "spec.ipFamilyPolicy";

    public static string Other(string family) => family == IpFamily.V6 ? IpFamily.V4 : IpFamily.V6;

    /// <summary>
    /// The families, policy and cluster IPs the API server settles on for <paramref name="designed"/>, created or (with
    /// <paramref name="existing"/>) updated on a cluster with <paramref name="cluster"/>'s ranges. On update, what the
    /// new version leaves out is what the old one had: the API server copies the cluster IPs, and server-side apply
    /// keeps the families and the policy nobody else wrote. Null for an ExternalName Service, which has none.
    /// </summary>
    public static FamilyAllocation? Resolve(Service designed, Service? existing, ClusterServiceFamilies cluster)
    {
        ArgumentNullException.ThrowIfNull(designed);
        ArgumentNullException.ThrowIfNull(cluster);
        if (designed.IsExternalName)
        {
            return null;
        }

        var old = existing is { IsExternalName: false } ? existing : null;
        var findings = new List<ValidationFinding>();
        var ipsWritten = !designed.ClusterIps.IsDefaultOrEmpty;
        var ips = ipsWritten ? designed.ClusterIps.ToList() : old?.ClusterIps.ToList() ?? [];
        var families = !designed.IpFamilies.IsDefaultOrEmpty ? designed.IpFamilies.ToList() : old?.IpFamilies.ToList() ?? [];
        var headless = ips is ["None"];
        var selectorless = designed.Selector is not { Count: > 0 };
        var policy = designed.IpFamilyPolicy ?? old?.IpFamilyPolicy ?? (headless && selectorless ? IpFamilyPolicies.RequireDualStack : IpFamilyPolicies.SingleStack);
        FamilyAllocation Result() => new([.. families], policy, [.. ips], [.. Released(old, ips)], [.. findings]);

        // A PreferDualStack Service whose addresses stay as they were is never upgraded or downgraded behind its back,
        // even when the cluster's ranges changed since it was made.
        if (old is not null && old.Type == designed.Type && policy == IpFamilyPolicies.PreferDualStack && old.IpFamilyPolicy == IpFamilyPolicies.PreferDualStack
            && ips.SequenceEqual(old.ClusterIps) && families.SequenceEqual(old.IpFamilies))
        {
            return Result();
        }

        // The API server's loose pre-validation, on what the update leaves: kept cluster IPs meet newly written families
        // here (ServiceRules says the same of IPs and families written together; ManifestValidation says it once).
        if (!headless)
        {
            for (var i = 0; i < ips.Count && i < families.Count; i++)
            {
                if (Service.IpFamilyOf(ips[i]) != families[i])
                {
                    findings.Add(ValidationFinding.Create($"spec.clusterIPs[{i}]", ValidationSeverity.Error,
                        $"Invalid value: {GoValues.Quote(ips[i])}: expected an {families[i]} value as indicated by `ipFamilies[{i}]`"));
                }
            }

            if (findings.Count > 0)
            {
                return Result();
            }
        }

        if (old is not null)
        {
            if (policy == IpFamilyPolicies.SingleStack)
            {
                // "As long as ClusterIPs and IPFamilies have not changed, setting the policy to single-stack is clear intent."
                if (ips.SequenceEqual(old.ClusterIps) && ips.Count > 1)
                {
                    ips = ips[..1];
                }

                if (families.SequenceEqual(old.IpFamilies) && families.Count > 1)
                {
                    families = families[..1];
                }
            }
            else
            {
                if (ips.Count < old.ClusterIps.Length && ips.Count > 0)
                {
                    findings.Add(Invalid(Policy, policy, "must be 'SingleStack' to release the secondary cluster IP"));
                }

                if (families.Count < old.IpFamilies.Length && families.Count > 0)
                {
                    findings.Add(Invalid(Policy, policy, "must be 'SingleStack' to release the secondary IP family"));
                }
            }
        }

        if (policy == IpFamilyPolicies.SingleStack)
        {
            if (ips.Count == 2)
            {
                findings.Add(Invalid(Policy, policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
            }

            if (families.Count == 2)
            {
                findings.Add(Invalid(Policy, policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
            }
        }

        for (var i = 0; i < ips.Count && !headless; i++)
        {
            var family = Service.IpFamilyOf(ips[i]);
            if (i < families.Count)
            {
                continue;
            }

            if (cluster.Configures(family))
            {
                families.Add(family);
            }
            else
            {
                findings.Add(OfCluster(cluster, $"spec.clusterIPs[{i}]", $"Invalid value: {GoValues.StringSlice(ips)}: {family} is not configured on this cluster"));
            }
        }

        if (findings.Count > 0)
        {
            return Result();
        }

        // Headless and selectorless: may have both families even on a single-stack cluster (DNS answers for endpoints written by hand).
        if (headless && selectorless)
        {
            if (families.Count == 0)
            {
                families.Add(cluster.Primary);
            }

            if (families.Count < 2 && policy != IpFamilyPolicies.SingleStack)
            {
                families.Add(Other(families[0]));
            }

            return Result();
        }

        if (policy == IpFamilyPolicies.RequireDualStack && !cluster.IsDualStack)
        {
            findings.Add(OfCluster(cluster, Policy, $"Invalid value: {GoValues.Quote(policy)}: this cluster is not configured for dual-stack services"));
        }

        for (var i = 0; i < families.Count; i++)
        {
            if (!cluster.Configures(families[i]))
            {
                findings.Add(OfCluster(cluster, $"spec.ipFamilies[{i}]", $"Invalid value: {GoValues.Quote(families[i])}: not configured on this cluster"));
            }
        }

        if (findings.Any(f => f.Severity == ValidationSeverity.Error))
        {
            return Result();
        }

        if (families.Count == 0)
        {
            families.Add(cluster.Primary);
        }

        if (policy != IpFamilyPolicies.SingleStack && families.Count == 1 && cluster.IsDualStack)
        {
            families.Add(Other(families[0]));
        }

        // ValidateServiceUpdate: the primary cluster IP is immutable (the secondary may come and go with the policy).
        if (old is not null && ipsWritten && !headless && !old.IsHeadless && !old.ClusterIps.IsDefaultOrEmpty && ips.Count > 0 && ips[0] != old.ClusterIps[0])
        {
            findings.Add(ValidationFinding.Create("spec.clusterIPs[0]", ValidationSeverity.Error, $"Invalid value: {GoValues.StringSlice(ips)}: may not change once set"));
        }

        return Result();
    }

    private static IEnumerable<string> Released(Service? old, List<string> ips) =>
        old is null || old.IsHeadless ? [] : old.ClusterIps.Where(ip => !ips.Contains(ip, StringComparer.Ordinal));

    private static ValidationFinding Invalid(string field, string policy, string detail) =>
        ValidationFinding.Create(field, ValidationSeverity.Error, $"Invalid value: {GoValues.Quote(policy)}: {detail}");

    /// <summary>A rule about the cluster's ranges: the server's error when they are known, else a warning that says why it may not hold.</summary>
    private static ValidationFinding OfCluster(ClusterServiceFamilies cluster, string field, string detail) => cluster.Known
        ? ValidationFinding.Create(field, ValidationSeverity.Error, detail)
        : ValidationFinding.Create(field, ValidationSeverity.Warning,
            $"{detail} (if this cluster is {cluster.Primary} single-stack, as every Service in it is; one with cluster IPs of both families would show a second range)");
}
