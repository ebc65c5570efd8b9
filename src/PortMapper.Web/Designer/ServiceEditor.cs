using System.Text.Json.Nodes;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Web.Designer;

/// <summary>The choices of the Service form's type selector: the four API types plus headless (a ClusterIP Service with clusterIP None).</summary>
public static class ServiceKinds
{
    public const string Headless = "Headless";

    public static IReadOnlyList<string> All { get; } = [ServiceTypes.ClusterIp, ServiceTypes.NodePort, ServiceTypes.LoadBalancer, ServiceTypes.ExternalName, Headless];

    public static string Hint(string kind) => kind switch
    {
        ServiceTypes.ClusterIp => "A virtual IP and DNS name reachable only inside the cluster.",
        ServiceTypes.NodePort => "A ClusterIP Service plus one port opened on every node's address for clients outside the cluster.",
        ServiceTypes.LoadBalancer => "A NodePort Service plus an external load balancer address from the cloud provider.",
        ServiceTypes.ExternalName => "Only a DNS alias (CNAME) to a name outside the cluster: no virtual IP, no proxying, no port mapping.",
        Headless => "No virtual IP: the Service's DNS name answers with the ready pods' own IPs.",
        _ => "",
    };
}

/// <summary>How a Service port's targetPort is given.</summary>
public enum TargetPortMode
{
    /// <summary>Not set: the server uses the same number as port.</summary>
    SameAsPort,
    Number,
    Name,
}

/// <summary>One entry of spec.ports, edited in place.</summary>
public sealed class ServicePortEditor(JsonObject port, int index)
{
    public JsonObject Json { get; } = port;

    public int Index { get; } = index;

    public string Path => $"spec.ports[{Index}]";

    public string? Name
    {
        get => JsonEdit.Text(Json["name"]);
        set => JsonEdit.SetText(Json, "name", value?.Trim());
    }

    public string Protocol
    {
        get => JsonEdit.Text(Json["protocol"]) ?? Protocols.Tcp;
        set => JsonEdit.SetDefaulted(Json, "protocol", value, Protocols.Tcp);
    }

    public int? Port
    {
        get => JsonEdit.Int(Json["port"]);
        set => JsonEdit.SetInt(Json, "port", value);
    }

    public TargetPortMode TargetMode => Json["targetPort"] switch
    {
        null => TargetPortMode.SameAsPort,
        var n when JsonEdit.Text(n) is not null => TargetPortMode.Name,
        _ => TargetPortMode.Number,
    };

    public int? TargetNumber => JsonEdit.Int(Json["targetPort"]);

    public string? TargetName => JsonEdit.Text(Json["targetPort"]);

    public void SetTargetMode(TargetPortMode mode)
    {
        if (mode == TargetMode)
        {
            return;
        }

        switch (mode)
        {
            case TargetPortMode.SameAsPort:
                Json.Remove("targetPort");
                break;
            case TargetPortMode.Number:
                JsonEdit.SetInt(Json, "targetPort", Port);
                break;
            case TargetPortMode.Name:
                Json["targetPort"] = "";
                break;
        }
    }

    public void SetTargetNumber(int? value) => JsonEdit.SetInt(Json, "targetPort", value);

    /// <summary>A name is kept even while empty, so the form stays in "name" mode while the person picks one.</summary>
    public void SetTargetName(string? value) => Json["targetPort"] = value?.Trim() ?? "";

    /// <summary>True when the API server picks the nodePort; false when the manifest fixes one.</summary>
    public bool NodePortAutomatic => Json["nodePort"] is null;

    public int? NodePort => JsonEdit.Int(Json["nodePort"]);

    public void SetNodePortAutomatic(bool automatic, int? suggestion)
    {
        if (automatic)
        {
            Json.Remove("nodePort");
        }
        else if (Json["nodePort"] is null)
        {
            JsonEdit.SetInt(Json, "nodePort", suggestion);
        }
    }

    public void SetNodePort(int? value) => JsonEdit.SetInt(Json, "nodePort", value);
}

/// <summary>
/// The Service form's model: reads and writes the fields the form shows directly in the Service's JSON tree, and
/// knows which fields apply to which type (so the form shows only those, and the findings list takes the rest).
/// </summary>
public sealed class ServiceEditor(JsonObject service)
{
    public JsonObject Json { get; } = service;

