using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;

namespace PortMapper.Web.Hosting;

/// <summary>The cluster source the app runs on and the analysis every page shares.</summary>
internal sealed record ClusterConnection(IClusterSource Source, LiveAnalysis Live);

/// <summary>Chooses and builds the cluster source from the command line: the demo cluster, or manifests analysed as written.</summary>
internal static class ClusterSources
{
    public static ClusterConnection Create(PortMapperOptions options, ILogger logger)
    {
        var demoOptions = new DemoClusterOptions { NodePortRange = options.NodePortRange };
        DemoCluster demo;
        if (options.Source == ClusterSourceKind.Manifests)
        {
            var loaded = ManifestLoader.LoadPaths(options.Manifests);
            foreach (var error in loaded.Errors)
            {
                logger.LogWarning("Manifest not loaded: {Error}", error.ToString());
            }

            demo = DemoCluster.FromManifests(loaded, demoOptions with { DisplayName = string.Join(", ", options.Manifests.Select(Path.GetFileName)) });
        }
        else
        {
            if (options.Source is ClusterSourceKind.Kubeconfig or ClusterSourceKind.InCluster)
            {
                logger.LogWarning("--kubeconfig/--context/--in-cluster: live clusters are not wired into this build yet; showing the demo cluster instead.");
            }

            demo = DemoCluster.CreateDefault(demoOptions);
        }

        var findings = demo.StartupFindings;
        return new ClusterConnection(demo, new LiveAnalysis(demo, _ => findings));
    }
}
