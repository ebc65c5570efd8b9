using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Loading;

/// <summary>A field PortMapper could not read as written: the object keeps going, this says what was dropped.</summary>
public sealed record LoadIssue(ObjectRef? Object, string Field, string Message, SourceLocation? Source)
{
    public override string ToString()
    {
        var where = Source is null ? "" : $"{Source}: ";
        var what = Object is null ? "" : $"{Object}: ";
        return $"{where}{what}{Field}: {Message}";
    }

    /// <summary>
    /// The issue as finding PM105, to hand to <see cref="ClusterAnalyzer"/> as a static diagnostic. An error: the API
    /// server refuses the whole object, while PortMapper analyses it without the field.
    /// </summary>
    public Diagnostic ToDiagnostic()
    {
        var obj = Object ?? new ObjectRef("Object", "", "(unnamed)");
        var where = Source is null ? "" : $" in {Source}";
        return new Diagnostic
        {
            Code = Codes.UnreadableField,
            Severity = Severity.Error,
            Object = obj,
            Field = Field,
            Message = $"{Field} of {obj}{where} cannot be read: {Message}. The API server refuses the object as written; PortMapper analyses it without this field.",
            Fix = "Write the field with the type the Kubernetes API expects: numbers without quotes (port: 80), names as strings, labels and selectors as maps of strings.",
        };
    }
}

/// <summary>
/// Maps one Kubernetes object (as a JSON tree from YAML, JSON or the API) onto the model. Values are kept as
/// written wherever the model can hold them, so that diagnostics can explain what the API server would refuse;
/// a value of the wrong JSON type is dropped and reported.
/// </summary>
public sealed partial class ModelReader
{
    private readonly List<LoadIssue> _issues;
    private ObjectRef? _current;
    private SourceLocation? _source;

    public ModelReader(List<LoadIssue> issues) => _issues = issues;

    /// <summary>The kinds <see cref="Read"/> understands, by apiVersion group and kind.</summary>
    public static bool IsModelled(string kind) =>
        kind is "Namespace" or "Node" or "Pod" or "Service" or "EndpointSlice" or "Ingress" or "IngressClass" or "NetworkPolicy"
        || Workload.Kinds.Contains(kind);