    private JsonObject Spec => JsonEdit.Obj(Json, "spec");

    private JsonObject? SpecOrNull => Json["spec"] as JsonObject;

    public string Type => JsonEdit.Text(SpecOrNull?["type"]) ?? ServiceTypes.ClusterIp;

    public bool IsHeadless => JsonEdit.Text(SpecOrNull?["clusterIP"]) == "None";

    /// <summary>One of <see cref="ServiceKinds.All"/>.</summary>
    public string Kind => IsHeadless && Type == ServiceTypes.ClusterIp ? ServiceKinds.Headless : Type;

    /// <summary>Switches the type and drops what the new type does not allow (the server would refuse it).</summary>
    public void SetKind(string kind)
    {
        var spec = Spec;
        var type = kind == ServiceKinds.Headless ? ServiceTypes.ClusterIp : kind;
        spec["type"] = type;
        if (kind == ServiceKinds.Headless)
        {
            spec["clusterIP"] = "None";
            spec.Remove("clusterIPs");
        }
        else if (IsHeadless || type == ServiceTypes.ExternalName)
        {
            spec.Remove("clusterIP");
            spec.Remove("clusterIPs");
        }

        if (type is not (ServiceTypes.NodePort or ServiceTypes.LoadBalancer))
        {
            foreach (var p in spec["ports"] as JsonArray ?? [])
            {
                (p as JsonObject)?.Remove("nodePort");
            }
        }

        if (type != ServiceTypes.LoadBalancer)
        {
            foreach (var key in new[] { "loadBalancerSourceRanges", "allocateLoadBalancerNodePorts", "loadBalancerClass", "healthCheckNodePort", "loadBalancerIP" })
            {
                spec.Remove(key);
            }
        }

        if (type != ServiceTypes.ExternalName)
        {
            spec.Remove("externalName");
        }
        else
        {
            spec.Remove("ipFamilies");
            spec.Remove("ipFamilyPolicy");
        }

        if (!IsExternallyAccessible)
        {
            spec.Remove("externalTrafficPolicy");
        }
    }

    public bool IsExternalName => Type == ServiceTypes.ExternalName;

    public bool HasNodePorts => Type is ServiceTypes.NodePort || (Type is ServiceTypes.LoadBalancer && JsonEdit.Bool(SpecOrNull?["allocateLoadBalancerNodePorts"]) != false);

    /// <summary>NodePort, LoadBalancer, or ClusterIP with externalIPs: the Services externalTrafficPolicy may be set on.</summary>
    public bool IsExternallyAccessible => Type is ServiceTypes.NodePort or ServiceTypes.LoadBalancer || (Type == ServiceTypes.ClusterIp && ExternalIps.Count > 0);

    public IReadOnlyList<ServicePortEditor> Ports =>
        SpecOrNull?["ports"] is JsonArray a ? [.. a.Select((p, i) => p is JsonObject o ? new ServicePortEditor(o, i) : null).OfType<ServicePortEditor>()] : [];

    /// <summary>Adds a port; the second port makes names required, so both get one.</summary>
    public ServicePortEditor AddPort()
    {
        var ports = JsonEdit.Arr(Spec, "ports");
        var used = Ports.Select(p => p.Port).OfType<int>().ToHashSet();
        var number = used.Count == 0 ? 80 : Enumerable.Range(used.Max() + 1, 100).First(n => !used.Contains(n));
        var port = new JsonObject { ["port"] = number, ["targetPort"] = number };
        ports.Add(port);
        if (ports.Count > 1)
        {
            foreach (var p in Ports.Where(p => string.IsNullOrEmpty(p.Name)))
            {
                var name = p.Port switch
                {
                    80 => "http",
                    443 => "https",
                    _ => $"port-{p.Index + 1}",
                };
                p.Name = Ports.Any(q => q.Name == name) ? $"port-{p.Index + 1}" : name;
            }
        }

        return Ports[^1];
    }

