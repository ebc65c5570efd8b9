using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Security;

/// <summary>Sign-in (token, OpenID Connect), the apply guard, Data Protection and the API's forgery check, wired in one place (docs/security.md).</summary>
public static class SecurityHosting
{
    /// <summary>Picks the bearer-token handler for requests with "Authorization: Bearer", the cookie otherwise.</summary>
    public const string DefaultScheme = "PortMapper";

    public const string CookieScheme = "PortMapper.Cookie";

    public const string TokenScheme = "PortMapper.Token";

    public const string OidcScheme = "PortMapper.Oidc";

    /// <summary>Where the OpenID Connect provider sends people back (register it there, under the path base).</summary>
    public const string OidcCallbackPath = "/signin-oidc";

    public static void AddPortMapperSecurity(this IServiceCollection services, PortMapperOptions options)
    {
        services.AddSingleton(sp => ApplyAccessPolicy.Create(options, PortMapperHost.ListenUrls(options, sp.GetRequiredService<IConfiguration>())));
        services.AddSingleton<IApplyGuard, SourceApplyGuard>();

        // Keys protect sign-in cookies, antiforgery tokens and OpenID Connect state. In memory by default, so the app
        // needs no writable disk (read-only root filesystem); sign-ins then end when it restarts.
        var dataProtection = services.AddDataProtection().SetApplicationName("PortMapper");
        if (options.DataProtectionKeys is { } keys)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        }
        else
        {
            dataProtection.UseEphemeralDataProtectionProvider();
        }

        var tokenSignIn = options.ApplyTokenFile is not null;
        var auth = services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, null, o => o.ForwardDefaultSelector = context =>
                tokenSignIn && ApplyTokenHandler.TryReadBearer(context.Request, out _) ? TokenScheme : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "PortMapper.Auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.LoginPath = "/signin";
                o.ReturnUrlParameter = "returnUrl";
            });

        if (options.ApplyTokenFile is { } tokenFile)
        {
            services.AddSingleton(new ApplyTokenFile(tokenFile));
            auth.AddScheme<AuthenticationSchemeOptions, ApplyTokenHandler>(TokenScheme, null);
        }

        if (options.OidcEnabled)
        {
            var clientSecret = ReadClientSecret(options);
            auth.AddOpenIdConnect(OidcScheme, "OpenID Connect", o => OidcAuthentication.Configure(o, options, clientSecret));
        }

        services.AddCascadingAuthenticationState();
    }

    /// <summary>After routing: who is asking, then the API's cross-site check.</summary>
    public static void UsePortMapperSecurity(this WebApplication app)
    {
        var policy = app.Services.GetRequiredService<ApplyAccessPolicy>();
        if (policy.AllowApply && !policy.LocalOnly && !policy.SignInAvailable)
        {
            app.Logger.LogWarning("--allow-apply is given and PortMapper listens on {Listen}, but no sign-in is set up: apply to a real cluster will be refused. " +
                                  "Add --apply-token-file or --oidc-authority/--oidc-client-id (docs/security.md).", policy.Listen);
        }

        app.UseAuthentication();
        app.UseApiRequestForgeryCheck();
    }

    public static IEndpointRouteBuilder MapPortMapperSecurity(this IEndpointRouteBuilder app)
    {
        app.MapGet("/auth/oidc", ChallengeOidcAsync);
        app.MapPost("/auth/signout", async (HttpContext context, [FromForm] string? returnUrl) =>
        {
            await context.SignOutAsync(CookieScheme);
            return TypedResults.LocalRedirect($"~/{LocalReturnUrl(returnUrl)}");
        });
        app.MapGet("/api/access", GetAccess);
        return app;
    }

    /// <summary>A return address inside the app, relative to its base ("" for the home page); anything else becomes "".</summary>
    public static string LocalReturnUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl))
        {
            return "";
        }

        var relative = returnUrl.TrimStart('/');
        var local = !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.Contains('\\', StringComparison.Ordinal)
                    && !relative.Contains(':', StringComparison.Ordinal) && Uri.IsWellFormedUriString(relative, UriKind.Relative);
        return local ? relative : "";
    }

    /// <summary>Sends the browser to the provider; when its discovery document cannot be read, back to the sign-in page saying so.</summary>
    private static async Task<IResult> ChallengeOidcAsync(HttpContext context, ApplyAccessPolicy policy, ILoggerFactory loggers, string? returnUrl)
    {
        if (!policy.OidcSignIn)
        {
            return Results.NotFound();
        }

        var local = LocalReturnUrl(returnUrl);
        try
        {
            await context.ChallengeAsync(OidcScheme, new AuthenticationProperties { RedirectUri = $"{context.Request.PathBase}/{local}" });
            return Results.Empty;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException && !context.Response.HasStarted)
        {
            loggers.CreateLogger(SourceApplyGuard.AuditCategory).LogWarning("OpenID Connect sign-in could not start: {Message}", e.Message);
            return Results.Redirect($"{context.Request.PathBase}/signin?error=discovery&returnUrl={Uri.EscapeDataString(local)}");
        }
    }

    private static Ok<ApplyAccess> GetAccess(ClaimsPrincipal user, IApplyGuard guard, ApplyAccessPolicy policy)
    {
        var decision = guard.Preview(user);
        var signedIn = user.Identity?.IsAuthenticated == true;
        var signInWouldHelp = !decision.Allowed && !signedIn && policy.SignInRequired && policy.SignInAvailable;
        return TypedResults.Ok(new ApplyAccess(decision.Allowed, decision.Reason, signedIn ? user.Identity!.Name : null, signInWouldHelp));
    }

    private static string ReadClientSecret(PortMapperOptions options)
    {
        var secret = options.OidcClientSecretFile is { } file
            ? File.ReadAllText(file).Trim()
            : Environment.GetEnvironmentVariable(PortMapperCommandLine.OidcClientSecretVariable);
        return string.IsNullOrEmpty(secret)
            ? throw new InvalidOperationException($"The OpenID Connect client secret is empty: set {PortMapperCommandLine.OidcClientSecretVariable} or fill --oidc-client-secret-file.")
            : secret;
    }
}

/// <summary>GET /api/access: may the caller apply right now, and if not, what to do (SignInRequired: signing in would allow it).</summary>
public sealed record ApplyAccess(bool ApplyAllowed, string? Reason, string? User, bool SignInRequired);
