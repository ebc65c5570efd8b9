using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// A designed Ingress's backends against the Services they name (after the design is applied), and its
/// ingressClassName against the IngressClasses of the cluster.
/// </summary>
internal static class IngressChecks
{
    public static void Run(DesignContext context, List<ValidationFinding>[] findings)
    {
        foreach (var d in context.Designed)
        {
            if (d.Model is not Ingress ingress)
            {
                continue;
            }

            // Values of the wrong type are the manifest validator's to report; here they just read as absent.
            var ignored = new FindingList();
            var spec = JsonFields.Object(d.Json, "spec", "spec", ignored);
            foreach (var (backend, path) in Backends(spec, ignored))
            {
                if (CheckBackend(backend, path, ingress.Metadata.Namespace, context, ignored) is { } finding)
                {
                    findings[d.Index].Add(finding);
                }
            }

            var className = JsonFields.String(spec, "ingressClassName", "spec.ingressClassName", ignored);
            if (context.KnowsCluster && !string.IsNullOrEmpty(className) && !context.After.IngressClasses.ContainsKey(className))
            {
                findings[d.Index].Add(ValidationFinding.Create("spec.ingressClassName", ValidationSeverity.Warning,
                    $"IngressClass {GoValues.Quote(className)} does not exist in the cluster: no ingress controller will serve this Ingress"));
            }
        }
    }

    private static IEnumerable<(JsonObject Backend, string Path)> Backends(JsonObject? spec, FindingList ignored)
    {
        if (JsonFields.Object(spec, "defaultBackend", "", ignored) is { } defaultBackend)
        {
            yield return (defaultBackend, "spec.defaultBackend");
        }

        foreach (var (rule, rulePath) in JsonFields.ObjectList(spec, "rules", "spec.rules", ignored) ?? [])
        {
            var http = JsonFields.Object(rule, "http", "", ignored);
            foreach (var (p, pPath) in JsonFields.ObjectList(http, "paths", $"{rulePath}.http.paths", ignored) ?? [])
            {
                if (JsonFields.Object(p, "backend", "", ignored) is { } backend)
                {
                    yield return (backend, $"{pPath}.backend");
                }
            }
        }
    }

    private static ValidationFinding? CheckBackend(JsonObject backend, string path, string ns, DesignContext context, FindingList ignored)
    {
        var service = JsonFields.Object(backend, "service", "", ignored);
        var name = JsonFields.String(service, "name", "", ignored);
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        if (!context.After.Services.TryGetValue(new ObjectKey(ns, name), out var target))
        {
            return context.KnowsCluster
                ? ValidationFinding.Create($"{path}.service.name", ValidationSeverity.Error, $"Service {GoValues.Quote(name)} not found in namespace {ns}: the ingress controller has nowhere to send this traffic")
                : null;
        }

        var port = JsonFields.Object(service, "port", "", ignored);
        var portName = JsonFields.String(port, "name", "", ignored);
        var portNumber = JsonFields.Int(port, "number", "", ignored);
        var ports = target.Ports.IsEmpty
            ? "it has no ports"
            : "its ports: " + string.Join(", ", target.Ports.Select(p => p.Name is { Length: > 0 } n ? $"{p.Port}/{p.Protocol} {GoValues.Quote(n)}" : $"{p.Port}/{p.Protocol}"));
        if (!string.IsNullOrEmpty(portName) && !target.Ports.Any(p => p.Name == portName))
        {
            return ValidationFinding.Create($"{path}.service.port.name", ValidationSeverity.Error,
                $"Service {target.Key()} has no port named {GoValues.Quote(portName)} ({ports})") with { Related = target.Ref() };
        }

        if (string.IsNullOrEmpty(portName) && portNumber is { } number and not 0 && !target.Ports.Any(p => p.Port == number))
        {
            return ValidationFinding.Create($"{path}.service.port.number", ValidationSeverity.Error,
                $"Service {target.Key()} has no port {number} ({ports})") with { Related = target.Ref() };
        }

        return null;
    }
}
