using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using PortMapper.Web.Graph;
using PortMapper.Web.Hosting;

// Usage: GraphTiming [pods ...] [--runs N] [--chromium PATH] [--screenshots DIR] [--profile] [--paths]
// Default: 1000 5000 20000 pods, 5 runs each. Prints Markdown for docs/benchmarks.md (breakdowns on stderr).
// --screenshots DIR saves what each size looks like instead; --profile prints a CPU profile of the first graph;
// --paths times the /paths grid instead (first rows, a filter keystroke, scrolling to the end).
var sizes = new List<int>();
var runs = 5;
var profile = false;
var pathsOnly = false;
string? screenshots = null;
var chromium = Environment.GetEnvironmentVariable("PORTMAPPER_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs":
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--screenshots":
            screenshots = args[++i];
            break;
        case "--profile":
            profile = true;
            break;
        case "--paths":
            pathsOnly = true;
            break;
        case "--chromium":
            chromium = args[++i];
            break;
        default:
            sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
            break;
    }
}

if (sizes.Count == 0)
{
    sizes.AddRange([1_000, 5_000, 20_000]);
}

Environment.SetEnvironmentVariable("PORTMAPPER_DEMO", "true");
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = chromium,
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

if (screenshots is not null)
{
    Directory.CreateDirectory(screenshots);
    foreach (var pods in sizes)
    {
        await ScreenshotsAsync(browser, pods, screenshots);
    }

    return 0;
}

if (pathsOnly)
{
    Console.WriteLine($"Machine: {Machine()}; Chromium {browser.Version} headless (--disable-gpu); {runs} runs per measurement, median (min–max).");
    Console.WriteLine();
    Console.WriteLine("| pods | paths | /paths: first rows interactive | filter keystroke → rows updated | scroll to the last row |");
    Console.WriteLine("|---:|---:|---:|---:|---:|");
    foreach (var pods in sizes)
    {
        Console.WriteLine(await PathsTimingAsync(browser, pods, runs));
    }

    return 0;
}

if (profile)
{
    await ProfileAsync(browser, sizes[0]);
    return 0;
}

