using System.Net;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// What a trace knows about the first packet of a connection, and whether a rule's matches hold for it:
/// yes, no, or maybe (a random pick, a client's history, an address the request leaves open). Shared by the
/// iptables and nftables traces.
/// </summary>
internal sealed class PacketFacts
{
    private readonly TraceContext _context;
    private readonly KubeProxyRequest _request;
    private readonly string _protocol;
    private readonly IPAddress? _destination;
    private readonly IPAddress? _source;

    public PacketFacts(TraceContext context, KubeProxyRequest request)
    {
        _context = context;
        _request = request;
        _protocol = request.Protocol.ToLowerInvariant();
        _destination = IpText.TryNormalize(request.DestinationIp, out var destination) ? destination : null;
        _source = IpText.TryNormalize(request.SourceIp, out var source) ? source
            : request.Source == RequestSource.Node ? context.NodeIp
            : null;
    }

    public string Protocol => _protocol;

    public IPAddress? Destination => _destination;

    public IPAddress? Source => _source;

    public Tri Evaluate(RuleMatch m)
    {
        var result = Tri.Yes;
        if (m.Protocol is not null && m.Protocol != _protocol)
        {
            return Tri.No;
        }

        if (m.Destination is not null && !m.Destination.Equals(_destination))
        {
            return Tri.No;
        }

        if (m.DestinationPort is { } port && port != _request.DestinationPort)
        {
            return Tri.No;
        }

        if (m.ExcludedDestination is { } excluded && excluded.Contains(_destination!))
        {
            return Tri.No;
        }

        if (m.DestinationLocal)
        {
            result = Min(result, DestinationLocal());
        }

        if (m.SourceLocal)
        {
            result = Min(result, _request.Source == RequestSource.Node ? Tri.Yes : Tri.No);
        }

        if (m.Source is { } source)
        {
            var inside = SourceIn(source);
            result = Min(result, m.SourceNegated ? Not(inside) : inside);
        }

        if (m.PerConnection)
        {
            result = Min(result, Tri.Maybe);
        }

        return result;
    }

    public Tri DestinationLocal()
    {
        if (_context.NodeAddresses.Contains(_destination!) || IPAddress.IsLoopback(_destination!))
        {
            return Tri.Yes;
        }

        return _context.NodeAddresses.IsEmpty ? Tri.Maybe : Tri.No;
    }

    /// <summary>Whether the client's address is in <paramref name="range"/>, given what is known about it.</summary>
    public Tri SourceIn(IpText.Cidr range)
    {
        if (_source is not null)
        {
            return range.Contains(_source) ? Tri.Yes : Tri.No;
        }

        var singleAddress = range.Prefix == (range.IsV6 ? 128 : 32);
        switch (_request.Source)
        {
            case RequestSource.Pod:
                // An unnamed pod is not one of this Service's endpoints (no hairpin) and not a load-balancer IP.
                if (singleAddress || _context.PodCidr is not { } pods)
                {
                    return singleAddress ? Tri.No : Tri.Maybe;
                }

                return Covers(range, pods) ? Tri.Yes : Overlaps(range, pods) ? Tri.Maybe : Tri.No;
            case RequestSource.External:
                if (singleAddress || (_context.PodCidr is { } cluster && Covers(cluster, range)))
                {
                    return Tri.No;
                }

                return Tri.Maybe;
            default:
                return Tri.Maybe;
        }
    }

    private static bool Covers(IpText.Cidr outer, IpText.Cidr inner) => outer.Prefix <= inner.Prefix && outer.Contains(inner.Network);

    private static bool Overlaps(IpText.Cidr a, IpText.Cidr b) => Covers(a, b) || Covers(b, a);

    public static Tri Min(Tri a, Tri b) => a < b ? a : b;

    public static Tri Not(Tri value) => value switch
    {
        Tri.Yes => Tri.No,
        Tri.No => Tri.Yes,
        _ => Tri.Maybe,
    };
}
