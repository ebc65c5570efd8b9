using PortMapper.Core.KubeProxy;
using System.Collections.Immutable;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;

namespace PortMapper.Web.Hosting;

/// <summary>What the command line asked for; parsed once at start-up and registered in DI as a singleton.</summary>
public sealed record PortMapperOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>Show the built-in demo cluster; also what runs when no other source is given.</summary>
    public bool Demo { get; init; }

    /// <summary>Manifest files or directories (full paths), read instead of a live cluster.</summary>
    public ImmutableArray<string> Manifests { get; init; } = [];

    /// <summary>The kubeconfig file to connect with (full path); null means KUBECONFIG or ~/.kube/config.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context; null means its current-context.</summary>
    public string? Context { get; init; }

    /// <summary>Namespaces to show; empty means all of them.</summary>
    public ImmutableArray<string> Namespaces { get; init; } = [];

    /// <summary>The API server's --service-node-port-range, used to judge nodePort values.</summary>
    public NodePortRange NodePortRange { get; init; } = NodePortRange.Default;

    /// <summary>
    /// --proxy-mode: what kube-proxy runs when the cluster does not say (no --proxy-mode flag on a kube-proxy pod);
    /// null means kube-proxy's default, iptables.
    /// </summary>
    public ProxyMode? ProxyMode { get; init; }

    /// <summary>Whether the designer may server-side apply to a live cluster (never without this flag).</summary>
    public bool AllowApply { get; init; }

    /// <summary>Addresses to listen on, as given with --urls; empty means ASPNETCORE_URLS or <see cref="DefaultUrl"/>.</summary>
    public ImmutableArray<string> Urls { get; init; } = [];

    /// <summary>ASP.NET Core environment (--environment), null means ASPNETCORE_ENVIRONMENT or Production.</summary>
    public string? Environment { get; init; }

    /// <summary>
    /// --demo-size: run the demo on a generated cluster of this many pods (pods/10 Services, pods/50 nodes, at least 3)
    /// instead of the built-in examples. Hidden: for benchmarks and scale tests.
    /// </summary>
    public int? DemoSize { get; init; }

    /// <summary>ASP.NET Core content root (--contentRoot), null means the app's own folder.</summary>
    public string? ContentRoot { get; init; }

    /// <summary>The URL prefix the app is served under behind a proxy, e.g. "/portmapper" (--path-base or PORTMAPPER_PATH_BASE); null for none.</summary>
    public string? PathBase { get; init; }

    /// <summary>Proxies (CIDR networks) whose X-Forwarded-* headers are believed; empty means the default (see docs/deploy.md).</summary>
    public ImmutableArray<string> TrustedProxies { get; init; } = [];

    /// <summary>A file holding the token that signs a person in for apply (--apply-token-file, full path).</summary>
    public string? ApplyTokenFile { get; init; }

    /// <summary>The OpenID Connect issuer people sign in with (--oidc-authority).</summary>
    public Uri? OidcAuthority { get; init; }

    /// <summary>PortMapper's client id at the OpenID Connect provider (--oidc-client-id).</summary>
    public string? OidcClientId { get; init; }

    /// <summary>A file holding the OpenID Connect client secret (--oidc-client-secret-file); PORTMAPPER_OIDC_CLIENT_SECRET is the alternative. The secret itself is never an option.</summary>
    public string? OidcClientSecretFile { get; init; }

    /// <summary>A directory to keep ASP.NET Core Data Protection keys in (--data-protection-keys); null keeps them in memory.</summary>
    public string? DataProtectionKeys { get; init; }

    /// <summary>Where the cluster picture comes from, decided by which options were given.</summary>
    public ClusterSourceKind Source =>
        !Manifests.IsEmpty ? ClusterSourceKind.Manifests
        : Kubeconfig is not null || Context is not null ? ClusterSourceKind.Kubeconfig
        : ClusterSourceKind.Demo;

    /// <summary>Whether people sign in through OpenID Connect (both --oidc-authority and --oidc-client-id given).</summary>
    public bool OidcEnabled => OidcAuthority is not null && OidcClientId is not null;

    /// <summary>Parses a command line that is known to be valid (tests, tools); throws <see cref="ArgumentException"/> otherwise.</summary>
    public static PortMapperOptions Parse(params string[] args)
    {
        var result = PortMapperCommandLine.Parse(args);
        return result.Options ?? throw new ArgumentException(string.Join(" ", result.Errors), nameof(args));
    }
}