Console.WriteLine($"Machine: {Machine()}; Chromium {browser.Version} headless (--disable-gpu); {runs} runs per measurement, median (min–max).");
Console.WriteLine();
Console.WriteLine("| pods | Services | paths | start-up | elements drawn | first graph | open a namespace | live change visible |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var pods in sizes)
{
    var row = await MeasureAsync(browser, pods, runs);
    Console.WriteLine(row);
}

Console.WriteLine();
if (Environment.GetEnvironmentVariable("SKIP_RENDERER") is null)
{
    Console.WriteLine(await RendererCheckAsync(browser, sizes[0]));
}
return 0;

static async Task<string> MeasureAsync(IBrowser browser, int pods, int runs)
{
    var startup = Stopwatch.StartNew();
    await using var host = await BenchApp.StartAsync(pods);
    startup.Stop();
    var address = host.Address;
    var live = host.App.Services.GetRequiredService<LiveAnalysis>();
    var demo = (DemoCluster)live.Source;
    var analysis = live.Current.Analysis;

    // First graph: navigation until the canvas says it has drawn the first model. One warm-up run first (JIT).
    var first = new List<double>();
    var phases = new List<double[]>();
    string drawn = "";
    for (var i = 0; i <= runs; i++)
    {
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        var sw = Stopwatch.StartNew();
        await page.GotoAsync(address);
        await page.Locator("[data-testid=graph-canvas][data-rendered-version]").WaitForAsync(new() { Timeout = 120_000 });
        sw.Stop();
        if (i > 0)
        {
            first.Add(sw.Elapsed.TotalMilliseconds);
        }

        phases.Add(await page.EvaluateAsync<double[]>("""
            () => {
              const nav = performance.getEntriesByType('navigation')[0];
              const mark = (n) => performance.getEntriesByName('portmapper:' + n).at(-1)?.startTime ?? NaN;
              return [nav.domContentLoadedEventEnd, mark('graph-create'), mark('graph-added'), mark('graph-drawn')];
            }
            """));
        drawn = $"{await page.Locator("[data-testid=graph-canvas]").GetAttributeAsync("data-node-count")} + {await page.Locator("[data-testid=graph-canvas]").GetAttributeAsync("data-edge-count")} ({await page.Locator("[data-testid=graph-canvas]").GetAttributeAsync("data-renderer")})";
    }

    // Open a collapsed namespace by clicking it (large views only).
    var open = new List<double>();
    var ns = analysis.Snapshot.NamespaceNames().First(n => n.StartsWith("team-", StringComparison.Ordinal));
    for (var i = 0; i <= runs; i++)
    {
        var (context, page, canvas) = await OpenGraphAsync(browser, address);
        await using var _ = context;
        var at = await Inspect(page, "ns:" + ns);
        if (at is null || at.Value.GetProperty("classes").EnumerateArray().All(x => x.GetString() != "collapsed"))
        {
            break;
        }

        var version = await canvas.GetAttributeAsync("data-rendered-version");
        var sw = Stopwatch.StartNew();
        await page.Mouse.ClickAsync((float)at.Value.GetProperty("x").GetDouble(), (float)at.Value.GetProperty("y").GetDouble());
        await page.WaitForFunctionAsync(
            "v => document.querySelector('[data-testid=graph-canvas]').dataset.renderedVersion !== v",
            version, new() { PollingInterval = null, Timeout = 120_000 });
        sw.Stop();
        if (i > 0)
        {
            open.Add(sw.Elapsed.TotalMilliseconds);
        }
    }

    // Live change: the graph open on one namespace (through ?path=), a Service applied to the demo cluster in-process,
    // until the browser has drawn the new element.
    var live2 = new List<double>();
    var toUpdate = new List<double>();
    var path = analysis.Paths.First(p => p.Namespace == ns && p.Exposure == Exposure.ClusterIP);
    await using (var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } }))
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(address + "?path=" + Uri.EscapeDataString(path.Id));
        await page.Locator("[data-testid=highlighted-path]").WaitForAsync(new() { Timeout = 120_000 });
        await page.WaitForTimeoutAsync(500);
        await page.EvaluateAsync("() => performance.clearMarks('portmapper:graph-update')");
        for (var i = 0; i <= runs; i++)
        {
            var name = $"bench-live-{i.ToString(CultureInfo.InvariantCulture)}";
            var id = $"svc:{ns}/{name}:80/TCP";
            var sw = Stopwatch.StartNew();
            var appliedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await demo.ApplyAsync([Service(ns, name, path.Service!.Name)], new ApplyOptions(DryRun: false), CancellationToken.None);
            await WaitUntilDrawnAsync(page, id, drawn: true);
            await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => r()))");
            sw.Stop();
            var updateAt = await page.EvaluateAsync<double>("() => performance.timeOrigin + (performance.getEntriesByName('portmapper:graph-update').at(-1)?.startTime ?? NaN)");
            if (i > 0)
            {
                live2.Add(sw.Elapsed.TotalMilliseconds);
                toUpdate.Add(updateAt - appliedAt);
            }

            demo.Delete(new ObjectRef("Service", ns, name));

            // The next run starts once the browser has drawn the deletion: no update of this run is left in flight.
            await WaitUntilDrawnAsync(page, id, drawn: false);
            await page.EvaluateAsync("() => performance.clearMarks('portmapper:graph-update')");
        }
    }

    // The server's share of a live change: apply → new analysis published, and one graph model built for the open view.
    var (reader, handle) = live.Subscribe();
    using (handle)
    {
        while (reader.TryRead(out _))
        {
        }

        var publish = new List<double>();
        var build = new List<double>();
        var view = GraphView.Default with { ExpandedNamespaces = [ns] };
        for (var i = 0; i <= runs; i++)
        {
            var name = $"bench-server-{i.ToString(CultureInfo.InvariantCulture)}";
            var sw = Stopwatch.StartNew();
            await demo.ApplyAsync([Service(ns, name, path.Service!.Name)], new ApplyOptions(DryRun: false), CancellationToken.None);
            AnalysisUpdate update;
            do
            {
                update = await reader.ReadAsync();
            }
            while (update.Analysis.Paths.All(p => p.Service?.Name != name));

            var published = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            GraphBuilder.Build(update.Analysis, view);
            var built = sw.Elapsed.TotalMilliseconds;
            if (i > 0)
            {
                publish.Add(published);
                build.Add(built);
            }

            demo.Delete(new ObjectRef("Service", ns, name));
        }

        Console.Error.WriteLine($"{pods} pods, live change on the server: apply → analysis published {Stat(publish)}, graph model built {Stat(build)}");
    }

    Console.Error.WriteLine($"{pods} pods, live change: apply → the browser's update() starts {Stat(toUpdate)}, visible {Stat([.. live2])}");
    var services = analysis.Snapshot.Services.Count;
    var last = phases.Skip(1).ToList();
    double Median(int i) => last.Select(p => p[i]).Order().ElementAt(last.Count / 2);
    Console.Error.WriteLine($"{pods} pods, first graph phases (ms since navigation, median): page loaded {Median(0):F0}, model arrived {Median(1):F0}, added {Median(2):F0}, drawn {Median(3):F0}");
    return $"| {pods:N0} | {services:N0} | {analysis.Paths.Length:N0} | {startup.Elapsed.TotalSeconds:F1} s | {drawn} | {Stat(first)} | {(open.Count == 0 ? "(not collapsed)" : Stat(open))} | {Stat(live2)} |";
}

