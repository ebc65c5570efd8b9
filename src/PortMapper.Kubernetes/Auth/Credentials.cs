using System.Security.Cryptography.X509Certificates;

namespace PortMapper.Kubernetes.Auth;

/// <summary>What a request presents to the API server. Never printed: <see cref="ToString"/> says only what kind it is.</summary>
public sealed class ClusterCredential(string? token, X509Certificate2? clientCertificate, DateTimeOffset? expiresAt)
{
    public string? Token { get; } = token;

    public X509Certificate2? ClientCertificate { get; } = clientCertificate;

    /// <summary>When the credential stops working; null when it does not expire (or nobody said).</summary>
    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    public override string ToString() =>
        (Token, ClientCertificate) switch
        {
            (not null, not null) => "bearer token (hidden) + client certificate",
            (not null, null) => "bearer token (hidden)",
            (null, not null) => $"client certificate {ClientCertificate.Subject}",
            _ => "no credential",
        };
}

/// <summary>
/// The one seam for credentials: static tokens, token files that rotate, exec plugins. Implementations cache what
/// they can and refresh before expiry; callers ask every time and tell them when the server said 401.
/// </summary>
public interface ICredentialProvider
{
    ValueTask<ClusterCredential> GetCredentialAsync(CancellationToken cancellationToken);

    /// <summary>The server rejected the last credential: forget any cached one so the next call fetches it again.</summary>
    void Invalidate();
}

/// <summary>A credential fetch that failed (a plugin that exited non-zero, a token file that cannot be read).</summary>
public sealed class CredentialException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A token written in the kubeconfig.</summary>
public sealed class StaticTokenProvider(string token) : ICredentialProvider
{
    /// <summary>Handed to KubernetesClient as its AccessToken; never printed.</summary>
    internal string Token { get; } = token;

    private readonly ClusterCredential _credential = new(token, null, null);

    public ValueTask<ClusterCredential> GetCredentialAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_credential);

    public void Invalidate()
    {
        // Nothing to refresh: the kubeconfig holds the only copy.
    }

    public override string ToString() => "static bearer token (hidden)";
}

/// <summary>
/// A token read from a file that something else rotates (a projected service-account token, a tokenFile in the
/// kubeconfig). Re-read every <c>refreshInterval</c> and after every 401, as client-go does, so a rotated token is
/// picked up without a restart.
/// </summary>
public sealed class TokenFileProvider(string path, TimeSpan refreshInterval, TimeProvider? time = null) : ICredentialProvider
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private ClusterCredential? _cached;
    private DateTimeOffset _readAt;

    public string Path { get; } = path;

    public async ValueTask<ClusterCredential> GetCredentialAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_cached is not null && _time.GetUtcNow() - _readAt < refreshInterval)
            {
                return _cached;
            }
        }

        string token;
        try
        {
            token = (await File.ReadAllTextAsync(Path, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialException($"Cannot read the token file {Path}: {e.Message}. Check that the file exists and is readable by PortMapper.", e);
        }

        if (token.Length == 0)
        {
            throw new CredentialException($"The token file {Path} is empty.");
        }

        lock (_lock)
        {
            _cached = new ClusterCredential(token, null, null);
            _readAt = _time.GetUtcNow();
            return _cached;
        }
    }

    public void Invalidate()
    {
        lock (_lock)
        {
            _cached = null;
        }
    }

    public override string ToString() => $"token file {Path}";
}
