using System.Globalization;
using System.Text.Json.Nodes;

namespace PortMapper.Web.Designer;

/// <summary>One listener of a Gateway: name, port, protocol, hostname and which namespaces' routes it admits.</summary>
public sealed class GatewayListenerEditor(JsonObject listener, string fieldPath)
{
    public static IReadOnlyList<string> Protocols { get; } = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"];

    public static IReadOnlyList<string> FromValues { get; } = ["Same", "All", "Selector"];

    public JsonObject Json { get; } = listener;

    public string FieldPath { get; } = fieldPath;

    public string? Name
    {
        get => JsonEdit.Text(Json["name"]);
        set => JsonEdit.SetText(Json, "name", value?.Trim());
    }

    public int? Port
    {
        get => JsonEdit.Int(Json["port"]);
        set => JsonEdit.SetInt(Json, "port", value);
    }

    public string? Protocol
    {
        get => JsonEdit.Text(Json["protocol"]);
        set
        {
            JsonEdit.SetText(Json, "protocol", value);
            if (value is "TCP" or "UDP")
            {
                // The CRD forbids a hostname on TCP and UDP listeners.
                Json.Remove("hostname");
            }
        }
    }

    public string? Hostname
    {
        get => JsonEdit.Text(Json["hostname"]);
        set => JsonEdit.SetText(Json, "hostname", value?.Trim());
    }

    /// <summary>allowedRoutes.namespaces.from; Same (the default) when absent.</summary>
    public string From
    {
        get => JsonEdit.Text(Json["allowedRoutes"]?["namespaces"]?["from"]) ?? "Same";
        set
        {
            if (value == "Same")
            {
                Json.Remove("allowedRoutes");
                return;
            }

            var namespaces = JsonEdit.Obj(JsonEdit.Obj(Json, "allowedRoutes"), "namespaces");
            namespaces["from"] = value;
            if (value == "Selector" && namespaces["selector"] is null)
            {
                namespaces["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["gateway-access"] = "true" } };
            }
            else if (value != "Selector")
            {
                namespaces.Remove("selector");
            }
        }
    }
}

/// <summary>The Gateway form's model: its class and listeners, edited in place.</summary>
public sealed class GatewayEditor(JsonObject gateway)
{
    public JsonObject Json { get; } = gateway;

    private JsonObject Spec => JsonEdit.Obj(Json, "spec");

    public string? GatewayClassName
    {
        get => JsonEdit.Text(Json["spec"]?["gatewayClassName"]);
        set => JsonEdit.SetText(Spec, "gatewayClassName", value);
    }

    public IReadOnlyList<GatewayListenerEditor> Listeners =>
        Json["spec"]?["listeners"] is JsonArray a
            ? [.. a.Select((l, i) => l is JsonObject o ? new GatewayListenerEditor(o, $"spec.listeners[{i}]") : null).OfType<GatewayListenerEditor>()]
            : [];

    /// <summary>Adds a listener: HTTP on 80 first, then HTTPS on 443, then a free port.</summary>
    public void AddListener()
    {
        var taken = Listeners.Select(l => l.Port).OfType<int>().ToHashSet();
        var (name, port, protocol) = !taken.Contains(80) ? ("http", 80, "HTTP") : !taken.Contains(443) ? ("https", 443, "HTTPS") : ($"listener-{Listeners.Count + 1}", Enumerable.Range(8080, 1000).First(p => !taken.Contains(p)), "HTTP");
        var names = Listeners.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        if (names.Contains(name))
        {
            name = $"{name}-{(Listeners.Count + 1).ToString(CultureInfo.InvariantCulture)}";
        }

        JsonEdit.Arr(Spec, "listeners").Add(new JsonObject { ["name"] = name, ["port"] = port, ["protocol"] = protocol });
    }

    public void RemoveListener(int index)
    {
        if (Json["spec"]?["listeners"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
        }
    }

    public IEnumerable<string> VisibleFields()
    {
        yield return "metadata.name";
        yield return "metadata.namespace";
        yield return "spec.gatewayClassName";
        yield return "spec.listeners";
        foreach (var l in Listeners)
        {
            yield return l.FieldPath;
            foreach (var f in (string[])["name", "port", "protocol", "hostname", "allowedRoutes", "allowedRoutes.namespaces.from", "allowedRoutes.namespaces.selector"])
            {
                yield return $"{l.FieldPath}.{f}";
            }
        }
    }
}

/// <summary>One backendRef of an HTTPRoute rule: a Service, its port and a weight.</summary>
public sealed class RouteBackendEditor(JsonObject backend, string fieldPath)
{
    public JsonObject Json { get; } = backend;

    public string FieldPath { get; } = fieldPath;

    public string? Service
    {
        get => JsonEdit.Text(Json["name"]);
        set => JsonEdit.SetText(Json, "name", value);
    }

    /// <summary>The Service port number as text (a backendRef names its port by number only).</summary>
    public string? Port
    {
        get => JsonEdit.Int(Json["port"])?.ToString(CultureInfo.InvariantCulture);
        set => JsonEdit.SetInt(Json, "port", int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null);
    }

    public int? Weight
    {
        get => JsonEdit.Int(Json["weight"]);
        set => JsonEdit.SetInt(Json, "weight", value);
    }
}

/// <summary>One rule of an HTTPRoute: one path match and its backends.</summary>
public sealed class RouteRuleEditor(JsonObject rule, string fieldPath)
{
    public static IReadOnlyList<string> PathTypes { get; } = ["PathPrefix", "Exact", "RegularExpression"];

    public JsonObject Json { get; } = rule;

