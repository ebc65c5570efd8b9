using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PortMapper.Benchmarks.Kubernetes;

/// <summary>
/// Large list answers shaped exactly like the recorded kube-apiserver ones (managedFields, volumes, statuses and
/// all): every item is a recorded object with a new name, namespace, uid, resourceVersion and IP.
/// </summary>
public static class KubernetesPayloads
{
    private static readonly JsonObject[] Pods = Items("list-pods.json");
    private static readonly JsonObject[] Services = Items("list-services.json").Where(s => (string?)s["metadata"]!["namespace"] == "demo").ToArray();
    private static readonly JsonObject[] Slices = Items("list-endpointslices.json").Where(s => (string?)s["metadata"]!["namespace"] == "demo").ToArray();

    private static JsonObject[] Items(string name)
    {
        using var stream = typeof(KubernetesPayloads).Assembly.GetManifestResourceStream("k8s/" + name)!;
        return JsonNode.Parse(stream)!["items"]!.AsArray().Select(i => i!.AsObject()).ToArray();
    }

    private static string Ip(int i) => string.Create(CultureInfo.InvariantCulture, $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}");

    private static string Text(int i) => i.ToString("x6", CultureInfo.InvariantCulture);

    /// <summary>A PodList of <paramref name="count"/> pods, numbered from <paramref name="first"/>.</summary>
    public static byte[] PodList(int count, int first = 0) => List("PodList", count, i =>
    {
        var n = first + i;
        var pod = Pods[n % Pods.Length].DeepClone().AsObject();
        var meta = pod["metadata"]!.AsObject();
        meta["name"] = $"{(string?)meta["generateName"]}{Text(n)}";
        meta["namespace"] = $"ns-{n % 50}";
        meta["uid"] = new Guid(n, 0, 0, new byte[8]).ToString();
        meta["resourceVersion"] = (1000 + n).ToString(CultureInfo.InvariantCulture);
        pod["spec"]!["nodeName"] = $"node-{n % 100}";
        pod["status"]!["podIP"] = Ip(n);
        pod["status"]!["podIPs"]![0]!["ip"] = Ip(n);
        return pod;
    });

    public static byte[] ServiceList(int count) => List("ServiceList", count, n =>
    {
        var service = Services[n % Services.Length].DeepClone().AsObject();
        var meta = service["metadata"]!.AsObject();
        meta["name"] = $"svc-{Text(n)}";
        meta["namespace"] = $"ns-{n % 50}";
        meta["uid"] = new Guid(n, 1, 0, new byte[8]).ToString();
        service["spec"]!["clusterIP"] = Ip(n + (96 << 16));
        service["spec"]!["clusterIPs"] = new JsonArray(Ip(n + (96 << 16)));
        return service;
    });

    /// <summary>One slice per Service, each listing <paramref name="endpointsPerSlice"/> pods.</summary>
    public static byte[] EndpointSliceList(int count, int endpointsPerSlice) => List("EndpointSliceList", count, n =>
    {
        var slice = Slices[n % Slices.Length].DeepClone().AsObject();
        var meta = slice["metadata"]!.AsObject();
        meta["name"] = $"svc-{Text(n)}-abcde";
        meta["namespace"] = $"ns-{n % 50}";
        meta["labels"]!["kubernetes.io/service-name"] = $"svc-{Text(n)}";
        var template = slice["endpoints"]![0]!;
        var endpoints = new JsonArray();
        for (var e = 0; e < endpointsPerSlice; e++)
        {
            var endpoint = template.DeepClone().AsObject();
            endpoint["addresses"] = new JsonArray(Ip((n * endpointsPerSlice) + e));
            endpoint["targetRef"]!["name"] = $"pod-{Text((n * endpointsPerSlice) + e)}";
            endpoints.Add(endpoint);
        }

        slice["endpoints"] = endpoints;
        return slice;
    });

    private static byte[] List(string kind, int count, Func<int, JsonObject> item)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", kind);
            writer.WriteString("apiVersion", kind.StartsWith("EndpointSlice", StringComparison.Ordinal) ? "discovery.k8s.io/v1" : "v1");
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", "547");
            writer.WriteEndObject();
            writer.WriteStartArray("items");
            for (var i = 0; i < count; i++)
            {
                item(i).WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
