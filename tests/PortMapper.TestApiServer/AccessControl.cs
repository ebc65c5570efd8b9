using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace PortMapper.TestApiServer;

/// <summary>Who made a request, as the API server's authenticators would say.</summary>
public sealed record UserInfo(string Name, ImmutableArray<string> Groups)
{
    public bool IsAdmin => Groups.Contains("system:masters");
}

/// <summary>
/// One RBAC rule: verbs on resources (plural names; "*" for all), in one namespace or (null) everywhere, and, when
/// <see cref="ResourceNames"/> is not empty, only on those objects (a list or watch must name one by field selector).
/// </summary>
public sealed record AccessRule(ImmutableArray<string> Verbs, ImmutableArray<string> Resources, string? Namespace)
{
    public ImmutableArray<string> ResourceNames { get; init; } = [];

    public bool Allows(string verb, string resource, string? ns, string? name = null) =>
        (Verbs.Contains("*") || Verbs.Contains(verb))
        && (Resources.Contains("*") || Resources.Contains(resource))
        && (Namespace is null || Namespace == ns)
        && (ResourceNames.IsDefaultOrEmpty || (name is not null && ResourceNames.Contains(name)));
}

/// <summary>
/// Authentication (bearer tokens; client certificates are read by the server) and a small RBAC: members of
/// system:masters may do anything, everyone else only what a rule grants.
/// </summary>
public sealed class AccessControl
{
    private readonly ConcurrentDictionary<string, UserInfo> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableList<AccessRule>> _rules = new(StringComparer.Ordinal);

    public void AddToken(string token, string user, params string[] groups) => _tokens[token] = new UserInfo(user, [.. groups]);

    public bool RemoveToken(string token) => _tokens.TryRemove(token, out _);

    public UserInfo? FindToken(string token) => _tokens.GetValueOrDefault(token);

    /// <summary>Grants <paramref name="verbs"/> on <paramref name="resources"/> to a user, in one namespace or cluster-wide.</summary>
    public void Grant(string user, IEnumerable<string> verbs, IEnumerable<string> resources, string? ns = null) =>
        _rules.AddOrUpdate(user, _ => [new AccessRule([.. verbs], [.. resources], ns)], (_, list) => list.Add(new AccessRule([.. verbs], [.. resources], ns)));

    /// <summary>Grants get, list and watch of the named objects only (a Role with resourceNames).</summary>
    public void GrantReadNamed(string user, string resource, string ns, params string[] names) =>
        _rules.AddOrUpdate(user,
            _ => [new AccessRule(["get", "list", "watch"], [resource], ns) { ResourceNames = [.. names] }],
            (_, list) => list.Add(new AccessRule(["get", "list", "watch"], [resource], ns) { ResourceNames = [.. names] }));

    /// <summary>get, list and watch: what PortMapper needs to read.</summary>
    public void GrantRead(string user, IEnumerable<string> resources, string? ns = null) => Grant(user, ["get", "list", "watch"], resources, ns);

    public bool Allows(UserInfo user, string verb, string resource, string? ns, string? name = null) =>
        user.IsAdmin || _rules.GetValueOrDefault(user.Name, []).Any(r => r.Allows(verb, resource, ns, name));
}
