using System.Collections.Immutable;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Web.Designer;

/// <summary>Where a message about a field came from: PortMapper's validation as you type, or the cluster's answer to a dry run or apply.</summary>
public enum FieldMessageSource
{
    Validation,
    Server,
}

/// <summary>One message about one field of the designed object.</summary>
/// <param name="Field">The field path as the API server names it.</param>
/// <param name="Detail">The message without the field path (for showing at the field).</param>
/// <param name="Message">The whole message, field path included (for lists).</param>
public sealed record FieldMessage(string Field, ValidationSeverity Severity, string Detail, string Message, FieldMessageSource Source)
{
    public ObjectRef? Related { get; init; }

    public static FieldMessage From(ValidationFinding f) => new(f.Field, f.Severity, f.Detail, f.Message, FieldMessageSource.Validation) { Related = f.Related };

    public static FieldMessage From(FieldError e) => new(e.Field, ValidationSeverity.Error, e.Message, $"{e.Field}: {e.Message}", FieldMessageSource.Server);
}

/// <summary>
/// Puts each message at the form field it is about. A message belongs to the field with its exact path, or else to
/// the nearest enclosing field the form shows (a finding on <c>spec.ports[1]</c>'s port/protocol pair goes to that
/// port's row). Messages about fields the form does not show are <see cref="Unplaced"/>: the findings list shows them.
/// </summary>
public sealed class FieldMessageIndex
{
    public static FieldMessageIndex Empty { get; } = new([], []);

    private readonly ImmutableDictionary<string, ImmutableArray<FieldMessage>> _at;

    public FieldMessageIndex(IEnumerable<FieldMessage> messages, IEnumerable<string> visibleFields)
    {
        var visible = visibleFields.ToHashSet(StringComparer.Ordinal);
        var at = new Dictionary<string, List<FieldMessage>>(StringComparer.Ordinal);
        var unplaced = ImmutableArray.CreateBuilder<FieldMessage>();
        foreach (var m in messages)
        {
            if (Place(AboutFamilies(m) ? "spec.ipFamilies" : m.Field, visible) is { } field)
            {
                if (!at.TryGetValue(field, out var list))
                {
                    at[field] = list = [];
                }

                list.Add(m);
            }
            else
            {
                unplaced.Add(m);
            }
        }

        _at = at.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray(), StringComparer.Ordinal);
        Unplaced = unplaced.ToImmutable();
    }

    public ImmutableArray<FieldMessage> Unplaced { get; }

    public ImmutableArray<FieldMessage> At(string field) => _at.GetValueOrDefault(field, []);

    public bool HasErrorAt(string field) => At(field).Any(m => m.Severity == ValidationSeverity.Error);

    /// <summary>
    /// A cluster IP the API server refuses because of its family (one kept from before meeting a new primary family, or a
    /// family the cluster has no range for): it is the family choice that decides it, so it is shown there. The server's
    /// 422 has only the text, so the text decides; PortMapper's own warning form of the rule carries the same words.
    /// </summary>
    private static bool AboutFamilies(FieldMessage m) =>
        m.Field.StartsWith("spec.clusterIPs", StringComparison.Ordinal)
        && (m.Detail.Contains("as indicated by `ipFamilies", StringComparison.Ordinal) || m.Detail.Contains("is not configured on this cluster", StringComparison.Ordinal));

    /// <summary>The shown field a message about <paramref name="field"/> belongs to, or null.</summary>
    public static string? Place(string field, IReadOnlySet<string> visible)
    {
        var path = Normalize(field);
        while (path.Length > 0)
        {
            if (visible.Contains(path))
            {
                return path;
            }

            path = Parent(path);
        }

        return null;
    }

    /// <summary>The few paths the API server spells differently from the JSON field, and fields the form edits together.</summary>
    internal static string Normalize(string field)
    {
        if (field.StartsWith("spec.LoadBalancerSourceRanges", StringComparison.Ordinal))
        {
            return "spec.loadBalancerSourceRanges" + field["spec.LoadBalancerSourceRanges".Length..];
        }

        // The type selector decides clusterIP None (headless) and ExternalName's lack of a clusterIP.
        if (field.StartsWith("spec.clusterIP", StringComparison.Ordinal))
        {
            return "spec.type";
        }

        return field;
    }

    /// <summary><c>a.b[0].c</c> → <c>a.b[0]</c> → <c>a.b</c> → <c>a</c> → "".</summary>
    internal static string Parent(string path)
    {
        if (path.EndsWith(']'))
        {
            var open = path.LastIndexOf('[');
            return open > 0 ? path[..open] : "";
        }

        var dot = path.LastIndexOf('.');
        var bracket = path.LastIndexOf('[');
        return dot > bracket ? path[..dot] : "";
    }
}
