using System.Collections.Immutable;
using System.Net;
using Microsoft.AspNetCore.Http;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Security;

/// <summary>
/// What apply to a real cluster requires, fixed at start-up from the options and the addresses the app listens on:
/// nothing beyond --allow-apply when only this machine can reach the app, a signed-in person otherwise.
/// </summary>
public sealed record ApplyAccessPolicy
{
    /// <summary>--allow-apply was given.</summary>
    public bool AllowApply { get; init; }

    /// <summary>The app listens on loopback addresses only and no proxy was configured in front of it.</summary>
    public bool LocalOnly { get; init; }

    /// <summary>--apply-token-file was given.</summary>
    public bool TokenSignIn { get; init; }

    /// <summary>--oidc-authority and --oidc-client-id were given.</summary>
    public bool OidcSignIn { get; init; }

    /// <summary>Where the app listens, for messages.</summary>
    public string Listen { get; init; } = "";

    /// <summary>The path base ("" for none), so messages can name the sign-in page's address.</summary>
    public string PathBase { get; init; } = "";

    public bool SignInAvailable => TokenSignIn || OidcSignIn;

    /// <summary>Apply to a real cluster is enabled and needs a signed-in person (the header shows a sign-in link then).</summary>
    public bool SignInRequired => AllowApply && !LocalOnly;

    public static ApplyAccessPolicy Create(PortMapperOptions options, IEnumerable<string> listenUrls)
    {
        var urls = listenUrls.ToImmutableArray();
        var behindProxy = options.PathBase is not null || !options.TrustedProxies.IsEmpty;
        return new ApplyAccessPolicy
        {
            AllowApply = options.AllowApply,
            LocalOnly = !behindProxy && urls.Length > 0 && urls.All(IsLoopback),
            TokenSignIn = options.ApplyTokenFile is not null,
            OidcSignIn = options.OidcEnabled,
            Listen = string.Join(", ", urls),
            PathBase = options.PathBase ?? "",
        };
    }

    /// <summary>True for http(s)://localhost, 127.x.x.x and [::1]; false for every other address, wildcards and unix sockets.</summary>
    public static bool IsLoopback(string url)
    {
        try
        {
            var address = BindingAddress.Parse(url);
            if (address.IsUnixPipe)
            {
                return false;
            }

            return string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
                   || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
