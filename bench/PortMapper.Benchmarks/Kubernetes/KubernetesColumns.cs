using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace PortMapper.Benchmarks.Kubernetes;

/// <summary>Adds the decode throughput (MB/s of list JSON) and the cache's retained memory to the summary.</summary>
public sealed class KubernetesColumnsConfig : ManualConfig
{
    public KubernetesColumnsConfig()
    {
        AddColumn(new KubernetesColumn("MB/s", "Megabytes (10^6) of list JSON decoded per second", Throughput));
        AddColumn(new KubernetesColumn("Cache MB", "MiB the finished ClusterSnapshot keeps alive (GC.GetTotalMemory before/after)", CacheSize));
    }

    private static string Throughput(Summary summary, BenchmarkCase benchmark)
    {
        if (benchmark.Descriptor.Type != typeof(PodListDecodeBenchmarks) || summary[benchmark]?.ResultStatistics is not { } stats)
        {
            return "-";
        }

        return (PodListDecodeBenchmarks.PayloadBytes.Value / (stats.Mean / 1e9) / 1e6).ToString("0", CultureInfo.InvariantCulture);
    }

    private static string CacheSize(Summary summary, BenchmarkCase benchmark) =>
        benchmark.Descriptor.Type == typeof(CacheMemoryBenchmarks)
            ? CacheMemoryBenchmarks.RetainedMegabytes((int)benchmark.Parameters["Pods"]).ToString("0.0", CultureInfo.InvariantCulture)
            : "-";

    private sealed class KubernetesColumn(string name, string legend, Func<Summary, BenchmarkCase, string> value) : IColumn
    {
        public string Id => $"{nameof(KubernetesColumn)}.{name}";

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(summary, benchmarkCase);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => value(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
