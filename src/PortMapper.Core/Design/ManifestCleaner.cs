using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;

namespace PortMapper.Core.Design;

/// <summary>
/// Turns an object as the API server returns it into the manifest a person would write: no status, no server-filled
/// metadata (<see cref="YamlWriter.Clean"/>), and none of the values the server fills in by default or allocates
/// (a clusterIP, <c>sessionAffinity: None</c>, <c>dnsPolicy: ClusterFirst</c>...). A value is only dropped when it
/// equals what the server would put there anyway, so applying the result changes nothing. nodePorts stay: they may
/// have been chosen on purpose and clients depend on them.
/// </summary>
public static class ManifestCleaner
{
    public static JsonObject Clean(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var copy = YamlWriter.Clean(obj);
        var kind = Text(copy["kind"]);
        if (copy["metadata"] is JsonObject meta)
        {
            meta.Remove("ownerReferences");
            if (meta["annotations"] is JsonObject annotations)
            {
                annotations.Remove("deployment.kubernetes.io/revision");
            }
        }

        var spec = copy["spec"] as JsonObject;
        switch (kind)
        {
            case "Service" when spec is not null:
                CleanService(spec);
                break;
            case "Pod" when spec is not null:
                spec.Remove("nodeName");
                CleanPodSpec(spec, isPod: true);
                break;
            case "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" or "Job" when spec is not null:
                CleanWorkload(kind, spec);
                break;
        }

        DropEmpty(copy);
        return copy;
    }

    private static void CleanService(JsonObject spec)
    {
        if (Text(spec["clusterIP"]) == "None")
        {
            if (spec["clusterIPs"] is JsonArray { Count: 1 } ips && Text(ips[0]) == "None")
            {
                spec.Remove("clusterIPs");
            }
        }
        else
        {
            spec.Remove("clusterIP");
            spec.Remove("clusterIPs");
        }

        // ipFamilies is what the API server derived on an IPv4-first cluster unless it says otherwise: a written IPv6
        // (or IPv6-first) choice is intent and is kept.
        var families = (spec["ipFamilies"] as JsonArray)?.Select(Text).ToList() ?? [];
        var dual = Text(spec["ipFamilyPolicy"]) is "PreferDualStack" or "RequireDualStack";
        if (families.SequenceEqual(dual ? ["IPv4", "IPv6"] : ["IPv4"]) || families.Count == 0)
        {
            spec.Remove("ipFamilies");
        }

        RemoveIf(spec, "ipFamilyPolicy", "SingleStack");
        RemoveIf(spec, "sessionAffinity", "None");
        RemoveIf(spec, "internalTrafficPolicy", "Cluster");
        RemoveIf(spec, "externalTrafficPolicy", "Cluster");
        if (spec["allocateLoadBalancerNodePorts"] is JsonValue v && v.GetValueKind() == JsonValueKind.True)
        {
            spec.Remove("allocateLoadBalancerNodePorts");
        }

        if (spec["ports"] is JsonArray ports)
        {
            foreach (var port in ports.OfType<JsonObject>())
            {
                RemoveIf(port, "protocol", "TCP");
            }
        }
    }

    private static void CleanWorkload(string kind, JsonObject spec)
    {
        if (spec["template"] is JsonObject template)
        {
            if (template["metadata"] is JsonObject tm)
            {
                tm.Remove("creationTimestamp");
            }

            if (template["spec"] is JsonObject podSpec)
            {
                CleanPodSpec(podSpec, isPod: false);
            }
        }

        RemoveIf(spec, "revisionHistoryLimit", 10);
        switch (kind)
        {
            case "Deployment":
                RemoveIf(spec, "progressDeadlineSeconds", 600);
                if (spec["strategy"] is JsonObject s && Text(s["type"]) == "RollingUpdate" && s.Count <= 2 &&
                    (s["rollingUpdate"] is null || (s["rollingUpdate"] is JsonObject ru && ru.Count == 2 && Text(ru["maxSurge"]) == "25%" && Text(ru["maxUnavailable"]) == "25%")))
                {
                    spec.Remove("strategy");
                }

                break;
            case "StatefulSet":
                RemoveIf(spec, "podManagementPolicy", "OrderedReady");
                if (spec["updateStrategy"] is JsonObject u && Text(u["type"]) == "RollingUpdate" && u.Count <= 2 &&
                    (u["rollingUpdate"] is null || (u["rollingUpdate"] is JsonObject r && r.Count == 1 && Number(r["partition"]) == 0)))
                {
                    spec.Remove("updateStrategy");
                }

                if (spec["persistentVolumeClaimRetentionPolicy"] is JsonObject p && p.Count == 2 &&
                    Text(p["whenDeleted"]) == "Retain" && Text(p["whenScaled"]) == "Retain")
                {
                    spec.Remove("persistentVolumeClaimRetentionPolicy");
                }

                break;
            case "DaemonSet":
                if (spec["updateStrategy"] is JsonObject d && Text(d["type"]) == "RollingUpdate" && d.Count <= 2 &&
                    (d["rollingUpdate"] is null || (d["rollingUpdate"] is JsonObject dr && dr.Count == 2 && Number(dr["maxSurge"]) == 0 && Number(dr["maxUnavailable"]) == 1)))
                {
                    spec.Remove("updateStrategy");
                }

                break;
        }
    }

