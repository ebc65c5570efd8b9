using System.Diagnostics.CodeAnalysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

public enum TraceSourceKind
{
    /// <summary>A client outside the cluster.</summary>
    External,

    /// <summary>A process on a node, in the node's own network namespace.</summary>
    Node,

    /// <summary>A process in a pod.</summary>
    Pod,
}

/// <summary>Where a traced request starts: <c>external</c>, <c>node:&lt;name&gt;</c> or <c>pod:&lt;namespace&gt;/&lt;name&gt;</c>.</summary>
public sealed record TraceSource
{
    public const string AcceptedForms = "external, node:<name>, pod:<namespace>/<name>";

    private TraceSource(TraceSourceKind kind, string? nodeName, ObjectKey? pod)
    {
        Kind = kind;
        NodeName = nodeName;
        Pod = pod;
    }

    public static TraceSource External { get; } = new(TraceSourceKind.External, null, null);

    public TraceSourceKind Kind { get; }

    /// <summary>For <see cref="TraceSourceKind.Node"/>: the node's name.</summary>
    public string? NodeName { get; }

    /// <summary>For <see cref="TraceSourceKind.Pod"/>: the pod's namespace and name.</summary>
    public ObjectKey? Pod { get; }

    public static TraceSource FromNode(string name) => new(TraceSourceKind.Node, name, null);

    public static TraceSource FromPod(string ns, string name) => new(TraceSourceKind.Pod, null, new ObjectKey(ns, name));

    /// <summary>Parses a source and checks that the node or pod it names exists in <paramref name="snapshot"/>.</summary>
    public static bool TryParse(string? text, ClusterSnapshot snapshot, [NotNullWhen(true)] out TraceSource? source, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        source = null;
        var t = text?.Trim() ?? "";
        if (t.Length == 0)
        {
            error = $"No trace source given. Accepted sources: {AcceptedForms}.";
            return false;
        }

        if (t.Equals("external", StringComparison.OrdinalIgnoreCase))
        {
            source = External;
            error = null;
            return true;
        }

        if (t.StartsWith("node:", StringComparison.OrdinalIgnoreCase))
        {
            var name = t[5..];
            if (name.Length == 0)
            {
                error = $"\"{t}\" names no node: write node:<name>, for example node:worker-1.";
                return false;
            }

            if (!snapshot.Nodes.ContainsKey(name))
            {
                error = $"There is no node \"{name}\" in the cluster" + (snapshot.Nodes.IsEmpty
                    ? " (it has no Node objects: manifests alone describe no nodes; trace from external or from a pod instead)."
                    : $" (nodes: {List(snapshot.Nodes.Keys)}).");
                return false;
            }

            source = FromNode(name);
            error = null;
            return true;
        }

        if (t.StartsWith("pod:", StringComparison.OrdinalIgnoreCase))
        {
            var rest = t[4..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == rest.Length - 1 || rest.IndexOf('/', slash + 1) >= 0)
            {
                error = $"\"{t}\" is not a pod reference: write pod:<namespace>/<name>, for example pod:default/web-0.";
                return false;
            }

            var key = new ObjectKey(rest[..slash], rest[(slash + 1)..]);
            if (!snapshot.Pods.ContainsKey(key))
            {
                var inNamespace = snapshot.Pods.Keys.Where(k => k.Namespace == key.Namespace).Select(k => k.Name).ToList();
                error = $"There is no pod \"{key}\" in the cluster" + (inNamespace.Count == 0
                    ? $" (namespace {key.Namespace} has no pods)."
                    : $" (pods in {key.Namespace}: {List(inNamespace)}).");
                return false;
            }

            source = FromPod(key.Namespace, key.Name);
            error = null;
            return true;
        }

        error = $"\"{t}\" is not a trace source. Accepted sources: {AcceptedForms}.";
        return false;
    }

    public override string ToString() => Kind switch
    {
        TraceSourceKind.Node => "node:" + NodeName,
        TraceSourceKind.Pod => "pod:" + Pod,
        _ => "external",
    };

    private static string List(IEnumerable<string> names)
    {
        var sorted = names.Order(StringComparer.Ordinal).ToList();
        return string.Join(", ", sorted.Take(10)) + (sorted.Count > 10 ? $" and {sorted.Count - 10} more" : "");
    }
}
