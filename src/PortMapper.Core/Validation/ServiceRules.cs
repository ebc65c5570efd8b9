using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// ValidateService as the API server runs it on create, after v1 defaulting (SetDefaults_Service) and the create
/// strategy's clusterIP → clusterIPs normalisation. Errors come out in the server's order.
/// </summary>
internal static class ServiceRules
{
    private const string None = "None";
    private const string LoadBalancerSourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";
    private const int DefaultClientIpTimeoutSeconds = 10800;
    private const int MaxClientIpTimeoutSeconds = 86400;

    private static readonly string[] SupportedProtocols = [Protocols.Sctp, Protocols.Tcp, Protocols.Udp];
    private static readonly string[] SupportedAffinities = ["ClientIP", "None"];
    private static readonly string[] SupportedTrafficPolicies = [TrafficPolicies.Cluster, TrafficPolicies.Local];
    private static readonly string[] SupportedIpFamilies = ["IPv4", "IPv6"];
    private static readonly string[] SupportedIpFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
    private static readonly string[] SupportedTrafficDistributions = [TrafficDistributions.PreferClose, TrafficDistributions.PreferSameNode, TrafficDistributions.PreferSameZone];

    private sealed record Port(string Path, string Name, int Number, string Protocol, IntOrName TargetPort, int NodePort, string? AppProtocol);

    public static void Validate(JsonObject obj, FindingList f)
    {
        var meta = JsonFields.Object(obj, "metadata", "metadata", f);
        var annotations = JsonFields.StringMap(meta, "annotations", "metadata.annotations", f);
        var spec = JsonFields.Object(obj, "spec", "spec", f);

        var type = JsonFields.String(spec, "type", "spec.type", f);
        type = string.IsNullOrEmpty(type) ? ServiceTypes.ClusterIp : type;
        var ports = ReadPorts(spec, f);
        var clusterIp = JsonFields.String(spec, "clusterIP", "spec.clusterIP", f) ?? "";
        var clusterIps = JsonFields.StringList(spec, "clusterIPs", "spec.clusterIPs", f) ?? [];
        if (clusterIp.Length > 0 && clusterIps.IsEmpty)
        {
            clusterIps = [clusterIp];
        }

        var ipFamilies = JsonFields.StringList(spec, "ipFamilies", "spec.ipFamilies", f) ?? [];
        var ipFamilyPolicy = JsonFields.String(spec, "ipFamilyPolicy", "spec.ipFamilyPolicy", f);
        var externalName = JsonFields.String(spec, "externalName", "spec.externalName", f) ?? "";
        var externalIps = JsonFields.StringList(spec, "externalIPs", "spec.externalIPs", f) ?? [];
        var affinity = JsonFields.String(spec, "sessionAffinity", "spec.sessionAffinity", f);
        affinity = string.IsNullOrEmpty(affinity) ? "None" : affinity;
        var clientIp = JsonFields.Object(JsonFields.Object(spec, "sessionAffinityConfig", "spec.sessionAffinityConfig", f), "clientIP", "spec.sessionAffinityConfig.clientIP", f);
        var timeout = JsonFields.Int(clientIp, "timeoutSeconds", "spec.sessionAffinityConfig.clientIP.timeoutSeconds", f) ?? DefaultClientIpTimeoutSeconds;
        var sourceRanges = JsonFields.StringList(spec, "loadBalancerSourceRanges", "spec.loadBalancerSourceRanges", f) ?? [];
        var allocateNodePorts = JsonFields.Bool(spec, "allocateLoadBalancerNodePorts", "spec.allocateLoadBalancerNodePorts", f);
        var externallyAccessible = type is ServiceTypes.LoadBalancer or ServiceTypes.NodePort || (type == ServiceTypes.ClusterIp && !externalIps.IsEmpty);
        var etp = JsonFields.String(spec, "externalTrafficPolicy", "spec.externalTrafficPolicy", f) ?? "";
        etp = externallyAccessible && etp.Length == 0 ? TrafficPolicies.Cluster : etp;
        var healthCheckNodePort = JsonFields.Int(spec, "healthCheckNodePort", "spec.healthCheckNodePort", f) ?? 0;
        var itp = JsonFields.String(spec, "internalTrafficPolicy", "spec.internalTrafficPolicy", f);
        itp ??= type is ServiceTypes.NodePort or ServiceTypes.LoadBalancer or ServiceTypes.ClusterIp ? TrafficPolicies.Cluster : null;

        var headless = clusterIps.Length == 1 && clusterIps[0] == None;
        if (ports.Count == 0 && !headless && type != ServiceTypes.ExternalName)
        {
            f.Required("spec.ports");
        }

        switch (type)
        {
            case ServiceTypes.LoadBalancer when headless:
                f.InvalidString("spec.clusterIPs[0]", clusterIps[0], "may not be set to 'None' for LoadBalancer services");
                break;
            case ServiceTypes.NodePort when headless:
                f.InvalidString("spec.clusterIPs[0]", clusterIps[0], "may not be set to 'None' for NodePort services");
                break;
            case ServiceTypes.ExternalName:
                ValidateExternalName(clusterIps, ipFamilies, ipFamilyPolicy, externalName, f);
                break;
        }

        var names = new HashSet<string>(KubeNames.Comparer);
        foreach (var port in ports)
        {
            ValidatePort(port, ports.Count > 1, names, f);
        }

        if (!SupportedAffinities.Contains(affinity, StringComparer.Ordinal))
        {
            f.NotSupported("spec.sessionAffinity", affinity, SupportedAffinities);
        }

        if (affinity == "ClientIP" && timeout is <= 0 or > MaxClientIpTimeoutSeconds)
        {
            f.Invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, $"must be greater than 0 and less than {MaxClientIpTimeoutSeconds}");
        }

