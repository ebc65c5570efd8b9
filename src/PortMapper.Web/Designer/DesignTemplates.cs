using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Web.Designer;

/// <summary>Objects to start a design from: small, valid skeletons per kind, and the Service <c>kubectl expose</c> would make.</summary>
public static partial class DesignTemplates
{
    public static IReadOnlyList<string> Kinds { get; } = ["Service", "Ingress", "Gateway", "HTTPRoute", "NetworkPolicy", "Deployment", "StatefulSet", "DaemonSet", "Pod"];

    /// <param name="kind">One of <see cref="Kinds"/>.</param>
    /// <param name="ns">The namespace the object goes to.</param>
    /// <param name="taken">Names already used (in the design or the cluster) for this kind, so the new one is unique.</param>
    /// <param name="cluster">The target cluster: an Ingress starts with its default class and a Service of the namespace.</param>
    public static JsonObject Scratch(string kind, string ns, Func<string, bool> taken, ClusterSnapshot cluster)
    {
        var baseName = kind switch
        {
            "Service" => "my-service",
            "Ingress" => "my-ingress",
            "NetworkPolicy" => "allow-clients",
            "Gateway" => "my-gateway",
            "HTTPRoute" => "my-route",
            _ => "my-app",
        };
        var name = Enumerable.Range(1, 1000).Select(i => i == 1 ? baseName : $"{baseName}-{i}").First(n => !taken(n));
        return kind switch
        {
            "Service" => new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Service",
                ["metadata"] = Meta(name, ns),
                ["spec"] = new JsonObject
                {
                    ["type"] = ServiceTypes.ClusterIp,
                    ["ports"] = new JsonArray(new JsonObject { ["port"] = 80, ["targetPort"] = 8080 }),
                },
            },
            "Ingress" => Ingress(name, ns, cluster),
            "NetworkPolicy" => NetworkPolicy(name, ns),
            "Gateway" => Gateway(name, ns, cluster),
            "HTTPRoute" => HttpRoute(name, ns, cluster),
            "Pod" => new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = Meta(name, ns, withLabels: true),
                ["spec"] = PodSpec(),
            },
            _ => Workload(kind, name, ns),
        };
    }

    private static JsonObject Meta(string name, string ns, bool withLabels = false)
    {
        var meta = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (withLabels)
        {
            meta["labels"] = new JsonObject { ["app"] = name };
        }

        return meta;
    }

    private static JsonObject PodSpec() => new()
    {
        ["containers"] = new JsonArray(new JsonObject
        {
            ["name"] = "app",
            ["image"] = "nginx:1.27",
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = 80 }),
        }),
    };

    private static JsonObject Workload(string kind, string name, string ns)
    {
        var spec = new JsonObject();
        if (kind is "Deployment" or "StatefulSet")
        {
            spec["replicas"] = 2;
        }

        if (kind == "StatefulSet")
        {
            spec["serviceName"] = name;
        }

        spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } };
        spec["template"] = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
            ["spec"] = PodSpec(),
        };
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = kind,
            ["metadata"] = Meta(name, ns),
            ["spec"] = spec,
        };
    }

    /// <summary>A Gateway of the cluster's first GatewayClass with one HTTP listener on port 80.</summary>
    private static JsonObject Gateway(string name, string ns, ClusterSnapshot cluster)
    {
        var gateway = new JsonObject
        {
            ["apiVersion"] = "gateway.networking.k8s.io/v1",
            ["kind"] = "Gateway",
            ["metadata"] = Meta(name, ns),
            ["spec"] = new JsonObject { ["gatewayClassName"] = ClusterFacts.GatewayClasses(cluster).FirstOrDefault() ?? "" },
        };
        new GatewayEditor(gateway).AddListener();
        return gateway;
    }

    /// <summary>An HTTPRoute attached to a Gateway of the namespace (else any), sending every path to a Service of the namespace.</summary>
    private static JsonObject HttpRoute(string name, string ns, ClusterSnapshot cluster)
    {
        var route = new JsonObject
        {
            ["apiVersion"] = "gateway.networking.k8s.io/v1",
            ["kind"] = "HTTPRoute",
            ["metadata"] = Meta(name, ns),
            ["spec"] = new JsonObject(),
        };
        var editor = new HttpRouteEditor(route);
        if (ClusterFacts.Gateways(cluster, ns).FirstOrDefault() is { } gateway)
        {
            editor.Gateway = gateway;
        }

        var service = ClusterFacts.ServicesIn(cluster, ns).FirstOrDefault();
        editor.AddRule("/", service, ClusterFacts.PortNumbersOf(cluster, ns, service).FirstOrDefault()?.Value);
        return route;
    }

    private static JsonObject Ingress(string name, string ns, ClusterSnapshot cluster)
    {
        var spec = new JsonObject();
        if (ClusterFacts.IngressClasses(cluster).FirstOrDefault() is { } cls)
        {
            spec["ingressClassName"] = cls;
        }

        var ingress = new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "Ingress",
            ["metadata"] = Meta(name, ns),
            ["spec"] = spec,
        };
        var service = ClusterFacts.ServicesIn(cluster, ns).FirstOrDefault();
        var port = ClusterFacts.PortsOf(cluster, ns, service).FirstOrDefault()?.Value;
        new IngressEditor(ingress).AddRule(service, port);
        return ingress;
    }

    /// <summary>
    /// A policy with an empty pod selector and no rule yet. The form's "allow a client" fills the selector with the
    /// chosen Service's pods and adds the rule; until then the what-if shows that, applied as it is, it would isolate
    /// every pod of the namespace for Ingress.
    /// </summary>
    private static JsonObject NetworkPolicy(string name, string ns) => new()
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "NetworkPolicy",
        ["metadata"] = Meta(name, ns),
        ["spec"] = new JsonObject
        {
            ["podSelector"] = new JsonObject(),
            ["policyTypes"] = new JsonArray("Ingress"),
        },
    };

    /// <summary>
    /// What <c>kubectl expose</c> makes of a workload or pod: a ClusterIP Service with the same name (or a free one),
    /// selecting the pods' labels, with one port per declared container port (port = targetPort = containerPort;
    /// names from the container ports, else port-1, port-2... when there are several). Null when there is nothing to select.
    /// </summary>
    public static JsonObject? Expose(JsonObject workload, Func<string, bool> serviceNameTaken)
    {
        var editor = new WorkloadEditor(workload);
        var selector = editor.PodSelector;
        if (selector.Count == 0)
        {
            return null;
        }

        var reference = ManifestValidator.Describe(workload);
        var name = Enumerable.Range(1, 1000).Select(i => i == 1 ? reference.Name : $"{reference.Name}-{i}").First(n => !serviceNameTaken(n));
        var declared = editor.Containers.SelectMany(c => c.Ports).Where(p => p.ContainerPort is not null).ToList();
        var ports = new JsonArray();
        for (var i = 0; i < declared.Count; i++)
        {
            var p = declared[i];
            var port = new JsonObject();
            if (declared.Count > 1)
            {
                port["name"] = p.Name is { Length: > 0 and <= 63 } n && Dns1123Label().IsMatch(n) && !declared.Take(i).Any(d => d.Name == n) ? n : $"port-{i + 1}";
            }

            if (p.Protocol != Protocols.Tcp)
            {
                port["protocol"] = p.Protocol;
            }

            port["port"] = p.ContainerPort;
            port["targetPort"] = p.ContainerPort;
            ports.Add(port);
        }

        var spec = new JsonObject
        {
            ["type"] = ServiceTypes.ClusterIp,
            ["selector"] = new JsonObject([.. selector.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
        };
        if (ports.Count > 0)
        {
            spec["ports"] = ports;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = reference.Namespace },
            ["spec"] = spec,
        };
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();
}
