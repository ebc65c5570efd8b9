using System.Globalization;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Web.Graph;

/// <summary>
/// The graph's search box: a path matches when one of its objects' names, addresses or ports matches.
/// A number matches a port exactly (or is part of an address); ":30001" matches only ports; anything else is a
/// case-insensitive substring of a name, an address or "address:port".
/// </summary>
public static class GraphSearch
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static bool IsActive(string? query) => !string.IsNullOrWhiteSpace(query);

    public static bool Matches(TrafficPath path, string query)
    {
        var q = query.Trim();
        if (q.Length == 0)
        {
            return true;
        }

        if (q[0] == ':' && int.TryParse(q.AsSpan(1), NumberStyles.None, Inv, out var onlyPort))
        {
            return Ports(path).Contains(onlyPort);
        }

        if (int.TryParse(q, NumberStyles.None, Inv, out var port) && Ports(path).Contains(port))
        {
            return true;
        }

        return Texts(path).Any(t => t.Contains(q, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True when the endpoint (a pod behind a Service) is what the query names: its pod name, IP or IP:port.</summary>
    public static bool Matches(EndpointTarget endpoint, string query)
    {
        var q = query.Trim();
        if (q.Length == 0)
        {
            return false;
        }

        return (endpoint.Pod?.Name.Contains(q, StringComparison.OrdinalIgnoreCase) ?? false)
            || (endpoint.Ip is { } ip && (ip.Contains(q, StringComparison.Ordinal) || endpoint.ToString().Contains(q, StringComparison.Ordinal)));
    }

    private static HashSet<int> Ports(TrafficPath path)
    {
        var ports = new HashSet<int>();
        foreach (var hop in path.Hops)
        {
            if (hop.Port is { } p)
            {
                ports.Add(p);
            }

            foreach (var e in hop.Endpoints)
            {
                if (e.Port is { } ep)
                {
                    ports.Add(ep);
                }
            }
        }

        return ports;
    }

    private static IEnumerable<string> Texts(TrafficPath path)
    {
        yield return path.Id;
        yield return path.Namespace;
        foreach (var r in new[] { path.Service, path.Pod, path.Ingress })
        {
            if (r is not null)
            {
                yield return r.Name;
            }
        }

        foreach (var hop in path.Hops)
        {
            if (hop.Name is { } name)
            {
                yield return name;
            }

            foreach (var a in hop.Addresses)
            {
                yield return a;
                if (hop.Port is { } p)
                {
                    yield return $"{a}:{p.ToString(Inv)}";
                }
            }

            foreach (var n in hop.Nodes)
            {
                yield return n;
            }

            foreach (var e in hop.Endpoints)
            {
                if (e.Pod is { } pod)
                {
                    yield return pod.Name;
                }

                if (e.Ip is not null)
                {
                    yield return e.ToString();
                }
            }
        }
    }
}