    private static void CleanPodSpec(JsonObject spec, bool isPod)
    {
        RemoveIf(spec, "dnsPolicy", "ClusterFirst");
        RemoveIf(spec, "restartPolicy", "Always");
        RemoveIf(spec, "schedulerName", "default-scheduler");
        RemoveIf(spec, "terminationGracePeriodSeconds", 30);
        RemoveIf(spec, "enableServiceLinks", true);
        RemoveIf(spec, "preemptionPolicy", "PreemptLowerPriority");
        RemoveIf(spec, "priority", 0);
        RemoveIf(spec, "serviceAccountName", "default");
        RemoveIf(spec, "serviceAccount", "default");
        if (spec["securityContext"] is JsonObject { Count: 0 })
        {
            spec.Remove("securityContext");
        }

        if (isPod)
        {
            // Admission adds these two to every pod; nobody writes them.
            if (spec["tolerations"] is JsonArray tolerations)
            {
                foreach (var t in tolerations.OfType<JsonObject>().Where(IsDefaultToleration).ToList())
                {
                    tolerations.Remove(t);
                }

                if (tolerations.Count == 0)
                {
                    spec.Remove("tolerations");
                }
            }

            // ...and the service account token volume, mounted into every container.
            if (spec["volumes"] is JsonArray volumes)
            {
                foreach (var v in volumes.OfType<JsonObject>().Where(v => Text(v["name"])?.StartsWith("kube-api-access-", StringComparison.Ordinal) == true).ToList())
                {
                    volumes.Remove(v);
                }

                if (volumes.Count == 0)
                {
                    spec.Remove("volumes");
                }
            }
        }

        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (spec[list] is not JsonArray containers)
            {
                continue;
            }

            foreach (var c in containers.OfType<JsonObject>())
            {
                RemoveIf(c, "terminationMessagePath", "/dev/termination-log");
                RemoveIf(c, "terminationMessagePolicy", "File");
                RemoveIf(c, "imagePullPolicy", DefaultPullPolicy(Text(c["image"])));
                if (c["resources"] is JsonObject { Count: 0 })
                {
                    c.Remove("resources");
                }

                if (c["ports"] is JsonArray ports)
                {
                    foreach (var port in ports.OfType<JsonObject>())
                    {
                        RemoveIf(port, "protocol", "TCP");
                    }
                }

                if (isPod && c["volumeMounts"] is JsonArray mounts)
                {
                    foreach (var m in mounts.OfType<JsonObject>().Where(m => Text(m["name"])?.StartsWith("kube-api-access-", StringComparison.Ordinal) == true).ToList())
                    {
                        mounts.Remove(m);
                    }

                    if (mounts.Count == 0)
                    {
                        c.Remove("volumeMounts");
                    }
                }
            }
        }
    }

    private static bool IsDefaultToleration(JsonObject t) =>
        t.Count == 4 && Text(t["operator"]) == "Exists" && Text(t["effect"]) == "NoExecute" && Number(t["tolerationSeconds"]) == 300 &&
        Text(t["key"]) is "node.kubernetes.io/not-ready" or "node.kubernetes.io/unreachable";

    /// <summary>The API server's default: Always for ":latest" or no tag, IfNotPresent otherwise (a digest counts as a tag).</summary>
    private static string DefaultPullPolicy(string? image)
    {
        if (image is null)
        {
            return "IfNotPresent";
        }

        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSlash = image.LastIndexOf('/');
        var colon = image.IndexOf(':', lastSlash + 1);
        return colon < 0 || image[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    /// <summary>Drops maps that cleaning left empty (metadata.annotations: {}...), except the top level's own.</summary>
    private static void DropEmpty(JsonObject obj)
    {
        foreach (var (key, value) in obj.ToList())
        {
            if (value is JsonObject child)
            {
                DropEmpty(child);
                if (child.Count == 0 && key is "annotations" or "labels" or "strategy" or "securityContext" or "resources")
                {
                    obj.Remove(key);
                }
            }
            else if (value is JsonArray array)
            {
                foreach (var item in array.OfType<JsonObject>())
                {
                    DropEmpty(item);
                }
            }
        }
    }

    private static void RemoveIf(JsonObject o, string key, string value)
    {
        if (Text(o[key]) == value)
        {
            o.Remove(key);
        }
    }

    private static void RemoveIf(JsonObject o, string key, long value)
    {
        if (Number(o[key]) == value)
        {
            o.Remove(key);
        }
    }

    private static void RemoveIf(JsonObject o, string key, bool value)
    {
        if (o[key] is JsonValue v && v.GetValueKind() == (value ? JsonValueKind.True : JsonValueKind.False))
        {
            o.Remove(key);
        }
    }

    private static string? Text(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static long? Number(JsonNode? n) => n is JsonValue v && JsonNumbers.TryGetInteger(v, out var l) ? l : null;
}
