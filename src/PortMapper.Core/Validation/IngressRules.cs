using System.Text.Json.Nodes;

namespace PortMapper.Core.Validation;

/// <summary>ValidateIngressCreate for networking.k8s.io/v1 (pkg/apis/networking/validation).</summary>
internal static class IngressRules
{
    private const string IngressClassAnnotation = "kubernetes.io/ingress.class";
    private static readonly string[] SupportedPathTypes = ["Exact", "ImplementationSpecific", "Prefix"];
    private static readonly string[] InvalidPathSequences = ["//", "/./", "/../", "%2f", "%2F"];
    private static readonly string[] InvalidPathSuffixes = ["/..", "/."];

    public static void Validate(JsonObject obj, FindingList f)
    {
        var annotations = JsonFields.StringMap(JsonFields.Object(obj, "metadata", "metadata", f), "annotations", "metadata.annotations", f);
        var spec = JsonFields.Object(obj, "spec", "spec", f);
        var defaultBackend = JsonFields.Object(spec, "defaultBackend", "spec.defaultBackend", f);
        var rules = JsonFields.ObjectList(spec, "rules", "spec.rules", f);
        var className = JsonFields.String(spec, "ingressClassName", "spec.ingressClassName", f);

        if ((rules is null || rules.Count == 0) && defaultBackend is null)
        {
            // The server prints its (Go) rules slice: nil when the field is absent, empty when it is [].
            f.Invalid("spec", rules is null ? "[]networking.IngressRule(nil)" : "[]networking.IngressRule{}", "either `defaultBackend` or `rules` must be specified");
        }

        if (defaultBackend is not null)
        {
            ValidateBackend(defaultBackend, "spec.defaultBackend", f);
        }

        foreach (var (rule, rulePath) in rules ?? [])
        {
            ValidateRule(rule, rulePath, f);
        }

        foreach (var (tls, tlsPath) in JsonFields.ObjectList(spec, "tls", "spec.tls", f) ?? [])
        {
            var hosts = JsonFields.StringList(tls, "hosts", $"{tlsPath}.hosts", f) ?? [];
            for (var i = 0; i < hosts.Length; i++)
            {
                var msgs = hosts[i].Contains('*', StringComparison.Ordinal) ? KubeFormats.IsWildcardDns1123Subdomain(hosts[i]) : KubeFormats.IsDns1123Subdomain(hosts[i]);
                foreach (var msg in msgs)
                {
                    f.InvalidString($"{tlsPath}.hosts[{i}]", hosts[i], msg);
                }
            }

            var secretName = JsonFields.String(tls, "secretName", $"{tlsPath}.secretName", f) ?? "";
            if (secretName.Length > 0)
            {
                foreach (var msg in KubeFormats.IsDns1123Subdomain(secretName))
                {
                    f.InvalidString($"{tlsPath}.secretName", secretName, msg);
                }
            }
        }

        if (className is not null)
        {
            foreach (var msg in KubeFormats.IsDns1123Subdomain(className))
            {
                f.InvalidString("spec.ingressClassName", className, msg);
            }
        }

        if (annotations?.GetValueOrDefault(IngressClassAnnotation) is { } annotated && className is not null && annotated != className)
        {
            // The server builds this path with Child(), hence dots rather than the [key] of other annotation paths.
            f.InvalidString($"annotations.{IngressClassAnnotation}", annotated, "must match `ingressClassName` when both are specified");
        }
    }

    private static void ValidateRule(JsonObject rule, string path, FindingList f)
    {
        var host = JsonFields.String(rule, "host", $"{path}.host", f) ?? "";
        if (host.Length > 0)
        {
            if (KubeFormats.ParseIp(host) is not null)
            {
                f.InvalidString($"{path}.host", host, "must be a DNS name, not an IP address");
            }

            var msgs = host.Contains('*', StringComparison.Ordinal) ? KubeFormats.IsWildcardDns1123Subdomain(host) : KubeFormats.IsDns1123Subdomain(host);
            foreach (var msg in msgs)
            {
                f.InvalidString($"{path}.host", host, msg);
            }
        }

        var http = JsonFields.Object(rule, "http", $"{path}.http", f);
        if (http is null)
        {
            return;
        }

        var paths = JsonFields.ObjectList(http, "paths", $"{path}.http.paths", f);
        if (paths is null || paths.Count == 0)
        {
            f.Required($"{path}.http.paths");
        }

        foreach (var (p, pPath) in paths ?? [])
        {
            ValidatePath(p, pPath, f);
        }
    }

