using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>
/// A minimal OpenID Connect issuer on loopback HTTP: a discovery document and a token endpoint that trades one
/// refresh token for a fresh id-token, as an identity provider does for kubectl's oidc auth-provider.
/// </summary>
public sealed class LoopbackOidcIssuer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Func<string> _issue;

    /// <param name="refreshToken">The only refresh token the token endpoint accepts.</param>
    /// <param name="issue">Makes the id-token handed out for it.</param>
    public LoopbackOidcIssuer(string refreshToken, Func<string> issue)
    {
        RefreshToken = refreshToken;
        _issue = issue;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Issuer = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Issuer);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Issuer { get; }

    public string RefreshToken { get; }

    /// <summary>Every token request's form fields, in order.</summary>
    public ConcurrentQueue<Dictionary<string, string>> TokenRequests { get; } = new();

    /// <summary>An unsigned JWT with the given expiry; the API server side of the tests checks tokens by value.</summary>
    public static string Jwt(string subject, DateTimeOffset expires)
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = "loopback", ["sub"] = subject, ["aud"] = "portmapper", ["exp"] = expires.ToUnixTimeSeconds(), ["iat"] = expires.AddHours(-1).ToUnixTimeSeconds(),
        });
        return $"{B64("""{"alg":"none","typ":"JWT"}""")}.{B64(payload)}.sig";
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            await using var _ = context.Response.OutputStream;
            var path = context.Request.Url!.AbsolutePath;
            if (path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
            {
                await WriteJsonAsync(context, 200, new Dictionary<string, object>
                {
                    ["issuer"] = Issuer, ["token_endpoint"] = Issuer + "token", ["authorization_endpoint"] = Issuer + "auth",
                    ["jwks_uri"] = Issuer + "keys", ["response_types_supported"] = new[] { "code" },
                });
            }
            else if (path == "/token" && context.Request.HttpMethod == "POST")
            {
                using var reader = new StreamReader(context.Request.InputStream);
                var form = (await reader.ReadToEndAsync()).Split('&', StringSplitOptions.RemoveEmptyEntries)
                    .Select(p => p.Split('=', 2))
                    .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : "");
                TokenRequests.Enqueue(form);
                if (form.GetValueOrDefault("grant_type") == "refresh_token" && form.GetValueOrDefault("refresh_token") == RefreshToken)
                {
                    var idToken = _issue();
                    await WriteJsonAsync(context, 200, new Dictionary<string, object>
                    {
                        ["id_token"] = idToken, ["access_token"] = idToken, ["refresh_token"] = RefreshToken, ["token_type"] = "Bearer", ["expires_in"] = 3600,
                    });
                }
                else
                {
                    await WriteJsonAsync(context, 400, new Dictionary<string, object> { ["error"] = "invalid_grant" });
                }
            }
            else
            {
                context.Response.StatusCode = 404;
            }
        }
    }

    private static async Task WriteJsonAsync(HttpListenerContext context, int status, object body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
