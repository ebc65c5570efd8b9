using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;
using YamlDotNet.Core;

namespace PortMapper.Kubernetes.Config;

/// <summary>A kubeconfig that cannot be used, with what is wrong and where.</summary>
public sealed class KubeconfigException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The process environment as the loaders see it; tests pass their own.</summary>
public sealed record KubeEnvironment(Func<string, string?> GetVariable, string HomeDirectory)
{
    public static KubeEnvironment Current { get; } = new(
        Environment.GetEnvironmentVariable,
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    public static KubeEnvironment From(IReadOnlyDictionary<string, string> variables, string home) =>
        new(name => variables.GetValueOrDefault(name), home);
}

/// <summary>Reads kubeconfig files (YAML or JSON) into the raw <see cref="Kubeconfig"/> model.</summary>
public static class KubeconfigLoader
{
    /// <summary>
    /// The files kubectl would read: every entry of KUBECONFIG (path-list separated, empty entries skipped),
    /// else ~/.kube/config.
    /// </summary>
    public static ImmutableArray<string> DefaultPaths(KubeEnvironment? environment = null)
    {
        var env = environment ?? KubeEnvironment.Current;
        if (env.GetVariable("KUBECONFIG") is { Length: > 0 } list)
        {
            return [.. list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        return [Path.Combine(env.HomeDirectory, ".kube", "config")];
    }

    /// <summary>
    /// Loads and merges the files that exist, in order; null when none does. Like kubectl, a missing file in the
    /// KUBECONFIG list is skipped, but one that exists and cannot be read is an error.
    /// </summary>
    public static Kubeconfig? LoadMerged(IEnumerable<string> paths)
    {
        var configs = paths.Where(File.Exists).Distinct(StringComparer.Ordinal).Select(LoadFile).ToList();
        return configs.Count == 0 ? null : Kubeconfig.Merge(configs);
    }

    public static Kubeconfig LoadFile(string path)
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeconfigException($"Cannot read the kubeconfig {full}: {e.Message}", e);
        }

        return Parse(text, full);
    }

    /// <summary>Parses kubeconfig text; <paramref name="file"/> is where it came from (relative paths start there).</summary>
    public static Kubeconfig Parse(string text, string file)
    {
        JsonNode? root;
        try
        {
            var docs = YamlToJson.Parse(text, file);
            root = docs.Count == 0 ? null : docs[0].Root;
        }
        catch (YamlException e)
        {
            throw new KubeconfigException($"The kubeconfig {file} is not valid YAML (line {e.Start.Line}): {e.Message}", e);
        }

        if (root is null)
        {
            // kubectl treats an empty file as an empty config.
            return new Kubeconfig { Files = [file] };
        }

        if (root is not JsonObject obj)
        {
            throw new KubeconfigException($"The kubeconfig {file} must be a mapping with clusters, users and contexts.");
        }

        var reader = new Reader(file);
        return new Kubeconfig
        {
            Clusters = reader.NamedList(obj, "clusters", "cluster", ReadCluster),
            Users = reader.NamedList(obj, "users", "user", ReadUser),
            Contexts = reader.NamedList(obj, "contexts", "context", ReadContext),
            CurrentContext = reader.Str(obj, "current-context", "current-context"),
            Files = [file],
        };
    }

    private static KubeconfigCluster ReadCluster(Reader r, JsonObject c, string path) => new()
    {
        Server = r.Str(c, "server", path),
        CertificateAuthority = r.Str(c, "certificate-authority", path),
        CertificateAuthorityData = r.Str(c, "certificate-authority-data", path),
        InsecureSkipTlsVerify = r.Bool(c, "insecure-skip-tls-verify", path),
        TlsServerName = r.Str(c, "tls-server-name", path),
        ProxyUrl = r.Str(c, "proxy-url", path),
    };

