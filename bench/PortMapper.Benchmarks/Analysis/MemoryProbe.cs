using System.Diagnostics;
using PortMapper.Core.Analysis;

namespace PortMapper.Benchmarks.Analysis;

/// <summary>
/// Peak and retained memory of a full analysis, which BenchmarkDotNet does not report:
/// <c>dotnet run -c Release --project bench/PortMapper.Benchmarks -- memory 50k</c>.
/// </summary>
public static class MemoryProbe
{
    public static void Run(string scale)
    {
        var snapshot = Scales.Snapshot(scale);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var peakBefore = process.PeakWorkingSet64;
        var stopwatch = Stopwatch.StartNew();
        var analysis = ClusterAnalyzer.Analyze(snapshot);
        stopwatch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        process.Refresh();
        Console.WriteLine($"scale {scale}: {snapshot.Pods.Count} pods, {snapshot.Services.Count} services, {analysis.Paths.Length} paths, {analysis.Diagnostics.Length} diagnostics");
        Console.WriteLine($"analysis: {stopwatch.Elapsed.TotalMilliseconds:F0} ms (first run, includes JIT); retained by the analysis: {retained / 1024.0 / 1024.0:F1} MB; process peak working set: {process.PeakWorkingSet64 / 1024.0 / 1024.0:F0} MB (before analysis: {peakBefore / 1024.0 / 1024.0:F0} MB); allocated so far: {allocated / 1024.0 / 1024.0:F0} MB");
        GC.KeepAlive(analysis);
    }
}
