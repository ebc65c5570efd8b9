using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Tests.Hosting;

public sealed class CommandLineTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("portmapper-cli-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Theory]
    [InlineData("nftables", PortMapper.Core.KubeProxy.ProxyMode.Nftables)]
    [InlineData("IPVS", PortMapper.Core.KubeProxy.ProxyMode.Ipvs)]
    [InlineData("iptables", PortMapper.Core.KubeProxy.ProxyMode.Iptables)]
    public void Parse_ProxyMode_IsKept(string value, PortMapper.Core.KubeProxy.ProxyMode expected)
    {
        var options = Assert.IsType<PortMapperOptions>(PortMapperCommandLine.Parse(["--proxy-mode", value]).Options);

        Assert.Equal(expected, options.ProxyMode);
        Assert.Null(Assert.IsType<PortMapperOptions>(PortMapperCommandLine.Parse([]).Options).ProxyMode);
    }

    [Fact]
    public void Parse_NoArguments_RunsTheDemoWithDefaults()
    {
        var result = PortMapperCommandLine.Parse([]);

        var options = Assert.IsType<PortMapperOptions>(result.Options);
        Assert.Equal(ClusterSourceKind.Demo, options.Source);
        Assert.False(options.Demo);
        Assert.Empty(options.Manifests);
        Assert.Empty(options.Namespaces);
        Assert.Equal(NodePortRange.Default, options.NodePortRange);
        Assert.False(options.AllowApply);
        Assert.Empty(options.Urls);
        Assert.Null(options.Environment);
    }

    [Fact]
    public void Parse_EveryKubeconfigOption_BindsEachValue()
    {
        var kubeconfig = Path.Combine(_temp.FullName, "config");
        File.WriteAllText(kubeconfig, "apiVersion: v1\nkind: Config\n");

        var options = PortMapperOptions.Parse(
            "--kubeconfig", kubeconfig, "--context", "prod", "--namespaces", "shop,payments", "--namespaces", "web",
            "--node-port-range", "31000-31999", "--allow-apply", "--urls", "http://127.0.0.1:0;http://[::1]:0",
            "--environment", "Staging");

        Assert.Equal(ClusterSourceKind.Kubeconfig, options.Source);
        Assert.Equal(kubeconfig, options.Kubeconfig);
        Assert.Equal("prod", options.Context);
        Assert.Equal<string>(["shop", "payments", "web"], options.Namespaces);
        Assert.Equal(new NodePortRange(31000, 31999), options.NodePortRange);
        Assert.True(options.AllowApply);
        Assert.Equal<string>(["http://127.0.0.1:0", "http://[::1]:0"], options.Urls);
        Assert.Equal("Staging", options.Environment);
    }

    [Fact]
    public void Parse_ManifestsSeveralValuesAndRepeated_CollectsFullPathsInOrder()
    {
        var a = Path.Combine(_temp.FullName, "a.yaml");
        var b = Path.Combine(_temp.FullName, "b.yaml");
        var dir = _temp.CreateSubdirectory("more").FullName;
        File.WriteAllText(a, "");
        File.WriteAllText(b, "");

        var options = PortMapperOptions.Parse("--manifests", a, b, "--manifests", dir);

        Assert.Equal(ClusterSourceKind.Manifests, options.Source);
        Assert.Equal<string>([a, b, dir], options.Manifests);
    }

    [Fact]
    public void Parse_HostSettingsFromWebApplicationFactory_AreAccepted()
    {
        var options = PortMapperOptions.Parse("--environment=Development", $"--contentRoot={_temp.FullName}", "--applicationName=PortMapper.Web");

        Assert.Equal("Development", options.Environment);
        Assert.Equal(_temp.FullName, options.ContentRoot);
    }

    [Fact]
    public void Parse_ContextWithoutKubeconfig_UsesTheDefaultKubeconfig()
    {
        var options = PortMapperOptions.Parse("--context", "kind-dev");

        Assert.Equal(ClusterSourceKind.Kubeconfig, options.Source);
        Assert.Null(options.Kubeconfig);
        Assert.Equal("kind-dev", options.Context);
    }

    [Theory]
    [InlineData("--proxy-mode", "userspace", "--proxy-mode: \"userspace\" is not a kube-proxy mode; use iptables, nftables or ipvs.")]
    [InlineData("--node-port-range", "32767-30000", "--node-port-range: '32767-30000' is not a port range")]
    [InlineData("--node-port-range", "30000", "--node-port-range: '30000' is not a port range")]
    [InlineData("--node-port-range", "0-100", "--node-port-range: '0-100' is not a port range")]
    [InlineData("--namespaces", "Shop", "--namespaces: 'Shop' is not a valid namespace name")]
    [InlineData("--namespaces", "a_b", "--namespaces: 'a_b' is not a valid namespace name")]
    [InlineData("--urls", "localhost:5000", "--urls: 'localhost:5000' is not an address to listen on")]
    [InlineData("--urls", "ftp://127.0.0.1:21", "--urls: 'ftp://127.0.0.1:21' must start with http:// or https://")]
    [InlineData("--urls", ";", "--urls needs at least one address")]
    [InlineData("--context", " ", "--context needs a value")]
    [InlineData("--kubeconfig", "/no/such/kubeconfig", "--kubeconfig: the file '/no/such/kubeconfig' does not exist")]
    [InlineData("--manifests", "/no/such/manifests", "--manifests: the file or directory '/no/such/manifests' does not exist")]
    public void Parse_BadValue_ReportsWhatIsWrongWithIt(string option, string value, string expected)
    {
        var result = PortMapperCommandLine.Parse([option, value]);

        Assert.Null(result.Options);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KubeconfigThatIsADirectory_IsRejected()
    {
        var result = PortMapperCommandLine.Parse(["--kubeconfig", _temp.FullName]);

        Assert.Null(result.Options);
        Assert.Contains("--kubeconfig: the file", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--demo", "--context", "prod")]
    [InlineData("--demo", "--manifests", ".")]
    public void Parse_DemoWithAnotherSource_AsksToChooseOne(params string[] args)
    {
        var result = PortMapperCommandLine.Parse(args);

        Assert.Null(result.Options);
        Assert.Contains("--demo cannot be combined", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManifestsWithKubeconfig_AsksToChooseOne()
    {
        var result = PortMapperCommandLine.Parse(["--manifests", ".", "--context", "prod"]);

        Assert.Null(result.Options);
        Assert.Contains("--manifests cannot be combined", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownOptionAndBadValue_ReportsBoth()
    {
        var result = PortMapperCommandLine.Parse(["--manifest", "x.yaml", "--node-port-range", "x"]);

        Assert.Null(result.Options);
        Assert.Contains(result.Errors, e => e.Contains("'--manifest'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("--node-port-range:", StringComparison.Ordinal));
    }

    [Fact]
    public void Stop_WithErrors_WritesThemToErrorAndReturnsUsageExitCode()
    {
        var result = PortMapperCommandLine.Parse(["--node-port-range", "x"]);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = result.Stop(output, error);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output.ToString());
        Assert.Contains("portmapper: --node-port-range: 'x' is not a port range", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Run with --help", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Stop_ForHelp_WritesEveryOptionAndReturnsZero()
    {
        var result = PortMapperCommandLine.Parse(["--help"]);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = result.Stop(output, error);

        Assert.Null(result.Options);
        Assert.Equal(0, exitCode);
        Assert.Equal("", error.ToString());
        foreach (var option in new[] { "--demo", "--manifests", "--kubeconfig", "--context", "--namespaces", "--node-port-range", "--allow-apply", "--urls" })
        {
            Assert.Contains(option, output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OptionsParse_BadArguments_ThrowsWithTheMessages()
    {
        var e = Assert.Throws<ArgumentException>(() => PortMapperOptions.Parse("--namespaces", "UPPER"));

        Assert.Contains("'UPPER' is not a valid namespace name", e.Message, StringComparison.Ordinal);
    }
}