// /paths at this size: navigation until the circuit is live and the grid shows rows; typing an object filter until
// the count changes; scrolling the virtualised grid to its end until the last row is drawn. One warm-up run each.
static async Task<string> PathsTimingAsync(IBrowser browser, int pods, int runs)
{
    await using var host = await BenchApp.StartAsync(pods);
    var address = host.Address;
    var paths = host.App.Services.GetRequiredService<LiveAnalysis>().Current.Analysis.Paths.Length;
    var first = new List<double>();
    var filter = new List<double>();
    var scroll = new List<double>();
    for (var i = 0; i <= runs; i++)
    {
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        var sw = Stopwatch.StartNew();
        await page.GotoAsync(address + "paths");
        var loaded = sw.Elapsed.TotalMilliseconds;
        await page.Locator("tr:has([data-path-id])").First.WaitForAsync(new() { Timeout = 120_000 });
        var rowsSeen = sw.Elapsed.TotalMilliseconds;
        await page.Locator(".pm-layout[data-interactive=true]").WaitForAsync(new() { Timeout = 120_000 });
        var firstRows = sw.Elapsed.TotalMilliseconds;
        Console.Error.WriteLine($"{pods} pods /paths run {i}: page loaded {loaded:F0} ms, rows visible {rowsSeen:F0} ms, interactive {firstRows:F0} ms");

        var count = await page.GetByTestId("path-count").InnerTextAsync();
        sw.Restart();
        await page.GetByLabel("Object contains").FillAsync("app-0001");
        await page.WaitForFunctionAsync("(before) => document.querySelector('[data-testid=path-count]').textContent !== before", count, new() { Timeout = 120_000 });
        var filtered = sw.Elapsed.TotalMilliseconds;
        await page.GetByTestId("clear-filters").ClickAsync();
        await page.WaitForFunctionAsync("(before) => document.querySelector('[data-testid=path-count]').textContent === before", count, new() { Timeout = 120_000 });

        sw.Restart();
        await page.EvaluateAsync("() => { const c = document.querySelector('[data-testid=paths-grid] .mud-table-container'); c.scrollTop = c.scrollHeight; }");
        await page.WaitForFunctionAsync("""
            () => {
              const c = document.querySelector('[data-testid=paths-grid] .mud-table-container');
              const rows = c.querySelectorAll('tr:has([data-path-id])');
              const last = rows[rows.length - 1];
              return last && last.getBoundingClientRect().bottom <= c.getBoundingClientRect().bottom + 2 && c.scrollTop > 0;
            }
            """, null, new() { Timeout = 120_000, PollingInterval = 16 });
        var scrolled = sw.Elapsed.TotalMilliseconds;
        if (i > 0)
        {
            first.Add(firstRows);
            filter.Add(filtered);
            scroll.Add(scrolled);
        }
    }

    return $"| {pods:N0} | {paths:N0} | {Stat(first)} | {Stat(filter)} | {Stat(scroll)} |";
}

