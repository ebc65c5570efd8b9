using System.Diagnostics;

namespace PortMapper.Web.Tests.Hosting;

/// <summary>The real executable, as a person starts it.</summary>
public sealed class ProgramTests
{
    [Fact]
    public async Task Main_BadOptionValues_ExplainsOnStderrAndExitsWith2()
    {
        var (exitCode, stdout, stderr) = await RunAsync("--node-port-range", "32767-30000", "--namespaces", "Prod");

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("portmapper: --node-port-range: '32767-30000' is not a port range", stderr, StringComparison.Ordinal);
        Assert.Contains("portmapper: --namespaces: 'Prod' is not a valid namespace name", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_Help_PrintsUsageAndExitsWith0()
    {
        var (exitCode, stdout, stderr) = await RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("--manifests <file-or-dir>", stdout, StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        // The web project's apphost is copied next to the tests when they reference it.
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "PortMapper.Web"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hang (the app would start serving if parsing let it through), not a timing assertion.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
