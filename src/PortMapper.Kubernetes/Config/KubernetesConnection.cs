using System.Security.Cryptography.X509Certificates;
using PortMapper.Core.Cluster;
using PortMapper.Kubernetes.Auth;

namespace PortMapper.Kubernetes.Config;

/// <summary>
/// Everything needed to talk to one API server, resolved from a kubeconfig context or from the pod's service
/// account. Holds credentials, so it is a class whose <see cref="ToString"/> names only the server and the kind of
/// authentication.
/// </summary>
public sealed class KubernetesConnection
{
    public required Uri Server { get; init; }

    public required ClusterSourceKind Kind { get; init; }

    public string? ContextName { get; init; }

    public string? ClusterName { get; init; }

    public string? UserName { get; init; }

    /// <summary>The context's namespace (or the pod's own); "default" when none is set.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>The CAs to trust for the server certificate; null means the system's trust store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The name to expect in the server certificate (and send as SNI) instead of the URL's host.</summary>
    public string? TlsServerName { get; init; }

    public Uri? ProxyUrl { get; init; }

    /// <summary>A client certificate from the kubeconfig (an exec plugin may supply one per credential instead).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Bearer tokens and plugin credentials; null when the connection authenticates by certificate only or not at all.</summary>
    public ICredentialProvider? Credentials { get; init; }

    /// <summary>A token provider on KubernetesClient's credential pipeline: the kubeconfig's oidc auth-provider (<see cref="Auth.OidcAuthProvider"/>).</summary>
    public k8s.Authentication.ITokenProvider? TokenProvider { get; init; }

    public string AuthDescription { get; init; } = "no credentials";

    /// <summary>The server URL without any user info, fit for messages and the UI.</summary>
    public string DisplayServer => new UriBuilder(Server) { UserName = "", Password = "" }.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/');

    public ClusterSourceInfo Info => Kind == ClusterSourceKind.InCluster
        ? new ClusterSourceInfo(ClusterSourceKind.InCluster, "in-cluster", null, DisplayServer)
        : new ClusterSourceInfo(ClusterSourceKind.Kubeconfig, ContextName ?? DisplayServer, ContextName, DisplayServer);

    public override string ToString() =>
        Kind == ClusterSourceKind.InCluster
            ? $"in-cluster {DisplayServer} ({AuthDescription})"
            : $"context {ContextName} at {DisplayServer} (user {UserName}, {AuthDescription})";
}
