namespace PortMapper.Core.Model;

/// <summary>
/// A port given either as a number or as a name (Kubernetes' IntOrString for ports:
/// Service targetPort, Ingress backend port). Exactly one of the two is set.
/// </summary>
public readonly record struct IntOrName
{
    private IntOrName(int? number, string? name)
    {
        Number = number;
        Name = name;
    }

    public int? Number { get; }

    public string? Name { get; }

    public bool IsName => Name is not null;

    public static IntOrName FromNumber(int number) => new(number, null);

    public static IntOrName FromName(string name) => new(null, name ?? throw new ArgumentNullException(nameof(name)));

    public override string ToString() => Name ?? Number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
