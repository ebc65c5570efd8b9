namespace PortMapper.Cli.Tests;

/// <summary>Runs `portmapper` in-process and keeps what it wrote.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun Of(string[] args, string stdin = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, new StringReader(stdin), output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}

/// <summary>The repository's folders, found from the test's output folder.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Seeds => Path.Combine(Root, "samples", "seeds");

    public static string Seed(string name) => Path.Combine(Seeds, name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortMapper.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PortMapper.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder with manifests written by a test.</summary>
internal sealed class Manifests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portmapper-cli-");

    public string Folder => _dir.FullName;

    public string Write(string name, string yaml)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