/// <summary>The outcome of parsing: options to run with, or a reason to stop (errors, --help, --version).</summary>
public sealed class CommandLineResult
{
    private readonly ParseResult _parse;

    internal CommandLineResult(ParseResult parse, PortMapperOptions? options, ImmutableArray<string> errors)
    {
        _parse = parse;
        Options = options;
        Errors = errors;
    }

    /// <summary>Null when the process should stop instead of starting the app.</summary>
    public PortMapperOptions? Options { get; }

    public ImmutableArray<string> Errors { get; }

    /// <summary>Writes help, the version or the errors; returns the process exit code (0, or 2 for a bad command line).</summary>
    public int Stop(TextWriter output, TextWriter error)
    {
        if (!Errors.IsEmpty)
        {
            foreach (var message in Errors)
            {
                error.WriteLine($"portmapper: {message}");
            }

            error.WriteLine("Run with --help to see the options.");
            return PortMapperCommandLine.UsageExitCode;
        }

        return _parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}

/// <summary>The one place that knows PortMapper's command-line syntax.</summary>
public static partial class PortMapperCommandLine
{
    /// <summary>Exit code for a command line that cannot be used: 2, as most command-line tools use for usage errors.</summary>
    public const int UsageExitCode = 2;

    /// <summary>The environment variable that sets the path base when --path-base is not given.</summary>
    public const string PathBaseVariable = "PORTMAPPER_PATH_BASE";

    /// <summary>The environment variable that holds the OpenID Connect client secret (or use --oidc-client-secret-file).</summary>
    public const string OidcClientSecretVariable = "PORTMAPPER_OIDC_CLIENT_SECRET";

    /// <summary>Parses <paramref name="args"/>; <paramref name="environment"/> reads environment variables (default: the process's).</summary>
    public static CommandLineResult Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        environment ??= System.Environment.GetEnvironmentVariable;
        var syntax = new Syntax();
        var parse = syntax.CreateRoot().Parse(args);
        var errors = parse.Errors.Select(e => e.Message).ToList();
        if (errors.Count == 0 && parse.Action is not null)
        {
            // --help or --version
            return new CommandLineResult(parse, null, []);
        }

        var options = new PortMapperOptions
        {
            Demo = parse.GetValue(syntax.Demo),
            Manifests = [.. (parse.GetValue(syntax.Manifests) ?? []).Select(path => ExistingPath(path, "--manifests", errors, allowDirectory: true))],
            Kubeconfig = parse.GetValue(syntax.Kubeconfig) is { } kubeconfig ? ExistingPath(kubeconfig, "--kubeconfig", errors, allowDirectory: false) : null,
            Context = NotBlank(parse.GetValue(syntax.Context), "--context", errors),
            Namespaces = ParseNamespaces(parse.GetValue(syntax.Namespaces) ?? [], errors),
            NodePortRange = ParseNodePortRange(parse.GetValue(syntax.NodePortRange), errors),
            AllowApply = parse.GetValue(syntax.AllowApply),
            Urls = ParseUrls(parse.GetValue(syntax.Urls), errors),
            Environment = NotBlank(parse.GetValue(syntax.Environment), "--environment", errors),
            ContentRoot = parse.GetValue(syntax.ContentRoot) is { } contentRoot ? ExistingDirectory(contentRoot, "--contentRoot", errors) : null,
            DemoSize = parse.GetValue(syntax.DemoSize),
            ProxyMode = ParseProxyMode(parse.GetValue(syntax.ProxyMode), errors),
            PathBase = ParsePathBase(parse.GetValue(syntax.PathBase), environment(PathBaseVariable), errors),
            TrustedProxies = ParseNetworks(parse.GetValue(syntax.TrustedProxies) ?? [], errors),
            ApplyTokenFile = parse.GetValue(syntax.ApplyTokenFile) is { } tokenFile ? ExistingPath(tokenFile, "--apply-token-file", errors, allowDirectory: false) : null,
            OidcAuthority = ParseAuthority(parse.GetValue(syntax.OidcAuthority), errors),
            OidcClientId = NotBlank(parse.GetValue(syntax.OidcClientId), "--oidc-client-id", errors),
            OidcClientSecretFile = parse.GetValue(syntax.OidcClientSecretFile) is { } secretFile ? ExistingPath(secretFile, "--oidc-client-secret-file", errors, allowDirectory: false) : null,
            DataProtectionKeys = parse.GetValue(syntax.DataProtectionKeys) is { } keys ? ExistingDirectory(keys, "--data-protection-keys", errors) : null,
        };

