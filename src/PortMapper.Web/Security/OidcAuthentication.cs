using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Security;

/// <summary>
/// Sign-in with an OpenID Connect provider through ASP.NET Core's OpenID Connect handler: discovery, the authorization
/// code flow with PKCE, state and nonce, and the ID token's signature (the provider's JWKS), issuer, audience and
/// lifetime checked by Microsoft.IdentityModel. Tokens stay on the server: only PortMapper's own sign-in cookie
/// (protected by Data Protection) reaches the browser. docs/security.md describes the flow.
/// </summary>
public static class OidcAuthentication
{
    /// <summary>The identity's authentication type, shown as "via" in the audit log.</summary>
    public const string AuthenticationType = "oidc";

    public static void Configure(OpenIdConnectOptions o, PortMapperOptions options, string clientSecret)
    {
        var authority = options.OidcAuthority!;
        o.Authority = authority.ToString().TrimEnd('/');
        // Plain http is accepted by the command line only for a provider on this machine.
        o.RequireHttpsMetadata = authority.Scheme == Uri.UriSchemeHttps;
        o.ClientId = options.OidcClientId!;
        o.ClientSecret = clientSecret;
        o.ResponseType = OpenIdConnectResponseType.Code;
        // The code comes back in the query of a top-level GET, so the SameSite=Lax correlation and nonce cookies
        // are sent with it (form_post needs SameSite=None, which plain-http deployments cannot have).
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.CallbackPath = SecurityHosting.OidcCallbackPath;
        o.SignInScheme = SecurityHosting.CookieScheme;
        o.SaveTokens = false;
        o.GetClaimsFromUserInfoEndpoint = false;
        o.MapInboundClaims = false;
        o.DisableTelemetry = true;
        // "openid" is added by the handler itself.
        o.Scope.Clear();
        o.Scope.Add(OpenIdConnectScope.OpenIdProfile);
        o.Scope.Add(OpenIdConnectScope.Email);
        foreach (var cookie in new[] { o.CorrelationCookie, o.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        }

        // Explicit, though these are the handler's defaults: what docs/security.md promises.
        o.TokenValidationParameters.ValidateIssuer = true;
        o.TokenValidationParameters.ValidateAudience = true;
        o.TokenValidationParameters.ValidateLifetime = true;
        o.TokenValidationParameters.RequireExpirationTime = true;
        o.TokenValidationParameters.RequireSignedTokens = true;
        o.TokenValidationParameters.ValidateIssuerSigningKey = true;

        o.Events.OnTokenValidated = context =>
        {
            // The handler skips the signature check for an unsigned ID token from the token endpoint (OpenID Connect
            // Core §3.1.3.7 allows trusting TLS there). PortMapper does not: an ID token must carry a signature, which
            // the handler then verifies against the provider's JWKS.
            if (!IsSigned(context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken))
            {
                context.Fail(new SecurityTokenInvalidSignatureException("The ID token is not signed (alg \"none\" or no signature); PortMapper accepts only ID tokens signed with a key from the provider's JWKS."));
                return Task.CompletedTask;
            }

            context.Principal = Principal(context.Principal!, context.Options.Authority!);
            return Task.CompletedTask;
        };
        o.Events.OnRemoteFailure = context =>
        {
            var reason = OidcRefusal.Classify(context.Failure);
            context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(SourceApplyGuard.AuditCategory)
                .LogWarning("OpenID Connect sign-in refused ({Reason}): {Message}", reason, context.Failure?.Message);
            context.Response.Redirect($"{context.Request.PathBase}/signin?error={reason}");
            context.HandleResponse();
            return Task.CompletedTask;
        };
    }

    /// <summary>True for a JWS with an algorithm other than "none" and a non-empty signature part.</summary>
    internal static bool IsSigned(string? idToken)
    {
        if (string.IsNullOrEmpty(idToken) || idToken.Split('.') is not [_, _, { Length: > 0 }])
        {
            return false;
        }

        try
        {
            return new JsonWebToken(idToken).Alg is { Length: > 0 } alg && !alg.Equals("none", StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>What PortMapper keeps of the ID token in its cookie: the subject, a display name and the e-mail address.</summary>
    private static ClaimsPrincipal Principal(ClaimsPrincipal token, string issuer)
    {
        string? Claim(string type) => token.FindFirst(type)?.Value is { Length: > 0 } value ? value : null;
        var subject = Claim("sub") ?? "(no sub)";
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, subject, ClaimValueTypes.String, issuer),
            new(ClaimTypes.Name, Claim("preferred_username") ?? Claim("email") ?? Claim("name") ?? subject, ClaimValueTypes.String, issuer),
        };
        if (Claim("email") is { } email)
        {
            claims.Add(new Claim(ClaimTypes.Email, email, ClaimValueTypes.String, issuer));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }
}

/// <summary>
/// Why an OpenID Connect sign-in was refused, as a short code in the sign-in page's address (?error=...) and the
/// sentence the page shows for it. Only known codes are shown, so a crafted link cannot put words on the page.
/// </summary>
public static class OidcRefusal
{
    private const string Token = "The provider's ID token was refused: ";

    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        ["signature"] = Token + "the ID token's signature does not match the provider's keys (its JWKS).",
        ["audience"] = Token + "it was issued for another client (its audience is not PortMapper's --oidc-client-id).",
        ["issuer"] = Token + "its issuer is not the provider given as --oidc-authority.",
        ["expired"] = Token + "it has expired (or has no expiry time). Check that the clocks of PortMapper and the provider agree.",
        ["not-yet-valid"] = Token + "it is not valid yet (its nbf lies in the future). Check that the clocks of PortMapper and the provider agree.",
        ["nonce"] = Token + "its nonce does not match this sign-in request (a replayed or mixed-up sign-in). Start again from this page.",
        ["token"] = Token + "it is not a valid signed JWT; the server log says why.",
        ["client"] = "The provider refused PortMapper's client credentials (invalid_client): check --oidc-client-id and the client secret " +
                     $"(${PortMapperCommandLine.OidcClientSecretVariable} or --oidc-client-secret-file).",
        ["grant"] = "The provider refused the authorization code (invalid_grant): it expired, was used already, or its PKCE verifier or redirect URI did not match. Start again from this page.",
        ["denied"] = "The provider did not let you sign in (access denied).",
        ["provider"] = "The provider answered the sign-in with an error; the server log has the details.",
        ["state"] = "This sign-in could not be matched to a request from this browser (its state or correlation cookie is missing or expired). Start again from this page.",
        ["discovery"] = "PortMapper cannot read the provider's discovery document (/.well-known/openid-configuration under --oidc-authority) or its keys; the server log says why.",
        ["oidc"] = "Sign-in with OpenID Connect failed. The server log says why.",
    };

    /// <summary>The sentence for a code, or null for a code PortMapper does not use.</summary>
    public static string? Message(string? code) => code is not null && Messages.TryGetValue(code, out var message) ? message : null;

    public static string Classify(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException or SecurityTokenInvalidSigningKeyException:
                    return "signature";
                case SecurityTokenInvalidAudienceException:
                    return "audience";
                case SecurityTokenInvalidIssuerException:
                    return "issuer";
                case SecurityTokenExpiredException or SecurityTokenNoExpirationException:
                    return "expired";
                case SecurityTokenNotYetValidException:
                    return "not-yet-valid";
                case OpenIdConnectProtocolInvalidNonceException:
                    return "nonce";
                case SecurityTokenMalformedException or SecurityTokenException:
                    return "token";
                case OpenIdConnectProtocolException when e.Data["error"] is string error:
                    return error switch
                    {
                        "invalid_client" or "unauthorized_client" => "client",
                        "invalid_grant" => "grant",
                        "access_denied" => "denied",
                        _ => "provider",
                    };
                case AuthenticationFailureException when e.Message.Contains("Correlation failed", StringComparison.Ordinal)
                                                          || e.Message.Contains("state was missing or invalid", StringComparison.Ordinal):
                    return "state";
                case AuthenticationFailureException when e.Message.Contains("Access was denied", StringComparison.Ordinal):
                    return "denied";
                case InvalidOperationException when e.Message.Contains("IDX20803", StringComparison.Ordinal):
                    return "discovery";
            }
        }

        return "oidc";
    }
}