    /// <summary>Returns the object, or null when the kind is not modelled. <paramref name="source"/> marks where it was read.</summary>
    public IKubeObject? Read(JsonObject obj, SourceLocation? source = null)
    {
        // Until the name is known, issues belong to an unnamed object of this kind, never to the previous object.
        _source = source;
        _current = null;
        var kind = Str(obj, "kind", "kind") ?? "";
        _current = new ObjectRef(kind, "", "(unnamed)");
        var meta = ReadMeta(obj, kind);
        return kind switch
        {
            "Namespace" => new Namespace(meta with { Namespace = "" }),
            "Node" => ReadNode(obj, meta with { Namespace = "" }),
            "Pod" => ReadPod(obj, meta),
            "Service" => ReadService(obj, meta),
            "EndpointSlice" => ReadSlice(obj, meta),
            "Ingress" => ReadIngress(obj, meta),
            "IngressClass" => ReadIngressClass(obj, meta with { Namespace = "" }),
            _ when Workload.Kinds.Contains(kind) => ReadWorkload(obj, kind, meta),
            _ when IsPolicyKind(kind) => ReadPolicy(obj, kind, meta),
            _ when GatewayApi.IsModelled(kind) => ReadGatewayApi(obj, kind, meta),
            "ConfigMap" when KubeProxyConfig.IsKubeProxyConfigMap(meta.Namespace, meta.Name) => ReadKubeProxyConfig(obj, meta),
            "ServiceCIDR" => new ServiceCidr(meta with { Namespace = "" }) { Cidrs = StrArr(Obj(obj, "spec", "spec"), "cidrs", "spec.cidrs") },
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="obj"/> is one of kube-proxy's ConfigMaps, the only ConfigMaps PortMapper reads.</summary>
    public static bool IsKubeProxyConfig(JsonObject obj) =>
        obj["kind"] is JsonValue k && k.GetValueKind() == System.Text.Json.JsonValueKind.String && k.GetValue<string>() == "ConfigMap"
        && obj["metadata"] is JsonObject m
        && KubeProxyConfig.IsKubeProxyConfigMap(m["namespace"] is JsonValue ns && ns.GetValueKind() == System.Text.Json.JsonValueKind.String ? ns.GetValue<string>() : null,
            m["name"] is JsonValue n && n.GetValueKind() == System.Text.Json.JsonValueKind.String ? n.GetValue<string>() : null);

    /// <summary>The KubeProxyConfiguration in the ConfigMap's data: its <c>mode</c> and <c>clusterCIDR</c>.</summary>
    private KubeProxyConfig ReadKubeProxyConfig(JsonObject obj, ObjectMeta meta)
    {
        var data = Obj(obj, "data", "data");
        foreach (var key in KubeProxyConfig.Keys)
        {
            if (Str(data, key, $"data.{key}") is not { } text)
            {
                continue;
            }

            JsonObject? config;
            try
            {
                config = YamlToJson.Parse(text, $"ConfigMap {meta.Namespace}/{meta.Name} data.{key}").FirstOrDefault()?.Root as JsonObject;
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or FormatException or InvalidOperationException)
            {
                return new KubeProxyConfig(meta) { DataKey = key, Problem = $"data.{key} is not valid YAML ({e.Message})" };
            }

            return new KubeProxyConfig(meta)
            {
                DataKey = key,
                Mode = config?["mode"] is JsonValue mode && mode.GetValueKind() == System.Text.Json.JsonValueKind.String ? mode.GetValue<string>() : "",
                ClusterCidr = config?["clusterCIDR"] is JsonValue cidr && cidr.GetValueKind() == System.Text.Json.JsonValueKind.String && cidr.GetValue<string>() is { Length: > 0 } c ? c : null,
            };
        }

        return new KubeProxyConfig(meta) { Problem = $"it has no data key {string.Join(" or ", KubeProxyConfig.Keys)}" };
    }

    private static bool IsClusterScoped(string kind) => kind is "Namespace" or "Node" or "IngressClass" or "ClusterNetworkPolicy" or "GatewayClass";

    private ObjectMeta ReadMeta(JsonObject obj, string kind)
    {
        var m = Obj(obj, "metadata", "metadata");
        var name = Str(m, "name", "metadata.name") ?? Str(m, "generateName", "metadata.generateName") ?? "";
        // kubectl puts an object without a namespace into the context's namespace; "default" stands for it.
        var ns = Str(m, "namespace", "metadata.namespace") is { Length: > 0 } n ? n : IsClusterScoped(kind) ? "" : "default";
        _current = new ObjectRef(kind, ns, name);
        if (name.Length == 0)
        {
            _issues.Add(new LoadIssue(new ObjectRef(kind, "", "(unnamed)"), "metadata.name", "Required value", _source));
        }

        return new ObjectMeta
        {
            Name = name,
            Namespace = ns,
            Labels = StrMap(m, "labels", "metadata.labels"),
            Annotations = StrMap(m, "annotations", "metadata.annotations"),
            Uid = Str(m, "uid", "metadata.uid"),
            ResourceVersion = Str(m, "resourceVersion", "metadata.resourceVersion"),
            CreationTimestamp = Str(m, "creationTimestamp", "metadata.creationTimestamp"),
            OwnerReferences = Arr(m, "ownerReferences", "metadata.ownerReferences")
                .Select((o, i) => new OwnerReference(
                    Str(o, "kind", $"metadata.ownerReferences[{i}].kind") ?? "",
                    Str(o, "name", $"metadata.ownerReferences[{i}].name") ?? "",
                    Str(o, "uid", $"metadata.ownerReferences[{i}].uid"),
                    Bool(o, "controller", $"metadata.ownerReferences[{i}].controller") ?? false))
                .ToImmutableArray(),
            Source = _source,
        };
    }

    private Node ReadNode(JsonObject obj, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        var status = Obj(obj, "status", "status");
        var conditions = Arr(status, "conditions", "status.conditions");
        var ready = conditions.FirstOrDefault(c => Str(c, "type", "status.conditions.type") == "Ready");
        return new Node(meta)
        {
            Addresses = Arr(status, "addresses", "status.addresses")
                .Select((a, i) => new NodeAddress(Str(a, "type", $"status.addresses[{i}].type") ?? "", Str(a, "address", $"status.addresses[{i}].address") ?? ""))
                .Where(a => a.Address.Length > 0)
                .ToImmutableArray(),
            Ready = ready is null || Str(ready, "status", "status.conditions.status") == "True",
            Unschedulable = Bool(spec, "unschedulable", "spec.unschedulable") ?? false,
            PodCidr = Str(spec, "podCIDR", "spec.podCIDR"),
            PodCidrs = StrArr(spec, "podCIDRs", "spec.podCIDRs"),
        };
    }

    private PodSpecPorts ReadPodSpec(JsonObject? spec, string path)
    {
        var containers = Arr(spec, "containers", $"{path}.containers")
            .Select((c, i) => ReadContainer(c, $"{path}.containers[{i}]", false))
            .ToList();
        var inits = Arr(spec, "initContainers", $"{path}.initContainers");
        for (var i = 0; i < inits.Count; i++)
        {
            if (Str(inits[i], "restartPolicy", $"{path}.initContainers[{i}].restartPolicy") == "Always")
            {
                containers.Add(ReadContainer(inits[i], $"{path}.initContainers[{i}]", true));
            }
        }

        return new PodSpecPorts
        {
            HostNetwork = Bool(spec, "hostNetwork", $"{path}.hostNetwork") ?? false,
            Containers = [.. containers],
            NodeName = Str(spec, "nodeName", $"{path}.nodeName"),
            NodeSelector = StrMap(spec, "nodeSelector", $"{path}.nodeSelector"),
        };
    }

    private Container ReadContainer(JsonObject c, string path, bool restartableInit) => new()
    {
        Name = Str(c, "name", $"{path}.name") ?? "",
        IsRestartableInit = restartableInit,
        CommandLine = [.. Strings(c, "command"), .. Strings(c, "args")],
        Ports = Arr(c, "ports", $"{path}.ports").Select((p, j) => new ContainerPort
        {
            Name = Str(p, "name", $"{path}.ports[{j}].name"),
            Number = Int(p, "containerPort", $"{path}.ports[{j}].containerPort") ?? 0,
            HostPort = Int(p, "hostPort", $"{path}.ports[{j}].hostPort") ?? 0,
            HostIp = Str(p, "hostIP", $"{path}.ports[{j}].hostIP"),
            Protocol = Str(p, "protocol", $"{path}.ports[{j}].protocol") ?? Protocols.Tcp,
        }).ToImmutableArray(),
    };

    private Pod ReadPod(JsonObject obj, ObjectMeta meta)
    {
        var status = Obj(obj, "status", "status");
        var podIps = Arr(status, "podIPs", "status.podIPs").Select((p, i) => Str(p, "ip", $"status.podIPs[{i}].ip")).OfType<string>().ToImmutableArray();
        var podIp = Str(status, "podIP", "status.podIP");
        if (podIps.IsEmpty && podIp is not null)
        {
            podIps = [podIp];
        }

        var conditions = Arr(status, "conditions", "status.conditions");
        var ready = conditions.FirstOrDefault(c => Str(c, "type", "status.conditions.type") == "Ready");
        var scheduled = conditions.FirstOrDefault(c => Str(c, "type", "status.conditions.type") == "PodScheduled");
        return new Pod(meta)
        {
            UnschedulableMessage = scheduled is not null && Str(scheduled, "status", "status.conditions.status") == "False"
                ? Str(scheduled, "message", "status.conditions.message") ?? "the pod could not be scheduled"
                : null,
            Spec = ReadPodSpec(Obj(obj, "spec", "spec"), "spec"),
            PodIps = podIps,
            HostIp = Str(status, "hostIP", "status.hostIP"),
            Phase = Str(status, "phase", "status.phase"),
            Ready = ready is null ? (status is null ? null : false) : Str(ready, "status", "status.conditions.status") == "True",
            Terminating = Obj(obj, "metadata", "metadata")?["deletionTimestamp"] is not null,
        };
    }

    private Workload ReadWorkload(JsonObject obj, string kind, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        var template = Obj(spec, "template", "spec.template");
        var selector = Obj(spec, "selector", "spec.selector");
        var templateLabels = StrMap(Obj(template, "metadata", "spec.template.metadata"), "labels", "spec.template.metadata.labels");
        var replicas = kind switch
        {
            "DaemonSet" => 1,
            "Job" => Int(spec, "parallelism", "spec.parallelism") ?? 1,
            _ => Int(spec, "replicas", "spec.replicas") ?? 1,
        };
        return new Workload(kind, meta)
        {
            Replicas = replicas,
            Selector = selector is null ? new LabelSelector(templateLabels, []) : ReadSelector(selector, "spec.selector"),
            TemplateLabels = templateLabels,
            Template = ReadPodSpec(Obj(template, "spec", "spec.template.spec"), "spec.template.spec"),
        };
    }

    private LabelSelector ReadSelector(JsonObject selector, string path) => new(
        StrMap(selector, "matchLabels", $"{path}.matchLabels"),
        Arr(selector, "matchExpressions", $"{path}.matchExpressions").Select((e, i) => new LabelSelectorRequirement(
            Str(e, "key", $"{path}.matchExpressions[{i}].key") ?? "",
            Str(e, "operator", $"{path}.matchExpressions[{i}].operator") ?? "",
            StrArr(e, "values", $"{path}.matchExpressions[{i}].values"))).ToImmutableArray());

    private Service ReadService(JsonObject obj, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        var status = Obj(obj, "status", "status");
        var clusterIps = StrArr(spec, "clusterIPs", "spec.clusterIPs");
        var clusterIp = Str(spec, "clusterIP", "spec.clusterIP");
        if (clusterIps.IsEmpty && !string.IsNullOrEmpty(clusterIp))
        {
            clusterIps = [clusterIp];
        }

        var selectorNode = spec?["selector"];
        return new Service(meta)
        {
            Type = Str(spec, "type", "spec.type") ?? ServiceTypes.ClusterIp,
            ClusterIps = clusterIps,
            Ports = Arr(spec, "ports", "spec.ports").Select((p, i) => new ServicePort
            {
                Name = Str(p, "name", $"spec.ports[{i}].name"),
                Protocol = Str(p, "protocol", $"spec.ports[{i}].protocol") ?? Protocols.Tcp,
                Port = Int(p, "port", $"spec.ports[{i}].port") ?? 0,
                TargetPort = IntOrStr(p, "targetPort", $"spec.ports[{i}].targetPort"),
                NodePort = Int(p, "nodePort", $"spec.ports[{i}].nodePort") is { } np and not 0 ? np : null,
                AppProtocol = Str(p, "appProtocol", $"spec.ports[{i}].appProtocol"),
            }).ToImmutableArray(),
            Selector = selectorNode is null ? null : StrMap(spec, "selector", "spec.selector"),
            ExternalIps = StrArr(spec, "externalIPs", "spec.externalIPs"),
            ExternalName = Str(spec, "externalName", "spec.externalName"),
            ExternalTrafficPolicy = Str(spec, "externalTrafficPolicy", "spec.externalTrafficPolicy"),
            InternalTrafficPolicy = Str(spec, "internalTrafficPolicy", "spec.internalTrafficPolicy"),
            SessionAffinity = Str(spec, "sessionAffinity", "spec.sessionAffinity"),
            SessionAffinityTimeoutSeconds = Int(Obj(Obj(spec, "sessionAffinityConfig", "spec.sessionAffinityConfig"), "clientIP", "spec.sessionAffinityConfig.clientIP"), "timeoutSeconds", "spec.sessionAffinityConfig.clientIP.timeoutSeconds"),
            AllocateLoadBalancerNodePorts = Bool(spec, "allocateLoadBalancerNodePorts", "spec.allocateLoadBalancerNodePorts"),
            LoadBalancerSourceRanges = StrArr(spec, "loadBalancerSourceRanges", "spec.loadBalancerSourceRanges"),
            HealthCheckNodePort = Int(spec, "healthCheckNodePort", "spec.healthCheckNodePort"),
            PublishNotReadyAddresses = Bool(spec, "publishNotReadyAddresses", "spec.publishNotReadyAddresses") ?? false,
            LoadBalancerStatus = ReadLbStatus(status),
            IpFamilies = StrArr(spec, "ipFamilies", "spec.ipFamilies"),
            IpFamilyPolicy = Str(spec, "ipFamilyPolicy", "spec.ipFamilyPolicy"),
            TrafficDistribution = Str(spec, "trafficDistribution", "spec.trafficDistribution"),
            LoadBalancerClass = Str(spec, "loadBalancerClass", "spec.loadBalancerClass"),
        };
    }

    private ImmutableArray<LoadBalancerIngress> ReadLbStatus(JsonObject? status) =>
        Arr(Obj(status, "loadBalancer", "status.loadBalancer"), "ingress", "status.loadBalancer.ingress")
            .Select((x, i) => new LoadBalancerIngress(Str(x, "ip", $"status.loadBalancer.ingress[{i}].ip"), Str(x, "hostname", $"status.loadBalancer.ingress[{i}].hostname")))
            .Where(x => x.Address.Length > 0)
            .ToImmutableArray();

    private EndpointSlice ReadSlice(JsonObject obj, ObjectMeta meta) => new(meta)
    {
        AddressType = Str(obj, "addressType", "addressType") ?? "IPv4",
        Ports = Arr(obj, "ports", "ports").Select((p, i) => new EndpointSlicePort(
            Str(p, "name", $"ports[{i}].name"), Str(p, "protocol", $"ports[{i}].protocol"), Int(p, "port", $"ports[{i}].port"), Str(p, "appProtocol", $"ports[{i}].appProtocol"))).ToImmutableArray(),
        Endpoints = Arr(obj, "endpoints", "endpoints").Select((e, i) =>
        {
            var c = Obj(e, "conditions", $"endpoints[{i}].conditions");
            var t = Obj(e, "targetRef", $"endpoints[{i}].targetRef");
            var hints = Obj(e, "hints", $"endpoints[{i}].hints");
            return new Endpoint
            {
                Addresses = StrArr(e, "addresses", $"endpoints[{i}].addresses"),
                ForZones = Arr(hints, "forZones", $"endpoints[{i}].hints.forZones").Select((z, j) => Str(z, "name", $"endpoints[{i}].hints.forZones[{j}].name") ?? "").Where(z => z.Length > 0).ToImmutableArray(),
                ForNodes = Arr(hints, "forNodes", $"endpoints[{i}].hints.forNodes").Select((z, j) => Str(z, "name", $"endpoints[{i}].hints.forNodes[{j}].name") ?? "").Where(z => z.Length > 0).ToImmutableArray(),
                Conditions = new EndpointConditions(Bool(c, "ready", $"endpoints[{i}].conditions.ready"), Bool(c, "serving", $"endpoints[{i}].conditions.serving"), Bool(c, "terminating", $"endpoints[{i}].conditions.terminating")),
                NodeName = Str(e, "nodeName", $"endpoints[{i}].nodeName"),
                Zone = Str(e, "zone", $"endpoints[{i}].zone"),
                TargetRef = t is null ? null : new ObjectRef(Str(t, "kind", $"endpoints[{i}].targetRef.kind") ?? "", Str(t, "namespace", $"endpoints[{i}].targetRef.namespace") ?? meta.Namespace, Str(t, "name", $"endpoints[{i}].targetRef.name") ?? ""),
            };
        }).ToImmutableArray(),
    };

    private Ingress ReadIngress(JsonObject obj, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        var defaultBackend = Obj(spec, "defaultBackend", "spec.defaultBackend");
        return new Ingress(meta)
        {
            IngressClassName = Str(spec, "ingressClassName", "spec.ingressClassName") ?? meta.Annotations.GetValueOrDefault("kubernetes.io/ingress.class"),
            DefaultBackend = defaultBackend is null ? null : ReadBackend(defaultBackend, "spec.defaultBackend", meta.Namespace),
            Rules = Arr(spec, "rules", "spec.rules").Select((r, i) => new IngressRule(
                Str(r, "host", $"spec.rules[{i}].host"),
                Arr(Obj(r, "http", $"spec.rules[{i}].http"), "paths", $"spec.rules[{i}].http.paths").Select((p, j) => new IngressPath(
                    Str(p, "path", $"spec.rules[{i}].http.paths[{j}].path"),
                    Str(p, "pathType", $"spec.rules[{i}].http.paths[{j}].pathType"),
                    ReadBackend(Obj(p, "backend", $"spec.rules[{i}].http.paths[{j}].backend"), $"spec.rules[{i}].http.paths[{j}].backend", meta.Namespace))).ToImmutableArray())).ToImmutableArray(),
            Tls = Arr(spec, "tls", "spec.tls").Select((t, i) => new IngressTls(StrArr(t, "hosts", $"spec.tls[{i}].hosts"), Str(t, "secretName", $"spec.tls[{i}].secretName"))).ToImmutableArray(),
            LoadBalancerStatus = ReadLbStatus(Obj(obj, "status", "status")),
        };
    }

    private IngressBackend ReadBackend(JsonObject? backend, string path, string ns)
    {
        var service = Obj(backend, "service", $"{path}.service");
        var resource = Obj(backend, "resource", $"{path}.resource");
        var port = Obj(service, "port", $"{path}.service.port");
        IntOrName? portRef = null;
        if (Str(port, "name", $"{path}.service.port.name") is { } name)
        {
            portRef = IntOrName.FromName(name);
        }
        else if (Int(port, "number", $"{path}.service.port.number") is { } number)
        {
            portRef = IntOrName.FromNumber(number);
        }

        return new IngressBackend(
            service is null ? null : new IngressServiceBackend(Str(service, "name", $"{path}.service.name") ?? "", portRef),
            resource is null ? null : new ObjectRef(Str(resource, "kind", $"{path}.resource.kind") ?? "", ns, Str(resource, "name", $"{path}.resource.name") ?? ""));
    }

    private IngressClass ReadIngressClass(JsonObject obj, ObjectMeta meta) => new(meta)
    {
        Controller = Str(Obj(obj, "spec", "spec"), "controller", "spec.controller"),
    };

    private void Issue(string field, string message) => _issues.Add(new LoadIssue(_current, field, message, _source));

    private static string Describe(JsonNode n) => n.GetValueKind() switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string {n.ToJsonString()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {n.ToJsonString()}",
        _ => n.ToJsonString(),
    };

    private JsonObject? Obj(JsonObject? parent, string key, string path)
    {
        var n = parent?[key];
        if (n is null or JsonObject)
        {
            return (JsonObject?)n;
        }

        Issue(path, $"expected an object, found {Describe(n)}");
        return null;
    }

    private List<JsonObject> Arr(JsonObject? parent, string key, string path)
    {
        var n = parent?[key];
        if (n is null)
        {
            return [];
        }

        if (n is not JsonArray a)
        {
            Issue(path, $"expected a list, found {Describe(n)}");
            return [];
        }

        var result = new List<JsonObject>(a.Count);
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is JsonObject o)
            {
                result.Add(o);
            }
            else
            {
                Issue($"{path}[{i}]", a[i] is null ? "expected an object, found null" : $"expected an object, found {Describe(a[i]!)}");
            }
        }

        return result;
    }

