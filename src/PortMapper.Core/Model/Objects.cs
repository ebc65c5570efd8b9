using System.Collections.Immutable;

namespace PortMapper.Core.Model;

/// <summary>Where an object came from when it was read from a file: used to point errors at their source.</summary>
public sealed record SourceLocation(string File, int DocumentIndex, int Line)
{
    public override string ToString() => $"{File} (document {DocumentIndex + 1}, line {Line})";
}

/// <summary>Identifies one object: kind, namespace ("" for cluster-scoped kinds) and name.</summary>
public sealed record ObjectRef(string Kind, string Namespace, string Name)
{
    public override string ToString() => Namespace.Length == 0 ? $"{Kind}/{Name}" : $"{Kind} {Namespace}/{Name}";
}

public sealed record ObjectMeta
{
    public required string Name { get; init; }

    /// <summary>"" for cluster-scoped objects.</summary>
    public string Namespace { get; init; } = "";

    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer);

    public ImmutableDictionary<string, string> Annotations { get; init; } = ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer);

    public string? Uid { get; init; }

    public string? ResourceVersion { get; init; }

    public string? CreationTimestamp { get; init; }

    public ImmutableArray<OwnerReference> OwnerReferences { get; init; } = [];

    public SourceLocation? Source { get; init; }
}

public sealed record OwnerReference(string Kind, string Name, string? Uid, bool Controller);

/// <summary>Every object the model holds.</summary>
public interface IKubeObject
{
    string Kind { get; }

    ObjectMeta Metadata { get; }
}

public static class KubeObjectExtensions
{
    public static ObjectRef Ref(this IKubeObject o) => new(o.Kind, o.Metadata.Namespace, o.Metadata.Name);

    public static ObjectKey Key(this IKubeObject o) => new(o.Metadata.Namespace, o.Metadata.Name);
}

/// <summary>Namespace and name: the identity of an object within its kind.</summary>
public readonly record struct ObjectKey(string Namespace, string Name) : IComparable<ObjectKey>
{
    public int CompareTo(ObjectKey other)
    {
        var c = string.CompareOrdinal(Namespace, other.Namespace);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }

    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}

/// <summary>Kubernetes names, label keys and values compare ordinally and case-sensitively.</summary>
public static class KubeNames
{
    public static StringComparer Comparer { get; } = StringComparer.Ordinal;
}

public static class Protocols
{
    public const string Tcp = "TCP";
    public const string Udp = "UDP";
    public const string Sctp = "SCTP";

    public static ImmutableArray<string> Supported { get; } = [Sctp, Tcp, Udp];
}

public static class ServiceTypes
{
    public const string ClusterIp = "ClusterIP";
    public const string NodePort = "NodePort";
    public const string LoadBalancer = "LoadBalancer";
    public const string ExternalName = "ExternalName";

    public static ImmutableArray<string> Supported { get; } = [ClusterIp, ExternalName, LoadBalancer, NodePort];
}

public static class IpFamily
{
    public const string V4 = "IPv4";
    public const string V6 = "IPv6";
}

/// <summary>spec.ipFamilyPolicy values.</summary>
public static class IpFamilyPolicies
{
    public const string SingleStack = "SingleStack";
    public const string PreferDualStack = "PreferDualStack";
    public const string RequireDualStack = "RequireDualStack";

    public static ImmutableArray<string> All { get; } = [SingleStack, PreferDualStack, RequireDualStack];
}

/// <summary>spec.trafficDistribution values; PreferClose is the older name of PreferSameZone.</summary>
public static class TrafficDistributions
{
    public const string PreferClose = "PreferClose";
    public const string PreferSameZone = "PreferSameZone";
    public const string PreferSameNode = "PreferSameNode";
}

public static class TrafficPolicies
{
    public const string Cluster = "Cluster";
    public const string Local = "Local";
}
