using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Kubernetes.Config;

namespace PortMapper.Kubernetes.Auth;

/// <summary>What an exec plugin may learn about the cluster (provideClusterInfo), never the user's own credentials.</summary>
public sealed record ExecClusterInfo(string Server, string? TlsServerName, bool InsecureSkipTlsVerify, string? CertificateAuthorityData, string? ProxyUrl);

/// <summary>
/// Runs a client-go credential plugin (client.authentication.k8s.io/v1 or v1beta1) and caches its answer until
/// the expirationTimestamp it gives. Concurrent callers share one run: the refresh happens under a lock.
/// </summary>
public sealed class ExecCredentialProvider : ICredentialProvider, IDisposable
{
    private static readonly string[] SupportedVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

    private readonly ExecConfig _config;
    private readonly string _user;
    private readonly ExecClusterInfo? _cluster;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile ClusterCredential? _cached;

    public ExecCredentialProvider(ExecConfig config, string user, ExecClusterInfo? cluster = null, TimeProvider? time = null, TimeSpan? timeout = null)
    {
        if (!SupportedVersions.Contains(config.ApiVersion, StringComparer.Ordinal))
        {
            throw new KubeconfigException(
                $"The exec plugin of user \"{user}\" asks for apiVersion {config.ApiVersion}; PortMapper supports {string.Join(" and ", SupportedVersions)}. "
                + "Update the plugin or its apiVersion in the kubeconfig.");
        }

        _config = config;
        _user = user;
        _cluster = cluster;
        _time = time ?? TimeProvider.System;
        _timeout = timeout ?? TimeSpan.FromMinutes(1);
    }

    /// <summary>A credential this close to expiry is refreshed, so that no request leaves with one about to lapse.</summary>
    public static TimeSpan ExpiryMargin { get; } = TimeSpan.FromSeconds(10);

    public async ValueTask<ClusterCredential> GetCredentialAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_cached) is { } hit)
        {
            return hit;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(_cached) is { } refreshedMeanwhile)
            {
                return refreshedMeanwhile;
            }

            var credential = await RunAsync(cancellationToken).ConfigureAwait(false);
            _cached = credential;
            return credential;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Invalidate() => _cached = null;

    private ClusterCredential? Fresh(ClusterCredential? c) =>
        c is not null && (c.ExpiresAt is null || c.ExpiresAt.Value - ExpiryMargin > _time.GetUtcNow()) ? c : null;

    private async Task<ClusterCredential> RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_config.Command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in _config.Args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var e in _config.Env)
        {
            start.Environment[e.Name] = e.Value;
        }

        start.Environment["KUBERNETES_EXEC_INFO"] = ExecInfo();

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CredentialException(
                $"Cannot run the credential plugin \"{_config.Command}\" for user \"{_user}\": {e.Message}. "
                + (_config.InstallHint is { Length: > 0 } hint ? hint.Trim() : "Install it or fix users[].user.exec.command in the kubeconfig."), e);
        }

        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new CredentialException($"The credential plugin \"{_config.Command}\" for user \"{_user}\" did not answer within {_timeout.TotalSeconds:0} s; it may be waiting for input PortMapper cannot give. Run it once in a terminal to log in.");
        }

        if (process.ExitCode != 0)
        {
            var err = (await stderr.ConfigureAwait(false)).Trim();
            if (err.Length > 2000)
            {
                err = err[..2000] + "…";
            }

            throw new CredentialException(
                $"The credential plugin \"{_config.Command}\" for user \"{_user}\" failed with exit code {process.ExitCode}"
                + (err.Length > 0 ? $": {err}" : " and wrote nothing to stderr")
                + (_config.InstallHint is { Length: > 0 } hint ? $" ({hint.Trim()})" : ""));
        }

        return Parse(await stdout.ConfigureAwait(false));
    }

    private ClusterCredential Parse(string output)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(output) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new CredentialException($"The credential plugin \"{_config.Command}\" for user \"{_user}\" did not print an ExecCredential JSON object: {e.Message}", e);
        }

        var apiVersion = Text(root?["apiVersion"]);
        if (root is null || Text(root["kind"]) != "ExecCredential" || apiVersion != _config.ApiVersion)
        {
            throw new CredentialException(
                $"The credential plugin \"{_config.Command}\" for user \"{_user}\" printed {Text(root?["kind"]) ?? "something"} {apiVersion}, "
                + $"not the ExecCredential {_config.ApiVersion} the kubeconfig asks for.");
        }

        var status = root["status"] as JsonObject;
        var token = Text(status?["token"]);
        var certData = Text(status?["clientCertificateData"]);
        var keyData = Text(status?["clientKeyData"]);
        DateTimeOffset? expires = null;
        if (Text(status?["expirationTimestamp"]) is { Length: > 0 } exp)
        {
            expires = DateTimeOffset.TryParse(exp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e)
                ? e
                : throw new CredentialException($"The credential plugin \"{_config.Command}\" gave an expirationTimestamp that is not a time: \"{exp}\".");
        }

        var cert = certData is not null && keyData is not null
            ? PemCertificates.ClientCertificate(certData, keyData, $"the exec plugin of user \"{_user}\"")
            : null;
        if (string.IsNullOrEmpty(token) && cert is null)
        {
            throw new CredentialException($"The credential plugin \"{_config.Command}\" for user \"{_user}\" returned neither a token nor a client certificate.");
        }

        return new ClusterCredential(string.IsNullOrEmpty(token) ? null : token, cert, expires);
    }

    private static string? Text(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private string ExecInfo()
    {
        var spec = new JsonObject { ["interactive"] = false };
        if (_config.ProvideClusterInfo && _cluster is not null)
        {
            var cluster = new JsonObject { ["server"] = _cluster.Server };
            if (_cluster.TlsServerName is not null)
            {
                cluster["tls-server-name"] = _cluster.TlsServerName;
            }

            if (_cluster.InsecureSkipTlsVerify)
            {
                cluster["insecure-skip-tls-verify"] = true;
            }

            if (_cluster.CertificateAuthorityData is not null)
            {
                cluster["certificate-authority-data"] = _cluster.CertificateAuthorityData;
            }

            if (_cluster.ProxyUrl is not null)
            {
                cluster["proxy-url"] = _cluster.ProxyUrl;
            }

            spec["cluster"] = cluster;
        }

        return new JsonObject { ["apiVersion"] = _config.ApiVersion, ["kind"] = "ExecCredential", ["spec"] = spec }.ToJsonString();
    }

    public void Dispose() => _refresh.Dispose();

    public override string ToString() => $"exec plugin {_config.Command} for user {_user}";
}
