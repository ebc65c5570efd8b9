using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using PortMapper.Core.Cluster;
using PortMapper.Kubernetes.Auth;

namespace PortMapper.Kubernetes.Config;

/// <summary>One context of a kubeconfig, as a context picker shows it.</summary>
public sealed record KubeContextInfo(string Name, string? Cluster, string? User, string? Namespace, string? Server, bool IsCurrent);

/// <summary>Turns one context of a (merged) kubeconfig into a <see cref="KubernetesConnection"/>.</summary>
public static class KubeconfigResolver
{
    public static ImmutableArray<KubeContextInfo> ListContexts(Kubeconfig config) =>
        config.Contexts
            .Select(c => new KubeContextInfo(
                c.Name, c.Value.Cluster, c.Value.User, c.Value.Namespace,
                c.Value.Cluster is { } cl ? config.FindCluster(cl)?.Value.Server : null,
                c.Name == config.CurrentContext))
            .ToImmutableArray();

    /// <param name="config">The merged kubeconfig.</param>
    /// <param name="context">The context to use; null for current-context.</param>
    /// <param name="time">The clock exec-plugin expiry is checked against.</param>
    /// <param name="tokenFileRefresh">How often a tokenFile is re-read.</param>
    /// <exception cref="KubeconfigException">The context cannot be used; the message says why and what to fix.</exception>
    public static KubernetesConnection Resolve(Kubeconfig config, string? context = null, TimeProvider? time = null, TimeSpan? tokenFileRefresh = null)
    {
        try
        {
            return ResolveContext(config, context, time, tokenFileRefresh);
        }
        catch (CredentialException e)
        {
            throw new KubeconfigException(e.Message, e);
        }
    }

    private static KubernetesConnection ResolveContext(Kubeconfig config, string? context, TimeProvider? time, TimeSpan? tokenFileRefresh)
    {
        var files = string.Join(", ", config.Files);
        var name = context ?? config.CurrentContext;
        if (string.IsNullOrEmpty(name))
        {
            throw new KubeconfigException(
                $"The kubeconfig ({files}) sets no current-context. Pick one of its contexts ({ContextNames(config)}) or run `kubectl config use-context NAME`.");
        }

        var ctx = config.FindContext(name)
                  ?? throw new KubeconfigException($"The kubeconfig ({files}) has no context \"{name}\". Its contexts are: {ContextNames(config)}.");
        var clusterName = ctx.Value.Cluster
                          ?? throw new KubeconfigException($"Context \"{name}\" ({ctx.SourceFile}) names no cluster.");
        var cluster = config.FindCluster(clusterName)
                      ?? throw new KubeconfigException($"Context \"{name}\" uses cluster \"{clusterName}\", which the kubeconfig ({files}) does not define.");
        Named<KubeconfigUser>? user = null;
        if (ctx.Value.User is { Length: > 0 } userName)
        {
            user = config.FindUser(userName)
                   ?? throw new KubeconfigException($"Context \"{name}\" uses user \"{userName}\", which the kubeconfig ({files}) does not define.");
        }

        var c = cluster.Value;
        var server = ParseServer(c.Server, clusterName, cluster.SourceFile);
        var where = $"cluster \"{clusterName}\" ({cluster.SourceFile})";
        var cas = CaBundle(c.CertificateAuthorityData, c.CertificateAuthority, "certificate-authority", cluster.SourceFile, where);

        Uri? proxy = null;
        if (c.ProxyUrl is { Length: > 0 } p && (!Uri.TryCreate(p, UriKind.Absolute, out proxy) || proxy.Scheme is not ("http" or "https" or "socks5")))
        {
            throw new KubeconfigException($"proxy-url of {where} must be an http, https or socks5 URL, not \"{p}\".");
        }

        var (cert, credentials, tokenProvider, auth) = user is null ? (null, null, null, "no credentials") : ResolveUser(user, c, server, time, tokenFileRefresh);
        return new KubernetesConnection
        {
            Server = server,
            Kind = ClusterSourceKind.Kubeconfig,
            ContextName = name,
            ClusterName = clusterName,
            UserName = user?.Name,
            Namespace = ctx.Value.Namespace is { Length: > 0 } ns ? ns : "default",
            CertificateAuthorities = cas,
            InsecureSkipTlsVerify = c.InsecureSkipTlsVerify,
            TlsServerName = c.TlsServerName is { Length: > 0 } tsn ? tsn : null,
            ProxyUrl = proxy,
            ClientCertificate = cert,
            Credentials = credentials,
            TokenProvider = tokenProvider,
            AuthDescription = auth,
        };
    }

