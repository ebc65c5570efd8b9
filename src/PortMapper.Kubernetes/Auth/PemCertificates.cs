using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace PortMapper.Kubernetes.Auth;

/// <summary>PEM certificates and keys as kubeconfigs hold them: RSA, EC and PKCS#8 keys; CA bundles of several certificates.</summary>
public static class PemCertificates
{
    /// <summary>A client certificate with its private key. <paramref name="what"/> names the source in errors.</summary>
    public static X509Certificate2 ClientCertificate(string certPem, string keyPem, string what)
    {
        X509Certificate2 cert;
        try
        {
            cert = X509Certificate2.CreateFromPem(certPem, keyPem);
        }
        catch (CryptographicException e)
        {
            throw new CredentialException(
                $"The client certificate or key of {what} cannot be used: {e.Message}. "
                + "It must be a PEM certificate (BEGIN CERTIFICATE) with its PEM private key (BEGIN RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY).", e);
        }

        // Windows' TLS stack cannot use an ephemeral key for client authentication; a PKCS#12 round trip persists it.
        if (OperatingSystem.IsWindows())
        {
            using (cert)
            {
                return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
            }
        }

        return cert;
    }

    /// <summary>Every certificate in a PEM bundle (certificate-authority, ca.crt).</summary>
    public static X509Certificate2Collection Bundle(string pem, string what)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new CredentialException($"The certificate authority of {what} is not a PEM certificate bundle: {e.Message}", e);
        }

        if (collection.Count == 0)
        {
            throw new CredentialException($"The certificate authority of {what} holds no certificate (expected BEGIN CERTIFICATE blocks).");
        }

        return collection;
    }

    /// <summary>Decodes a kubeconfig *-data field: base64 of the PEM text.</summary>
    public static string FromBase64(string data, string what)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(data.Trim()));
        }
        catch (FormatException e)
        {
            throw new CredentialException($"{what} is not valid base64.", e);
        }
    }
}
