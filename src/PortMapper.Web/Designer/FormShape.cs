using System.Text.Json.Nodes;

namespace PortMapper.Web.Designer;

/// <summary>
/// Whether a manifest has the shape a form can edit: every map the form walks through is a map and every list a list
/// of maps. Imported YAML can be anything (<c>spec: []</c>, <c>ports: {port: 80}</c>); the form is then not shown,
/// the validation findings say what is wrong, and nothing is overwritten behind the person's back.
/// </summary>
public static class FormShape
{
    /// <returns>Null when the form can edit the object, else the first field that is not what the form needs.</returns>
    public static string? Problem(JsonObject obj, string? form)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (Map(obj, "metadata", "metadata") is { } metadataProblem)
        {
            return metadataProblem;
        }

        var metadata = obj["metadata"] as JsonObject;
        if (metadata is not null && Map(metadata, "labels", "metadata.labels") is { } labelsProblem)
        {
            return labelsProblem;
        }

        if (Map(obj, "spec", "spec") is { } specProblem)
        {
            return specProblem;
        }

        var spec = obj["spec"] as JsonObject;
        return form switch
        {
            "Service" => spec is null ? null : Map(spec, "selector", "spec.selector") ?? ListOfMaps(spec, "ports", "spec.ports") ?? Map(spec, "sessionAffinityConfig", "spec.sessionAffinityConfig")
                ?? (spec["sessionAffinityConfig"] is JsonObject sac ? Map(sac, "clientIP", "spec.sessionAffinityConfig.clientIP") : null),
            "Ingress" => spec is null ? null : IngressProblem(spec),
            "NetworkPolicy" => spec is null ? null : PolicyProblem(spec),
            "Gateway" => spec is null ? null : ListOfMaps(spec, "listeners", "spec.listeners"),
            "HTTPRoute" => spec is null ? null : ListOfMaps(spec, "parentRefs", "spec.parentRefs") ?? ListOfMaps(spec, "rules", "spec.rules")
                ?? (spec["rules"] as JsonArray ?? []).OfType<JsonObject>().Select((r, i) => ListOfMaps(r, "matches", $"spec.rules[{i}].matches") ?? ListOfMaps(r, "backendRefs", $"spec.rules[{i}].backendRefs")).FirstOrDefault(p => p is not null),
            "Workload" => JsonEdit.Text(obj["kind"]) == "Pod" ? (spec is null ? null : PodSpecProblem(spec, "spec")) : WorkloadProblem(spec),
            _ => null,
        };
    }

    private static string? WorkloadProblem(JsonObject? spec)
    {
        if (spec is null)
        {
            return null;
        }

        if ((Map(spec, "selector", "spec.selector") ?? Map(spec, "template", "spec.template")) is { } problem)
        {
            return problem;
        }

        if (spec["selector"] is JsonObject selector && Map(selector, "matchLabels", "spec.selector.matchLabels") is { } matchProblem)
        {
            return matchProblem;
        }

        if (spec["template"] is not JsonObject template)
        {
            return null;
        }

        if ((Map(template, "metadata", "spec.template.metadata") ?? Map(template, "spec", "spec.template.spec")) is { } templateProblem)
        {
            return templateProblem;
        }

        if (template["metadata"] is JsonObject tm && Map(tm, "labels", "spec.template.metadata.labels") is { } tlProblem)
        {
            return tlProblem;
        }

        return template["spec"] is JsonObject podSpec ? PodSpecProblem(podSpec, "spec.template.spec") : null;
    }

    private static string? PodSpecProblem(JsonObject podSpec, string path)
    {
        if (ListOfMaps(podSpec, "containers", $"{path}.containers") is { } problem)
        {
            return problem;
        }

        var containers = podSpec["containers"] as JsonArray ?? [];
        for (var i = 0; i < containers.Count; i++)
        {
            if (ListOfMaps((JsonObject)containers[i]!, "ports", $"{path}.containers[{i}].ports") is { } portsProblem)
            {
                return portsProblem;
            }
        }

        return null;
    }

    private static string? IngressProblem(JsonObject spec)
    {
        if ((ListOfMaps(spec, "rules", "spec.rules") ?? ListOfMaps(spec, "tls", "spec.tls")) is { } problem)
        {
            return problem;
        }

        var rules = spec["rules"] as JsonArray ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = (JsonObject)rules[i]!;
            if (Map(rule, "http", $"spec.rules[{i}].http") is { } httpProblem)
            {
                return httpProblem;
            }

            if (rule["http"] is not JsonObject http)
            {
                continue;
            }

            if (ListOfMaps(http, "paths", $"spec.rules[{i}].http.paths") is { } pathsProblem)
            {
                return pathsProblem;
            }

            var paths = http["paths"] as JsonArray ?? [];
            for (var j = 0; j < paths.Count; j++)
            {
                var at = $"spec.rules[{i}].http.paths[{j}]";
                var path = (JsonObject)paths[j]!;
                if (Map(path, "backend", $"{at}.backend") is { } backendProblem)
                {
                    return backendProblem;
                }

                if (path["backend"] is JsonObject backend &&
                    (Map(backend, "service", $"{at}.backend.service") ?? (backend["service"] is JsonObject service ? Map(service, "port", $"{at}.backend.service.port") : null)) is { } serviceProblem)
                {
                    return serviceProblem;
                }
            }
        }

        return null;
    }

    private static string? PolicyProblem(JsonObject spec)
    {
        if ((Map(spec, "podSelector", "spec.podSelector") ?? (spec["podSelector"] is JsonObject ps ? Map(ps, "matchLabels", "spec.podSelector.matchLabels") : null)
            ?? ListOfMaps(spec, "ingress", "spec.ingress") ?? ListOfMaps(spec, "egress", "spec.egress")
            ?? (spec["policyTypes"] is null or JsonArray ? null : "spec.policyTypes is not a list")) is { } problem)
        {
            return problem;
        }

        foreach (var (key, peers) in new[] { ("ingress", "from"), ("egress", "to") })
        {
            var rules = spec[key] as JsonArray ?? [];
            for (var i = 0; i < rules.Count; i++)
            {
                var at = $"spec.{key}[{i}]";
                var rule = (JsonObject)rules[i]!;
                if ((ListOfMaps(rule, peers, $"{at}.{peers}") ?? ListOfMaps(rule, "ports", $"{at}.ports")) is { } ruleProblem)
                {
                    return ruleProblem;
                }

                var list = rule[peers] as JsonArray ?? [];
                for (var j = 0; j < list.Count; j++)
                {
                    var peer = (JsonObject)list[j]!;
                    foreach (var part in new[] { "podSelector", "namespaceSelector", "ipBlock" })
                    {
                        if (Map(peer, part, $"{at}.{peers}[{j}].{part}") is { } partProblem)
                        {
                            return partProblem;
                        }

                        if (part != "ipBlock" && peer[part] is JsonObject selector && Map(selector, "matchLabels", $"{at}.{peers}[{j}].{part}.matchLabels") is { } labelsProblem)
                        {
                            return labelsProblem;
                        }
                    }
                }
            }
        }

        return null;
    }

    private static string? Map(JsonObject parent, string key, string path) =>
        parent[key] is null or JsonObject ? null : $"{path} is not a map";

    private static string? ListOfMaps(JsonObject parent, string key, string path) => parent[key] switch
    {
        null => null,
        JsonArray a when a.All(i => i is JsonObject) => null,
        JsonArray => $"{path} has an item that is not a map",
        _ => $"{path} is not a list",
    };
}