    private static (X509Certificate2? Cert, ICredentialProvider? Credentials, k8s.Authentication.ITokenProvider? TokenProvider, string Auth) ResolveUser(
        Named<KubeconfigUser> named, KubeconfigCluster cluster, Uri server, TimeProvider? time, TimeSpan? tokenFileRefresh)
    {
        var u = named.Value;
        var where = $"user \"{named.Name}\" ({named.SourceFile})";
        X509Certificate2? cert = null;
        var certPem = u.ClientCertificateData is { Length: > 0 } cd
            ? PemCertificates.FromBase64(cd, $"client-certificate-data of {where}")
            : u.ClientCertificate is { Length: > 0 } cf ? ReadFile(ResolvePath(cf, named.SourceFile), $"client-certificate of {where}") : null;
        var keyPem = u.ClientKeyData is { Length: > 0 } kd
            ? PemCertificates.FromBase64(kd, $"client-key-data of {where}")
            : u.ClientKey is { Length: > 0 } kf ? ReadFile(ResolvePath(kf, named.SourceFile), $"client-key of {where}") : null;
        if (certPem is not null || keyPem is not null)
        {
            if (certPem is null || keyPem is null)
            {
                throw new KubeconfigException($"{Capitalize(where)} has a client {(certPem is null ? "key" : "certificate")} but no client {(certPem is null ? "certificate" : "key")}: both are needed.");
            }

            cert = PemCertificates.ClientCertificate(certPem, keyPem, where);
        }

        ICredentialProvider? credentials = null;
        if (u.Exec is { } exec)
        {
            var command = exec.Command.Contains('/', StringComparison.Ordinal) ? ResolvePath(exec.Command, named.SourceFile) : exec.Command;
            var info = new ExecClusterInfo(server.ToString(), cluster.TlsServerName, cluster.InsecureSkipTlsVerify, cluster.CertificateAuthorityData, cluster.ProxyUrl);
            credentials = new ExecCredentialProvider(exec with { Command = command }, named.Name, info, time);
        }
        else if (u.TokenFile is { Length: > 0 } tokenFile)
        {
            credentials = new TokenFileProvider(ResolvePath(tokenFile, named.SourceFile), tokenFileRefresh ?? TimeSpan.FromMinutes(1), time);
        }
        else if (u.Token is { Length: > 0 } token)
        {
            credentials = new StaticTokenProvider(token);
        }

        k8s.Authentication.ITokenProvider? tokenProvider = null;
        if (credentials is null && u.AuthProvider is { } provider)
        {
            tokenProvider = provider == "oidc"
                ? OidcProvider(u.AuthProviderConfig, named.Name, named.SourceFile, where)
                : throw new KubeconfigException(
                    $"{Capitalize(where)} authenticates with auth-provider \"{provider}\", which client-go removed and PortMapper does not run. "
                    + "Switch the kubeconfig to the provider's exec credential plugin (for example gke-gcloud-auth-plugin or kubelogin).");
        }

        if (cert is null && credentials is null && tokenProvider is null && u.Username is not null)
        {
            throw new KubeconfigException($"{Capitalize(where)} uses basic authentication (username/password), which Kubernetes no longer supports. Use a token or a client certificate.");
        }

        return (cert, credentials, tokenProvider, u.AuthDescription);
    }

    /// <summary>
    /// The oidc auth-provider (see <see cref="OidcAuthProvider"/> for why it is ours and not KubernetesClient's).
    /// Like kubectl it needs idp-issuer-url, client-id and refresh-token; unlike kubectl it does not write the new
    /// tokens back into the kubeconfig, so a restarted PortMapper refreshes once more.
    /// </summary>
    private static OidcAuthProvider OidcProvider(ImmutableDictionary<string, string> config, string userName, string sourceFile, string where)
    {
        string Required(string key) => config.GetValueOrDefault(key) is { Length: > 0 } v
            ? v
            : throw new KubeconfigException(
                $"{Capitalize(where)} uses auth-provider oidc without {key} in auth-provider.config: it needs idp-issuer-url, client-id and refresh-token (id-token and client-secret are optional).");

        var issuer = Required("idp-issuer-url");
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri) || issuerUri.Scheme is not ("https" or "http"))
        {
            throw new KubeconfigException($"idp-issuer-url of {where} must be an https URL, not \"{issuer}\".");
        }

        var cas = CaBundle(config.GetValueOrDefault("idp-certificate-authority-data"), config.GetValueOrDefault("idp-certificate-authority"), "idp-certificate-authority", sourceFile, where);

        return new OidcAuthProvider(
            issuer, Required("client-id"), config.GetValueOrDefault("client-secret"), config.GetValueOrDefault("id-token"), Required("refresh-token"), userName, cas);
    }

    /// <summary>A CA bundle given as <c>{field}-data</c> (base64 PEM, which wins) or as <c>{field}</c> (a file beside the kubeconfig).</summary>
    private static X509Certificate2Collection? CaBundle(string? data, string? file, string field, string sourceFile, string where) =>
        data is { Length: > 0 }
            ? PemCertificates.Bundle(PemCertificates.FromBase64(data, $"{field}-data of {where}"), where)
            : file is { Length: > 0 }
                ? PemCertificates.Bundle(ReadFile(ResolvePath(file, sourceFile), $"{field} of {where}"), where)
                : null;

    private static Uri ParseServer(string? server, string cluster, string file)
    {
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new KubeconfigException($"Cluster \"{cluster}\" ({file}) has no server URL.");
        }

        // client-go assumes https when the scheme is missing.
        var text = server.Contains("://", StringComparison.Ordinal) ? server : "https://" + server;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new KubeconfigException($"Cluster \"{cluster}\" ({file}) has a server that is not an https URL: \"{server}\".");
        }

        return uri;
    }

    /// <summary>A path written in a kubeconfig is relative to the file that wrote it, not to the working directory.</summary>
    internal static string ResolvePath(string path, string sourceFile) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", path));

    private static string ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeconfigException($"Cannot read the {what}: {path}: {e.Message}", e);
        }
    }

    private static string ContextNames(Kubeconfig config) =>
        config.Contexts.IsEmpty ? "none" : string.Join(", ", config.Contexts.Select(c => c.Name));

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