        if (options.DemoSize is { } size && (size < 10 || size > 200_000))
        {
            errors.Add($"--demo-size: {size} pods is outside 10-200000.");
        }

        if (options.DemoSize is not null && options.Source != ClusterSourceKind.Demo)
        {
            errors.Add("--demo-size generates a demo cluster: it cannot be combined with --manifests, --kubeconfig or --context.");
        }

        if (parse.GetValue(syntax.ApplicationName) is { } name && name != PortMapperHost.ApplicationName)
        {
            errors.Add($"--applicationName: this app is '{PortMapperHost.ApplicationName}', not '{name}'.");
        }

        if (options.Demo && options.Source != ClusterSourceKind.Demo)
        {
            errors.Add("--demo cannot be combined with --manifests, --kubeconfig or --context: choose one cluster source.");
        }

        if (!options.Manifests.IsEmpty && (options.Kubeconfig is not null || options.Context is not null))
        {
            errors.Add("--manifests cannot be combined with --kubeconfig or --context: choose one cluster source.");
        }

        if (options.ApplyTokenFile is { } tokenPath && File.Exists(tokenPath) && Security.ApplyTokenFile.Problem(tokenPath) is { } tokenProblem)
        {
            errors.Add($"--apply-token-file: {tokenProblem}.");
        }

        if (options.OidcClientSecretFile is { } secretPath && File.Exists(secretPath) && File.ReadAllText(secretPath).Trim().Length == 0)
        {
            errors.Add($"--oidc-client-secret-file: '{secretPath}' is empty; put PortMapper's client secret from the OpenID Connect provider in it.");
        }

        if ((options.OidcAuthority is null) != (options.OidcClientId is null))
        {
            errors.Add("--oidc-authority and --oidc-client-id go together: give both to sign in with OpenID Connect, or neither.");
        }
        else if (options.OidcEnabled && options.OidcClientSecretFile is null && string.IsNullOrEmpty(environment(OidcClientSecretVariable)))
        {
            errors.Add($"OpenID Connect needs PortMapper's client secret: set {OidcClientSecretVariable} or give --oidc-client-secret-file <path> (never on the command line, where `ps` shows it).");
        }

        return errors.Count > 0
            ? new CommandLineResult(parse, null, [.. errors])
            : new CommandLineResult(parse, options, []);
    }

