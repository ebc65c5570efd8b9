using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Core.Demo;

/// <summary>The demo's control plane: allocators, workload controllers, scheduler, kubelet, EndpointSlice controller.</summary>
public sealed partial class DemoCluster
{
    private const string ManagedBy = "endpointslice.kubernetes.io/managed-by";
    private const string DemoController = "endpointslice-controller.k8s.io";
    private const string LbPool = "203.0.113.";
    private const string IngressAddress = "203.0.113.2";

    /// <summary>The demo's Gateway API implementation: the controllerName of its GatewayClass, and the address it gives its Gateways.</summary>
    public const string GatewayController = "portmapper.dev/demo-gateway";
    private const string GatewayAddress = "203.0.113.3";

    // The Kubernetes name-suffix alphabet: no vowels, no look-alikes.
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>Fills in clusterIPs, nodePorts and load-balancer status as the API server and a cloud controller would.</summary>
    private ImmutableArray<FieldError> Allocate(JsonObject raw, Stored? existing, bool validateExplicit)
    {
        var reference = RefOf(raw);
        var spec = raw["spec"] as JsonObject ?? new JsonObject();
        raw["spec"] = spec;
        var type = Str(spec["type"]) ?? ServiceTypes.ClusterIp;
        if (type == ServiceTypes.ExternalName)
        {
            return [];
        }

        var errors = ImmutableArray.CreateBuilder<FieldError>();
        var others = OfKind("Service").Where(o => o.Model.Ref() != reference).Select(o => (Service)o.Model).ToList();
        var designed = new ModelReader([]).Read(raw) as Service;
        var old = existing?.Model as Service;
        if (designed is not null && validateExplicit && ServiceUpdateChecks.LoadBalancerClassChange(designed, old) is { } changed)
        {
            return [new FieldError(changed.Field, "FieldValueInvalid", changed.Detail)];
        }

        if (designed is not null && ServiceFamilies.Resolve(designed, old, ClusterServiceFamilies.DualStackIpv4First) is { } families)
        {
            if (validateExplicit && families.HasErrors)
            {
                // The API server allocates nothing for a Service it refuses.
                return [.. families.Findings.Where(f => f.Severity == ValidationSeverity.Error).Select(f => new FieldError(f.Field, "FieldValueInvalid", f.Detail))];
            }

            var used = others.SelectMany(s => s.ClusterIps).ToHashSet(StringComparer.Ordinal);
            var ips = new JsonArray([.. families.ClusterIps.Select(ip => (JsonNode)JsonValue.Create(ip)!)]);
            foreach (var family in families.ToAllocate)
            {
                ips.Add(family == IpFamily.V6
                    ? Enumerable.Range(16, 65000).Select(n => ServiceCidr6Prefix + n.ToString("x", CultureInfo.InvariantCulture)).First(a => !used.Contains(a))
                    : Enumerable.Range(10, 65000).Select(n => $"{ServiceCidrPrefix}{n / 250}.{(n % 250) + 1}").First(a => !used.Contains(a)));
            }

            if (ips.Count > 0)
            {
                spec["clusterIP"] = ips[0]!.DeepClone();
                spec["clusterIPs"] = ips;
            }

            // The API server always writes both; the demo only where they say something (a choice, or two families), so its YAML stays short.
            if (spec["ipFamilyPolicy"] is not null || spec["ipFamilies"] is not null || families.Families.Length > 1)
            {
                spec["ipFamilies"] = new JsonArray([.. families.Families.Select(f => (JsonNode)JsonValue.Create(f)!)]);
                spec["ipFamilyPolicy"] = families.Policy;
            }
        }

        var wantsNodePorts = type == ServiceTypes.NodePort || (type == ServiceTypes.LoadBalancer && spec["allocateLoadBalancerNodePorts"]?.GetValueKind() != JsonValueKind.False);
        var range = _options.NodePortRange;
        // The allocator hands out port numbers, whatever the protocol: another Service's UDP 30080 makes TCP 30080
        // unavailable too. Within one Service, a TCP and a UDP port may share a number.
        var taken = others.Where(s => s.HasNodePorts).SelectMany(s => s.Ports).Where(p => p.NodePort is not null).Select(p => p.NodePort!.Value).ToHashSet();
        var mine = new HashSet<(int Port, string Protocol)>();
        var ports = spec["ports"] as JsonArray ?? [];
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] is not JsonObject port)
            {
                continue;
            }

            var protocol = Str(port["protocol"]) ?? Protocols.Tcp;
            if (!wantsNodePorts)
            {
                port.Remove("nodePort");
                continue;
            }

            if (port["nodePort"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<int>() is var np and not 0)
            {
                if (validateExplicit && !range.Contains(np))
                {
                    errors.Add(new FieldError($"spec.ports[{i}].nodePort", "FieldValueInvalid", $"Invalid value: {Inv(np)}: provided port is not in the valid range. The range of valid ports is {range}"));
                }
                else if (validateExplicit && taken.Contains(np))
                {
                    errors.Add(new FieldError($"spec.ports[{i}].nodePort", "FieldValueInvalid", $"Invalid value: {Inv(np)}: provided port is already allocated"));
                }

                mine.Add((np, protocol));
                continue;
            }

            var previous = (existing?.Raw["spec"]?["ports"] as JsonArray)?.OfType<JsonObject>()
                .FirstOrDefault(p => p["port"]?.ToJsonString() == port["port"]?.ToJsonString() && (Str(p["protocol"]) ?? Protocols.Tcp) == protocol);
            if (previous?["nodePort"] is JsonValue pv && pv.GetValueKind() == JsonValueKind.Number)
            {
                port["nodePort"] = pv.GetValue<int>();
                mine.Add((pv.GetValue<int>(), protocol));
                continue;
            }

            // Like the API server since 1.27, allocate dynamically from the upper band first so that fixed
            // nodePorts chosen by people (usually low in the range) rarely collide.
            var size = range.Last - range.First + 1;
            var offset = Math.Min(Math.Max(16, size / 32), 128);
            var candidates = Enumerable.Range(range.First + offset, size - offset).Concat(Enumerable.Range(range.First, offset));
            var free = candidates.Where(c => !taken.Contains(c) && !mine.Any(m => m.Port == c)).Select(c => (int?)c).FirstOrDefault();
            if (free is null)
            {
                errors.Add(new FieldError($"spec.ports[{i}].nodePort", "FieldValueInvalid", "failed to allocate a nodePort: range is full"));
                continue;
            }

            port["nodePort"] = free.Value;
            mine.Add((free.Value, protocol));
        }

        var status = new JsonObject();
        // The demo's cloud controller is the default load-balancer implementation: like a real one it leaves Services
        // that name a loadBalancerClass to that class's controller (which the demo does not run).
        if (type == ServiceTypes.LoadBalancer && Str(spec["loadBalancerClass"]) is null)
        {
            var ingress = existing?.Raw["status"]?["loadBalancer"]?["ingress"]?.DeepClone()
                ?? new JsonArray(new JsonObject { ["ip"] = LbPool + Inv(10 + _lbCounter++), ["ipMode"] = "VIP" });
            status["loadBalancer"] = new JsonObject { ["ingress"] = ingress };
        }
        else
        {
            status["loadBalancer"] = new JsonObject();
        }

        raw["status"] = status;
        return errors.ToImmutable();
    }

    private readonly HashSet<string> _dirtyNamespaces = new(StringComparer.Ordinal);
    private bool _everythingDirty = true;

    /// <summary>Controllers revisit only the namespaces that changed since they last ran (every one after a node or class change).</summary>
    private void MarkDirty(IKubeObject o)
    {
        if (o.Metadata.Namespace.Length == 0)
        {
            _everythingDirty |= o.Kind != "Namespace";
        }
        else
        {
            _dirtyNamespaces.Add(o.Metadata.Namespace);
        }
    }

    private bool IsDirty(IKubeObject o) => _everythingDirty || _dirtyNamespaces.Contains(o.Metadata.Namespace);

    /// <summary>Brings derived objects in line with the declared ones, as the controllers of a real cluster would.</summary>
    private void Reconcile()
    {
        ReconcileWorkloads();
        ReconcilePods();
        ReconcileSlices();
        ReconcileIngresses();
        ReconcileGateways();
        _dirtyNamespaces.Clear();
        _everythingDirty = false;
    }

    /// <summary>A copy: controllers store and remove objects while they go through it.</summary>
    private List<Stored> OfKind(string kind) => _byKind.TryGetValue(kind, out var objects) ? [.. objects.Values] : [];

    private List<Stored> Workloads() => [.. Workload.Kinds.SelectMany(OfKind)];

    private void ReconcileWorkloads()
    {
        var nodes = OfKind("Node").Select(n => n.Model.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        var workloads = Workloads().Where(o => IsDirty(o.Model)).ToList();
        var owned = OfKind("Pod").Where(o => IsDirty(o.Model) && o.Model.Metadata.OwnerReferences.Any(r => r.Controller))
            .GroupBy(o => (o.Model.Metadata.Namespace, o.Model.Metadata.OwnerReferences.First(r => r.Controller).Kind, o.Model.Metadata.OwnerReferences.First(r => r.Controller).Name))
            .ToDictionary(g => g.Key, g => g.ToList());

        foreach (var w in workloads)
        {
            var wl = (Workload)w.Model;
            var template = w.Raw["spec"]?["template"] as JsonObject ?? new JsonObject();
            var hash = SafeHash(template.ToJsonString(), 10);
            var desired = wl.Kind switch
            {
                "StatefulSet" => Enumerable.Range(0, Math.Max(0, wl.Replicas)).Select(i => $"{wl.Metadata.Name}-{Inv(i)}").ToList(),
                "DaemonSet" => nodes.Select(n => $"{wl.Metadata.Name}-{SafeHash(n, 5)}").ToList(),
                "Deployment" => Enumerable.Range(0, Math.Max(0, wl.Replicas)).Select(i => $"{wl.Metadata.Name}-{hash}-{SafeHash($"{hash}/{Inv(i)}", 5)}").ToList(),
                _ => Enumerable.Range(0, Math.Max(0, wl.Replicas)).Select(i => $"{wl.Metadata.Name}-{SafeHash($"{hash}/{Inv(i)}", 5)}").ToList(),
            };
            var existing = owned.GetValueOrDefault((wl.Metadata.Namespace, wl.Kind, wl.Metadata.Name)) ?? [];
            foreach (var pod in existing)
            {
                var stale = pod.Model.Metadata.Labels.GetValueOrDefault("pod-template-hash") != hash;
                if (stale || !desired.Contains(pod.Model.Metadata.Name))
                {
                    Remove(pod.Model.Ref());
                }
            }

            for (var i = 0; i < desired.Count; i++)
            {
                var name = desired[i];
                if (_objects.ContainsKey(new ObjectRef("Pod", wl.Metadata.Namespace, name)))
                {
                    continue;
                }

                var labels = (template["metadata"]?["labels"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
                labels["pod-template-hash"] = hash;
                var spec = (template["spec"]?.DeepClone() as JsonObject) ?? new JsonObject();
                if (wl.Kind == "DaemonSet")
                {
                    spec["nodeName"] = nodes[i];
                }

                Store(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = name,
                        ["namespace"] = wl.Metadata.Namespace,
                        ["labels"] = labels,
                        ["ownerReferences"] = new JsonArray(new JsonObject
                        {
                            ["apiVersion"] = "apps/v1",
                            ["kind"] = wl.Kind,
                            ["name"] = wl.Metadata.Name,
                            ["uid"] = w.Raw["metadata"]?["uid"]?.DeepClone(),
                            ["controller"] = true,
                        }),
                    },
                    ["spec"] = spec,
                }, []);
            }
        }

        // Pods whose controller is gone are garbage-collected.
        var liveOwners = Workloads().Select(w => (w.Model.Metadata.Namespace, w.Model.Kind, w.Model.Metadata.Name)).ToHashSet();
        foreach (var (key, pods) in owned)
        {
            if (!liveOwners.Contains(key) && Workload.Kinds.Contains(key.Kind))
            {
                pods.ForEach(p => Remove(p.Model.Ref()));
            }
        }
    }

    private void ReconcilePods()
    {
        var nodes = OfKind("Node").Select(n => (Node)n.Model).OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).ToList();
        var pods = OfKind("Pod");
        var onNode = nodes.ToDictionary(n => n.Metadata.Name, _ => new List<Pod>(), StringComparer.Ordinal);
        foreach (var p in pods)
        {
            if (((Pod)p.Model).NodeName is { } n && onNode.TryGetValue(n, out var list))
            {
                list.Add((Pod)p.Model);
            }
        }

        var waiting = pods.Where(p => p.Model is Pod { Phase: not ("Succeeded" or "Failed") } pod && (pod.NodeName is null || pod.PodIp is null));
        foreach (var stored in waiting.OrderBy(p => long.Parse(Str(p.Raw["metadata"]?["resourceVersion"]) ?? "0", CultureInfo.InvariantCulture)))
        {
            var pod = (Pod)stored.Model;
            if (pod.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            var raw = stored.Raw;
            if (pod.NodeName is null)
            {
                var (node, reason) = Schedule(pod, nodes, onNode);
                var copy = (JsonObject)raw.DeepClone();
                if (node is null)
                {
                    if (pod.UnschedulableMessage == reason)
                    {
                        continue;
                    }

                    copy["status"] = new JsonObject { ["phase"] = "Pending" };
                    SetCondition(copy, "PodScheduled", false, reason);
                    Store(copy, []);
                    continue;
                }

                ((JsonObject)copy["spec"]!)["nodeName"] = node.Metadata.Name;
                copy.Remove("status");
                StartPod(copy, node, onNode);
                var started = (Pod)Store(copy, []).Model;
                onNode[node.Metadata.Name].Add(started);
                continue;
            }

            if (pod.PodIp is null && pod.Phase is null or "Pending" && onNode.TryGetValue(pod.NodeName, out _))
            {
                var node = nodes.First(n => n.Metadata.Name == pod.NodeName);
                var copy = (JsonObject)raw.DeepClone();
                StartPod(copy, node, onNode);
                Store(copy, []);
            }
        }
    }

    /// <summary>The scheduler's NodePorts, NodeUnschedulable and node-selector filters, then the least busy node.</summary>
    private static (Node? Node, string? Reason) Schedule(Pod pod, List<Node> nodes, Dictionary<string, List<Pod>> onNode)
    {
        var wanted = HostPorts(pod).ToList();
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        Node? best = null;
        foreach (var node in nodes)
        {
            string? reason = null;
            if (!node.Ready)
            {
                reason = "node(s) were not ready";
            }
            else if (node.Unschedulable)
            {
                reason = "node(s) were unschedulable";
            }
            else if (pod.Spec.NodeSelector.Any(kv => node.Metadata.Labels.GetValueOrDefault(kv.Key) != kv.Value))
            {
                reason = "node(s) didn't match Pod's node affinity/selector";
            }
            else if (wanted.Count > 0 && onNode[node.Metadata.Name].SelectMany(HostPorts).Any(used => wanted.Any(w => Clash(w, used))))
            {
                reason = "node(s) didn't have free ports for the requested pod ports";
            }

            if (reason is not null)
            {
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
            else if (best is null || onNode[node.Metadata.Name].Count < onNode[best.Metadata.Name].Count)
            {
                best = node;
            }
        }

        if (best is not null)
        {
            return (best, null);
        }

        var detail = string.Join(", ", reasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{Inv(r.Value)} {r.Key}"));
        return (null, nodes.Count == 0 ? "no nodes available to schedule pods" : $"0/{Inv(nodes.Count)} nodes are available: {detail}.");
    }

    private static IEnumerable<(int Port, string Protocol, string HostIp)> HostPorts(Pod pod) =>
        pod.Spec.AllPorts
            .Select(x => (Port: pod.HostNetwork ? x.Port.Number : x.Port.HostPort, x.Port.Protocol, HostIp: string.IsNullOrEmpty(x.Port.HostIp) ? "0.0.0.0" : x.Port.HostIp))
            .Where(x => x.Port > 0);

    private static bool Clash((int Port, string Protocol, string HostIp) a, (int Port, string Protocol, string HostIp) b) =>
        a.Port == b.Port && a.Protocol == b.Protocol && (a.HostIp == b.HostIp || a.HostIp == "0.0.0.0" || b.HostIp == "0.0.0.0");

    /// <summary>What the kubelet and the CNI plugin do: a pod IP from the node's CIDR (or the node's own for hostNetwork), Running and Ready.</summary>
    private static void StartPod(JsonObject raw, Node node, Dictionary<string, List<Pod>> onNode)
    {
        var nodeIp = node.PrimaryAddress ?? "";
        var nodeIp6 = node.Addresses.FirstOrDefault(a => a.Type == "InternalIP" && a.Address.Contains(':', StringComparison.Ordinal))?.Address;
        string ip;
        string? ip6 = null;
        if (raw["spec"]?["hostNetwork"]?.GetValueKind() == JsonValueKind.True)
        {
            ip = nodeIp;
            ip6 = nodeIp6;
        }
        else
        {
            var prefix = (node.PodCidr ?? "10.244.0.0/24").Split('/')[0];
            var stem = prefix[..(prefix.LastIndexOf('.') + 1)];
            var used = onNode.GetValueOrDefault(node.Metadata.Name)?.Select(p => p.PodIp).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];
            var n = Enumerable.Range(2, 252).FirstOrDefault(k => !used.Contains(stem + Inv(k)), 254);
            ip = stem + Inv(n);
            // The same host part in the node's IPv6 pod CIDR (fd00:10:244:1::/64 → fd00:10:244:1::5), as dual-stack IPAM hands out a pair.
            if (node.PodCidrs.FirstOrDefault(c => c.Contains(':', StringComparison.Ordinal)) is { } cidr6)
            {
                ip6 = cidr6.Split('/')[0] + n.ToString("x", CultureInfo.InvariantCulture);
            }
        }

        var podIps = new JsonArray(new JsonObject { ["ip"] = ip });
        var hostIps = new JsonArray(new JsonObject { ["ip"] = nodeIp });
        if (ip6 is not null)
        {
            podIps.Add(new JsonObject { ["ip"] = ip6 });
        }

        if (nodeIp6 is not null)
        {
            hostIps.Add(new JsonObject { ["ip"] = nodeIp6 });
        }

        raw["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["hostIP"] = nodeIp,
            ["hostIPs"] = hostIps,
            ["podIP"] = ip,
            ["podIPs"] = podIps,
        };
        SetCondition(raw, "PodScheduled", true, null);
        SetCondition(raw, "ContainersReady", true, null);
        SetCondition(raw, "Ready", true, null);
    }

    private static void SetCondition(JsonObject raw, string type, bool value, string? message)
    {
        var status = raw["status"] as JsonObject ?? new JsonObject();
        raw["status"] = status;
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => Str(c["type"]) == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }

        existing["status"] = value ? "True" : "False";
        if (message is null)
        {
            existing.Remove("message");
            existing.Remove("reason");
        }
        else
        {
            existing["reason"] = "Unschedulable";
            existing["message"] = message;
        }
    }

    /// <summary>The EndpointSlice controller: one slice per distinct set of resolved ports, as the real one groups them.</summary>
    private void ReconcileSlices()
    {
        if (_dirtyNamespaces.Count == 0 && !_everythingDirty)
        {
            return;
        }

        // Only the pods of the namespaces that changed can change a slice: index those, not the whole cluster.
        var index = _everythingDirty ? new ClusterIndex(_snapshot) : ClusterIndex.OfPods(_snapshot, OfKind("Pod").Where(p => IsDirty(p.Model)).Select(p => (Pod)p.Model));
        var zones = OfKind("Node").ToDictionary(n => n.Model.Metadata.Name, n => ((Node)n.Model).Zone, StringComparer.Ordinal);
        var desired = new Dictionary<ObjectRef, JsonObject>();
        foreach (var svc in OfKind("Service").Select(s => (Service)s.Model).Where(IsDirty))
        {
            if (svc.IsExternalName || svc.Selector is not { Count: > 0 } selector)
            {
                continue;
            }

            var selected = index.SelectPods(svc.Metadata.Namespace, selector).Where(p => p.PodIp is not null && p.Phase is not ("Succeeded" or "Failed")).ToList();
            var groups = selected.GroupBy(p => string.Join(",", svc.Ports.Select(sp => $"{sp.Name}/{sp.Protocol}/{UnitAnalysis.ResolveTargetPort(p, sp)?.ToString(CultureInfo.InvariantCulture) ?? "-"}")))
                .ToList();
            if (groups.Count == 0)
            {
                var placeholder = Slice(svc, $"{svc.Metadata.Name}-{SafeHash(svc.Metadata.Name, 5)}", new JsonArray(), new JsonArray(), svc.Families[0]);
                desired[RefOf(placeholder)] = placeholder;
                continue;
            }

            foreach (var group in groups)
            {
                var first = group.First();
                var ports = new JsonArray();
                foreach (var sp in svc.Ports)
                {
                    if (UnitAnalysis.ResolveTargetPort(first, sp) is { } number)
                    {
                        ports.Add(new JsonObject { ["name"] = sp.Name ?? "", ["protocol"] = sp.Protocol, ["port"] = number });
                    }
                }

                // One slice per address family the Service serves, each listing the pods' addresses of that family.
                foreach (var family in svc.Families)
                {
                    var endpoints = new JsonArray();
                    foreach (var pod in group)
                    {
                        if (pod.PodIps.FirstOrDefault(ip => Service.IpFamilyOf(ip) == family) is not { } address)
                        {
                            continue;
                        }

                        var ready = svc.PublishNotReadyAddresses || (pod.Ready ?? false);
                        var ep = new JsonObject
                        {
                            ["addresses"] = new JsonArray(address),
                            ["conditions"] = new JsonObject { ["ready"] = ready && !pod.Terminating, ["serving"] = ready, ["terminating"] = pod.Terminating },
                            ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = pod.Metadata.Namespace, ["name"] = pod.Metadata.Name, ["uid"] = pod.Metadata.Uid },
                        };
                        if (pod.NodeName is { } n)
                        {
                            ep["nodeName"] = n;
                            var zone = zones.GetValueOrDefault(n);
                            if (zone is not null)
                            {
                                ep["zone"] = zone;
                            }

                            // The trafficDistribution heuristics of the real controller: hint the endpoint's own zone (and node).
                            var (forZones, forNodes) = KubeProxy.Topology.HintsFor(svc.TrafficDistribution, zone, n);
                            if (forZones.Length + forNodes.Length > 0)
                            {
                                var hints = new JsonObject();
                                if (forZones.Length > 0)
                                {
                                    hints["forZones"] = new JsonArray([.. forZones.Select(z => (JsonNode)new JsonObject { ["name"] = z })]);
                                }

                                if (forNodes.Length > 0)
                                {
                                    hints["forNodes"] = new JsonArray([.. forNodes.Select(z => (JsonNode)new JsonObject { ["name"] = z })]);
                                }

                                ep["hints"] = hints;
                            }
                        }

                        endpoints.Add(ep);
                    }

                    var key = family == IpFamily.V4 ? group.Key : group.Key + "/" + family;
                    var slice = Slice(svc, $"{svc.Metadata.Name}-{SafeHash(svc.Metadata.Name + "/" + key, 5)}", ports.DeepClone().AsArray(), endpoints, family);
                    desired[RefOf(slice)] = slice;
                }
            }
        }

        foreach (var stored in OfKind("EndpointSlice"))
        {
            if (IsDirty(stored.Model) && stored.Model.Metadata.Labels.GetValueOrDefault(ManagedBy) == DemoController && !desired.ContainsKey(stored.Model.Ref()))
            {
                Remove(stored.Model.Ref());
            }
        }

        foreach (var (reference, slice) in desired)
        {
            if (_objects.TryGetValue(reference, out var current) &&
                JsonNode.DeepEquals(current.Raw["endpoints"], slice["endpoints"]) && JsonNode.DeepEquals(current.Raw["ports"], slice["ports"]))
            {
                continue;
            }

            Store(slice, []);
        }
    }

    private static JsonObject Slice(Service svc, string name, JsonArray ports, JsonArray endpoints, string addressType = IpFamily.V4) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = svc.Metadata.Namespace,
            ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = svc.Metadata.Name, [ManagedBy] = DemoController },
            ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Service", ["name"] = svc.Metadata.Name, ["uid"] = svc.Metadata.Uid, ["controller"] = true }),
        },
        ["addressType"] = addressType,
        ["endpoints"] = endpoints,
        ["ports"] = ports,
    };

    /// <summary>The address last published on the Ingresses: when it moves, every Ingress is updated, else only changed ones.</summary>
    private string? _publishedIngressAddress;

    /// <summary>
    /// An Ingress controller for every IngressClass: it publishes its address on the Ingresses it serves, the load
    /// balancer of the ingress-nginx controller's Service when the demo runs one (as ingress-nginx's publish-service does).
    /// </summary>
    private void ReconcileIngresses()
    {
        var classes = OfKind("IngressClass").Select(c => (IngressClass)c.Model).ToList();
        var address = OfKind("Service").Select(o => (Service)o.Model)
            .Where(s => s.Type == ServiceTypes.LoadBalancer && s.Selector?.GetValueOrDefault("app.kubernetes.io/name") == "ingress-nginx")
            .SelectMany(s => s.LoadBalancerStatus).Select(l => l.Address).FirstOrDefault() ?? IngressAddress;
        var moved = address != _publishedIngressAddress;
        _publishedIngressAddress = address;
        foreach (var stored in OfKind("Ingress").Where(o => moved || IsDirty(o.Model)))
        {
            var ing = (Ingress)stored.Model;
            var served = ing.IngressClassName is { } name ? classes.Any(c => c.Metadata.Name == name) : classes.Any(c => c.IsDefault);
            var current = ing.LoadBalancerStatus.IsDefaultOrEmpty ? null : ing.LoadBalancerStatus[0].Address;
            if (current == (served ? address : null))
            {
                continue;
            }

            var copy = (JsonObject)stored.Raw.DeepClone();
            copy["status"] = new JsonObject
            {
                ["loadBalancer"] = served ? new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = address }) } : new JsonObject(),
            };
            Store(copy, []);
        }
    }

    /// <summary>
    /// The demo's Gateway controller, for the Gateways of a GatewayClass naming it: an address and Accepted/Programmed on
    /// each Gateway, and on each route a status.parents entry per parentRef to them (Accepted and ResolvedRefs as the spec
    /// decides them). Gateways of other classes are left without status, as no controller serves them.
    /// </summary>
    private void ReconcileGateways()
    {
        var ours = OfKind("GatewayClass").Select(c => (GatewayClass)c.Model).Where(c => c.ControllerName == GatewayController).Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var gateways = new Dictionary<ObjectKey, Model.Gateway>();
        foreach (var stored in OfKind("Gateway"))
        {
            var gw = (Model.Gateway)stored.Model;
            var served = gw.GatewayClassName is { } cls && ours.Contains(cls);
            if (served)
            {
                gateways[gw.Key()] = gw;
            }

            if (!served)
            {
                // Another implementation's Gateway (or none's): its status is not this controller's to write.
                continue;
            }

            SetStatus(stored, new JsonObject
            {
                ["addresses"] = new JsonArray(new JsonObject { ["type"] = "IPAddress", ["value"] = GatewayAddress }),
                ["conditions"] = new JsonArray(Condition("Accepted", true, "Accepted", null), Condition("Programmed", true, "Programmed", null)),
            });
        }

        var routes = ((string[])["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute"]).SelectMany(OfKind).ToList();
        if (gateways.Count == 0 && routes.Count == 0)
        {
            return;
        }

        var namespaces = OfKind("Namespace").ToDictionary(n => n.Model.Metadata.Name, n => (IReadOnlyDictionary<string, string>)n.Model.Metadata.Labels, StringComparer.Ordinal);
        var services = OfKind("Service").ToDictionary(o => o.Model.Key(), o => (Service)o.Model);
        var grants = OfKind("ReferenceGrant").Select(o => (ReferenceGrant)o.Model).ToList();
        foreach (var stored in routes)
        {
            var route = (HttpRoute)stored.Model;
            var attachments = Gateway.GatewayRouting.Attach(route, k => gateways.GetValueOrDefault(k), ns => namespaces.GetValueOrDefault(ns));
            var resolved = route.Rules.SelectMany(r => Gateway.GatewayBackends.Resolve(route, r, k => services.GetValueOrDefault(k), grants, (_, _) => true)).Where(b => !b.Resolved).ToList();
            // Each controller owns its own entries of status.parents; the others' stay as they are.
            var parents = new JsonArray([.. (stored.Raw["status"]?["parents"] as JsonArray ?? [])
                .Where(p => Str(p?["controllerName"]) != GatewayController)
                .Select(p => p?.DeepClone())]);
            for (var i = 0; i < route.ParentRefs.Length; i++)
            {
                var parent = route.ParentRefs[i];
                if (!gateways.ContainsKey(new ObjectKey(parent.Namespace ?? route.Metadata.Namespace, parent.Name)))
                {
                    continue;
                }

                var mine = attachments.Where(a => a.ParentIndex == i).ToList();
                var accepted = mine.FirstOrDefault(a => a.Accepted);
                var refused = mine.FirstOrDefault(a => !a.Accepted);
                var parentRef = new JsonObject { ["group"] = parent.Group, ["kind"] = parent.Kind, ["name"] = parent.Name };
                if (parent.Namespace is { } pns)
                {
                    parentRef["namespace"] = pns;
                }

                if (parent.SectionName is { } section)
                {
                    parentRef["sectionName"] = section;
                }

                parents.Add(new JsonObject
                {
                    ["parentRef"] = parentRef,
                    ["controllerName"] = GatewayController,
                    ["conditions"] = new JsonArray(
                        accepted is not null ? Condition("Accepted", true, "Accepted", null) : Condition("Accepted", false, refused?.Reason.ToString() ?? "NoMatchingParent", refused?.Message),
                        resolved.Count == 0 ? Condition("ResolvedRefs", true, "ResolvedRefs", null) : Condition("ResolvedRefs", false, resolved[0].Cause == "RefNotPermitted" ? "RefNotPermitted" : resolved[0].Cause == "InvalidKind" ? "InvalidKind" : "BackendNotFound", resolved[0].Reason)),
                });
            }

            var status = stored.Raw["status"] is JsonObject st ? (JsonObject)st.DeepClone() : new JsonObject();
            status["parents"] = parents;
            SetStatus(stored, parents.Count == 0 && status.Count == 1 ? null : status);
        }
    }

    private static JsonObject Condition(string type, bool status, string reason, string? message)
    {
        var c = new JsonObject { ["type"] = type, ["status"] = status ? "True" : "False", ["reason"] = reason };
        if (message is not null)
        {
            c["message"] = message;
        }

        return c;
    }

    /// <summary>Writes the status a controller decided, only when it differs (a write is a watch event).</summary>
    private void SetStatus(Stored stored, JsonObject? status)
    {
        if (JsonNode.DeepEquals(stored.Raw["status"], status))
        {
            return;
        }

        var copy = (JsonObject)stored.Raw.DeepClone();
        if (status is null)
        {
            copy.Remove("status");
        }
        else
        {
            copy["status"] = status;
        }

        Store(copy, []);
    }

    private static string SafeHash(string text, int length)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(SafeAlphabet[bytes[i] % SafeAlphabet.Length]);
        }

        return sb.ToString();
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
