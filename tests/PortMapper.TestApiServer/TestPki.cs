using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PortMapper.TestApiServer;

public enum KeyAlgorithm
{
    /// <summary>RSA 2048, key written as "RSA PRIVATE KEY" (PKCS#1), as kubeadm and kind write it.</summary>
    Rsa,

    /// <summary>ECDSA P-256, key written as "EC PRIVATE KEY" (SEC 1).</summary>
    Ec,
}

/// <summary>A client certificate and key in the PEM forms a kubeconfig carries.</summary>
public sealed record ClientCertificatePem(string CertificatePem, string KeyPem)
{
    public override string ToString() => "client certificate (key hidden)";
}

/// <summary>
/// A throwaway certificate authority, like a cluster's: it signs the API server's certificate and the clients'
/// certificates (CN = user, O = groups, as the API server reads them).
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly ECDsa _caKey;

    private TestPki(string name)
    {
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));
        CaPem = Ca.ExportCertificatePem();
    }

    public static TestPki Create(string name = "portmapper-test-ca") => new(name);

    /// <summary>The CA certificate (with its key).</summary>
    public X509Certificate2 Ca { get; }

    public string CaPem { get; }

    public X509Certificate2 IssueServerCertificate(IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        foreach (var address in addresses)
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return Sign(request).CopyWithPrivateKey(key);
    }

    public ClientCertificatePem IssueClientCertificate(string user, IEnumerable<string> groups, KeyAlgorithm algorithm)
    {
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups)
        {
            subject.AddOrganizationName(group);
        }

        subject.AddCommonName(user);
        string keyPem;
        CertificateRequest request;
        if (algorithm == KeyAlgorithm.Rsa)
        {
            using var rsa = RSA.Create(2048);
            request = new CertificateRequest(subject.Build(), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            keyPem = rsa.ExportRSAPrivateKeyPem();
            return Finish(request, keyPem);
        }

        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        request = new CertificateRequest(subject.Build(), ec, HashAlgorithmName.SHA256);
        keyPem = ec.ExportECPrivateKeyPem();
        return Finish(request, keyPem);

        ClientCertificatePem Finish(CertificateRequest r, string key)
        {
            r.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
            using var cert = Sign(r);
            return new ClientCertificatePem(cert.ExportCertificatePem(), key);
        }
    }

    /// <summary>True when <paramref name="certificate"/> was signed by this CA.</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private X509Certificate2 Sign(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        return request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
    }

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }
}