    private static KubeconfigUser ReadUser(Reader r, JsonObject u, string path) => new()
    {
        ClientCertificate = r.Str(u, "client-certificate", path),
        ClientCertificateData = r.Str(u, "client-certificate-data", path),
        ClientKey = r.Str(u, "client-key", path),
        ClientKeyData = r.Str(u, "client-key-data", path),
        Token = r.Str(u, "token", path),
        TokenFile = r.Str(u, "tokenFile", path),
        Username = r.Str(u, "username", path),
        Password = r.Str(u, "password", path),
        Exec = u["exec"] is JsonObject e ? ReadExec(r, e, $"{path}.exec") : null,
        AuthProvider = u["auth-provider"] is JsonObject ap ? r.Str(ap, "name", $"{path}.auth-provider") ?? "(unnamed)" : null,
        AuthProviderConfig = u["auth-provider"] is JsonObject apc && apc["config"] is JsonObject map
            ? map.ToImmutableDictionary(kv => kv.Key, kv => r.Scalar(kv.Value, $"{path}.auth-provider.config.{kv.Key}") ?? "", StringComparer.Ordinal)
            : ImmutableDictionary<string, string>.Empty,
    };

    private static ExecConfig ReadExec(Reader r, JsonObject e, string path) => new()
    {
        Command = r.Str(e, "command", path) ?? throw new KubeconfigException($"{r.File}: {path}.command is required: name the credential plugin to run."),
        Args = r.List(e, "args", path).Select((a, i) => r.Scalar(a, $"{path}.args[{i}]") ?? "").ToImmutableArray(),
        Env = r.List(e, "env", path).OfType<JsonObject>()
            .Select((v, i) => new ExecEnvVar(r.Str(v, "name", $"{path}.env[{i}]") ?? "", r.Str(v, "value", $"{path}.env[{i}]") ?? ""))
            .ToImmutableArray(),
        ApiVersion = r.Str(e, "apiVersion", path) ?? "client.authentication.k8s.io/v1",
        InstallHint = r.Str(e, "installHint", path),
        ProvideClusterInfo = r.Bool(e, "provideClusterInfo", path),
    };

    private static KubeconfigContext ReadContext(Reader r, JsonObject c, string path) => new()
    {
        Cluster = r.Str(c, "cluster", path),
        User = r.Str(c, "user", path),
        Namespace = r.Str(c, "namespace", path),
    };

    private sealed class Reader(string file)
    {
        public string File { get; } = file;

        public ImmutableArray<Named<T>> NamedList<T>(JsonObject root, string key, string inner, Func<Reader, JsonObject, string, T> read)
        {
            var b = ImmutableArray.CreateBuilder<Named<T>>();
            var items = List(root, key, key);
            for (var i = 0; i < items.Count; i++)
            {
                var path = $"{key}[{i}]";
                if (items[i] is not JsonObject entry || Str(entry, "name", path) is not { Length: > 0 } name)
                {
                    throw new KubeconfigException($"{File}: {path} needs a name.");
                }

                var body = entry[inner] as JsonObject ?? [];
                b.Add(new Named<T>(name, read(this, body, $"{key}[{name}].{inner}"), File));
            }

            return b.ToImmutable();
        }

        public List<JsonNode?> List(JsonObject o, string key, string path) => o[key] switch
        {
            null => [],
            JsonArray a => [.. a],
            _ => throw new KubeconfigException($"{File}: {path}.{key} must be a list."),
        };

        public string? Str(JsonObject o, string key, string path) => Scalar(o[key], $"{path}.{key}");

        /// <summary>A scalar as text: YAML may turn a token or a port-like value into a number or boolean.</summary>
        public string? Scalar(JsonNode? n, string path) => n switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
            _ => throw new KubeconfigException($"{File}: {path} must be a string."),
        };

        public bool Bool(JsonObject o, string key, string path) => o[key] switch
        {
            null => false,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            JsonValue v when v.GetValueKind() == JsonValueKind.String && bool.TryParse(v.GetValue<string>(), out var b) => b,
            _ => throw new KubeconfigException($"{File}: {path}.{key} must be true or false."),
        };
    }
}