    /// <summary>A list of strings; other items are skipped (nothing PortMapper reads from a command line is a number).</summary>
    private static IEnumerable<string> Strings(JsonObject? parent, string key) =>
        parent?[key] is JsonArray a
            ? a.OfType<JsonValue>().Where(v => v.GetValueKind() == System.Text.Json.JsonValueKind.String).Select(v => v.GetValue<string>())
            : [];

    private string? Str(JsonObject? parent, string key, string path)
    {
        var n = parent?[key];
        if (n is null)
        {
            return null;
        }

        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }

        Issue(path, $"expected a string, found {Describe(n)}");
        return null;
    }

    private int? Int(JsonObject? parent, string key, string path)
    {
        var n = parent?[key];
        if (n is null)
        {
            return null;
        }

        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            if (JsonNumbers.TryGetInteger(v, out var l))
            {
                if (l is >= int.MinValue and <= int.MaxValue)
                {
                    return (int)l;
                }

                Issue(path, $"Invalid value: {l}: does not fit in a 32-bit integer");
                return null;
            }
        }

        Issue(path, $"expected an integer, found {Describe(n)}");
        return null;
    }

    private bool? Bool(JsonObject? parent, string key, string path)
    {
        var n = parent?[key];
        if (n is null)
        {
            return null;
        }

        if (n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return v.GetValue<bool>();
        }

        Issue(path, $"expected a boolean, found {Describe(n)}");
        return null;
    }

    private IntOrName? IntOrStr(JsonObject? parent, string key, string path)
    {
        var n = parent?[key];
        if (n is null)
        {
            return null;
        }

        if (n is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.String:
                    var s = v.GetValue<string>();
                    // The API server decodes a numeric string into an IntOrString of type String; kube-proxy and the
                    // EndpointSlice controller then look it up as a port name. Keep it as written.
                    return IntOrName.FromName(s);
                case JsonValueKind.Number when JsonNumbers.TryGetInteger(v, out var i) && i is >= int.MinValue and <= int.MaxValue:
                    return IntOrName.FromNumber((int)i);
            }
        }

        Issue(path, $"expected a port number or name, found {Describe(n)}");
        return null;
    }

    private ImmutableDictionary<string, string> StrMap(JsonObject? parent, string key, string path)
    {
        var n = parent?[key];
        if (n is null)
        {
            return ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer);
        }

        if (n is not JsonObject o)
        {
            Issue(path, $"expected a map of strings, found {Describe(n)}");
            return ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer);
        }

        var b = ImmutableDictionary.CreateBuilder<string, string>(KubeNames.Comparer);
        foreach (var (k, v) in o)
        {
            if (v is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                b[k] = value.GetValue<string>();
            }
            else
            {
                Issue($"{path}.{k}", v is null ? "expected a string, found null" : $"expected a string, found {Describe(v)}");
            }
        }

        return b.ToImmutable();
    }

    private ImmutableArray<string> StrArr(JsonObject? parent, string key, string path)
    {
        var n = parent?[key];
        if (n is null)
        {
            return [];
        }

        if (n is not JsonArray a)
        {
            Issue(path, $"expected a list of strings, found {Describe(n)}");
            return [];
        }

        var b = ImmutableArray.CreateBuilder<string>(a.Count);
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                b.Add(v.GetValue<string>());
            }
            else
            {
                Issue($"{path}[{i}]", a[i] is null ? "expected a string, found null" : $"expected a string, found {Describe(a[i]!)}");
            }
        }

        return b.ToImmutable();
    }
}
