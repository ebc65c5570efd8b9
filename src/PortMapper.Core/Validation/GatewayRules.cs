using System.Text.Json.Nodes;
using PortMapper.Core.Loading;

namespace PortMapper.Core.Validation;

/// <summary>
/// The Gateway API CRDs' validation (OpenAPI schema and CEL rules of v1.3.0) for what the designer writes: required
/// fields, port and weight ranges, protocols, path and match types, unique listener names (all found by the model
/// reader, which reports them with the field path) and hostnames (a DNS subdomain, optionally behind "*.").
/// </summary>
internal static class GatewayRules
{
    public static void Validate(JsonObject obj, FindingList f)
    {
        var issues = new List<LoadIssue>();
        new ModelReader(issues).Read(obj);
        foreach (var issue in issues)
        {
            f.Error(issue.Field, issue.Message);
        }

        var spec = obj["spec"] as JsonObject;
        if (spec?["hostnames"] is JsonArray hostnames)
        {
            for (var i = 0; i < hostnames.Count; i++)
            {
                Hostname(hostnames[i], $"spec.hostnames[{i}]", f);
            }
        }

        if (spec?["listeners"] is JsonArray listeners)
        {
            for (var i = 0; i < listeners.Count; i++)
            {
                if (listeners[i]?["hostname"] is { } h)
                {
                    Hostname(h, $"spec.listeners[{i}].hostname", f);
                }
            }
        }
    }

    private static void Hostname(JsonNode? node, string path, FindingList f)
    {
        if (node is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return;
        }

        var host = v.GetValue<string>();
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        if (KubeFormats.IsDns1123Subdomain(name) is { Count: > 0 } problems || host.Contains(':', StringComparison.Ordinal))
        {
            f.InvalidString(path, host, "a hostname is a DNS name, optionally prefixed by a wildcard label (*.example.com); no IP address, no port");
        }
    }
}
