using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PortMapper.Web.Tests.Deployment;

/// <summary>
/// `dotnet publish` of the web app into a temporary folder, once for the tests that use it: the same command as the
/// Dockerfile's build stage, from the build these tests already made (--no-build, same configuration).
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("portmapper-publish-").FullName;

    public async Task InitializeAsync()
    {
        var configuration = typeof(PublishedApp).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["publish", RepoFiles.PathOf("src/PortMapper.Web/PortMapper.Web.csproj"), "-c", configuration, "--no-build", "-o", Folder, "--nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(guard.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>The published app started exactly as the image's ENTRYPOINT starts it, only on 127.0.0.1 and a free port.</summary>
public sealed partial class PublishedAppTests(PublishedApp published) : IClassFixture<PublishedApp>
{
    private const int SigTerm = 15;

    [Fact]
    public async Task Entrypoint_AsInTheImage_ServesProbesAndThePageAndStopsCleanlyOnSigterm()
    {
        await using var app = await RunningApp.StartAsync(published.Folder, EntrypointArgs());
        using var client = new HttpClient { BaseAddress = app.Address };

        Assert.Equal("ok", await client.GetStringAsync("healthz"));
        using var ready = await client.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using (var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
        {
            Assert.Equal("demo", json.RootElement.GetProperty("source").GetString());
        }

        var page = await client.GetStringAsync("");
        Assert.Contains("Traffic graph", page, StringComparison.Ordinal);
        var stylesheet = StylesheetHref().Match(page).Groups[1].Value;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(stylesheet)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("_framework/blazor.web.js")).StatusCode);

        var exitCode = await app.StopAsync(SigTerm);
        Assert.True(exitCode == 0, $"exit code {exitCode} after SIGTERM:\n{app.Output}");
    }

    [Fact]
    public async Task DeploymentArgs_OnThePublishedApp_ServeUnderTheIngressPath()
    {
        await using var app = await RunningApp.StartAsync(published.Folder, [.. EntrypointArgs(), .. KubernetesManifestsTests.Args()]);
        using var client = new HttpClient { BaseAddress = app.Address };

        Assert.Equal("ok", await client.GetStringAsync("healthz"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
        Assert.Contains("<base href=\"/portmapper/\"", await client.GetStringAsync("portmapper/"), StringComparison.Ordinal);
    }

    /// <summary>The ENTRYPOINT's arguments, with the listen address moved to 127.0.0.1 and a free port.</summary>
    private static string[] EntrypointArgs()
    {
        var entrypoint = Dockerfile.Read(RepoFiles.PathOf("Dockerfile")).Entrypoint();
        Assert.Equal("/app/PortMapper.Web", entrypoint[0]);
        var args = entrypoint[1..];
        var urls = Array.IndexOf(args, "--urls");
        Assert.True(urls >= 0, "the entrypoint sets --urls");
        args[urls + 1] = "http://127.0.0.1:0";
        return args;
    }

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"(css/app[^\"]*)\"")]
    private static partial Regex StylesheetHref();

    /// <summary>The published executable as a child process, with the address it reports it listens on.</summary>
    private sealed partial class RunningApp : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private RunningApp(Process process) => _process = process;

        public Uri Address { get; private set; } = null!;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<RunningApp> StartAsync(string folder, string[] args)
        {
            var start = new ProcessStartInfo(Path.Combine(folder, "PortMapper.Web"), args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetTempPath(),
            };
            // As in the image: nothing to write in HOME (read-only root filesystem), settings only from the command line.
            start.Environment["HOME"] = "/nonexistent";
            start.Environment.Remove("ASPNETCORE_URLS");
            start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
            start.Environment.Remove(PortMapper.Web.Hosting.PortMapperCommandLine.PathBaseVariable);
            var app = new RunningApp(Process.Start(start)!);
            var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            void Collect(object? sender, DataReceivedEventArgs e)
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (app._output)
                {
                    app._output.AppendLine(e.Data);
                }

                if (NowListening().Match(e.Data) is { Success: true } match)
                {
                    listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
                }
            }

            app._process.OutputDataReceived += Collect;
            app._process.ErrorDataReceived += Collect;
            app._process.BeginOutputReadLine();
            app._process.BeginErrorReadLine();
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var exited = app._process.WaitForExitAsync(guard.Token);
            if (await Task.WhenAny(listening.Task, exited) != listening.Task)
            {
                throw new InvalidOperationException($"The published app did not start listening:\n{app.Output}");
            }

            app.Address = await listening.Task;
            return app;
        }

        /// <summary>Sends the signal a container runtime sends to stop (SIGTERM) and returns the exit code.</summary>
        public async Task<int> StopAsync(int signal)
        {
            Assert.Equal(0, Kill(_process.Id, signal));
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(guard.Token);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        [GeneratedRegex(@"Now listening on: (http://\S+)")]
        private static partial Regex NowListening();

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);
    }
}
