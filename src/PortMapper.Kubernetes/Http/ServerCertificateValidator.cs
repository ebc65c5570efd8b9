using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using PortMapper.Kubernetes.Config;

namespace PortMapper.Kubernetes.Http;

/// <summary>
/// Checks the API server's certificate the way client-go does: against the kubeconfig's CA bundle only when one is
/// given (the system store otherwise), for the URL's host or tls-server-name; or not at all with
/// insecure-skip-tls-verify. Remembers why it last said no, because SslStream's own error does not say.
/// </summary>
internal sealed class ServerCertificateValidator(KubernetesConnection connection)
{
    private volatile string? _lastFailure;

    public string? LastFailure => _lastFailure;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (connection.InsecureSkipTlsVerify)
        {
            return true;
        }

        if (certificate is null)
        {
            _lastFailure = "the server sent no certificate";
            return false;
        }

        var cert = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        var expected = connection.TlsServerName ?? connection.Server.IdnHost;

        // With a proxy the handshake's target host is the URL's, so tls-server-name is checked here by hand.
        var nameOk = connection.TlsServerName is not null && connection.ProxyUrl is not null
            ? cert.MatchesHostname(expected)
            : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        if (!nameOk)
        {
            _lastFailure = $"the server certificate ({cert.Subject}) is not valid for \"{expected}\""
                           + (connection.TlsServerName is null ? "; if the server is reached by another name, set tls-server-name on the cluster" : "");
            return false;
        }

        if (connection.CertificateAuthorities is { } cas)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(cas);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (!custom.Build(cert))
            {
                var why = string.Join("; ", custom.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
                _lastFailure = $"the server certificate ({cert.Subject}, issued by {cert.Issuer}) is not signed by the cluster's certificate authority"
                               + (why.Length > 0 ? $" ({why})" : "");
                return false;
            }

            return true;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            _lastFailure = $"the server certificate ({cert.Subject}, issued by {cert.Issuer}) is not trusted by this machine and the kubeconfig gives no certificate-authority";
            return false;
        }

        return errors == SslPolicyErrors.None;
    }
}
