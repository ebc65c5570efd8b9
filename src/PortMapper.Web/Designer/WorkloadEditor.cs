using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Web.Designer;

/// <summary>One entry of a container's ports, edited in place.</summary>
public sealed class ContainerPortEditor(JsonObject port, string path)
{
    public JsonObject Json { get; } = port;

    public string Path { get; } = path;

    public int? ContainerPort
    {
        get => JsonEdit.Int(Json["containerPort"]);
        set => JsonEdit.SetInt(Json, "containerPort", value);
    }

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

    /// <summary>0 and unset both mean "not published on the node".</summary>
    public int? HostPort
    {
        get => JsonEdit.Int(Json["hostPort"]) is { } hp and not 0 ? hp : null;
        set => JsonEdit.SetInt(Json, "hostPort", value is 0 ? null : value);
    }

    public string? HostIp
    {
        get => JsonEdit.Text(Json["hostIP"]);
        set => JsonEdit.SetText(Json, "hostIP", value?.Trim());
    }
}

/// <summary>One container (or restartable init container) of the pod spec.</summary>
public sealed class ContainerEditor(JsonObject container, string path)
{
    public JsonObject Json { get; } = container;

    public string Path { get; } = path;

    public string? Name
    {
        get => JsonEdit.Text(Json["name"]);
        set => JsonEdit.SetText(Json, "name", value?.Trim());
    }

    public string? Image
    {
        get => JsonEdit.Text(Json["image"]);
        set => JsonEdit.SetText(Json, "image", value?.Trim());
    }

    public IReadOnlyList<ContainerPortEditor> Ports =>
        Json["ports"] is JsonArray a ? [.. a.Select((p, i) => p is JsonObject o ? new ContainerPortEditor(o, $"{Path}.ports[{i}]") : null).OfType<ContainerPortEditor>()] : [];

    public void AddPort()
    {
        var used = Ports.Select(p => p.ContainerPort).OfType<int>().ToHashSet();
        var number = used.Count == 0 ? 8080 : Enumerable.Range(used.Max() + 1, 100).First(n => !used.Contains(n));
        JsonEdit.Arr(Json, "ports").Add(new JsonObject { ["containerPort"] = number });
    }

    public void RemovePort(int index)
    {
        if (Json["ports"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
            JsonEdit.RemoveIfEmpty(Json, "ports");
        }
    }
}

/// <summary>
/// The ports of a Pod or of a workload's pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job), with
/// hostNetwork and the labels Services select on, edited in place.
/// </summary>
public sealed class WorkloadEditor(JsonObject workload)
{
    public static IReadOnlyList<string> Kinds { get; } = ["Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job"];

    public JsonObject Json { get; } = workload;

    public string Kind => JsonEdit.Text(Json["kind"]) ?? "";

    public bool IsPod => Kind == "Pod";

    /// <summary>Where the pod spec lives: <c>spec</c> for a Pod, <c>spec.template.spec</c> for a workload.</summary>
    public string PodSpecPath => IsPod ? "spec" : "spec.template.spec";

    private JsonObject PodSpec => IsPod ? JsonEdit.Obj(Json, "spec") : JsonEdit.Obj(JsonEdit.Obj(JsonEdit.Obj(Json, "spec"), "template"), "spec");

    private JsonObject? PodSpecOrNull => IsPod ? Json["spec"] as JsonObject : Json["spec"]?["template"]?["spec"] as JsonObject;

    public bool HostNetwork
    {
        get => JsonEdit.Bool(PodSpecOrNull?["hostNetwork"]) ?? false;
        set
        {
            if (value)
            {
                PodSpec["hostNetwork"] = true;
            }
            else
            {
                PodSpec.Remove("hostNetwork");
            }
        }
    }

    public IReadOnlyList<ContainerEditor> Containers =>
        PodSpecOrNull?["containers"] is JsonArray a
            ? [.. a.Select((c, i) => c is JsonObject o ? new ContainerEditor(o, $"{PodSpecPath}.containers[{i}]") : null).OfType<ContainerEditor>()]
            : [];

    public void AddContainer()
    {
        var names = Containers.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var name = Enumerable.Range(1, 100).Select(i => i == 1 ? "app" : $"app-{i}").First(n => !names.Contains(n));
        JsonEdit.Arr(PodSpec, "containers").Add(new JsonObject { ["name"] = name, ["image"] = "nginx:1.27" });
    }

    public void RemoveContainer(int index)
    {
        if (PodSpecOrNull?["containers"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
        }
    }

    /// <summary>The object holding the pod labels: metadata for a Pod, spec.template.metadata for a workload.</summary>
    public JsonObject LabelsOwner => IsPod ? JsonEdit.Obj(Json, "metadata") : JsonEdit.Obj(JsonEdit.Obj(JsonEdit.Obj(Json, "spec"), "template"), "metadata");

    public string LabelsPath => IsPod ? "metadata.labels" : "spec.template.metadata.labels";

    /// <summary>The workload's selector (spec.selector.matchLabels); null for a Pod.</summary>
    public JsonObject? SelectorOwner => IsPod ? null : JsonEdit.Obj(JsonEdit.Obj(Json, "spec"), "selector");

    /// <summary>The labels a Service must select to reach this workload's pods.</summary>
    public IReadOnlyDictionary<string, string> PodSelector
    {
        get
        {
            var pairs = IsPod
                ? JsonEdit.Pairs(Json["metadata"]?["labels"])
                : JsonEdit.Pairs(Json["spec"]?["selector"]?["matchLabels"]) is { Count: > 0 } match ? match : JsonEdit.Pairs(Json["spec"]?["template"]?["metadata"]?["labels"]);
            return pairs.DistinctBy(p => p.Key).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
    }

    public IEnumerable<string> VisibleFields()
    {
        yield return "metadata.name";
        yield return "metadata.namespace";
        yield return LabelsPath;
        if (!IsPod)
        {
            yield return "spec.selector";
        }

        yield return PodSpecPath + ".hostNetwork";
        yield return PodSpecPath + ".containers";
        foreach (var c in Containers)
        {
            yield return c.Path;
            yield return c.Path + ".name";
            yield return c.Path + ".image";
            foreach (var p in c.Ports)
            {
                yield return p.Path;
                yield return p.Path + ".containerPort";
                yield return p.Path + ".name";
                yield return p.Path + ".protocol";
                yield return p.Path + ".hostPort";
                yield return p.Path + ".hostIP";
            }
        }
    }
}
