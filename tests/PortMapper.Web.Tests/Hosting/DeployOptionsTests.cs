using PortMapper.Web.Hosting;

namespace PortMapper.Web.Tests.Hosting;

/// <summary>The options for running behind a proxy, in a cluster and with sign-in.</summary>
public sealed class DeployOptionsTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("portmapper-options-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void Parse_EveryDeployOption_BindsEachValue()
    {
        var token = File("token", "0123456789abcdef0123");
        var secret = File("secret", "s3cr3t");
        var keys = _temp.CreateSubdirectory("keys").FullName;

        var options = Parse(
            "--path-base", "/portmapper/", "--trusted-proxies", "10.0.0.0/8", "--trusted-proxies", "fd00::/8",
            "--apply-token-file", token, "--oidc-authority", "https://login.example.com/realms/main", "--oidc-client-id", "portmapper",
            "--oidc-client-secret-file", secret, "--data-protection-keys", keys).Options!;

        Assert.Equal("/portmapper", options.PathBase);
        Assert.Equal<string>(["10.0.0.0/8", "fd00::/8"], options.TrustedProxies);
        Assert.Equal(token, options.ApplyTokenFile);
        Assert.Equal(new Uri("https://login.example.com/realms/main"), options.OidcAuthority);
        Assert.Equal("portmapper", options.OidcClientId);
        Assert.Equal(secret, options.OidcClientSecretFile);
        Assert.Equal(keys, options.DataProtectionKeys);
        Assert.True(options.OidcEnabled);
        Assert.DoesNotContain("s3cr3t", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef0123", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OidcWithTheSecretInTheEnvironment_IsAccepted()
    {
        var result = PortMapperCommandLine.Parse(["--oidc-authority", "https://idp.example", "--oidc-client-id", "pm"],
            name => name == PortMapperCommandLine.OidcClientSecretVariable ? "from-env" : null);

        Assert.True(result.Options?.OidcEnabled);
    }

    [Fact]
    public void Parse_OidcWithoutASecret_SaysWhereToPutIt()
    {
        var result = Parse("--oidc-authority", "https://idp.example", "--oidc-client-id", "pm");

        Assert.StartsWith("OpenID Connect needs PortMapper's client secret: set PORTMAPPER_OIDC_CLIENT_SECRET or give --oidc-client-secret-file <path>", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--oidc-authority", "https://idp.example", "--oidc-authority and --oidc-client-id go together")]
    [InlineData("--oidc-client-id", "pm", "--oidc-authority and --oidc-client-id go together")]
    [InlineData("--oidc-authority", "http://idp.example", "--oidc-authority: 'http://idp.example' must use https://")]
    [InlineData("--oidc-authority", "idp.example", "--oidc-authority: 'idp.example' is not an issuer URL")]
    [InlineData("--apply-token-file", "/no/such/token", "--apply-token-file: the file '/no/such/token' does not exist")]
    [InlineData("--data-protection-keys", "/no/such/dir", "--data-protection-keys: the directory '/no/such/dir' does not exist")]
    public void Parse_BadDeployOption_SaysWhatIsWrong(string option, string value, string expected)
    {
        var result = Parse(option, value);

        Assert.Contains(result.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("tiny1", "is shorter than 16 characters")]
    [InlineData("two tokens-that-are-long-enough", "must hold one token without spaces")]
    public void Parse_UnusableTokenFile_SaysWhyWithoutQuotingIt(string token, string expected)
    {
        var path = File("token", token);

        var error = Assert.Single(Parse("--apply-token-file", path).Errors);

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, error, StringComparison.Ordinal);
    }

    private string File(string name, string content)
    {
        var path = Path.Combine(_temp.FullName, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static CommandLineResult Parse(params string[] args) => PortMapperCommandLine.Parse(args, _ => null);
}
