using System.Net;
using PortMapper.Core.Cluster;
using PortMapper.Kubernetes.Auth;

namespace PortMapper.Kubernetes.Config;

/// <summary>
/// The connection a pod gets from its service account: the API server from KUBERNETES_SERVICE_HOST/PORT, the
/// projected token (rotated by the kubelet, so re-read), ca.crt and the pod's namespace.
/// </summary>
public static class InClusterConfig
{
    public const string DefaultRoot = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>True when this process runs in a pod with a mounted service-account token.</summary>
    public static bool IsInCluster(KubeEnvironment? environment = null, string root = DefaultRoot)
    {
        var env = environment ?? KubeEnvironment.Current;
        return !string.IsNullOrEmpty(env.GetVariable("KUBERNETES_SERVICE_HOST"))
               && !string.IsNullOrEmpty(env.GetVariable("KUBERNETES_SERVICE_PORT"))
               && File.Exists(Path.Combine(root, "token"));
    }

    /// <param name="root">The service-account directory; tests point it elsewhere.</param>
    /// <param name="tokenRefresh">How often the token file is re-read (client-go: one minute).</param>
    /// <exception cref="KubeconfigException">The pod's service-account files or variables are unusable.</exception>
    public static KubernetesConnection Load(KubeEnvironment? environment = null, string root = DefaultRoot, TimeProvider? time = null, TimeSpan? tokenRefresh = null)
    {
        var env = environment ?? KubeEnvironment.Current;
        var host = env.GetVariable("KUBERNETES_SERVICE_HOST");
        var port = env.GetVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubeconfigException("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: PortMapper is not running in a pod.");
        }

        var tokenPath = Path.Combine(root, "token");
        if (!File.Exists(tokenPath))
        {
            throw new KubeconfigException($"No service-account token at {tokenPath}: the pod's service account token is not mounted (automountServiceAccountToken: false?).");
        }

        var hostPart = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        if (!Uri.TryCreate($"https://{hostPart}:{port}", UriKind.Absolute, out var server))
        {
            throw new KubeconfigException($"KUBERNETES_SERVICE_HOST/PORT ({host}:{port}) do not form a URL.");
        }

        var caPath = Path.Combine(root, "ca.crt");
        var nsPath = Path.Combine(root, "namespace");
        try
        {
            return new KubernetesConnection
            {
                Server = server,
                Kind = ClusterSourceKind.InCluster,
                Namespace = File.Exists(nsPath) && File.ReadAllText(nsPath).Trim() is { Length: > 0 } ns ? ns : "default",
                CertificateAuthorities = File.Exists(caPath) ? PemCertificates.Bundle(File.ReadAllText(caPath), caPath) : null,
                Credentials = new TokenFileProvider(tokenPath, tokenRefresh ?? TimeSpan.FromMinutes(1), time),
                AuthDescription = "service account token",
            };
        }
        catch (CredentialException e)
        {
            throw new KubeconfigException(e.Message, e);
        }
    }
}
