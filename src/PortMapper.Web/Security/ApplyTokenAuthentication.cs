using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PortMapper.Web.Security;

/// <summary>
/// The token from --apply-token-file. The file is read on every check, so replacing it (a rotated Kubernetes Secret)
/// takes effect without a restart; its content never leaves this class.
/// </summary>
public sealed class ApplyTokenFile(string path)
{
    /// <summary>Shorter tokens are refused at start-up: they could be guessed.</summary>
    public const int MinimumLength = 16;

    public string Path { get; } = path;

    /// <summary>Why the file cannot be used (never quoting it), or null when it holds a usable token.</summary>
    public static string? Problem(string path)
    {
        try
        {
            var token = File.ReadAllText(path).Trim();
            return token.Length < MinimumLength ? $"the token in '{path}' is shorter than {MinimumLength} characters; generate one with e.g. `openssl rand -hex 32 > {path}`"
                : token.Any(char.IsWhiteSpace) ? $"the file '{path}' must hold one token without spaces or line breaks inside it"
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot read '{path}': {e.Message}";
        }
    }

    /// <summary>Compares in constant time (hashes first, so the length does not leak either).</summary>
    public bool Matches(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate) || Problem(Path) is not null)
        {
            return false;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(Path).Trim()));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(candidate.Trim()));
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>Who a token holder is in the audit log and the header.</summary>
    public static ClaimsPrincipal Principal() =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "token holder")], ApplyTokenHandler.AuthenticationType));
}

/// <summary>Authenticates API calls that send "Authorization: Bearer &lt;token&gt;" with the token from --apply-token-file.</summary>
internal sealed class ApplyTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApplyTokenFile token)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The identity's authentication type, shown as "via" in the audit log.</summary>
    public const string AuthenticationType = "token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadBearer(Request, out var candidate))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(token.Matches(candidate)
            ? AuthenticateResult.Success(new AuthenticationTicket(ApplyTokenFile.Principal(), Scheme.Name))
            : AuthenticateResult.Fail("The bearer token does not match the one in --apply-token-file."));
    }

    public static bool TryReadBearer(HttpRequest request, out string token)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        token = header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : "";
        return token.Length > 0;
    }
}
