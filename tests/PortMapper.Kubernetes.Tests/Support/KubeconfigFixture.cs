using System.Text;
using PortMapper.Kubernetes.Config;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>
/// Renders the kubeconfig templates in Fixtures/kubeconfig for one test API server into a directory of their own,
/// with the files they name (CA, client certificates, token files, plugins) beside them.
/// </summary>
public sealed class KubeconfigFixture : IDisposable
{
    private static readonly string Templates = Path.Combine(AppContext.BaseDirectory, "Fixtures", "kubeconfig");
    private static readonly string Plugins = Path.Combine(AppContext.BaseDirectory, "Fixtures", "exec");

    public KubeconfigFixture(ApiServer server)
    {
        Values["SERVER"] = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        Values["CA_DATA"] = Base64(server.CaPem);
        Values["PLUGIN"] = Path.Combine(Plugins, "token-plugin.sh");
        Values["FAILING_PLUGIN"] = Path.Combine(Plugins, "failing-plugin.sh");
        Values["CERT_PLUGIN"] = Path.Combine(Plugins, "cert-plugin.sh");
        Values["COUNTER"] = Counter;
        Dir.Write("certs/ca.crt", server.CaPem);
    }

    public TempDir Dir { get; } = new();

    public Dictionary<string, string> Values { get; } = [];

    /// <summary>Where the test plugin counts its runs.</summary>
    public string Counter => Path.Combine(Dir.Path, "plugin-runs");

    public int PluginRuns => File.Exists(Counter) ? int.Parse(File.ReadAllText(Counter).Trim(), System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>Sets CERT_DATA/KEY_DATA, writes certs/client.crt and certs/client.key and sets CERT_FILE/KEY_FILE to them.</summary>
    public void UseClientCertificate(ClientCertificatePem cert)
    {
        Values["CERT_DATA"] = Base64(cert.CertificatePem);
        Values["KEY_DATA"] = Base64(cert.KeyPem);
        Values["CERT_FILE"] = Dir.Write("certs/client.crt", cert.CertificatePem);
        Values["KEY_FILE"] = Dir.Write("certs/client.key", cert.KeyPem);
    }

    /// <summary>Copies the token plugin to plugins/ beside the kubeconfig, executable, for relative exec commands.</summary>
    public void InstallPlugin()
    {
        var target = Path.Combine(Dir.Path, "plugins", "token-plugin.sh");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Path.Combine(Plugins, "token-plugin.sh"), target, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Fills a template's placeholders and writes it into the directory; returns its path.</summary>
    public string Render(string template, string? fileName = null)
    {
        var text = File.ReadAllText(Path.Combine(Templates, template + ".yaml"));
        foreach (var (key, value) in Values)
        {
            text = text.Replace("{{" + key + "}}", value, StringComparison.Ordinal);
        }

        if (text.Contains("{{", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Template {template} has a placeholder this test did not fill: {text[text.IndexOf("{{", StringComparison.Ordinal)..].Split('\n')[0]}");
        }

        return Dir.Write(fileName ?? template + ".yaml", text);
    }

    /// <summary>An environment with no KUBECONFIG and no pod, so the machine running the tests cannot leak in.</summary>
    public KubeEnvironment Environment => KubeEnvironment.From(new Dictionary<string, string>(), Dir.Path);

    public KubernetesConnection Resolve(string template, TimeProvider? time = null, string? context = null) =>
        ConnectionResolver.Resolve(new ConnectionOptions { KubeconfigPath = Render(template), Context = context, Time = time, Environment = Environment })!;

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public void Dispose() => Dir.Dispose();
}
