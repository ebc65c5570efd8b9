using System.Text.Json.Nodes;

namespace PortMapper.TestApiServer;

/// <summary>
/// A list or watch <c>fieldSelector</c> as kube-apiserver accepts it for every resource: <c>metadata.name</c> and
/// <c>metadata.namespace</c> with <c>=</c>, <c>==</c> or <c>!=</c>, joined by commas (all must hold).
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string Field, bool Equal, string Value)> _terms = [];

    public static FieldSelector Everything { get; } = new();

    /// <summary>The name an equality term pins, for RBAC's resourceNames on list and watch; null when none does.</summary>
    public string? Name => _terms.FirstOrDefault(t => t.Field == "metadata.name" && t.Equal).Value;

    /// <summary>Parses <paramref name="text"/>; null with <paramref name="error"/> set as the API server words it.</summary>
    public static FieldSelector? Parse(string? text, out string? error)
    {
        error = null;
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var term in text.Split(','))
        {
            var (op, at) = term.IndexOf("!=", StringComparison.Ordinal) is var ne and >= 0 ? ("!=", ne)
                : term.IndexOf("==", StringComparison.Ordinal) is var ee and >= 0 ? ("==", ee)
                : term.IndexOf('=', StringComparison.Ordinal) is var e and >= 0 ? ("=", e)
                : ("", -1);
            if (at < 0)
            {
                error = $"invalid selector: '{text}'; can't understand '{term}'";
                return null;
            }

            var field = term[..at].Trim();
            if (field is not ("metadata.name" or "metadata.namespace"))
            {
                error = $"field label not supported: {field}";
                return null;
            }

            selector._terms.Add((field, op != "!=", term[(at + op.Length)..].Trim()));
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, equal, value) in _terms)
        {
            var actual = (field == "metadata.name" ? Json.Str(obj["metadata"]?["name"]) : Json.Str(obj["metadata"]?["namespace"])) ?? "";
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
