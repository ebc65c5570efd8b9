using System.Text.Json.Nodes;
using PortMapper.Core.Loading;

namespace PortMapper.Core.Demo;

/// <summary>
/// The demo's fixed parts: one node pool of three dual-stack nodes (an IPv4 and an IPv6 InternalIP and pod CIDR each),
/// one per zone, shaped like the recorded cluster's, the default ServiceCIDR and a default IngressClass.
/// </summary>
internal static class DemoNodes
{
    public static IEnumerable<JsonObject> Default()
    {
        string[] names = ["node-a", "node-b", "node-c"];
        for (var i = 0; i < names.Length; i++)
        {
            yield return Node(names[i], $"172.18.0.{i + 2}", $"10.244.{i + 1}.0/24", $"zone-{i + 1}", $"fd00:18::{i + 2}", $"fd00:10:244:{i + 1}::/64");
        }
    }

    /// <summary>The pool label the demo's nodes carry, as managed node groups label theirs.</summary>
    public const string PoolLabel = "node.portmapper.dev/pool";

    public static JsonObject Node(string name, string address, string podCidr, string zone, string? address6 = null, string? podCidr6 = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject
            {
                ["kubernetes.io/hostname"] = name,
                ["kubernetes.io/os"] = "linux",
                ["topology.kubernetes.io/zone"] = zone,
                [PoolLabel] = "general",
            },
        },
        ["spec"] = new JsonObject { ["podCIDR"] = podCidr, ["podCIDRs"] = podCidr6 is null ? new JsonArray(podCidr) : new JsonArray(podCidr, podCidr6) },
        ["status"] = new JsonObject
        {
            ["addresses"] = address6 is null
                ? new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = address },
                    new JsonObject { ["type"] = "Hostname", ["address"] = name })
                : new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = address },
                    new JsonObject { ["type"] = "InternalIP", ["address"] = address6 },
                    new JsonObject { ["type"] = "Hostname", ["address"] = name }),
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady" }),
        },
    };

    /// <summary>
    /// The default ServiceCIDR the API server of a 1.33+ cluster creates from its --service-cluster-ip-range flags: the
    /// demo's two Service ranges, IPv4 first (the ranges its allocator hands cluster IPs from).
    /// </summary>
    public static JsonObject DefaultServiceCidr() => new()
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "ServiceCIDR",
        ["metadata"] = new JsonObject { ["name"] = "kubernetes" },
        ["spec"] = new JsonObject { ["cidrs"] = new JsonArray(DemoCluster.ServiceCidr4, DemoCluster.ServiceCidr6) },
        ["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "" }),
        },
    };

    public static JsonObject DefaultIngressClass() => new()
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "IngressClass",
        ["metadata"] = new JsonObject
        {
            ["name"] = "nginx",
            ["annotations"] = new JsonObject { ["ingressclass.kubernetes.io/is-default-class"] = "true" },
        },
        ["spec"] = new JsonObject { ["controller"] = "k8s.io/ingress-nginx" },
    };
}

/// <summary>The classic examples (samples/seeds) and the broken shop (samples/demo), embedded so the demo works from any directory and when published.</summary>
public static class DemoSamples
{
    public static LoadResult Load()
    {
        var assembly = typeof(DemoSamples).Assembly;
        var result = LoadResult.Empty;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("samples/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            result = result.Merge(ManifestLoader.LoadText(reader.ReadToEnd(), name));
        }

        return result;
    }
}