        if (type != ServiceTypes.ExternalName)
        {
            ValidateClusterIps(clusterIp, clusterIps, ipFamilies, ipFamilyPolicy, headless, f);
        }

        for (var i = 0; i < externalIps.Length; i++)
        {
            var path = $"spec.externalIPs[{i}]";
            if (KubeFormats.ParseIp(externalIps[i]) is not { } ip)
            {
                f.InvalidString(path, externalIps[i], "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
                continue;
            }

            foreach (var msg in KubeFormats.NonSpecialIpErrors(externalIps[i], ip))
            {
                f.InvalidString(path, externalIps[i], msg);
            }
        }

        if (!ServiceTypes.Supported.Contains(type, StringComparer.Ordinal))
        {
            f.NotSupported("spec.type", type, ServiceTypes.Supported);
        }

        if (type == ServiceTypes.ClusterIp)
        {
            foreach (var port in ports.Where(p => p.NodePort != 0))
            {
                f.Forbidden($"{port.Path}.nodePort", "may not be used when `type` is 'ClusterIP'");
            }
        }

        var nodePorts = new HashSet<(string, int)>();
        foreach (var port in ports.Where(p => p.NodePort != 0))
        {
            if (!nodePorts.Add((port.Protocol, port.NodePort)))
            {
                f.Duplicate($"{port.Path}.nodePort", GoValues.Int(port.NodePort));
            }
        }

        var portKeys = new HashSet<(string, int)>();
        foreach (var port in ports)
        {
            if (!portKeys.Add((port.Protocol, port.Number)))
            {
                f.Duplicate(port.Path, GoValues.ServicePortKey(port.Protocol, port.Number));
            }
        }

        ValidateSourceRanges(type, sourceRanges, annotations, f);

        if (allocateNodePorts is not null && type != ServiceTypes.LoadBalancer)
        {
            f.Forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'");
        }

        if (!externallyAccessible)
        {
            if (etp.Length > 0)
            {
                f.InvalidString("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services");
            }
        }
        else if (!SupportedTrafficPolicies.Contains(etp, StringComparer.Ordinal))
        {
            f.NotSupported("spec.externalTrafficPolicy", etp, SupportedTrafficPolicies);
        }

        // NeedsHealthCheck. When it is needed and unset, the allocator assigns one before validation runs.
        var needsHealthCheck = type == ServiceTypes.LoadBalancer && etp == TrafficPolicies.Local;
        if (!needsHealthCheck && healthCheckNodePort != 0)
        {
            f.Invalid("spec.healthCheckNodePort", healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
        }
        else if (needsHealthCheck && healthCheckNodePort != 0)
        {
            foreach (var msg in KubeFormats.IsValidPortNum(healthCheckNodePort))
            {
                f.Invalid("spec.healthCheckNodePort", healthCheckNodePort, msg);
            }
        }

        if (itp is not null && !SupportedTrafficPolicies.Contains(itp, StringComparer.Ordinal))
        {
            f.NotSupported("spec.internalTrafficPolicy", itp, SupportedTrafficPolicies);
        }

        // validateLoadBalancerClassField: only for type LoadBalancer, and a label-style key.
        if (JsonFields.String(spec, "loadBalancerClass", "spec.loadBalancerClass", f) is { } lbClass)
        {
            if (type != ServiceTypes.LoadBalancer)
            {
                f.Forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'");
            }

            foreach (var msg in KubeFormats.IsQualifiedName(lbClass))
            {
                f.InvalidString("spec.loadBalancerClass", lbClass, msg);
            }
        }

        // validateServiceTrafficDistribution (PreferSameZone and PreferSameNode since 1.34, on by default).
        if (JsonFields.String(spec, "trafficDistribution", "spec.trafficDistribution", f) is { } distribution
            && !SupportedTrafficDistributions.Contains(distribution, StringComparer.Ordinal))
        {
            f.NotSupported("spec.trafficDistribution", distribution, SupportedTrafficDistributions);
        }
    }

    private static List<Port> ReadPorts(JsonObject? spec, FindingList f)
    {
        var ports = new List<Port>();
        foreach (var (p, path) in JsonFields.ObjectList(spec, "ports", "spec.ports", f) ?? [])
        {
            var number = JsonFields.Int(p, "port", $"{path}.port", f) ?? 0;
            var protocol = JsonFields.String(p, "protocol", $"{path}.protocol", f);
            var target = JsonFields.IntOrString(p, "targetPort", $"{path}.targetPort", f);

            // SetDefaults_Service: an unset, 0 or "" targetPort means "the same as port".
            if (target is null || target.Value.Number == 0 || target.Value.Name?.Length == 0)
            {
                target = IntOrName.FromNumber(number);
            }

            ports.Add(new Port(
                path,
                JsonFields.String(p, "name", $"{path}.name", f) ?? "",
                number,
                string.IsNullOrEmpty(protocol) ? Protocols.Tcp : protocol,
                target.Value,
                JsonFields.Int(p, "nodePort", $"{path}.nodePort", f) ?? 0,
                JsonFields.String(p, "appProtocol", $"{path}.appProtocol", f)));
        }

        return ports;
    }

    private static void ValidatePort(Port port, bool requireName, HashSet<string> names, FindingList f)
    {
        if (requireName && port.Name.Length == 0)
        {
            f.Required($"{port.Path}.name");
        }
        else if (port.Name.Length != 0)
        {
            foreach (var msg in KubeFormats.IsDns1123Label(port.Name))
            {
                f.InvalidString($"{port.Path}.name", port.Name, msg);
            }

            if (!names.Add(port.Name))
            {
                f.Duplicate($"{port.Path}.name", GoValues.Quote(port.Name));
            }
        }

        foreach (var msg in KubeFormats.IsValidPortNum(port.Number))
        {
            f.Invalid($"{port.Path}.port", port.Number, msg);
        }

        if (!SupportedProtocols.Contains(port.Protocol, StringComparer.Ordinal))
        {
            f.NotSupported($"{port.Path}.protocol", port.Protocol, SupportedProtocols);
        }

        if (port.TargetPort.Name is { } targetName)
        {
            foreach (var msg in KubeFormats.IsValidPortName(targetName))
            {
                f.InvalidString($"{port.Path}.targetPort", targetName, msg);
            }
        }
        else
        {
            foreach (var msg in KubeFormats.IsValidPortNum(port.TargetPort.Number ?? 0))
            {
                f.Invalid($"{port.Path}.targetPort", port.TargetPort.Number ?? 0, msg);
            }
        }

        if (port.AppProtocol is not null)
        {
            foreach (var msg in KubeFormats.IsQualifiedName(port.AppProtocol))
            {
                f.InvalidString($"{port.Path}.appProtocol", port.AppProtocol, msg);
            }
        }
    }

    private static void ValidateExternalName(ImmutableArray<string> clusterIps, ImmutableArray<string> ipFamilies, string? ipFamilyPolicy, string externalName, FindingList f)
    {
        if (!clusterIps.IsEmpty)
        {
            f.Forbidden("spec.clusterIPs", "may not be set for ExternalName services");
        }

        if (!ipFamilies.IsEmpty)
        {
            f.Forbidden("spec.ipFamilies", "may not be set for ExternalName services");
        }

        if (ipFamilyPolicy is not null)
        {
            f.Forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services");
        }

        // The value is a CNAME and may end in one dot to mark it fully qualified.
        var cname = externalName.EndsWith('.') ? externalName[..^1] : externalName;
        if (cname.Length == 0)
        {
            f.Required("spec.externalName");
            return;
        }

        foreach (var msg in KubeFormats.IsDns1123Subdomain(cname))
        {
            f.InvalidString("spec.externalName", cname, msg);
        }
    }

    /// <summary>ValidateServiceClusterIPsRelatedFields.</summary>
    private static void ValidateClusterIps(string clusterIp, ImmutableArray<string> clusterIps, ImmutableArray<string> ipFamilies, string? ipFamilyPolicy, bool headless, FindingList f)
    {
        const string path = "spec.clusterIPs";
        if (clusterIp.Length != 0)
        {
            if (clusterIps[0] != clusterIp)
            {
                f.Invalid(path, GoValues.StringSlice(clusterIps), "first value must match `clusterIP`");
            }
        }
        else if (!clusterIps.IsEmpty)
        {
            f.Invalid(path, GoValues.StringSlice(clusterIps), "must be empty when `clusterIP` is not specified");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ipFamilies.Length; i++)
        {
            if (!SupportedIpFamilies.Contains(ipFamilies[i], StringComparer.Ordinal))
            {
                f.NotSupported($"spec.ipFamilies[{i}]", ipFamilies[i], SupportedIpFamilies);
            }

            if (!seen.Add(ipFamilies[i]))
            {
                f.Duplicate($"spec.ipFamilies[{i}]", GoValues.Quote(ipFamilies[i]));
            }
        }

        if (ipFamilyPolicy is not null && !SupportedIpFamilyPolicies.Contains(ipFamilyPolicy, StringComparer.Ordinal))
        {
            f.NotSupported("spec.ipFamilyPolicy", ipFamilyPolicy, SupportedIpFamilyPolicies);
        }

        var invalid = false;
        var parsed = new List<IPAddress>();
        for (var i = 0; i < clusterIps.Length; i++)
        {
            if (i == 0 && clusterIps[i] == None)
            {
                if (clusterIps.Length > 1)
                {
                    invalid = true;
                    f.Invalid(path, GoValues.StringSlice(clusterIps), "'None' must be the first and only value");
                }

                continue;
            }

            if (KubeFormats.ParseIp(clusterIps[i]) is { } ip)
            {
                parsed.Add(ip);
            }
            else
            {
                invalid = true;
                f.InvalidString($"{path}[{i}]", clusterIps[i], "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
            }
        }

        if (clusterIps.Length > 2)
        {
            f.Invalid(path, GoValues.StringSlice(clusterIps), "may only hold up to 2 values");
        }

        // Further messages about bad IPs would only repeat the problem, so the server stops here.
        if (invalid)
        {
            return;
        }

        if (clusterIps.Length > 1 && parsed.Select(ip => ip.AddressFamily).Distinct().Count() != parsed.Count)
        {
            f.Invalid(path, GoValues.StringSlice(clusterIps), "may specify no more than one IP for each IP family");
        }

        if (headless || ipFamilies.IsEmpty)
        {
            return;
        }

        for (var i = 0; i < parsed.Count && i < ipFamilies.Length; i++)
        {
            var isV6 = parsed[i].AddressFamily == AddressFamily.InterNetworkV6;
            if (ipFamilies[i] == "IPv4" && isV6)
            {
                f.InvalidString($"{path}[{i}]", clusterIps[i], $"expected an IPv4 value as indicated by `ipFamilies[{i}]`");
            }
            else if (ipFamilies[i] == "IPv6" && !isV6)
            {
                f.InvalidString($"{path}[{i}]", clusterIps[i], $"expected an IPv6 value as indicated by `ipFamilies[{i}]`");
            }
        }
    }

    /// <summary>The field's path is capitalised in the server's messages (spec.LoadBalancerSourceRanges), and so here.</summary>
    private static void ValidateSourceRanges(string type, ImmutableArray<string> ranges, ImmutableDictionary<string, string>? annotations, FindingList f)
    {
        if (!ranges.IsEmpty)
        {
            const string path = "spec.LoadBalancerSourceRanges";
            if (type != ServiceTypes.LoadBalancer)
            {
                f.Forbidden(path, "may only be used when `type` is 'LoadBalancer'");
            }

            for (var i = 0; i < ranges.Length; i++)
            {
                // Historically these may be space-padded; the server trims them.
                var value = ranges[i].Trim();
                if (!KubeFormats.IsCidr(value))
                {
                    f.InvalidString($"{path}[{i}]", value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
                }
            }

            return;
        }

        if (annotations?.GetValueOrDefault(LoadBalancerSourceRangesAnnotation) is not { } annotation)
        {
            return;
        }

        var annotationPath = $"metadata.annotations[{LoadBalancerSourceRangesAnnotation}]";
        if (type != ServiceTypes.LoadBalancer)
        {
            f.Forbidden(annotationPath, "may only be used when `type` is 'LoadBalancer'");
        }

        annotation = annotation.Trim();
        if (annotation.Length == 0)
        {
            return;
        }

        foreach (var cidr in annotation.Split(',').Select(c => c.Trim()))
        {
            if (!KubeFormats.IsCidr(cidr))
            {
                f.InvalidString(annotationPath, cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
            }
        }
    }
}
