using System.Globalization;
using System.Text.Json.Nodes;

namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>Small Kubernetes objects as JSON, for seeding the test API server and for applying.</summary>
public static class K8s
{
    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>Parses JSON after replacing each @name placeholder (JSON's own braces make interpolation awkward).</summary>
    private static JsonObject Fill(string json, params (string Name, object Value)[] values)
    {
        foreach (var (name, value) in values.OrderByDescending(v => v.Name.Length))
        {
            json = json.Replace("@" + name, Convert.ToString(value, CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return Parse(json);
    }

    public static JsonObject Namespace(string name) => Fill("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"@name"}}""", ("name", name));

    public static JsonObject Node(string name, string ip) => Fill("""
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"@name","labels":{"topology.kubernetes.io/zone":"zone-1"}},
         "spec":{"podCIDR":"10.244.1.0/24"},
         "status":{"addresses":[{"type":"InternalIP","address":"@ip"}],"conditions":[{"type":"Ready","status":"True"}]}}
        """, ("name", name), ("ip", ip));

    public static JsonObject Pod(string ns, string name, string ip, int port = 8080, string app = "web", string label = "v1") => Fill("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"@name","namespace":"@ns","labels":{"app":"@app","rev":"@label"}},
         "spec":{"nodeName":"node-a","containers":[{"name":"main","image":"nginx:1.27","ports":[{"name":"http","containerPort":@port,"protocol":"TCP"}]}]},
         "status":{"phase":"Running","podIP":"@ip","podIPs":[{"ip":"@ip"}],"conditions":[{"type":"Ready","status":"True"}]}}
        """, ("name", name), ("ns", ns), ("app", app), ("label", label), ("port", port), ("ip", ip));

    public static JsonObject Service(string ns, string name, string type = "ClusterIP", int port = 80, int? nodePort = null, string app = "web") => Fill("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"@name","namespace":"@ns"},
         "spec":{"type":"@type","selector":{"app":"@app"},"ports":[{"name":"http","port":@port,"protocol":"TCP","targetPort":"http"@nodePort}]}}
        """, ("name", name), ("ns", ns), ("type", type), ("app", app), ("port", port), ("nodePort", nodePort is { } np ? $",\"nodePort\":{np}" : ""));

    public static JsonObject EndpointSlice(string ns, string service, string name, params string[] ips) => Fill("""
        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"@name","namespace":"@ns","labels":{"kubernetes.io/service-name":"@service"}},
         "addressType":"IPv4","endpoints":[@endpoints],"ports":[{"name":"http","protocol":"TCP","port":8080}]}
        """, ("name", name), ("ns", ns), ("service", service),
        ("endpoints", string.Join(",", ips.Select(ip => "{\"addresses\":[\"" + ip + "\"],\"conditions\":{\"ready\":true}}"))));

    public static JsonObject Ingress(string ns, string name, string host, string service) => Fill("""
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"@name","namespace":"@ns"},
         "spec":{"ingressClassName":"nginx","rules":[{"host":"@host","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"@service","port":{"name":"http"}}}}]}}]}}
        """, ("name", name), ("ns", ns), ("host", host), ("service", service));

    public static JsonObject IngressClass(string name) => Fill("""
        {"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"@name"},"spec":{"controller":"k8s.io/ingress-nginx"}}
        """, ("name", name));
}
