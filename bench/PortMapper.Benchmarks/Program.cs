using BenchmarkDotNet.Running;
using PortMapper.Benchmarks.Analysis;

if (args is ["memory", var scale])
{
    MemoryProbe.Run(scale);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(MemoryProbe).Assembly).Run(args);
