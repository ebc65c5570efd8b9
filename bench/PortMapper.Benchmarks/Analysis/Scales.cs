using PortMapper.Core.Demo;
using PortMapper.Core.Model;

namespace PortMapper.Benchmarks.Analysis;

/// <summary>The synthetic clusters the targets in docs/benchmarks.md are stated for.</summary>
public static class Scales
{
    public static (int Nodes, int Services, int Pods) Parse(string scale) => scale switch
    {
        "10k" => (100, 1_000, 10_000),
        "50k" => (1_000, 5_000, 50_000),
        _ => throw new ArgumentException($"unknown scale {scale}; use 10k or 50k", nameof(scale)),
    };

    /// <summary>A live-like snapshot: pods scheduled with IPs, EndpointSlices kept by the demo's controllers.</summary>
    public static ClusterSnapshot Snapshot(string scale, int gatewayRoutes = 0)
    {
        var (nodes, services, pods) = Parse(scale);
        var demo = new DemoCluster();
        var objects = SyntheticCluster.Generate(nodes, services, pods);
        demo.Load(gatewayRoutes == 0 ? objects : objects.Concat(SyntheticCluster.GatewayRoutes(services, gatewayRoutes)));
        return demo.Snapshot;
    }
}
