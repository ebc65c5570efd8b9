using BenchmarkDotNet.Attributes;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Decoding;
using PortMapper.Kubernetes.Informers;

namespace PortMapper.Benchmarks.Kubernetes;

/// <summary>
/// The live cache at scale: pods, one Service per five pods and one EndpointSlice per Service, decoded from
/// recorded-shape list pages of 500 and folded into a ClusterSnapshot as an initial sync does. The timed part is
/// building the snapshot from decoded objects; the "Cache MB" column is what the finished snapshot keeps alive.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KubernetesColumnsConfig))]
public class CacheMemoryBenchmarks
{
    private const int PageSize = 500;

    private List<ClusterChange> _changes = [];

    [Params(10_000, 50_000)]
    public int Pods { get; set; }

    public int Services => Pods / 5;

    [GlobalSetup]
    public void Setup() => _changes = Decode(Pods).ToList();

    [Benchmark]
    public int BuildSnapshot() => ChangeBatch.Apply(ClusterSnapshot.Empty with { EndpointSlicesAuthoritative = true }, _changes).ObjectCount;

    /// <summary>Every object of a cluster of this size, decoded page by page (pages are dropped once decoded).</summary>
    public static IEnumerable<ClusterChange> Decode(int pods)
    {
        for (var first = 0; first < pods; first += PageSize)
        {
            foreach (var o in ResourceCodecs.Pod.DecodeList(KubernetesPayloads.PodList(Math.Min(PageSize, pods - first), first)).Items)
            {
                yield return new ClusterChange(ChangeType.Added, o);
            }
        }

        foreach (var o in ResourceCodecs.Service.DecodeList(KubernetesPayloads.ServiceList(pods / 5)).Items)
        {
            yield return new ClusterChange(ChangeType.Added, o);
        }

        foreach (var o in ResourceCodecs.EndpointSlice.DecodeList(KubernetesPayloads.EndpointSliceList(pods / 5, 5)).Items)
        {
            yield return new ClusterChange(ChangeType.Added, o);
        }
    }

    /// <summary>
    /// Memory the snapshot keeps alive, in MiB: GC.GetTotalMemory after a full collection, before and after building
    /// it. Measured once per size in the process that prints the summary, independent of the timed runs.
    /// </summary>
    public static double RetainedMegabytes(int pods) => Retained.GetOrAdd(pods, p =>
    {
        Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var snapshot = ClusterSnapshot.Empty;
        foreach (var page in Decode(p).Chunk(PageSize))
        {
            snapshot = ChangeBatch.Apply(snapshot, page);
        }

        Collect();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(snapshot);
        return (after - before) / 1024.0 / 1024.0;
    });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, double> Retained = new();

    private static void Collect()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }
}