    public void RemovePort(int index)
    {
        if (SpecOrNull?["ports"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
        }
    }

    public string? ExternalName
    {
        get => JsonEdit.Text(SpecOrNull?["externalName"]);
        set => JsonEdit.SetText(Spec, "externalName", value?.Trim());
    }

    public string ExternalTrafficPolicy
    {
        get => JsonEdit.Text(SpecOrNull?["externalTrafficPolicy"]) ?? TrafficPolicies.Cluster;
        set => JsonEdit.SetDefaulted(Spec, "externalTrafficPolicy", value, TrafficPolicies.Cluster);
    }

    public string InternalTrafficPolicy
    {
        get => JsonEdit.Text(SpecOrNull?["internalTrafficPolicy"]) ?? TrafficPolicies.Cluster;
        set => JsonEdit.SetDefaulted(Spec, "internalTrafficPolicy", value, TrafficPolicies.Cluster);
    }

    public string SessionAffinity
    {
        get => JsonEdit.Text(SpecOrNull?["sessionAffinity"]) ?? "None";
        set
        {
            JsonEdit.SetDefaulted(Spec, "sessionAffinity", value, "None");
            if (value != "ClientIP")
            {
                Spec.Remove("sessionAffinityConfig");
            }
        }
    }

    public int? SessionAffinityTimeout
    {
        get => JsonEdit.Int(SpecOrNull?["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"]);
        set
        {
            if (value is null)
            {
                Spec.Remove("sessionAffinityConfig");
                return;
            }

            JsonEdit.SetInt(JsonEdit.Obj(JsonEdit.Obj(Spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds", value);
        }
    }

    public IReadOnlyList<string> ExternalIps => JsonEdit.Strings(SpecOrNull?["externalIPs"]);

    public void SetExternalIps(IEnumerable<string> values)
    {
        JsonEdit.SetStrings(Spec, "externalIPs", values);
        if (!IsExternallyAccessible)
        {
            Spec.Remove("externalTrafficPolicy");
        }
    }

    /// <summary>spec.ipFamilyPolicy as the API server defaults it: SingleStack unless written.</summary>
    public string IpFamilyPolicy => JsonEdit.Text(SpecOrNull?["ipFamilyPolicy"]) ?? IpFamilyPolicies.SingleStack;

    /// <summary>The primary family as written (spec.ipFamilies[0]); null leaves it to the cluster's first range.</summary>
    public string? PrimaryFamily => JsonEdit.Strings(SpecOrNull?["ipFamilies"]) is [var first, ..] ? first : null;

    /// <summary>
    /// Sets the policy, written out even when it is SingleStack: leaving it out of an update keeps the old policy, so a
    /// dual-stack Service is only released to one family by saying so. Written families follow: one for SingleStack,
    /// both (primary first) for the dual-stack policies on a cluster that has both ranges.
    /// </summary>
    public void SetIpFamilyPolicy(string policy, bool clusterDualStack)
    {
        Spec["ipFamilyPolicy"] = policy;
        if (PrimaryFamily is { } primary)
        {
            WriteFamilies(primary, policy, clusterDualStack);
        }
    }

    /// <summary>Writes spec.ipFamilies for <paramref name="family"/> first; null removes it (the cluster's primary family).</summary>
    public void SetPrimaryFamily(string? family, bool clusterDualStack)
    {
        if (family is null)
        {
            Spec.Remove("ipFamilies");
            return;
        }

        WriteFamilies(family, IpFamilyPolicy, clusterDualStack);
    }

    private void WriteFamilies(string primary, string policy, bool clusterDualStack)
    {
        JsonEdit.SetStrings(Spec, "ipFamilies", policy != IpFamilyPolicies.SingleStack && clusterDualStack ? [primary, ServiceFamilies.Other(primary)] : [primary]);
    }

    /// <summary>spec.trafficDistribution; null when unset (every ready endpoint, wherever it runs).</summary>
    public string? TrafficDistribution
    {
        get => JsonEdit.Text(SpecOrNull?["trafficDistribution"]);
        set => JsonEdit.SetText(Spec, "trafficDistribution", value);
    }

    /// <summary>spec.loadBalancerClass; null for the cluster's default load-balancer implementation.</summary>
    public string? LoadBalancerClass
    {
        get => JsonEdit.Text(SpecOrNull?["loadBalancerClass"]);
        set => JsonEdit.SetText(Spec, "loadBalancerClass", string.IsNullOrWhiteSpace(value) ? null : value.Trim());
    }

    public bool PublishNotReadyAddresses
    {
        get => JsonEdit.Bool(SpecOrNull?["publishNotReadyAddresses"]) ?? false;
        set
        {
            if (value)
            {
                Spec["publishNotReadyAddresses"] = true;
            }
            else
            {
                Spec.Remove("publishNotReadyAddresses");
            }
        }
    }

    public IReadOnlyList<string> LoadBalancerSourceRanges => JsonEdit.Strings(SpecOrNull?["loadBalancerSourceRanges"]);

    public void SetLoadBalancerSourceRanges(IEnumerable<string> values) => JsonEdit.SetStrings(Spec, "loadBalancerSourceRanges", values);

    public bool AllocateLoadBalancerNodePorts
    {
        get => JsonEdit.Bool(SpecOrNull?["allocateLoadBalancerNodePorts"]) ?? true;
        set
        {
            if (value && Spec["allocateLoadBalancerNodePorts"] is null)
            {
                return;
            }

            Spec["allocateLoadBalancerNodePorts"] = value;
        }
    }

    public JsonObject SpecForSelector => Spec;

    public bool ShowsExternalName => IsExternalName || ExternalName is not null;

    public bool ShowsPorts => !IsExternalName || Ports.Count > 0;

    public bool ShowsSelector => !IsExternalName || SpecOrNull?["selector"] is not null;

    public bool ShowsExternalTrafficPolicy => IsExternallyAccessible || SpecOrNull?["externalTrafficPolicy"] is not null;

    public bool ShowsTrafficOptions => !IsExternalName || SpecOrNull?["internalTrafficPolicy"] is not null || SpecOrNull?["sessionAffinity"] is not null;

    /// <summary>Address families, topology and unready endpoints: every type but ExternalName, which has no addresses.</summary>
    public bool ShowsAddressOptions => !IsExternalName || SpecOrNull?["ipFamilyPolicy"] is not null || SpecOrNull?["trafficDistribution"] is not null;

    public bool ShowsExternalIps => !IsExternalName || ExternalIps.Count > 0;

    public bool ShowsLoadBalancerFields => Type == ServiceTypes.LoadBalancer || SpecOrNull?["loadBalancerSourceRanges"] is not null || SpecOrNull?["allocateLoadBalancerNodePorts"] is not null || SpecOrNull?["loadBalancerClass"] is not null;

    /// <summary>Whether a port row shows its nodePort: on types that have node ports, or when one is set anyway.</summary>
    public bool ShowsNodePort(ServicePortEditor port) => HasNodePorts || !port.NodePortAutomatic;

    /// <summary>The field paths this form shows, for placing findings at their field (the rest go to the findings list).</summary>
    public IEnumerable<string> VisibleFields()
    {
        yield return "metadata.name";
        yield return "metadata.namespace";
        yield return "spec.type";
        if (ShowsExternalName)
        {
            yield return "spec.externalName";
        }

        if (ShowsPorts)
        {
            yield return "spec.ports";
            foreach (var p in Ports)
            {
                yield return p.Path;
                yield return p.Path + ".name";
                yield return p.Path + ".protocol";
                yield return p.Path + ".port";
                yield return p.Path + ".targetPort";
                if (ShowsNodePort(p))
                {
                    yield return p.Path + ".nodePort";
                }
            }
        }

        if (ShowsSelector)
        {
            yield return "spec.selector";
        }

        if (ShowsExternalTrafficPolicy)
        {
            yield return "spec.externalTrafficPolicy";
        }

        if (ShowsAddressOptions)
        {
            yield return "spec.ipFamilyPolicy";
            yield return "spec.ipFamilies";
            yield return "spec.trafficDistribution";
            yield return "spec.publishNotReadyAddresses";
        }

        if (ShowsTrafficOptions)
        {
            yield return "spec.internalTrafficPolicy";
            yield return "spec.sessionAffinity";
            if (SessionAffinity == "ClientIP")
            {
                yield return "spec.sessionAffinityConfig.clientIP.timeoutSeconds";
            }
        }

        if (ShowsExternalIps)
        {
            yield return "spec.externalIPs";
        }

        if (ShowsLoadBalancerFields)
        {
            yield return "spec.loadBalancerSourceRanges";
            yield return "spec.allocateLoadBalancerNodePorts";
            yield return "spec.loadBalancerClass";
        }
    }
}
