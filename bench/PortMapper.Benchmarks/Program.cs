using BenchmarkDotNet.Running;
using PortMapper.Benchmarks.Analysis;

if (args is ["memory", var scale])
{
    MemoryProbe.Run(scale);
    return;
}

if (args is ["sync", ..])
{
    await PortMapper.Benchmarks.Kubernetes.InitialSyncTiming.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(MemoryProbe).Assembly).Run(args);