    private static string ExistingPath(string path, string option, List<string> errors, bool allowDirectory)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{option} needs a path, got an empty value.");
            return path;
        }

        var full = Path.GetFullPath(path);
        if (File.Exists(full) || (allowDirectory && Directory.Exists(full)))
        {
            return full;
        }

        var expected = allowDirectory ? "file or directory" : "file";
        var lookedAt = full == path ? "" : $" (looked for {full})";
        errors.Add($"{option}: the {expected} '{path}' does not exist{lookedAt}.");
        return full;
    }

    private static string ExistingDirectory(string path, string option, List<string> errors)
    {
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            errors.Add($"{option}: the directory '{path}' does not exist.");
        }

        return full;
    }

    private static string? NotBlank(string? value, string option, List<string> errors)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{option} needs a value, got an empty one.");
        }

        return value;
    }

    private static ImmutableArray<string> ParseNamespaces(IEnumerable<string> values, List<string> errors)
    {
        var names = values
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(KubeNames.Comparer)
            .ToImmutableArray();
        foreach (var name in names.Where(n => !Dns1123Label().IsMatch(n)))
        {
            errors.Add($"--namespaces: '{name}' is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit).");
        }

        return names;
    }

    private static string? ParsePathBase(string? option, string? variable, List<string> errors)
    {
        var (text, source) = option is not null ? (option, "--path-base") : (variable, PathBaseVariable);
        if (string.IsNullOrWhiteSpace(text) || text == "/")
        {
            return null;
        }

        var trimmed = text.TrimEnd('/');
        if (!trimmed.StartsWith('/') || trimmed.Contains("//", StringComparison.Ordinal) || trimmed.IndexOfAny(['?', '#', ' ', '\\']) >= 0)
        {
            errors.Add($"{source}: '{text}' is not a URL path prefix; write it like /portmapper (a leading '/', no query, no spaces).");
        }

        return trimmed;
    }

    private static ImmutableArray<string> ParseNetworks(IEnumerable<string> values, List<string> errors)
    {
        var networks = values
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToImmutableArray();
        foreach (var network in networks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            errors.Add($"--trusted-proxies: '{network}' is not a network; write CIDRs like 10.0.0.0/8,fd00::/8 (a single address is 10.1.2.3/32).");
        }

        return networks;
    }

    private static Uri? ParseAuthority(string? text, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add($"--oidc-authority: '{text}' is not an issuer URL; write it like https://login.example.com/realms/main.");
            return null;
        }

        if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            errors.Add($"--oidc-authority: '{text}' must use https:// (plain http is only accepted for a provider on this machine).");
            return null;
        }

        return uri;
    }

    private static NodePortRange ParseNodePortRange(string? text, List<string> errors)
    {
        if (text is null)
        {
            return NodePortRange.Default;
        }

        if (NodePortRange.TryParse(text, out var range))
        {
            return range;
        }

        errors.Add($"--node-port-range: '{text}' is not a port range; write it as first-last with 1 <= first <= last <= 65535, e.g. {NodePortRange.Default}.");
        return NodePortRange.Default;
    }

    private static ImmutableArray<string> ParseUrls(string? text, List<string> errors)
    {
        if (text is null)
        {
            return [];
        }

        var urls = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
        if (urls.IsEmpty)
        {
            errors.Add("--urls needs at least one address, e.g. http://127.0.0.1:5000.");
        }

        foreach (var url in urls)
        {
            try
            {
                var address = BindingAddress.Parse(url);
                if (!address.IsUnixPipe && address.Scheme is not ("http" or "https"))
                {
                    errors.Add($"--urls: '{url}' must start with http:// or https://.");
                }
            }
            catch (FormatException e)
            {
                errors.Add($"--urls: '{url}' is not an address to listen on ({e.Message}); write it like http://127.0.0.1:5000.");
            }
        }

        return urls;
    }

    /// <summary>The options, created for each parse: System.CommandLine symbols belong to one command.</summary>
    private sealed class Syntax
    {
        public readonly Option<bool> Demo = new("--demo")
        {
            Description = "Show the built-in demo cluster (the default when no other source is given).",
        };

        public readonly Option<string[]> Manifests = new("--manifests")
        {
            Description = "Read Kubernetes manifests (YAML or JSON) from these files or directories instead of a live cluster. Repeatable.",
            HelpName = "file-or-dir",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };

        public readonly Option<string> Kubeconfig = new("--kubeconfig")
        {
            Description = "Connect to the cluster in this kubeconfig file (default: $KUBECONFIG or ~/.kube/config).",
            HelpName = "path",
        };

        public readonly Option<string> Context = new("--context")
        {
            Description = "Use this kubeconfig context instead of its current-context.",
            HelpName = "name",
        };

        public readonly Option<string[]> Namespaces = new("--namespaces")
        {
            Description = "Only show these namespaces, comma-separated (default: all).",
            HelpName = "a,b",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };

        public readonly Option<string> NodePortRange = new("--node-port-range")
        {
            Description = $"The API server's --service-node-port-range (default: {Core.Model.NodePortRange.Default}).",
            HelpName = "first-last",
        };

        public readonly Option<bool> AllowApply = new("--allow-apply")
        {
            Description = "Let the manifest designer server-side apply to the live cluster.",
        };

        public readonly Option<string> Urls = new("--urls")
        {
            Description = $"Addresses to listen on, separated by ';' (default: $ASPNETCORE_URLS or {PortMapperOptions.DefaultUrl}).",
            HelpName = "urls",
        };

        public readonly Option<string> Environment = new("--environment")
        {
            Description = "ASP.NET Core environment name (default: $ASPNETCORE_ENVIRONMENT or Production).",
            HelpName = "name",
        };

        public readonly Option<string> PathBase = new("--path-base")
        {
            Description = $"Serve the app under this URL prefix behind a proxy, e.g. /portmapper (default: ${PortMapperCommandLine.PathBaseVariable}, else none).",
            HelpName = "/prefix",
        };

        public readonly Option<string[]> TrustedProxies = new("--trusted-proxies")
        {
            Description = "Believe X-Forwarded-For/-Proto/-Prefix only from these networks, comma-separated CIDRs (default: loopback; in a pod also the private networks).",
            HelpName = "cidr,cidr",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };

        public readonly Option<string> ApplyTokenFile = new("--apply-token-file")
        {
            Description = "Let people sign in for apply with the token in this file (bearer header or sign-in form).",
            HelpName = "path",
        };

        public readonly Option<string> OidcAuthority = new("--oidc-authority")
        {
            Description = "Let people sign in for apply with this OpenID Connect issuer.",
            HelpName = "url",
        };

        public readonly Option<string> OidcClientId = new("--oidc-client-id")
        {
            Description = "PortMapper's client id at the OpenID Connect issuer.",
            HelpName = "id",
        };

        public readonly Option<string> OidcClientSecretFile = new("--oidc-client-secret-file")
        {
            Description = $"A file holding the OpenID Connect client secret (or set ${PortMapperCommandLine.OidcClientSecretVariable}).",
            HelpName = "path",
        };

        public readonly Option<string> DataProtectionKeys = new("--data-protection-keys")
        {
            Description = "Keep the keys that protect sign-in cookies in this directory (default: in memory, so sign-ins end when the app restarts).",
            HelpName = "dir",
        };

        // Generic host settings that WebApplicationFactory passes to Program as --key=value; not for people.
        public readonly Option<string> ContentRoot = new("--contentRoot") { Hidden = true };

        public readonly Option<string> ApplicationName = new("--applicationName") { Hidden = true };

        // For benchmarks and scale tests (bench/browser): the demo on a generated cluster of this many pods.
        public readonly Option<int?> DemoSize = new("--demo-size") { Hidden = true, HelpName = "pods" };

        public readonly Option<string> ProxyMode = new("--proxy-mode")
        {
            Description = "kube-proxy's mode when the cluster does not show it (a kube-proxy pod without --proxy-mode): iptables (default), nftables or ipvs.",
            HelpName = "mode",
        };

        public RootCommand CreateRoot() => new("PortMapper shows how traffic reaches workloads in Kubernetes, in the browser.")
        {
            Demo, Manifests, Kubeconfig, Context, Namespaces, NodePortRange, AllowApply, Urls, Environment, ContentRoot, ApplicationName,
            PathBase, TrustedProxies, ApplyTokenFile, OidcAuthority, OidcClientId, OidcClientSecretFile, DataProtectionKeys, DemoSize, ProxyMode,
        };
    }

    private static ProxyMode? ParseProxyMode(string? text, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (Dataplane.TryParseMode(text, out var mode))
        {
            return mode;
        }

        errors.Add($"--proxy-mode: \"{text}\" is not a kube-proxy mode; use iptables, nftables or ipvs.");
        return null;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Dns1123Label();
}
