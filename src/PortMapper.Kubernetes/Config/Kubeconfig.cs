using System.Collections.Immutable;

namespace PortMapper.Kubernetes.Config;

// The kubeconfig file as written (client-go's clientcmd/api/v1 shapes), before any merging or path resolution.
// Every named entry remembers the file it came from: relative paths in it are relative to that file.
// Entries that can hold secrets override ToString so that logging a config never prints them.

public sealed record KubeconfigCluster
{
    public string? Server { get; init; }

    public string? CertificateAuthority { get; init; }

    public string? CertificateAuthorityData { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    public string? TlsServerName { get; init; }

    public string? ProxyUrl { get; init; }
}

public sealed record ExecEnvVar(string Name, string Value)
{
    public override string ToString() => $"{Name}=(hidden)";
}

/// <summary>users[].user.exec: a client-go credential plugin.</summary>
public sealed record ExecConfig
{
    public required string Command { get; init; }

    public ImmutableArray<string> Args { get; init; } = [];

    public ImmutableArray<ExecEnvVar> Env { get; init; } = [];

    /// <summary>client.authentication.k8s.io/v1 or v1beta1.</summary>
    public string ApiVersion { get; init; } = "client.authentication.k8s.io/v1";

    public string? InstallHint { get; init; }

    public bool ProvideClusterInfo { get; init; }

    public override string ToString() => $"exec {Command} ({ApiVersion})";
}

public sealed record KubeconfigUser
{
    public string? ClientCertificate { get; init; }

    public string? ClientCertificateData { get; init; }

    public string? ClientKey { get; init; }

    public string? ClientKeyData { get; init; }

    public string? Token { get; init; }

    public string? TokenFile { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    public ExecConfig? Exec { get; init; }

    /// <summary>The name of an auth-provider: oidc is run (<see cref="Auth.OidcAuthProvider"/>); gcp and azure were removed from client-go and are refused.</summary>
    public string? AuthProvider { get; init; }

    /// <summary>The auth-provider's config map (for oidc: idp-issuer-url, client-id, client-secret, id-token, refresh-token).</summary>
    public ImmutableDictionary<string, string> AuthProviderConfig { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>How this user authenticates, in words; never the credential itself.</summary>
    public string AuthDescription
    {
        get
        {
            var parts = new List<string>();
            if (ClientCertificate is not null || ClientCertificateData is not null)
            {
                parts.Add("client certificate");
            }

            if (Exec is not null)
            {
                parts.Add($"exec plugin {Path.GetFileName(Exec.Command)}");
            }
            else if (TokenFile is not null)
            {
                parts.Add("token file");
            }
            else if (Token is not null)
            {
                parts.Add("bearer token");
            }

            if (AuthProvider is not null)
            {
                parts.Add($"auth-provider {AuthProvider}");
            }

            if (Username is not null)
            {
                parts.Add("basic auth");
            }

            return parts.Count == 0 ? "no credentials" : string.Join(" + ", parts);
        }
    }

    public override string ToString() => $"KubeconfigUser ({AuthDescription})";
}

public sealed record KubeconfigContext
{
    public string? Cluster { get; init; }

    public string? User { get; init; }

    public string? Namespace { get; init; }
}

public sealed record Named<T>(string Name, T Value, string SourceFile);

/// <summary>One kubeconfig file, or several merged the way kubectl merges the KUBECONFIG list.</summary>
public sealed record Kubeconfig
{
    public ImmutableArray<Named<KubeconfigCluster>> Clusters { get; init; } = [];

    public ImmutableArray<Named<KubeconfigUser>> Users { get; init; } = [];

    public ImmutableArray<Named<KubeconfigContext>> Contexts { get; init; } = [];

    public string? CurrentContext { get; init; }

    /// <summary>The files this config was read from, in merge order.</summary>
    public ImmutableArray<string> Files { get; init; } = [];

    public Named<KubeconfigContext>? FindContext(string name) => Contexts.FirstOrDefault(c => c.Name == name);

    public Named<KubeconfigCluster>? FindCluster(string name) => Clusters.FirstOrDefault(c => c.Name == name);

    public Named<KubeconfigUser>? FindUser(string name) => Users.FirstOrDefault(c => c.Name == name);

    /// <summary>
    /// kubectl's merge: for clusters, users and contexts the first file that names an entry wins; current-context
    /// comes from the first file that sets one.
    /// </summary>
    public static Kubeconfig Merge(IEnumerable<Kubeconfig> configs)
    {
        var merged = new Kubeconfig();
        foreach (var c in configs)
        {
            merged = merged with
            {
                Clusters = AddMissing(merged.Clusters, c.Clusters),
                Users = AddMissing(merged.Users, c.Users),
                Contexts = AddMissing(merged.Contexts, c.Contexts),
                CurrentContext = string.IsNullOrEmpty(merged.CurrentContext) ? c.CurrentContext : merged.CurrentContext,
                Files = merged.Files.AddRange(c.Files),
            };
        }

        return merged;
    }

    private static ImmutableArray<Named<T>> AddMissing<T>(ImmutableArray<Named<T>> existing, ImmutableArray<Named<T>> more)
    {
        var names = existing.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return existing.AddRange(more.Where(m => names.Add(m.Name)));
    }
}
