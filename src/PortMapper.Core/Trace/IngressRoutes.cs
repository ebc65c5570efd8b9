using System.Globalization;
using System.Net;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>The Ingress rule (or default backend) that serves a request, and how it was chosen.</summary>
internal sealed record IngressRoute(Ingress Ingress, string PathId, IngressBackend Backend, string Matched, string? Note);

/// <summary>Host and path matching as networking.k8s.io/v1 defines it.</summary>
internal static class IngressRoutes
{
    public const string Exact = "Exact";
    public const string Prefix = "Prefix";
    public const string ImplementationSpecific = "ImplementationSpecific";

    /// <summary>A rule host matches exactly, or as "*.suffix" matching exactly one more label; no host matches every host.</summary>
    public static bool HostMatches(string? pattern, string host)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return true;
        }

        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && string.Equals(host[(dot + 1)..], pattern[2..], StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Exact: the whole path, case-sensitive. Prefix: element by element on '/'-separated elements, so /foo matches
    /// /foo/bar but not /foobar, and a trailing slash on either side is ignored. Anything else is treated as Prefix.
    /// </summary>
    public static bool PathMatches(string? pathType, string rulePath, string requestPath)
    {
        if (pathType == Exact)
        {
            return string.Equals(rulePath, requestPath, StringComparison.Ordinal);
        }

        var prefix = rulePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var request = requestPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (prefix.Length > request.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (!string.Equals(prefix[i], request[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Picks the rule for a host and path: exact host rules first, then a wildcard host, then rules without a host
    /// (controllers pick the server block by host and never fall through to another). Within those, the longest
    /// matching path wins and Exact beats Prefix on a tie. With no match, a defaultBackend; else null and a reason.
    /// </summary>
    public static IngressRoute? Match(TraceIndex index, string host, string path, out string? problem)
    {
        problem = null;
        var isIp = IPAddress.TryParse(host, out _);
        var atAddress = isIp ? IngressesAt(index, host) : null;
        bool Keep(Ingress i) => atAddress is null || atAddress.Contains(i);

        var dot = host.IndexOf('.', StringComparison.Ordinal);
        var tiers = new (string Name, IEnumerable<IngressRuleRef>? Rules)[]
        {
            ($"host {host}", isIp ? null : index.ExactHostRules.GetValueOrDefault(host)),
            (dot > 0 ? $"wildcard host *.{host[(dot + 1)..]}" : "", isIp || dot <= 0 ? null : index.WildcardRules.GetValueOrDefault(host[(dot + 1)..])),
            ("rules without a host", index.HostlessRules),
        };
        var (tierName, rules) = tiers.Select(t => (t.Name, Rules: t.Rules?.Where(r => Keep(r.Ingress)).ToList() ?? [])).FirstOrDefault(t => t.Rules.Count > 0);
        rules ??= [];

        (IngressRuleRef Rule, int Index, int Length, bool Exact)? best = null;
        foreach (var rule in rules)
        {
            for (var p = 0; p < rule.Rule.Paths.Length; p++)
            {
                var ip = rule.Rule.Paths[p];
                var rulePath = ip.Path ?? "/";
                if (!PathMatches(ip.PathType, rulePath, path))
                {
                    continue;
                }

                var length = ip.PathType == Exact ? rulePath.Length : rulePath.TrimEnd('/').Length;
                var exact = ip.PathType == Exact;
                if (best is null || length > best.Value.Length || (length == best.Value.Length && exact && !best.Value.Exact))
                {
                    best = (rule, p, length, exact);
                }
            }
        }

        if (best is { } b)
        {
            var ing = b.Rule.Ingress;
            var ip = ing.Rules[b.Rule.RuleIndex].Paths[b.Index];
            var type = ip.PathType ?? ImplementationSpecific;
            var pathId = string.Create(CultureInfo.InvariantCulture, $"ingress:{ing.Metadata.Namespace}/{ing.Metadata.Name}:{b.Rule.RuleIndex}:{b.Index}");
            var matched = $"rule host {(string.IsNullOrEmpty(b.Rule.Rule.Host) ? "*" : b.Rule.Rule.Host)} path {ip.Path ?? "/"} ({type})";
            var note = type == Exact || type == Prefix ? null : $"pathType {type}: matching is up to the controller; PortMapper treats it as Prefix";
            return new IngressRoute(ing, pathId, ip.Backend, matched, note);
        }

        var tierIngresses = rules.Select(r => r.Ingress).Distinct().ToList();
        var fallback = tierIngresses.FirstOrDefault(i => i.DefaultBackend is not null);
        string? fallbackNote = null;
        if (fallback is null)
        {
            var all = index.DefaultBackends.Where(Keep).ToList();
            fallback = all.FirstOrDefault();
            if (all.Count > 1)
            {
                fallbackNote = $"{all.Count} Ingresses set a defaultBackend ({string.Join(", ", all.Select(i => i.Key().ToString()))}); which one serves depends on the controller, PortMapper took the first";
            }
        }

        if (fallback is not null)
        {
            var what = rules.Count == 0 ? $"no rule for host {host}" : $"no path of the {tierName} matches {path}";
            return new IngressRoute(fallback, $"ingress:{fallback.Metadata.Namespace}/{fallback.Metadata.Name}:default", fallback.DefaultBackend!,
                $"the defaultBackend ({what})", fallbackNote);
        }

        if (rules.Count == 0)
        {
            var hosts = index.ExactHostRules.Keys.Concat(index.WildcardRules.Keys.Select(k => "*." + k)).Order(StringComparer.Ordinal).ToList();
            problem = index.Snapshot.Ingresses.IsEmpty
                ? $"There are no Ingresses in the cluster, so nothing routes {host}. Create an Ingress with a rule for host {host}."
                : $"No Ingress has a rule for host {host}{(isIp && atAddress is not null ? $" at address {host}" : "")} and none has a defaultBackend, so the controller answers 404. Hosts with rules: {(hosts.Count == 0 ? "none" : string.Join(", ", hosts.Take(10)) + (hosts.Count > 10 ? $" and {hosts.Count - 10} more" : ""))}.";
            return null;
        }

        var paths = rules.SelectMany(r => r.Rule.Paths.Select(p => $"{p.Path ?? "/"} ({p.PathType ?? ImplementationSpecific})")).Distinct().ToList();
        problem = $"Ingress {string.Join(", ", tierIngresses.Select(i => i.Key().ToString()))} has {tierName}, but no path matches {path} (paths: {string.Join(", ", paths.Take(10))}) and no Ingress has a defaultBackend, so the controller answers 404. Add a path that matches, or fix the URL (Prefix matches whole path elements: /api matches /api/v1 but not /apiv1).";
        return null;
    }

    /// <summary>Whether the Ingress has a certificate for the host: a spec.tls entry naming it (or a wildcard for it), or one naming no hosts.</summary>
    public static bool TlsCovers(Ingress ingress, string host) =>
        ingress.Tls.Any(t => t.Hosts.IsDefaultOrEmpty || t.Hosts.Any(h => HostMatches(h, host)));

    /// <summary>The Ingresses that publish an address; null when none does (PortMapper then cannot narrow by address).</summary>
    private static HashSet<Ingress>? IngressesAt(TraceIndex index, string ip)
    {
        var at = index.Snapshot.Ingresses.Values.Where(i => i.LoadBalancerStatus.Any(l => l.Ip is { } a && TraceIndex.Normalize(a) == ip)).ToHashSet();
        return at.Count == 0 ? null : at;
    }
}