// Cytoscape's WebGL renderer against its canvas renderer in this browser: the same grid of nodes and edges, time to the first frame.
static async Task<string> RendererCheckAsync(IBrowser browser, int pods)
{
    await using var host = await BenchApp.StartAsync(pods);
    var address = host.Address;
    await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
    var page = await context.NewPageAsync();
    var errors = new List<string>();
    page.Console += (_, m) =>
    {
        if (m.Type == "error")
        {
            errors.Add(m.Text);
        }
    };
    await page.GotoAsync(address + "paths");
    var lines = new List<string> { "| elements (nodes + edges) | canvas renderer: first frame, PNG export | WebGL renderer: first frame, PNG export |", "|---:|---:|---:|" };
    foreach (var n in new[] { 2_000, 10_000 })
    {
        var result = await page.EvaluateAsync<JsonElement>("""
            async (n) => {
              const { loadCytoscape } = await import('/js/vendor.js');
              const cytoscape = await loadCytoscape();
              const webgl = !!document.createElement('canvas').getContext('webgl2');
              const time = async (options) => {
                const container = document.createElement('div');
                container.style.cssText = 'position:fixed;left:0;top:0;width:1200px;height:800px';
                document.body.append(container);
                const elements = [];
                const nodes = n / 2;
                for (let i = 0; i < nodes; i++) {
                  elements.push({ data: { id: 'n' + i, label: 'svc-' + i + '\n10.96.0.' + (i % 250) + ':80' }, position: { x: (i % 5) * 250, y: Math.floor(i / 5) * 58 } });
                  if (i % 5 !== 0) elements.push({ data: { id: 'e' + i, source: 'n' + (i - 1), target: 'n' + i, label: ':80' } });
                }
                try {
                  const t0 = performance.now();
                  const cy = cytoscape({ container, elements, layout: { name: 'preset' }, style: [
                    { selector: 'node', style: { shape: 'round-rectangle', width: 190, height: 42, label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 11 } },
                    { selector: 'edge', style: { label: 'data(label)', 'target-arrow-shape': 'triangle', 'curve-style': 'straight' } } ], ...options });
                  // Cytoscape's WebGL renderer fires no 'render' event: two animation frames after creation, both have drawn.
                  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
                  const ms = performance.now() - t0;
                  let png;
                  try { png = cy.png({ output: 'base64' }).length > 1000 ? 'yes' : 'empty'; } catch (e) { png = 'fails: ' + e.message; }
                  cy.destroy();
                  return { ms, png };
                } catch (e) {
                  return { error: e.message };
                } finally {
                  container.remove();
                }
              };
              const canvas = await time({});
              const gl = webgl ? await time({ renderer: { name: 'canvas', webgl: true } }) : null;
              return { canvas, gl, webgl };
            }
            """, n);
        lines.Add($"| {n:N0} | {Describe(result.GetProperty("canvas"))} | {Describe(result.GetProperty("gl"))} |");
    }

    lines.Add("");
    lines.Add(errors.Count == 0 ? "No console errors from either renderer." : "Console errors: " + string.Join("; ", errors));
    return string.Join(Environment.NewLine, lines);
}

static string Describe(JsonElement r) =>
    r.ValueKind == JsonValueKind.Null ? "no WebGL 2"
    : r.TryGetProperty("error", out var error) ? $"**{error.GetString()}**" + (r.TryGetProperty("png", out var p1) ? $", PNG {p1.GetString()}" : "")
    : $"{r.GetProperty("ms").GetDouble():F0} ms, PNG {r.GetProperty("png").GetString()}";

static async Task<JsonElement?> Inspect(IPage page, string id)
{
    var e = await page.EvaluateAsync<JsonElement>("""
        async (id) => {
          const module = await import('/Components/Graph/GraphCanvas.razor.js');
          const c = document.querySelector('[data-testid=graph-canvas]');
          await module.reveal(c, id);
          return module.inspect(c, id);
        }
        """, id);
    return e.ValueKind == JsonValueKind.Object ? e : null;
}

// A ClusterIP Service on port 80 in front of the pods of app `app`.
static JsonObject Service(string ns, string name, string app) => new()
{
    ["apiVersion"] = "v1",
    ["kind"] = "Service",
    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
    ["spec"] = new JsonObject
    {
        ["selector"] = new JsonObject { ["app"] = app },
        ["ports"] = new JsonArray(new JsonObject { ["port"] = 80, ["targetPort"] = "http" }),
    },
};

// Until element `id` is on the canvas (drawn: true) or gone from it (drawn: false), polled every animation frame.
static Task WaitUntilDrawnAsync(IPage page, string id, bool drawn) =>
    page.WaitForFunctionAsync("""
        async ([id, drawn]) => {
          const module = await import('/Components/Graph/GraphCanvas.razor.js');
          const seen = module.inspect(document.querySelector('[data-testid=graph-canvas]'), id);
          return drawn ? seen !== null && seen.visible : seen === null;
        }
        """, new object[] { id, drawn }, new() { PollingInterval = null, Timeout = 60_000 });

// A fresh browser context on the graph, once it is drawn and the circuit is up.
static async Task<(IBrowserContext Context, IPage Page, ILocator Canvas)> OpenGraphAsync(IBrowser browser, string address)
{
    var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
    var page = await context.NewPageAsync();
    await page.GotoAsync(address);
    var canvas = page.Locator("[data-testid=graph-canvas][data-rendered-version]");
    await canvas.WaitForAsync(new() { Timeout = 120_000 });
    await page.Locator(".pm-layout[data-interactive=true]").WaitForAsync();
    return (context, page, canvas);
}

