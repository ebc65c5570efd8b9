using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Kubernetes;
using PortMapper.Kubernetes.Config;

namespace PortMapper.Web.Hosting;

/// <summary>The cluster source the app runs on and the analysis every page shares.</summary>
internal sealed record ClusterConnection(IClusterSource Source, LiveAnalysis Live);

/// <summary>
/// Chooses and builds the cluster source: <c>--demo</c> or <c>PORTMAPPER_DEMO=true</c> forces the demo cluster;
/// <c>--manifests</c> analyses files as written; otherwise the pod's service account when running in a pod, else a
/// kubeconfig when one is found (KUBECONFIG, ~/.kube/config, or <c>--kubeconfig</c>/<c>--context</c>), else the demo.
/// </summary>
internal static class ClusterSources
{
    public const string ForceDemoVariable = "PORTMAPPER_DEMO";

    /// <exception cref="KubeconfigException">A kubeconfig or context was asked for but cannot be used.</exception>
    public static ClusterConnection Create(PortMapperOptions options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("PortMapper.Cluster");
        var demoOptions = new DemoClusterOptions { NodePortRange = options.NodePortRange };
        if (options.Source == ClusterSourceKind.Manifests)
        {
            var loaded = ManifestLoader.LoadPaths(options.Manifests);
            foreach (var error in loaded.Errors)
            {
                logger.LogWarning("Manifest not loaded: {Error}", error.ToString());
            }

            foreach (var skipped in loaded.Skipped)
            {
                logger.LogInformation("Not analysed (PortMapper does not model kind {Kind}): {Name} in {Source}", skipped.Kind, skipped.Name, skipped.Source.ToString());
            }

            return Sandbox(DemoCluster.FromManifests(loaded, demoOptions with { DisplayName = string.Join(", ", options.Manifests.Select(m => Path.GetFileName(m.TrimEnd('/', Path.DirectorySeparatorChar)))) }));
        }

        if (options.DemoSize is { } pods)
        {
            return Sandbox(Synthetic(pods, demoOptions));
        }

        // An explicit --kubeconfig/--context always wins; otherwise --demo or PORTMAPPER_DEMO=true skips the search.
        var forceDemo = options.Source != ClusterSourceKind.Kubeconfig &&
            (options.Demo || string.Equals(Environment.GetEnvironmentVariable(ForceDemoVariable), "true", StringComparison.OrdinalIgnoreCase));
        if (!forceDemo && Live(options, options.Context, loggers) is { } live)
        {
            logger.LogInformation("Cluster source: {Source}", live.Info.DisplayName);
            return new ClusterConnection(live, new LiveAnalysis(live));
        }

        if (!forceDemo)
        {
            logger.LogInformation("No cluster configured (not in a pod, no kubeconfig): showing the built-in demo cluster.");
        }

        return Sandbox(DemoCluster.CreateDefault(demoOptions));
    }

    /// <summary>A live cluster for the kubeconfig context <paramref name="context"/>; null when no cluster is configured.</summary>
    public static KubernetesClusterSource? Live(PortMapperOptions options, string? context, ILoggerFactory loggers) =>
        KubernetesClusterSource.Create(
            new KubernetesSourceOptions
            {
                Connection = new ConnectionOptions { KubeconfigPath = options.Kubeconfig, Context = context },
                Namespaces = options.Namespaces,
                AllowApply = options.AllowApply,
            },
            loggers);

    public static ImmutableArray<KubeContextInfo> Contexts(PortMapperOptions options) =>
        ConnectionResolver.ListContexts(new ConnectionOptions { KubeconfigPath = options.Kubeconfig });

    /// <summary>A generated demo cluster (--demo-size): pods/10 Services, pods/50 nodes (at least 3).</summary>
    internal static DemoCluster Synthetic(int pods, DemoClusterOptions options)
    {
        var demo = new DemoCluster(options with { DisplayName = $"synthetic demo ({pods:N0} pods)" });
        demo.Load(SyntheticCluster.Generate(nodes: Math.Max(3, pods / 50), services: Math.Max(1, pods / 10), pods));
        return demo;
    }

    private static ClusterConnection Sandbox(DemoCluster demo)
    {
        var findings = demo.StartupFindings;
        return new ClusterConnection(demo, new LiveAnalysis(demo, _ => findings));
    }
}

/// <summary>Switches every viewer to another kubeconfig context at runtime.</summary>
public sealed class ContextSwitcher(PortMapperOptions options, LiveAnalysis live, ILoggerFactory loggers)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The kubeconfig's contexts; empty when the app does not run on a kubeconfig.</summary>
    public ImmutableArray<KubeContextInfo> Contexts =>
        live.Source.Info.Kind == ClusterSourceKind.Kubeconfig ? ClusterSources.Contexts(options) : [];

    /// <summary>Null when done, else what went wrong (the current cluster stays in place).</summary>
    public async Task<string?> SwitchAsync(string context, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var next = ClusterSources.Live(options, context, loggers);
            if (next is null)
            {
                return $"context \"{context}\" cannot be used: no kubeconfig found";
            }

            await live.SwitchSourceAsync(next, null, cancellationToken);
            loggers.CreateLogger<ContextSwitcher>().LogInformation("Switched to context {Context}", context);
            return null;
        }
        catch (KubeconfigException e)
        {
            return e.Message;
        }
        finally
        {
            _gate.Release();
        }
    }
}
