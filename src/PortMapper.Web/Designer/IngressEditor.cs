using System.Globalization;
using System.Text.Json.Nodes;

namespace PortMapper.Web.Designer;

/// <summary>One path of an Ingress rule and its Service backend, edited in place.</summary>
public sealed class IngressPathEditor(JsonObject path, string fieldPath)
{
    public static IReadOnlyList<string> PathTypes { get; } = ["Prefix", "Exact", "ImplementationSpecific"];

    public JsonObject Json { get; } = path;

    public string FieldPath { get; } = fieldPath;

    public string? Path
    {
        get => JsonEdit.Text(Json["path"]);
        set => JsonEdit.SetText(Json, "path", value?.Trim());
    }

    public string? PathType
    {
        get => JsonEdit.Text(Json["pathType"]);
        set => JsonEdit.SetText(Json, "pathType", value);
    }

    private JsonObject Service => JsonEdit.Obj(JsonEdit.Obj(Json, "backend"), "service");

    public string? ServiceName
    {
        get => JsonEdit.Text(Json["backend"]?["service"]?["name"]);
        set => JsonEdit.SetText(Service, "name", value);
    }

    /// <summary>The backend port as the form's port picker names it: the port name, or its number as text.</summary>
    public string? ServicePort
    {
        get
        {
            var port = Json["backend"]?["service"]?["port"];
            return JsonEdit.Text(port?["name"]) ?? JsonEdit.Int(port?["number"])?.ToString(CultureInfo.InvariantCulture);
        }
        set
        {
            if (string.IsNullOrEmpty(value))
            {
                Service.Remove("port");
            }
            else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                Service["port"] = new JsonObject { ["number"] = number };
            }
            else
            {
                Service["port"] = new JsonObject { ["name"] = value };
            }
        }
    }
}

/// <summary>One rule of an Ingress: a host and its paths.</summary>
public sealed class IngressRuleEditor(JsonObject rule, string fieldPath)
{
    public JsonObject Json { get; } = rule;

    public string FieldPath { get; } = fieldPath;

    public string? Host
    {
        get => JsonEdit.Text(Json["host"]);
        set => JsonEdit.SetText(Json, "host", value?.Trim());
    }

    public IReadOnlyList<IngressPathEditor> Paths =>
        Json["http"]?["paths"] is JsonArray a
            ? [.. a.Select((p, i) => p is JsonObject o ? new IngressPathEditor(o, $"{FieldPath}.http.paths[{i}]") : null).OfType<IngressPathEditor>()]
            : [];

    public void AddPath(string? service, string? port)
    {
        var path = new JsonObject { ["path"] = "/", ["pathType"] = "Prefix" };
        JsonEdit.Arr(JsonEdit.Obj(Json, "http"), "paths").Add(path);
        var editor = new IngressPathEditor(path, "");
        editor.ServiceName = service;
        editor.ServicePort = port;
    }

    public void RemovePath(int index)
    {
        if (Json["http"]?["paths"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
        }
    }
}

/// <summary>One TLS entry: the hosts served over HTTPS and the Secret with their certificate.</summary>
public sealed class IngressTlsEditor(JsonObject tls, string fieldPath)
{
    public JsonObject Json { get; } = tls;

    public string FieldPath { get; } = fieldPath;

    public IReadOnlyList<string> Hosts => JsonEdit.Strings(Json["hosts"]);

    public void SetHosts(IEnumerable<string> hosts) => JsonEdit.SetStrings(Json, "hosts", hosts);

    public string? SecretName
    {
        get => JsonEdit.Text(Json["secretName"]);
        set => JsonEdit.SetText(Json, "secretName", value?.Trim());
    }
}

/// <summary>The Ingress form's model: class, rules with paths and Service backends, TLS; edited in place.</summary>
public sealed class IngressEditor(JsonObject ingress)
{
    public JsonObject Json { get; } = ingress;

    private JsonObject Spec => JsonEdit.Obj(Json, "spec");

    public string? IngressClassName
    {
        get => JsonEdit.Text(Json["spec"]?["ingressClassName"]);
        set => JsonEdit.SetText(Spec, "ingressClassName", value);
    }

    public IReadOnlyList<IngressRuleEditor> Rules =>
        Json["spec"]?["rules"] is JsonArray a
            ? [.. a.Select((r, i) => r is JsonObject o ? new IngressRuleEditor(o, $"spec.rules[{i}]") : null).OfType<IngressRuleEditor>()]
            : [];

    public void AddRule(string? service, string? port)
    {
        var rule = new JsonObject { ["host"] = Rules.Count == 0 ? "app.example.com" : $"app{Rules.Count + 1}.example.com" };
        JsonEdit.Arr(Spec, "rules").Add(rule);
        new IngressRuleEditor(rule, "").AddPath(service, port);
    }

    public void RemoveRule(int index)
    {
        if (Json["spec"]?["rules"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
            JsonEdit.RemoveIfEmpty(Spec, "rules");
        }
    }

    public IReadOnlyList<IngressTlsEditor> Tls =>
        Json["spec"]?["tls"] is JsonArray a
            ? [.. a.Select((t, i) => t is JsonObject o ? new IngressTlsEditor(o, $"spec.tls[{i}]") : null).OfType<IngressTlsEditor>()]
            : [];

    public void AddTls()
    {
        var hosts = Rules.Select(r => r.Host).OfType<string>().Where(h => h.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var name = JsonEdit.Text(Json["metadata"]?["name"]) ?? "ingress";
        var tls = new JsonObject { ["secretName"] = $"{name}-tls" };
        JsonEdit.SetStrings(tls, "hosts", hosts);
        JsonEdit.Arr(Spec, "tls").Add(tls);
    }

    public void RemoveTls(int index)
    {
        if (Json["spec"]?["tls"] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
            JsonEdit.RemoveIfEmpty(Spec, "tls");
        }
    }

    public IEnumerable<string> VisibleFields()
    {
        yield return "metadata.name";
        yield return "metadata.namespace";
        yield return "spec.ingressClassName";
        yield return "spec.rules";
        foreach (var r in Rules)
        {
            yield return r.FieldPath;
            yield return r.FieldPath + ".host";
            yield return r.FieldPath + ".http.paths";
            foreach (var p in r.Paths)
            {
                yield return p.FieldPath;
                yield return p.FieldPath + ".path";
                yield return p.FieldPath + ".pathType";
                yield return p.FieldPath + ".backend.service.name";
                yield return p.FieldPath + ".backend.service.port";
            }
        }

        yield return "spec.tls";
        foreach (var t in Tls)
        {
            yield return t.FieldPath;
            yield return t.FieldPath + ".hosts";
            yield return t.FieldPath + ".secretName";
        }
    }
}
