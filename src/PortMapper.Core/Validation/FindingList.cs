using System.Collections.Immutable;

namespace PortMapper.Core.Validation;

/// <summary>
/// Collects findings with the API server's field error wording (apimachinery field/errors.go). Like the server's
/// ToAggregate, a message that is already present is not added twice.
/// </summary>
internal sealed class FindingList
{
    private readonly List<ValidationFinding> _findings = [];
    private readonly List<ValidationFinding> _decodeErrors = [];
    private readonly HashSet<string> _messages = new(StringComparer.Ordinal);

    public void Required(string path, string detail = "") =>
        Error(path, detail.Length == 0 ? "Required value" : $"Required value: {detail}");

    public void Forbidden(string path, string detail) => Error(path, $"Forbidden: {detail}");

    /// <param name="value">Already printed the Go way (see <see cref="GoValues"/>).</param>
    public void Invalid(string path, string value, string detail) =>
        Error(path, detail.Length == 0 ? $"Invalid value: {value}" : $"Invalid value: {value}: {detail}");

    public void Invalid(string path, long value, string detail) => Invalid(path, GoValues.Int(value), detail);

    public void InvalidString(string path, string value, string detail) => Invalid(path, GoValues.Quote(value), detail);

    public void Duplicate(string path, string value) => Error(path, $"Duplicate value: {value}");

    /// <param name="supported">In the order the server lists them (most lists are sorted there).</param>
    public void NotSupported(string path, string value, IEnumerable<string> supported) =>
        Error(path, $"Unsupported value: {GoValues.Quote(value)}: supported values: {string.Join(", ", supported.Select(GoValues.Quote))}");

    public void Error(string path, string detail) => Add(path, ValidationSeverity.Error, detail);

    public void Warning(string path, string detail) => Add(path, ValidationSeverity.Warning, detail);

    public void Info(string path, string detail) => Add(path, ValidationSeverity.Info, detail);

    public void Add(string path, ValidationSeverity severity, string detail) => Add(ValidationFinding.Create(path, severity, detail));

    public void Add(ValidationFinding finding)
    {
        if (_messages.Add(finding.Message))
        {
            _findings.Add(finding);
        }
    }

    /// <summary>
    /// A value of the wrong JSON type. The API server cannot decode such an object at all, so once one is found only
    /// these errors are reported (see <see cref="ToImmutable"/>).
    /// </summary>
    public void DecodeError(string path, string value, string expected)
    {
        var finding = ValidationFinding.Create(path, ValidationSeverity.Error, $"Invalid value: {value}: must be {expected}");
        if (_messages.Add(finding.Message))
        {
            _decodeErrors.Add(finding);
        }
    }

    /// <summary>Moves findings collected elsewhere in, changing the severity of their errors (warnings and notes stay).</summary>
    public void AddAll(FindingList other, ValidationSeverity errorSeverity)
    {
        foreach (var f in other._decodeErrors)
        {
            if (_messages.Add(f.Message))
            {
                _decodeErrors.Add(f);
            }
        }

        foreach (var f in other._findings)
        {
            Add(f.Severity == ValidationSeverity.Error ? f with { Severity = errorSeverity } : f);
        }
    }

    /// <summary>Decode errors alone when there are any (the server stops there), else every finding in order.</summary>
    public ImmutableArray<ValidationFinding> ToImmutable() => _decodeErrors.Count > 0 ? [.. _decodeErrors] : [.. _findings];
}
