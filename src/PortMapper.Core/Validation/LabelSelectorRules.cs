using System.Text.Json.Nodes;

namespace PortMapper.Core.Validation;

/// <summary>ValidateLabelSelector (apimachinery pkg/apis/meta/v1/validation) with the server's paths and messages.</summary>
internal static class LabelSelectorRules
{
    public static void Validate(JsonObject? selector, string path, FindingList f)
    {
        if (selector is null)
        {
            return;
        }

        foreach (var (key, value) in JsonFields.StringMap(selector, "matchLabels", $"{path}.matchLabels", f) ?? [])
        {
            LabelName(key, $"{path}.matchLabels", f);
            foreach (var msg in KubeFormats.IsValidLabelValue(value))
            {
                f.InvalidString($"{path}.matchLabels", value, msg);
            }
        }

        foreach (var (expr, exprPath) in JsonFields.ObjectList(selector, "matchExpressions", $"{path}.matchExpressions", f) ?? [])
        {
            var op = JsonFields.String(expr, "operator", $"{exprPath}.operator", f) ?? "";
            var values = JsonFields.StringList(expr, "values", $"{exprPath}.values", f) ?? [];
            switch (op)
            {
                case "In" or "NotIn":
                    if (values.Length == 0)
                    {
                        f.Required($"{exprPath}.values", "must be specified when `operator` is 'In' or 'NotIn'");
                    }

                    break;
                case "Exists" or "DoesNotExist":
                    if (values.Length > 0)
                    {
                        f.Forbidden($"{exprPath}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    }

                    break;
                default:
                    f.InvalidString($"{exprPath}.operator", op, "not a valid selector operator");
                    break;
            }

            LabelName(JsonFields.String(expr, "key", $"{exprPath}.key", f) ?? "", $"{exprPath}.key", f);
            for (var i = 0; i < values.Length; i++)
            {
                foreach (var msg in KubeFormats.IsValidLabelValue(values[i]))
                {
                    f.InvalidString($"{exprPath}.values[{i}]", values[i], msg);
                }
            }
        }
    }

    private static void LabelName(string name, string path, FindingList f)
    {
        foreach (var msg in KubeFormats.IsQualifiedName(name))
        {
            f.InvalidString(path, name, msg);
        }
    }
}
