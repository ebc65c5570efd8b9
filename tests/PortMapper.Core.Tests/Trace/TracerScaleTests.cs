using System.Collections.Immutable;
using Stopwatch = System.Diagnostics.Stopwatch;
using System.Globalization;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;
using Xunit.Abstractions;
using static PortMapper.Core.Tests.Trace.TraceCluster;

namespace PortMapper.Core.Tests.Trace;

public class TracerScaleTests(ITestOutputHelper output)
{
    private const int Services = 5000;
    private const int Nodes = 50;

    [Fact]
    public void Trace_FiveThousandServices_EachTraceWellUnderAMillisecond()
    {
        var analysis = BigCluster();
        var targets = new List<(TraceSource From, TraceTarget To)>();
        for (var i = 0; i < Services; i += 7)
        {
            var from = TraceSource.FromPod(Namespace(i + 1), $"pod-{i + 1}-0");
            targets.Add((from, new AddressTarget(ClusterIp(i), 80, Protocols.Tcp)));
            targets.Add((from, new ServiceNameTarget($"svc-{i}", Namespace(i), IntOrName.FromName("http"), null)));
            targets.Add((TraceSource.External, new AddressTarget(NodeIp(i % Nodes), 30000 + (i % 2700), Protocols.Tcp)));
            targets.Add((TraceSource.External, new IngressUrlTarget(false, $"host-{i}.example.com", 80, "/api/v1")));
            targets.Add((from, new AddressTarget("10.200.0.1", 80, Protocols.Tcp)));
        }

        var first = Stopwatch.StartNew();
        Assert.True(Tracer.Trace(analysis, targets[0].From, targets[0].To).Reachable);
        first.Stop();
        var reachable = targets.Count(t => Tracer.Trace(analysis, t.From, t.To).Reachable);

        // Measured on a second pass so that JIT compilation of the first does not count.
        var timer = Stopwatch.StartNew();
        foreach (var (from, to) in targets)
        {
            Tracer.Trace(analysis, from, to);
        }

        timer.Stop();
        var perTrace = timer.Elapsed.TotalMilliseconds / targets.Count;
        output.WriteLine($"first trace (builds the index): {first.Elapsed.TotalMilliseconds:F1} ms; then {targets.Count} traces, {perTrace * 1000:F1} µs each");
        Assert.Equal(targets.Count / 5 * 4, reachable);
        Assert.True(perTrace < 1, $"a trace took {perTrace:F3} ms on average");
    }

    private static string Namespace(int i) => "ns-" + (i % 100).ToString(CultureInfo.InvariantCulture);

    private static string ClusterIp(int i) => $"10.96.{i / 250}.{(i % 250) + 1}";

    private static string NodeIp(int n) => $"192.168.{n / 250}.{(n % 250) + 1}";

    private static ClusterAnalysis BigCluster()
    {
        var objects = new List<IKubeObject>();
        for (var n = 0; n < Nodes; n++)
        {
            objects.Add(Node($"node-{n}", NodeIp(n)));
        }

        for (var i = 0; i < Services; i++)
        {
            var ns = Namespace(i);
            var labels = ImmutableDictionary<string, string>.Empty.Add("app", $"app-{i}");
            var pods = Enumerable.Range(0, 3).Select(k => new Pod(new ObjectMeta { Name = $"pod-{i}-{k}", Namespace = ns, Labels = labels })
            {
                Spec = new PodSpecPorts { NodeName = $"node-{(i + k) % Nodes}", Containers = [new Container { Name = "main", Ports = [Port("http", 8080)] }] },
                PodIps = [$"10.{100 + (i / 250)}.{i % 250}.{k + 1}"],
                Phase = "Running",
                Ready = true,
            }).ToArray();
            objects.AddRange(pods);
            objects.Add(new Service(new ObjectMeta { Name = $"svc-{i}", Namespace = ns })
            {
                Type = ServiceTypes.NodePort,
                ClusterIps = [ClusterIp(i)],
                Ports = [HttpPort(80) with { NodePort = 30000 + (i % 2700) }],
                Selector = labels,
            });
            objects.Add(Slice($"svc-{i}", "http", 8080, pods) with { Metadata = new ObjectMeta { Name = $"svc-{i}-abc", Namespace = ns, Labels = ImmutableDictionary<string, string>.Empty.Add("kubernetes.io/service-name", $"svc-{i}") } });
            objects.Add(new Ingress(new ObjectMeta { Name = $"ing-{i}", Namespace = ns })
            {
                Rules = [Rule($"host-{i}.example.com", Path("/", "Prefix", $"svc-{i}", 80), Path("/api", "Prefix", $"svc-{i}", 80))],
            });
        }

        return ClusterAnalyzer.Analyze(ClusterSnapshot.From(objects, endpointSlicesAuthoritative: true));
    }
}
