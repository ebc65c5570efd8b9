using System.Text.Json.Nodes;

namespace PortMapper.Core.Validation;

/// <summary>metadata.name / generateName / namespace, as ValidateObjectMeta checks them on create.</summary>
internal static class ObjectMetaRules
{
    /// <param name="nameRule">The kind's name format (DNS-1035 label for Services, DNS-1123 subdomain for most others).</param>
    public static void Validate(JsonObject obj, Func<string, List<string>> nameRule, bool namespaced, FindingList f)
    {
        var meta = JsonFields.Object(obj, "metadata", "metadata", f);
        var name = JsonFields.String(meta, "name", "metadata.name", f) ?? "";
        var generateName = JsonFields.String(meta, "generateName", "metadata.generateName", f) ?? "";
        if (generateName.Length > 0)
        {
            foreach (var msg in nameRule(MaskTrailingDash(generateName)))
            {
                f.InvalidString("metadata.generateName", generateName, msg);
            }
        }

        // With only generateName the server makes up the name before it validates, so only the prefix is checked.
        if (name.Length > 0)
        {
            foreach (var msg in nameRule(name))
            {
                f.InvalidString("metadata.name", name, msg);
            }
        }
        else if (generateName.Length == 0)
        {
            f.Required("metadata.name", "name or generateName is required");
        }

        // A missing namespace is not an error: the request's namespace (the target's default) fills it in.
        var ns = JsonFields.String(meta, "namespace", "metadata.namespace", f) ?? "";
        if (namespaced && ns.Length > 0)
        {
            foreach (var msg in KubeFormats.IsDns1123Label(ns))
            {
                f.InvalidString("metadata.namespace", ns, msg);
            }
        }
    }

    /// <summary>
    /// The server validates a generateName prefix with its trailing dash replaced, because a suffix will follow. It
    /// replaces the last two characters with "a" (apimachinery maskTrailingDash), and so do we.
    /// </summary>
    private static string MaskTrailingDash(string name) =>
        name.Length > 1 && name.EndsWith('-') ? name[..^2] + "a" : name;
}