// --screenshots DIR: what a user sees at each size: the first view, the whole graph, and one namespace opened.
static async Task ScreenshotsAsync(IBrowser browser, int pods, string directory)
{
    await using var host = await BenchApp.StartAsync(pods);
    var address = host.Address;
    var (context, page, canvas) = await OpenGraphAsync(browser, address);
    await using var _ = context;
    await page.WaitForTimeoutAsync(300);
    await page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"{pods}-first.png") });
    await page.GetByRole(AriaRole.Button, new() { Name = "Fit" }).ClickAsync();
    await page.WaitForTimeoutAsync(800);
    await page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"{pods}-fit.png") });

    var live = host.App.Services.GetRequiredService<LiveAnalysis>();
    var ns = live.Current.Analysis.Snapshot.NamespaceNames().First(n => n.StartsWith("team-", StringComparison.Ordinal));
    if (await Inspect(page, "ns:" + ns) is { } at && at.GetProperty("classes").EnumerateArray().Any(x => x.GetString() == "collapsed"))
    {
        var version = await canvas.GetAttributeAsync("data-rendered-version");
        await page.Mouse.ClickAsync((float)at.GetProperty("x").GetDouble(), (float)at.GetProperty("y").GetDouble());
        await page.WaitForFunctionAsync("v => document.querySelector('[data-testid=graph-canvas]').dataset.renderedVersion !== v", version);
        await page.WaitForTimeoutAsync(800);
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"{pods}-open-{ns}.png") });
    }
}

// --profile: where the browser spends the first graph's time (V8 CPU profile, self time per function).
static async Task ProfileAsync(IBrowser browser, int pods)
{
    await using var host = await BenchApp.StartAsync(pods);
    var address = host.Address;
    await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
    var page = await context.NewPageAsync();
    await page.GotoAsync(address);
    await page.Locator("[data-testid=graph-canvas][data-rendered-version]").WaitForAsync(new() { Timeout = 120_000 });
    var cdp = await context.NewCDPSessionAsync(page);
    await cdp.SendAsync("Profiler.enable");
    await cdp.SendAsync("Profiler.setSamplingInterval", new Dictionary<string, object> { ["interval"] = 200 });
    await cdp.SendAsync("Profiler.start");
    await page.ReloadAsync();
    await page.Locator("[data-testid=graph-canvas][data-rendered-version]").WaitForAsync(new() { Timeout = 120_000 });
    var result = await cdp.SendAsync("Profiler.stop");
    var nodes = result!.Value.GetProperty("profile").GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetInt32());
    var samples = result.Value.GetProperty("profile").GetProperty("samples").EnumerateArray().Select(x => x.GetInt32()).ToList();
    var total = samples.Count;
    foreach (var group in samples.GroupBy(id =>
             {
                 var frame = nodes[id].GetProperty("callFrame");
                 return $"{frame.GetProperty("functionName").GetString()} ({Path.GetFileName(frame.GetProperty("url").GetString())}:{frame.GetProperty("lineNumber").GetInt32()})";
             }).OrderByDescending(g => g.Count()).Take(30))
    {
        Console.WriteLine($"{100.0 * group.Count() / total,5:F1}%  {group.Key}");
    }
}

static string Stat(List<double> values)
{
    if (values.Count == 0)
    {
        return "–";
    }

    values.Sort();
    var median = values[values.Count / 2];
    return $"{median:F0} ms ({values[0]:F0}–{values[^1]:F0})";
}

static string Machine()
{
    var cpu = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        : null;
    var memory = File.Exists("/proc/meminfo")
        ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim()
        : "?";
    var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
    return $"{cpu ?? "unknown CPU"}, {Environment.ProcessorCount} cores, {memory} RAM, load average {load} at start, .NET {Environment.Version}";
}

/// <summary>PortMapper on a generated demo cluster of the given size, on a free loopback port, without logging.</summary>
internal sealed class BenchApp : IAsyncDisposable
{
    private BenchApp(WebApplication app, string address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }

    /// <summary>The base address, ending in a slash.</summary>
    public string Address { get; }

    public static async Task<BenchApp> StartAsync(int pods)
    {
        var app = PortMapperHost.Build(
            PortMapperOptions.Parse("--demo-size", pods.ToString(CultureInfo.InvariantCulture), "--urls", "http://127.0.0.1:0"),
            b => b.Logging.ClearProviders());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/') + "/";
        return new BenchApp(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
