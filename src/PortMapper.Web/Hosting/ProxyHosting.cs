using System.Collections.Immutable;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.AspNetCore.HttpOverrides;

namespace PortMapper.Web.Hosting;

/// <summary>
/// Running behind a reverse proxy or an Ingress: the app answers under a path base (/portmapper) and believes
/// X-Forwarded-For, -Proto and -Prefix only from proxies in trusted networks (docs/deploy.md).
/// </summary>
internal static class ProxyHosting
{
    /// <summary>Loopback: a proxy on the same machine or in the same pod.</summary>
    public static ImmutableArray<string> LoopbackNetworks { get; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>RFC 1918 and unique-local IPv6: where an Ingress controller's pods live in a cluster.</summary>
    public static ImmutableArray<string> PrivateNetworks { get; } = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

    /// <summary>The kubelet sets this in every container; its presence means the app runs in a pod.</summary>
    public static bool RunningInPod(Func<string, string?> environment) =>
        !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_HOST"));

    /// <summary>--trusted-proxies when given; else loopback, plus the private networks when the app runs in a pod.</summary>
    public static ImmutableArray<IPNetwork> TrustedNetworks(PortMapperOptions options, bool inPod)
    {
        var networks = !options.TrustedProxies.IsEmpty ? options.TrustedProxies
            : inPod ? LoopbackNetworks.AddRange(PrivateNetworks)
            : LoopbackNetworks;
        return [.. networks.Select(n => IPNetwork.Parse(n))];
    }

    public static void AddPortMapperProxy(this IServiceCollection services, PortMapperOptions options)
    {
        var trusted = TrustedNetworks(options, RunningInPod(Environment.GetEnvironmentVariable));
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Not X-Forwarded-Host: proxies such as ingress-nginx pass the client's Host header through unchanged.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedPrefix;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var network in trusted)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
    }

    /// <summary>First in the pipeline: everything after it sees the client's scheme and address and the path without the prefix.</summary>
    public static void UsePortMapperProxy(this WebApplication app, PortMapperOptions options)
    {
        app.UseForwardedHeaders();
        if (options.PathBase is { } pathBase)
        {
            // Requests without the prefix still work (probes call /healthz directly); those with it get it moved to PathBase.
            app.UsePathBase(pathBase);
        }

        // Routing has to run after UsePathBase, or endpoints would be matched against the prefixed path.
        app.UseRouting();
    }
}
