using System.Text.Json.Nodes;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Tests.Deployment;

/// <summary>The Dockerfile, .dockerignore and docker-compose.yml: what can be checked without a container engine.</summary>
public sealed class ContainerFilesTests
{
    private readonly Dockerfile _dockerfile = Dockerfile.Read(RepoFiles.PathOf("Dockerfile"));

    [Fact]
    public void Dockerfile_Stages_BuildOnTheSdkTestAndRunOnTheAspNetRuntime()
    {
        var from = _dockerfile.Get("FROM").ToList();

        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0 AS build", "build AS test", "mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime"], from);
        Assert.Contains(_dockerfile.Get("RUN", "build"), r => r.Contains("apt-get install -y --no-install-recommends nodejs npm", StringComparison.Ordinal));
        Assert.Contains(_dockerfile.Get("RUN", "test"), r => r.Contains("./test.sh", StringComparison.Ordinal));
        Assert.Equal("runtime", _dockerfile.Instructions[^1].Stage);
    }

    [Fact]
    public void Dockerfile_Runtime_RunsThePublishedAppAsNonRootOnPort8080()
    {
        Assert.Equal(["$APP_UID"], _dockerfile.Get("USER", "runtime"));
        Assert.Equal(["8080"], _dockerfile.Get("EXPOSE", "runtime"));
        Assert.Equal(["/app"], _dockerfile.Get("WORKDIR", "runtime"));
        Assert.Equal(["--from=build /app/ ./"], _dockerfile.Get("COPY", "runtime"));
        Assert.Contains(_dockerfile.Get("RUN", "build"), r => r.StartsWith("dotnet publish src/PortMapper.Web/PortMapper.Web.csproj -c Release", StringComparison.Ordinal) && r.EndsWith("-o /app", StringComparison.Ordinal));
        var entrypoint = _dockerfile.Entrypoint();
        Assert.Equal("/app/PortMapper.Web", entrypoint[0]);
        Assert.Empty(_dockerfile.Get("CMD"));

        var options = PortMapperOptions.Parse(entrypoint[1..]);
        Assert.Equal<string>(["http://+:8080"], options.Urls);
        Assert.False(PortMapper.Web.Security.ApplyAccessPolicy.IsLoopback(options.Urls[0]));
    }

    [Fact]
    public void Dockerfile_CopiedAndBuiltPaths_Exist()
    {
        var sources = _dockerfile.Get("COPY")
            .Where(c => !c.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1])
            .Where(s => s != ".")
            .ToList();
        var projects = _dockerfile.Get("RUN")
            .SelectMany(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.EndsWith(".csproj", StringComparison.Ordinal) || w.EndsWith(".sln", StringComparison.Ordinal) || w == "./test.sh")
            .ToList();

        Assert.NotEmpty(sources);
        Assert.Contains("src/PortMapper.Web/PortMapper.Web.csproj", projects);
        Assert.All(sources.Concat(projects), p => Assert.True(File.Exists(RepoFiles.PathOf(p)) || Directory.Exists(RepoFiles.PathOf(p)), $"{p} does not exist"));
    }

    [Fact]
    public void Dockerignore_KeepsHostBuildOutputsOut()
    {
        var lines = File.ReadAllLines(RepoFiles.PathOf(".dockerignore"));

        Assert.All(new[] { "**/bin/", "**/obj/", "**/node_modules/", "wwwroot/lib/", ".git" }, p => Assert.Contains(p, lines));
    }

    [Fact]
    public void Compose_DemoService_IsTheHardenedImageOnLoopback()
    {
        var service = Services()["portmapper"]!;

        Assert.Equal(".", RepoFiles.Text(service["build"]));
        Assert.True(File.Exists(RepoFiles.PathOf("Dockerfile")));
        Assert.Null(service["command"]);
        Assert.Null(service["profiles"]);
        Assert.Equal(["127.0.0.1:8080:8080"], RepoFiles.Strings(service["ports"]));
        AssertHardened(service);
    }

    [Fact]
    public void Compose_KubeconfigService_MountsItReadOnlyAndPassesIt()
    {
        var service = Services()["portmapper-kube"]!;

        Assert.Equal(["kubeconfig"], RepoFiles.Strings(service["profiles"]));
        var command = RepoFiles.Strings(service["command"]);
        Assert.Equal(["--kubeconfig", "/kube/config"], command);
        var volume = Assert.Single(service["volumes"]!.AsArray())!;
        Assert.Equal("bind", RepoFiles.Text(volume["type"]));
        Assert.Equal("/kube/config", RepoFiles.Text(volume["target"]));
        Assert.True(volume["read_only"]!.GetValue<bool>());
        Assert.Equal("${PORTMAPPER_KUBECONFIG:-${HOME}/.kube/config}", RepoFiles.Text(volume["source"]));
        Assert.Equal(["127.0.0.1:8081:8080"], RepoFiles.Strings(service["ports"]));
        AssertHardened(service);

        // The command is a valid PortMapper command line once the mounted file is there.
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var options = PortMapperOptions.Parse([.. command.Select(a => a == "/kube/config" ? kubeconfig : a)]);
            Assert.Equal(Core.Cluster.ClusterSourceKind.Kubeconfig, options.Source);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public void Compose_EveryService_BuildsFromThisRepository()
    {
        var services = Services();

        Assert.Equal(["portmapper", "portmapper-kube"], services.Select(s => s.Key));
        Assert.All(services, s =>
        {
            Assert.Equal("portmapper:latest", RepoFiles.Text(s.Value!["image"]));
            Assert.True(Directory.Exists(RepoFiles.PathOf(RepoFiles.Text(s.Value!["build"]))));
        });
    }

    private static JsonObject Services() => RepoFiles.Yaml("docker-compose.yml").Single()["services"]!.AsObject();

    private static void AssertHardened(JsonNode service)
    {
        Assert.True(service["read_only"]!.GetValue<bool>());
        Assert.Equal(["/tmp"], RepoFiles.Strings(service["tmpfs"]));
        Assert.Equal(["ALL"], RepoFiles.Strings(service["cap_drop"]));
        Assert.Equal(["no-new-privileges:true"], RepoFiles.Strings(service["security_opt"]));
        Assert.Equal("${PORTMAPPER_UID:-1654}", RepoFiles.Text(service["user"]));
    }
}
