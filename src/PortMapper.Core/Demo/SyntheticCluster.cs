using System.Globalization;
using System.Text.Json.Nodes;

namespace PortMapper.Core.Demo;

/// <summary>
/// Generates a large, realistic cluster for benchmarks and scale tests: namespaces of Deployments, each behind a
/// ClusterIP, NodePort or LoadBalancer Service (some with named targetPorts), some Ingresses in front.
/// The same arguments always give the same cluster.
/// </summary>
public static class SyntheticCluster
{
    public static IEnumerable<JsonObject> Generate(int nodes, int services, int pods, int seed = 42)
    {
        var random = new Random(seed);
        for (var i = 0; i < nodes; i++)
        {
            var name = $"node-{i.ToString("D4", CultureInfo.InvariantCulture)}";
            yield return DemoNodes.Node(name, $"172.20.{i / 250}.{(i % 250) + 2}", $"10.{64 + (i / 256)}.{i % 256}.0/24", $"zone-{(i % 3) + 1}");
        }

        yield return DemoNodes.DefaultIngressClass();
        var namespaces = Math.Max(1, services / 100);
        for (var n = 0; n < namespaces; n++)
        {
            yield return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Ns(n) } };
        }

        var perService = Math.Max(1, pods / Math.Max(1, services));
        for (var s = 0; s < services; s++)
        {
            var ns = Ns(s % namespaces);
            var app = $"app-{s.ToString("D5", CultureInfo.InvariantCulture)}";
            var port = 8000 + random.Next(0, 1000);
            var named = random.Next(0, 3) == 0;
            yield return new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "Deployment",
                ["metadata"] = new JsonObject { ["name"] = app, ["namespace"] = ns },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = perService,
                    ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = app, ["tier"] = s % 2 == 0 ? "web" : "backend" } },
                        ["spec"] = new JsonObject
                        {
                            ["containers"] = new JsonArray(new JsonObject
                            {
                                ["name"] = "main",
                                ["image"] = $"registry.example.com/{app}:1.0",
                                ["ports"] = new JsonArray(
                                    new JsonObject { ["name"] = "http", ["containerPort"] = port },
                                    new JsonObject { ["name"] = "metrics", ["containerPort"] = 9090 }),
                            }),
                        },
                    },
                },
            };

            var roll = random.Next(0, 10);
            var type = roll < 7 ? "ClusterIP" : roll < 9 ? "NodePort" : "LoadBalancer";
            yield return new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Service",
                ["metadata"] = new JsonObject { ["name"] = app, ["namespace"] = ns },
                ["spec"] = new JsonObject
                {
                    ["type"] = type,
                    ["selector"] = new JsonObject { ["app"] = app },
                    ["ports"] = new JsonArray(
                        new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = named ? JsonValue.Create("http") : JsonValue.Create(port) },
                        new JsonObject { ["name"] = "metrics", ["port"] = 9090, ["targetPort"] = "metrics" }),
                },
            };

            if (s % 10 == 0)
            {
                yield return new JsonObject
                {
                    ["apiVersion"] = "networking.k8s.io/v1",
                    ["kind"] = "Ingress",
                    ["metadata"] = new JsonObject { ["name"] = app, ["namespace"] = ns },
                    ["spec"] = new JsonObject
                    {
                        ["rules"] = new JsonArray(new JsonObject
                        {
                            ["host"] = $"{app}.{ns}.example.com",
                            ["http"] = new JsonObject
                            {
                                ["paths"] = new JsonArray(new JsonObject
                                {
                                    ["path"] = "/",
                                    ["pathType"] = "Prefix",
                                    ["backend"] = new JsonObject { ["service"] = new JsonObject { ["name"] = app, ["port"] = new JsonObject { ["name"] = "http" } } },
                                }),
                            },
                        }),
                    },
                };
            }
        }
    }

    /// <summary>
    /// A shared Gateway (class served by the demo's Gateway controller) in namespace gateway-infra, admitting routes
    /// from every namespace, and <paramref name="routes"/> HTTPRoutes spread over the Services of
    /// <see cref="Generate"/>: each its own hostname, an /api rule and a weighted 90/10 catch-all.
    /// </summary>
    public static IEnumerable<JsonObject> GatewayRoutes(int services, int routes)
    {
        yield return new JsonObject
        {
            ["apiVersion"] = "gateway.networking.k8s.io/v1",
            ["kind"] = "GatewayClass",
            ["metadata"] = new JsonObject { ["name"] = "synthetic" },
            ["spec"] = new JsonObject { ["controllerName"] = DemoCluster.GatewayController },
        };
        yield return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "gateway-infra" } };
        yield return new JsonObject
        {
            ["apiVersion"] = "gateway.networking.k8s.io/v1",
            ["kind"] = "Gateway",
            ["metadata"] = new JsonObject { ["name"] = "shared", ["namespace"] = "gateway-infra" },
            ["spec"] = new JsonObject
            {
                ["gatewayClassName"] = "synthetic",
                ["listeners"] = new JsonArray(
                    new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "HTTPS", ["hostname"] = "*.example.com", ["allowedRoutes"] = new JsonObject { ["namespaces"] = new JsonObject { ["from"] = "All" } } },
                    new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "HTTP", ["allowedRoutes"] = new JsonObject { ["namespaces"] = new JsonObject { ["from"] = "All" } } }),
            },
        };

        var namespaces = Math.Max(1, services / 100);
        for (var r = 0; r < routes; r++)
        {
            var s = r % Math.Max(1, services);
            var ns = Ns(s % namespaces);
            var app = $"app-{s.ToString("D5", CultureInfo.InvariantCulture)}";
            var canary = $"app-{((s + namespaces) % Math.Max(1, services)).ToString("D5", CultureInfo.InvariantCulture)}";
            JsonObject Backend(string name, int weight) => new() { ["name"] = name, ["port"] = 80, ["weight"] = weight };
            yield return new JsonObject
            {
                ["apiVersion"] = "gateway.networking.k8s.io/v1",
                ["kind"] = "HTTPRoute",
                ["metadata"] = new JsonObject { ["name"] = $"route-{r.ToString("D5", CultureInfo.InvariantCulture)}", ["namespace"] = ns },
                ["spec"] = new JsonObject
                {
                    ["parentRefs"] = new JsonArray(new JsonObject { ["name"] = "shared", ["namespace"] = "gateway-infra" }),
                    ["hostnames"] = new JsonArray(JsonValue.Create($"{app}-{r.ToString(CultureInfo.InvariantCulture)}.example.com")),
                    ["rules"] = new JsonArray(
                        new JsonObject
                        {
                            ["matches"] = new JsonArray(new JsonObject { ["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = "/api" } }),
                            ["backendRefs"] = new JsonArray(Backend(app, 1)),
                        },
                        new JsonObject { ["backendRefs"] = new JsonArray(Backend(app, 90), Backend(canary, 10)) }),
                },
            };
        }
    }

    private static string Ns(int n) => $"team-{n.ToString("D3", CultureInfo.InvariantCulture)}";
}