    public string FieldPath { get; } = fieldPath;

    /// <summary>The first match's path, which the form edits (further matches are kept as written).</summary>
    private JsonObject Path => JsonEdit.Obj(FirstOf(JsonEdit.Arr(Json, "matches")), "path");

    /// <summary>The list's first item, added when the list is empty.</summary>
    internal static JsonObject FirstOf(JsonArray a)
    {
        if (a.Count > 0 && a[0] is JsonObject first)
        {
            return first;
        }

        var added = new JsonObject();
        a.Insert(0, added);
        return added;
    }

    public string? PathType
    {
        get => JsonEdit.Text(Json["matches"]?[0]?["path"]?["type"]) ?? (Json["matches"] is null ? null : "PathPrefix");
        set => JsonEdit.SetText(Path, "type", value);
    }

    public string? PathValue
    {
        get => JsonEdit.Text(Json["matches"]?[0]?["path"]?["value"]) ?? (Json["matches"] is null ? null : "/");
        set => JsonEdit.SetText(Path, "value", value?.Trim());
    }

    public IReadOnlyList<RouteBackendEditor> Backends =>
        Json["backendRefs"] is JsonArray a
            ? [.. a.Select((b, i) => b is JsonObject o ? new RouteBackendEditor(o, $"{FieldPath}.backendRefs[{i}]") : null).OfType<RouteBackendEditor>()]
            : [];

    public void AddBackend(string? service, string? port) =>
        JsonEdit.Arr(Json, "backendRefs").Add(NewBackend(service, port));

    public void RemoveBackend(int index)
    {
        if (Json["backendRefs"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
        }
    }

    internal static JsonObject NewBackend(string? service, string? port)
    {
        var backend = new JsonObject();
        var editor = new RouteBackendEditor(backend, "");
        editor.Service = service;
        editor.Port = port;
        return backend;
    }
}

/// <summary>The HTTPRoute form's model: the Gateway it attaches to, hostnames, rules with a path and backends.</summary>
public sealed class HttpRouteEditor(JsonObject route)
{
    public JsonObject Json { get; } = route;

    private JsonObject Spec => JsonEdit.Obj(Json, "spec");

    private JsonObject Parent => RouteRuleEditor.FirstOf(JsonEdit.Arr(Spec, "parentRefs"));

    /// <summary>The first parentRef as "namespace/name" (the form attaches to one Gateway; more are kept as written).</summary>
    public string? Gateway
    {
        get
        {
            var p = Json["spec"]?["parentRefs"]?[0];
            var name = JsonEdit.Text(p?["name"]);
            return name is null ? null : $"{JsonEdit.Text(p?["namespace"]) ?? Namespace}/{name}";
        }
        set
        {
            var slash = value?.IndexOf('/', StringComparison.Ordinal) ?? -1;
            var ns = slash > 0 ? value![..slash] : null;
            JsonEdit.SetText(Parent, "name", slash > 0 ? value![(slash + 1)..] : value);
            JsonEdit.SetText(Parent, "namespace", ns == Namespace ? null : ns);
        }
    }

    public string? SectionName
    {
        get => JsonEdit.Text(Json["spec"]?["parentRefs"]?[0]?["sectionName"]);
        set => JsonEdit.SetText(Parent, "sectionName", string.IsNullOrEmpty(value) ? null : value);
    }

    private string Namespace => JsonEdit.Text(Json["metadata"]?["namespace"]) ?? "default";

    public IReadOnlyList<string> Hostnames => JsonEdit.Strings(Json["spec"]?["hostnames"]);

    public void SetHostnames(IEnumerable<string> hostnames)
    {
        JsonEdit.SetStrings(Spec, "hostnames", hostnames);
        JsonEdit.RemoveIfEmpty(Spec, "hostnames");
    }

    public IReadOnlyList<RouteRuleEditor> Rules =>
        Json["spec"]?["rules"] is JsonArray a
            ? [.. a.Select((r, i) => r is JsonObject o ? new RouteRuleEditor(o, $"spec.rules[{i}]") : null).OfType<RouteRuleEditor>()]
            : [];

    public void AddRule(string path, string? service, string? port) =>
        JsonEdit.Arr(Spec, "rules").Add(new JsonObject
        {
            ["matches"] = new JsonArray(new JsonObject { ["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = path } }),
            ["backendRefs"] = new JsonArray(RouteRuleEditor.NewBackend(service, port)),
        });

    public void RemoveRule(int index)
    {
        if (Json["spec"]?["rules"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
        }
    }

    public IEnumerable<string> VisibleFields()
    {
        yield return "metadata.name";
        yield return "metadata.namespace";
        yield return "spec.parentRefs";
        yield return "spec.parentRefs[0]";
        yield return "spec.parentRefs[0].name";
        yield return "spec.parentRefs[0].sectionName";
        yield return "spec.hostnames";
        for (var i = 0; i < Hostnames.Count; i++)
        {
            yield return $"spec.hostnames[{i.ToString(CultureInfo.InvariantCulture)}]";
        }

        yield return "spec.rules";
        foreach (var r in Rules)
        {
            yield return r.FieldPath;
            yield return r.FieldPath + ".matches[0].path.type";
            yield return r.FieldPath + ".matches[0].path.value";
            yield return r.FieldPath + ".backendRefs";
            foreach (var b in r.Backends)
            {
                yield return b.FieldPath;
                yield return b.FieldPath + ".name";
                yield return b.FieldPath + ".port";
                yield return b.FieldPath + ".weight";
                yield return b.FieldPath + ".namespace";
            }
        }
    }
}
