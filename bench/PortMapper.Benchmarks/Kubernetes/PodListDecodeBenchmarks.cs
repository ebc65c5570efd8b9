using BenchmarkDotNet.Attributes;
using PortMapper.Core.Loading;
using PortMapper.Kubernetes.Decoding;

namespace PortMapper.Benchmarks.Kubernetes;

/// <summary>
/// Decoding a 10,000-pod PodList (about 50 MB, shaped like the recorded one, managedFields included) into the
/// model: from bytes, from a stream as the client reads it, through the manifest reader, and KubernetesClient's typed
/// models for comparison.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KubernetesColumnsConfig))]
public class PodListDecodeBenchmarks
{
    public const int Pods = 10_000;

    private byte[] _json = [];

    /// <summary>The size of the payload, computed where the summary is printed (the host process).</summary>
    public static Lazy<long> PayloadBytes { get; } = new(() => KubernetesPayloads.PodList(Pods).LongLength);

    [GlobalSetup]
    public void Setup() => _json = KubernetesPayloads.PodList(Pods);

    [Benchmark(Baseline = true, Description = "Pod codec, bytes")]
    public int DecodeBytes() => ResourceCodecs.Pod.DecodeList(_json).Items.Count;

    [Benchmark(Description = "Pod codec, stream")]
    public async Task<int> DecodeStream()
    {
        await using var stream = new MemoryStream(_json, writable: false);
        return (await ResourceCodecs.Pod.DecodeListAsync(stream, CancellationToken.None)).Items.Count;
    }

    /// <summary>
    /// KubernetesClient's typed decode of the same list (System.Text.Json into V1PodList, as its ListPodForAllNamespaces
    /// call does): the comparison that decides whether the informer keeps its own decoder.
    /// </summary>
    [Benchmark(Description = "KubernetesClient V1PodList, stream")]
    public int DecodeWithKubernetesClient()
    {
        using var stream = new MemoryStream(_json, writable: false);
        return k8s.KubernetesJson.Deserialize<k8s.Models.V1PodList>(stream).Items.Count;
    }

    /// <summary>The manifest path (JsonNode tree, then the tolerant reader), which the client does not use for lists.</summary>
    [Benchmark(Description = "JsonNode + ModelReader")]
    public int DecodeWithManifestReader() => ManifestLoader.LoadText(System.Text.Encoding.UTF8.GetString(_json), "pods.json").Objects.Length;
}
