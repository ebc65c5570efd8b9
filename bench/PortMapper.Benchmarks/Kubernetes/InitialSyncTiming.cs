using System.Diagnostics;
using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Kubernetes;
using PortMapper.Kubernetes.Config;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Benchmarks.Kubernetes;

/// <summary>
/// A full initial sync against the test API server holding <c>pods</c> recorded-shape pods (50 namespaces, 100
/// nodes' worth): PortMapper's informers (list every watched resource, decode, build the snapshot) up to a finished
/// analysis, next to <c>kubectl get pods -A -o json</c> (and <c>-o name</c>, which decodes the same list but prints
/// little) of the same server when kubectl is on the PATH. Both page
/// by 500, as kubectl does by default. Run: <c>dotnet run -c Release --project bench/PortMapper.Benchmarks -- sync 10000</c>.
/// </summary>
public static class InitialSyncTiming
{
    private const int Runs = 5;

    public static async Task RunAsync(int pods)
    {
        await using var server = await ApiServer.StartAsync();
        var list = JsonNode.Parse(KubernetesPayloads.PodList(pods))!["items"]!.AsArray();
        server.Store.PutAll(Enumerable.Range(0, 50).Select(i => new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = $"ns-{i}" },
        }));
        server.Store.PutAll(list.Select(p =>
        {
            var pod = p!.DeepClone().AsObject();
            pod["metadata"]!.AsObject().Remove("resourceVersion");
            pod["apiVersion"] = "v1";
            pod["kind"] = "Pod";
            return pod;
        }));

        var token = server.CreateToken("bench", "system:masters");
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"portmapper-sync-{Environment.ProcessId}.yaml");
        await File.WriteAllTextAsync(kubeconfig, server.Kubeconfig(token));
        try
        {
            var connection = KubeconfigResolver.Resolve(KubeconfigLoader.Parse(server.Kubeconfig(token), kubeconfig));
            var ours = new List<double>();
            var kubectl = new List<double>();
            var kubectlNames = new List<double>();
            var kubectlPath = FindOnPath("kubectl");
            for (var run = 0; run <= Runs; run++)
            {
                var t = await PortMapperSyncAsync(connection);
                var k = kubectlPath is null ? (double?)null : await KubectlAsync(kubectlPath, kubeconfig, "json");
                var kn = kubectlPath is null ? (double?)null : await KubectlAsync(kubectlPath, kubeconfig, "name");
                if (run == 0)
                {
                    continue; // warm-up: JIT, TLS session, the server's own caches
                }

                ours.Add(t);
                if (k is { } ms && kn is { } names)
                {
                    kubectl.Add(ms);
                    kubectlNames.Add(names);
                }
            }

            var median = Median(ours);
            Console.WriteLine($"Initial sync, {pods:N0} pods, {Runs} runs after a warm-up (median, min-max):");
            Console.WriteLine($"| PortMapper informers → analysis | {median:N0} ms | {ours.Min():N0}–{ours.Max():N0} ms |");
            if (kubectl.Count > 0)
            {
                var km = Median(kubectl);
                Console.WriteLine($"| kubectl get pods -A -o json     | {km:N0} ms | {kubectl.Min():N0}–{kubectl.Max():N0} ms |");
                Console.WriteLine($"| kubectl get pods -A -o name     | {Median(kubectlNames):N0} ms | {kubectlNames.Min():N0}–{kubectlNames.Max():N0} ms |");
                Console.WriteLine($"Ratio PortMapper / kubectl -o json: {median / km:0.00}; / kubectl -o name: {median / Median(kubectlNames):0.00}");
            }
            else
            {
                Console.WriteLine("kubectl is not on the PATH: no comparison.");
            }
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    private static async Task<double> PortMapperSyncAsync(KubernetesConnection connection)
    {
        var watch = Stopwatch.StartNew();
        await using var source = new KubernetesClusterSource(connection, new KubernetesSourceOptions());
        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(CancellationToken.None);
        var analysis = ClusterAnalyzer.Analyze(source.Snapshot);
        watch.Stop();
        if (source.Snapshot.Pods.Count == 0 || analysis is null)
        {
            throw new InvalidOperationException("The sync finished without pods.");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> KubectlAsync(string kubectl, string kubeconfig, string format)
    {
        var start = new ProcessStartInfo(kubectl, ["--kubeconfig", kubeconfig, "get", "pods", "-A", "-o", format])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await output;
        watch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl failed ({process.ExitCode}): {await errors}");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Select(d => Path.Combine(d, name))
        .FirstOrDefault(File.Exists);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