    private static void ValidatePath(JsonObject p, string path, FindingList f)
    {
        var value = JsonFields.String(p, "path", $"{path}.path", f) ?? "";
        var pathType = JsonFields.String(p, "pathType", $"{path}.pathType", f);
        var backend = JsonFields.Object(p, "backend", $"{path}.backend", f);
        if (pathType is null)
        {
            f.Required($"{path}.pathType", "pathType must be specified");
            return;
        }

        switch (pathType)
        {
            case "Exact" or "Prefix":
                if (!value.StartsWith('/'))
                {
                    f.InvalidString($"{path}.path", value, "must be an absolute path");
                }

                if (value.Length > 0)
                {
                    foreach (var sequence in InvalidPathSequences.Where(s => value.Contains(s, StringComparison.Ordinal)))
                    {
                        f.InvalidString($"{path}.path", value, $"must not contain '{sequence}'");
                    }

                    foreach (var suffix in InvalidPathSuffixes.Where(s => value.EndsWith(s, StringComparison.Ordinal)))
                    {
                        f.InvalidString($"{path}.path", value, $"cannot end with '{suffix}'");
                    }
                }

                break;
            case "ImplementationSpecific":
                if (value.Length > 0 && !value.StartsWith('/'))
                {
                    f.InvalidString($"{path}.path", value, "must be an absolute path");
                }

                break;
            default:
                f.NotSupported($"{path}.pathType", pathType, SupportedPathTypes);
                break;
        }

        ValidateBackend(backend ?? [], $"{path}.backend", f);
    }

    private static void ValidateBackend(JsonObject backend, string path, FindingList f)
    {
        var service = JsonFields.Object(backend, "service", $"{path}.service", f);
        var resource = JsonFields.Object(backend, "resource", $"{path}.resource", f);
        switch (service, resource)
        {
            case (not null, not null):
                f.InvalidString(path, "", "cannot set both resource and service backends");
                return;
            case (null, not null):
                ValidateResource(resource, $"{path}.resource", f);
                return;
            case (null, null):
                f.InvalidString(path, "", "resource or service backend is required");
                return;
        }

        var name = JsonFields.String(service, "name", $"{path}.service.name", f) ?? "";
        if (name.Length == 0)
        {
            f.Required($"{path}.service.name");
        }
        else
        {
            foreach (var msg in KubeFormats.IsDns1035Label(name))
            {
                f.InvalidString($"{path}.service.name", name, msg);
            }
        }

        var port = JsonFields.Object(service, "port", $"{path}.service.port", f);
        var portName = JsonFields.String(port, "name", $"{path}.service.port.name", f) ?? "";
        var portNumber = JsonFields.Int(port, "number", $"{path}.service.port.number", f) ?? 0;
        if (portName.Length > 0 && portNumber != 0)
        {
            f.InvalidString(path, "", "cannot set both port name & port number");
        }
        else if (portName.Length > 0)
        {
            foreach (var msg in KubeFormats.IsValidPortName(portName))
            {
                f.InvalidString($"{path}.service.port.name", portName, msg);
            }
        }
        else if (portNumber != 0)
        {
            foreach (var msg in KubeFormats.IsValidPortNum(portNumber))
            {
                f.Invalid($"{path}.service.port.number", portNumber, msg);
            }
        }
        else
        {
            f.Required(path, "port name or number is required");
        }
    }

    private static void ValidateResource(JsonObject resource, string path, FindingList f)
    {
        var apiGroup = JsonFields.String(resource, "apiGroup", $"{path}.apiGroup", f);
        if (apiGroup is not null)
        {
            foreach (var msg in KubeFormats.IsDns1123Subdomain(apiGroup))
            {
                f.InvalidString($"{path}.apiGroup", apiGroup, msg);
            }
        }

        foreach (var key in new[] { "kind", "name" })
        {
            var value = JsonFields.String(resource, key, $"{path}.{key}", f) ?? "";
            if (value.Length == 0)
            {
                f.Required($"{path}.{key}");
                continue;
            }

            foreach (var msg in KubeFormats.IsPathSegmentName(value))
            {
                f.InvalidString($"{path}.{key}", value, msg);
            }
        }
    }
}
