using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

public enum ValidationSeverity
{
    /// <summary>The API server would refuse the object, or traffic cannot flow as designed.</summary>
    Error,

    /// <summary>The API server accepts the object, but it probably does not do what was meant.</summary>
    Warning,

    /// <summary>Something worth knowing that is not a problem (for example a kind PortMapper does not check).</summary>
    Info,
}

/// <summary>
/// One problem with one field. <see cref="Field"/> is the API server's field path (<c>spec.ports[0].nodePort</c>),
/// <see cref="Message"/> is <c>"&lt;Field&gt;: &lt;Detail&gt;"</c> exactly as the API server would print it, and
/// <see cref="Detail"/> is the part after the path (<c>Invalid value: 80: ...</c>).
/// </summary>
public sealed record ValidationFinding(string Field, ValidationSeverity Severity, string Message, string Detail)
{
    /// <summary>The other object involved, when there is one: the Service that already holds a nodePort, the pod that holds a host port.</summary>
    public ObjectRef? Related { get; init; }

    public static ValidationFinding Create(string field, ValidationSeverity severity, string detail) =>
        new(field, severity, $"{field}: {detail}", detail);
}

/// <summary>Everything found about one designed object.</summary>
public sealed record ObjectValidation(ObjectRef Object, ImmutableArray<ValidationFinding> Findings)
{
    public bool HasErrors => Findings.Any(f => f.Severity == ValidationSeverity.Error);
}
