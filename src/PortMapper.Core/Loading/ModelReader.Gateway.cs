using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Loading;

/// <summary>
/// Gateway API objects (gateway.networking.k8s.io, <see cref="GatewayApi.Release"/>): GatewayClass, Gateway, HTTPRoute,
/// GRPCRoute and ReferenceGrant, with the CRD's defaults filled in (a listener's allowedRoutes, a match's path, a
/// backendRef's weight) and its validation reported with the field path, as for the built-in kinds.
/// </summary>
public sealed partial class ModelReader
{
    private static readonly ImmutableArray<string> ListenerProtocols = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"];
    private static readonly ImmutableArray<string> PathTypes = ["Exact", "PathPrefix", "RegularExpression"];
    private static readonly ImmutableArray<string> ValueTypes = ["Exact", "RegularExpression"];
    private static readonly ImmutableArray<string> FromValues = ["All", "Same", "Selector"];

    private static bool IsGatewayApi(string kind, string apiVersion) =>
        GatewayApi.IsModelled(kind) && apiVersion.StartsWith(GatewayApi.Group + "/", StringComparison.Ordinal);

    private IKubeObject? ReadGatewayApi(JsonObject obj, string kind, ObjectMeta meta)
    {
        var apiVersion = obj["apiVersion"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : "";
        if (!IsGatewayApi(kind, apiVersion))
        {
            return null;
        }

        return kind switch
        {
            "GatewayClass" => new GatewayClass(meta with { Namespace = "" })
            {
                ControllerName = Required(Obj(obj, "spec", "spec"), "controllerName", "spec.controllerName"),
                Conditions = ReadConditions(Obj(obj, "status", "status"), "status"),
            },
            "Gateway" => ReadGateway(obj, meta),
            _ when GatewayApi.IsRoute(kind) => ReadRoute(obj, kind, meta),
            _ => ReadReferenceGrant(obj, meta),
        };
    }

    private string Required(JsonObject? parent, string key, string path)
    {
        var value = Str(parent, key, path);
        if (string.IsNullOrEmpty(value))
        {
            Issue(path, "Required value");
        }

        return value ?? "";
    }

    private Model.Gateway ReadGateway(JsonObject obj, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        var status = Obj(obj, "status", "status");
        var listeners = ImmutableArray.CreateBuilder<GatewayListener>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var items = Arr(spec, "listeners", "spec.listeners");
        if (items.Count == 0)
        {
            Issue("spec.listeners", "Required value: a Gateway needs at least one listener");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var l = items[i];
            var at = $"spec.listeners[{i}]";
            var name = Required(l, "name", $"{at}.name");
            if (name.Length > 0 && !names.Add(name))
            {
                Issue($"{at}.name", $"Duplicate value: \"{name}\": listener names must be unique within the Gateway");
            }

            var port = Int(l, "port", $"{at}.port");
            if (port is null)
            {
                Issue($"{at}.port", "Required value");
            }
            else if (port is < 1 or > 65535)
            {
                Issue($"{at}.port", $"Invalid value: {port}: must be between 1 and 65535, inclusive");
            }

            var protocol = Required(l, "protocol", $"{at}.protocol");
            if (protocol.Length > 0 && !ListenerProtocols.Contains(protocol) && !protocol.Contains('/', StringComparison.Ordinal))
            {
                // Implementation-specific protocols must be domain-prefixed (example.com/proto); the core ones are listed.
                Issue($"{at}.protocol", Unsupported(protocol, ListenerProtocols) + " (or a domain-prefixed implementation-specific protocol)");
            }

            var hostname = Str(l, "hostname", $"{at}.hostname");
            if (hostname is not null && protocol is "TCP" or "UDP")
            {
                Issue($"{at}.hostname", $"Forbidden: hostname must not be specified for protocol {protocol}");
            }

            listeners.Add(new GatewayListener(name, port ?? 0, protocol)
            {
                Hostname = string.IsNullOrEmpty(hostname) ? null : hostname,
                AllowedRoutes = ReadAllowedRoutes(Obj(l, "allowedRoutes", $"{at}.allowedRoutes"), $"{at}.allowedRoutes"),
            });
        }

        return new Model.Gateway(meta)
        {
            GatewayClassName = Required(spec, "gatewayClassName", "spec.gatewayClassName"),
            Listeners = listeners.ToImmutable(),
            Addresses = [.. Arr(status, "addresses", "status.addresses").Select((a, i) => Str(a, "value", $"status.addresses[{i}].value")).OfType<string>()],
            Conditions = ReadConditions(status, "status"),
        };
    }

    private AllowedRoutes ReadAllowedRoutes(JsonObject? allowed, string path)
    {
        if (allowed is null)
        {
            return AllowedRoutes.Default;
        }

        var namespaces = Obj(allowed, "namespaces", $"{path}.namespaces");
        var from = Str(namespaces, "from", $"{path}.namespaces.from") ?? "Same";
        if (!FromValues.Contains(from))
        {
            Issue($"{path}.namespaces.from", Unsupported(from, FromValues));
        }

        var selector = Obj(namespaces, "selector", $"{path}.namespaces.selector");
        if (from == "Selector" && selector is null)
        {
            Issue($"{path}.namespaces.selector", "Required value: from: Selector needs a selector");
        }

        var kinds = Arr(allowed, "kinds", $"{path}.kinds")
            .Select((k, i) => (Group: Str(k, "group", $"{path}.kinds[{i}].group") ?? GatewayApi.Group, Kind: Str(k, "kind", $"{path}.kinds[{i}].kind") ?? ""))
            .Where(k => k.Group == GatewayApi.Group)
            .Select(k => k.Kind)
            .ToImmutableArray();
        return new AllowedRoutes(from, selector is null ? null : ReadPolicySelector(selector, $"{path}.namespaces.selector"), kinds);
    }

    private HttpRoute ReadRoute(JsonObject obj, string kind, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        var rules = Arr(spec, "rules", "spec.rules");
        return new HttpRoute(meta)
        {
            Kind = kind,
            ParentRefs = [.. Arr(spec, "parentRefs", "spec.parentRefs").Select((p, i) => ReadParentRef(p, $"spec.parentRefs[{i}]"))],
            // A TCPRoute has no hostnames: it takes every connection on its listener.
            Hostnames = kind == "TCPRoute" ? [] : StrArr(spec, "hostnames", "spec.hostnames"),

            // The HTTPRoute CRD defaults absent rules to one rule matching every request, without backends (so: 500).
            Rules = spec?["rules"] is null && kind == "HTTPRoute" ? [new HttpRouteRule()] : [.. rules.Select((r, i) => ReadRule(r, kind, $"spec.rules[{i}]"))],
            Parents = [.. Arr(Obj(obj, "status", "status"), "parents", "status.parents").Select((p, i) => new RouteParentStatus(
                ReadParentRef(Obj(p, "parentRef", $"status.parents[{i}].parentRef") ?? [], $"status.parents[{i}].parentRef"),
                Str(p, "controllerName", $"status.parents[{i}].controllerName") ?? "",
                ReadConditions(p, $"status.parents[{i}]")))],
        };
    }

    private ParentRef ReadParentRef(JsonObject p, string path)
    {
        var port = Int(p, "port", $"{path}.port");
        if (port is < 1 or > 65535)
        {
            Issue($"{path}.port", $"Invalid value: {port}: must be between 1 and 65535, inclusive");
        }

        return new ParentRef(Required(p, "name", $"{path}.name"))
        {
            Group = Str(p, "group", $"{path}.group") ?? GatewayApi.Group,
            Kind = Str(p, "kind", $"{path}.kind") ?? "Gateway",
            Namespace = Str(p, "namespace", $"{path}.namespace") is { Length: > 0 } ns ? ns : null,
            SectionName = Str(p, "sectionName", $"{path}.sectionName") is { Length: > 0 } s ? s : null,
            Port = port,
        };
    }

    private HttpRouteRule ReadRule(JsonObject rule, string kind, string path) => new()
    {
        Name = Str(rule, "name", $"{path}.name"),
        Redirect = ReadRedirect(rule, path),
        Matches = GatewayApi.IsConnectionRoute(kind) ? [] : [.. Arr(rule, "matches", $"{path}.matches").Select((m, i) => kind == "GRPCRoute" ? ReadGrpcMatch(m, $"{path}.matches[{i}]") : ReadHttpMatch(m, $"{path}.matches[{i}]"))],
        BackendRefs = [.. Arr(rule, "backendRefs", $"{path}.backendRefs").Select((b, i) => ReadBackendRef(b, $"{path}.backendRefs[{i}]"))],
    };

    /// <summary>The rule's first RequestRedirect filter (the CRD allows one), or null.</summary>
    private HttpRedirect? ReadRedirect(JsonObject rule, string path)
    {
        var filters = Arr(rule, "filters", $"{path}.filters");
        for (var i = 0; i < filters.Count; i++)
        {
            var at = $"{path}.filters[{i}]";
            if (Str(filters[i], "type", $"{at}.type") == "RequestRedirect")
            {
                var r = Obj(filters[i], "requestRedirect", $"{at}.requestRedirect");
                return new HttpRedirect(
                    Str(r, "scheme", $"{at}.requestRedirect.scheme"),
                    Str(r, "hostname", $"{at}.requestRedirect.hostname"),
                    Int(r, "port", $"{at}.requestRedirect.port"),
                    Int(r, "statusCode", $"{at}.requestRedirect.statusCode") ?? 302);
            }
        }

        return null;
    }

    private HttpRouteMatch ReadHttpMatch(JsonObject m, string path)
    {
        var p = Obj(m, "path", $"{path}.path");
        var type = Str(p, "type", $"{path}.path.type") ?? "PathPrefix";
        var value = Str(p, "value", $"{path}.path.value") ?? "/";
        if (!PathTypes.Contains(type))
        {
            Issue($"{path}.path.type", Unsupported(type, PathTypes));
        }
        else if (type != "RegularExpression" && !value.StartsWith('/'))
        {
            Issue($"{path}.path.value", $"Invalid value: \"{value}\": must be an absolute path (start with '/')");
        }

        return new HttpRouteMatch
        {
            Path = new HttpPathMatch(type, value),
            Method = Str(m, "method", $"{path}.method"),
            Headers = ReadValueMatches(m, "headers", path),
            QueryParams = ReadValueMatches(m, "queryParams", path),
        };
    }

    /// <summary>
    /// A GRPCRoute match as the HTTP/2 request it matches: method {service, method} Exact is the path
    /// "/service/method"; a service alone is every method of it; a method alone that method of every service.
    /// </summary>
    private HttpRouteMatch ReadGrpcMatch(JsonObject m, string path)
    {
        var method = Obj(m, "method", $"{path}.method");
        var type = Str(method, "type", $"{path}.method.type") ?? "Exact";
        if (!ValueTypes.Contains(type))
        {
            Issue($"{path}.method.type", Unsupported(type, ValueTypes));
        }

        var service = Str(method, "service", $"{path}.method.service");
        var name = Str(method, "method", $"{path}.method.method");
        if (method is not null && service is null && name is null)
        {
            Issue($"{path}.method", "Invalid value: one or both of 'service' or 'method' must be specified");
        }

        var regex = type == "RegularExpression";
        string Part(string? value) => value is null ? "[^/]+" : regex ? value : System.Text.RegularExpressions.Regex.Escape(value);
        var pathMatch = (service, name, regex) switch
        {
            (null, null, _) => HttpPathMatch.Default,
            ({ } s, { } n, false) => new HttpPathMatch("Exact", $"/{s}/{n}"),
            ({ } s, null, false) => new HttpPathMatch("PathPrefix", $"/{s}"),
            _ => new HttpPathMatch("RegularExpression", $"/{Part(service)}/{Part(name)}"),
        };
        return new HttpRouteMatch { Path = pathMatch, Headers = ReadValueMatches(m, "headers", path) };
    }

    private ImmutableArray<HttpValueMatch> ReadValueMatches(JsonObject m, string key, string path) =>
    [
        .. Arr(m, key, $"{path}.{key}").Select((h, i) =>
        {
            var type = Str(h, "type", $"{path}.{key}[{i}].type") ?? "Exact";
            if (!ValueTypes.Contains(type))
            {
                Issue($"{path}.{key}[{i}].type", Unsupported(type, ValueTypes));
            }

            return new HttpValueMatch(Required(h, "name", $"{path}.{key}[{i}].name"), Str(h, "value", $"{path}.{key}[{i}].value") ?? "", type);
        }),
    ];

    private BackendRef ReadBackendRef(JsonObject b, string path)
    {
        var port = Int(b, "port", $"{path}.port");
        if (port is < 1 or > 65535)
        {
            Issue($"{path}.port", $"Invalid value: {port}: must be between 1 and 65535, inclusive");
        }

        var weight = Int(b, "weight", $"{path}.weight") ?? 1;
        if (weight is < 0 or > 1_000_000)
        {
            Issue($"{path}.weight", $"Invalid value: {weight}: must be between 0 and 1000000, inclusive");
        }

        var group = Str(b, "group", $"{path}.group") ?? "";
        var kind = Str(b, "kind", $"{path}.kind") ?? "Service";
        if (group.Length == 0 && kind == "Service" && port is null)
        {
            Issue($"{path}.port", "Required value: must be specified when the referent is a Service");
        }

        return new BackendRef(Required(b, "name", $"{path}.name"))
        {
            Group = group,
            Kind = kind,
            Namespace = Str(b, "namespace", $"{path}.namespace") is { Length: > 0 } ns ? ns : null,
            Port = port,
            Weight = weight,
        };
    }

    private ReferenceGrant ReadReferenceGrant(JsonObject obj, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        return new ReferenceGrant(meta)
        {
            From = [.. Arr(spec, "from", "spec.from").Select((f, i) => new ReferenceGrantFrom(
                Str(f, "group", $"spec.from[{i}].group") ?? "", Required(f, "kind", $"spec.from[{i}].kind"), Required(f, "namespace", $"spec.from[{i}].namespace")))],
            To = [.. Arr(spec, "to", "spec.to").Select((t, i) => new ReferenceGrantTo(
                Str(t, "group", $"spec.to[{i}].group") ?? "", Required(t, "kind", $"spec.to[{i}].kind"), Str(t, "name", $"spec.to[{i}].name") is { Length: > 0 } n ? n : null))],
        };
    }

    private ImmutableArray<StatusCondition> ReadConditions(JsonObject? parent, string path) =>
    [
        .. Arr(parent, "conditions", $"{path}.conditions").Select((c, i) => new StatusCondition(
            Str(c, "type", $"{path}.conditions[{i}].type") ?? "",
            Str(c, "status", $"{path}.conditions[{i}].status") ?? "Unknown",
            Str(c, "reason", $"{path}.conditions[{i}].reason"),
            Str(c, "message", $"{path}.conditions[{i}].message"))),
    ];
}
