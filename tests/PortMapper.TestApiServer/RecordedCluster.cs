using System.Text.Json.Nodes;

namespace PortMapper.TestApiServer;

/// <summary>The objects recorded from a real cluster (tests/fixtures/k8s-recordings), to seed a test API server with.</summary>
public static class RecordedCluster
{
    private static readonly (string File, string Kind, string ApiVersion)[] Lists =
    [
        ("list-nodes.json", "Node", "v1"),
        ("list-pods.json", "Pod", "v1"),
        ("list-services.json", "Service", "v1"),
        ("list-endpointslices.json", "EndpointSlice", "discovery.k8s.io/v1"),
        ("list-ingresses.json", "Ingress", "networking.k8s.io/v1"),
    ];

    /// <summary>Puts every recorded node, pod, Service, EndpointSlice and Ingress into <paramref name="server"/>'s store.</summary>
    public static void SeedInto(TestApiServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        foreach (var (file, kind, apiVersion) in Lists)
        {
            var list = JsonNode.Parse(File.ReadAllText(Recording(file)))!["items"]!.AsArray();
            foreach (var item in list.Select(i => i!.DeepClone().AsObject()))
            {
                // List items carry neither kind nor apiVersion; the store assigns its own resourceVersions.
                item["kind"] = kind;
                item["apiVersion"] = apiVersion;
                item["metadata"]!.AsObject().Remove("resourceVersion");
                server.Store.Put(item);
            }
        }
    }

    /// <summary>The path of a recording, found by walking up from the test's output folder to the repository.</summary>
    public static string Recording(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "k8s-recordings", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/fixtures/k8s-recordings/{name} not found above {AppContext.BaseDirectory}");
    }
}
