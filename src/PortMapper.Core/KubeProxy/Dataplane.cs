using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>How Service traffic is load-balanced on the nodes.</summary>
public enum ProxyMode
{
    /// <summary>kube-proxy with iptables rules: the default on Linux.</summary>
    Iptables,

    /// <summary>kube-proxy's nftables mode (GA since Kubernetes 1.33).</summary>
    Nftables,

    /// <summary>kube-proxy's IPVS mode, deprecated since Kubernetes 1.35 in favour of nftables.</summary>
    Ipvs,

    /// <summary>No kube-proxy: a replacement (an eBPF data plane) handles Services and there are no kube-proxy rules.</summary>
    Replaced,
}

/// <summary>What the cluster runs to carry Service traffic, how PortMapper knows, and what that means.</summary>
/// <param name="Source">Where the mode comes from: a pod's flag, the option, a default; said so people can judge it.</param>
/// <param name="Replacement">For <see cref="ProxyMode.Replaced"/>: the data plane seen (Cilium...).</param>
public sealed record Dataplane(ProxyMode Mode, string Source, string? Replacement = null)
{
    public string ModeName => Mode switch
    {
        ProxyMode.Iptables => "iptables",
        ProxyMode.Nftables => "nftables",
        ProxyMode.Ipvs => "ipvs",
        _ => "none",
    };

    /// <summary>One line for the header and the API.</summary>
    public string Summary => Mode switch
    {
        ProxyMode.Replaced => $"no kube-proxy rules: the dataplane is {Replacement} ({Source})",
        ProxyMode.Ipvs => $"kube-proxy in IPVS mode, deprecated ({Source})",
        _ => $"kube-proxy in {ModeName} mode ({Source})",
    };

    /// <summary>The values <c>--proxy-mode</c> accepts, as kube-proxy spells them.</summary>
    public static bool TryParseMode(string? text, out ProxyMode mode)
    {
        mode = ProxyMode.Iptables;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "iptables":
                return true;
            case "nftables":
                mode = ProxyMode.Nftables;
                return true;
            case "ipvs":
                mode = ProxyMode.Ipvs;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Pods of kube-system that are kube-proxy: kubeadm/EKS label k8s-app, AKS/GKE label component, or the name.</summary>
    public static bool IsKubeProxyPod(Pod pod) =>
        KubeNames.Comparer.Equals(pod.Metadata.Namespace, "kube-system")
        && (pod.Metadata.Labels.GetValueOrDefault("k8s-app") == "kube-proxy"
            || pod.Metadata.Labels.GetValueOrDefault("component") == "kube-proxy"
            || pod.Metadata.Name.StartsWith("kube-proxy-", StringComparison.Ordinal));

    /// <summary>
    /// Works the mode out from what the cluster shows. kube-proxy pods decide by their <c>--proxy-mode</c> flag (a
    /// flag wins over kube-proxy's config file); without the flag the mode is in that file, read from its ConfigMap
    /// (kube-system/kube-proxy, or kube-proxy-config on EKS) where visible, else <paramref name="configured"/> (the
    /// <c>--proxy-mode</c> option) or kube-proxy's own default, iptables, applies. No kube-proxy pod while a known replacement runs in kube-system means there are no kube-proxy rules.
    /// Where kube-system's pods are not visible (manifests), only the option or the default speaks.
    /// </summary>
    public static Dataplane Detect(ClusterSnapshot snapshot, ProxyMode? configured = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // The header, the trace, the side panel and the API ask for every analysis update: work it out once per pod set.
        var cached = Detected.GetValue(snapshot.Pods, _ => new DetectedModes());
        if (!ReferenceEquals(cached.Configs, snapshot.KubeProxyConfigs))
        {
            // kube-proxy's ConfigMap changed while the pods did not: start over for this pod set.
            cached = new DetectedModes { Configs = snapshot.KubeProxyConfigs };
            Detected.AddOrUpdate(snapshot.Pods, cached);
        }

        return cached.ByMode.GetOrAdd(configured is { } mode ? (int)mode : -1, _ => Compute(snapshot, configured));
    }

    private sealed class DetectedModes
    {
        public System.Collections.Immutable.ImmutableDictionary<ObjectKey, KubeProxyConfig>? Configs { get; init; }

        public System.Collections.Concurrent.ConcurrentDictionary<int, Dataplane> ByMode { get; } = new();
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Collections.Immutable.ImmutableDictionary<ObjectKey, Pod>, DetectedModes> Detected = [];

    /// <summary>The mode kube-proxy's ConfigMap sets ("" is kube-proxy's default, iptables), or why it cannot be used.</summary>
    private static (Dataplane? Found, string? Problem) FromConfigMap(ClusterSnapshot snapshot, ProxyMode? configured)
    {
        if (KubeProxyConfig.Of(snapshot) is not { } config)
        {
            return (null, null);
        }

        var where = $"ConfigMap kube-system/{config.Metadata.Name}";
        if (config.Problem is { } problem)
        {
            return (null, $"{where} cannot be read: {problem}");
        }

        if (string.IsNullOrEmpty(config.Mode))
        {
            return (new Dataplane(ProxyMode.Iptables, $"{where} (data.{config.DataKey}) sets no mode: kube-proxy's default, iptables"), null);
        }

        return TryParseMode(config.Mode, out var mode)
            ? (new Dataplane(mode, $"mode: {config.Mode} in {where} (data.{config.DataKey})"), null)
            : (null, $"{where} sets mode: {config.Mode}, which PortMapper does not model; shown as {(configured is { } c ? Name(c) + " (the --proxy-mode option)" : "iptables")}");
    }

    private static Dataplane Compute(ClusterSnapshot snapshot, ProxyMode? configured)
    {
        var system = snapshot.Pods.Values.Where(p => KubeNames.Comparer.Equals(p.Metadata.Namespace, "kube-system")).ToList();
        var proxies = system.Where(IsKubeProxyPod).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        foreach (var pod in proxies)
        {
            if (Flag(pod) is { } value)
            {
                return TryParseMode(value, out var mode)
                    ? new Dataplane(mode, $"flag --proxy-mode={value} of pod kube-system/{pod.Metadata.Name}")
                    : new Dataplane(configured ?? ProxyMode.Iptables, $"pod kube-system/{pod.Metadata.Name} runs --proxy-mode={value}, which PortMapper does not model; shown as {(configured is { } c ? Name(c) + " (the --proxy-mode option)" : "iptables")}");
            }
        }

        // Without the flag, kube-proxy's config file decides: the ConfigMap it is mounted from, where PortMapper can read it.
        // The ConfigMap alone (kube-proxy pods not visible) still tells, unless a replacement runs instead.
        var (fromConfig, configProblem) = FromConfigMap(snapshot, configured);
        if (fromConfig is not null && (proxies.Count > 0 || system.Count == 0 || FindReplacement(system) is null))
        {
            return fromConfig;
        }

        if (proxies.Count > 0)
        {
            var why = configProblem ?? "kube-proxy runs without --proxy-mode and its ConfigMap (kube-system/kube-proxy) is not visible";
            return configured is { } option
                ? new Dataplane(option, $"the --proxy-mode option; {why}")
                : new Dataplane(ProxyMode.Iptables, $"{why}: its config file decides, iptables unless it says otherwise; set the --proxy-mode option if it does");
        }

        if (system.Count > 0 && FindReplacement(system) is { } replacement)
        {
            return new Dataplane(ProxyMode.Replaced, $"no kube-proxy pod in kube-system, {replacement} pods run there", replacement);
        }

        if (configured is { } set)
        {
            return new Dataplane(set, "the --proxy-mode option");
        }

        return system.Count > 0
            ? new Dataplane(ProxyMode.Iptables, "assumed: no kube-proxy pod was seen in kube-system and no known replacement either")
            : new Dataplane(ProxyMode.Iptables, "kube-proxy's default; set the --proxy-mode option if the cluster runs another mode");
    }

    private static string Name(ProxyMode mode) => new Dataplane(mode, "").ModeName;

    /// <summary>The value of <c>--proxy-mode</c> in the kube-proxy container's command line (<c>--proxy-mode=x</c> or <c>--proxy-mode x</c>).</summary>
    private static string? Flag(Pod pod)
    {
        foreach (var container in pod.Spec.Containers)
        {
            var line = container.CommandLine;
            for (var i = 0; i < line.Length; i++)
            {
                // kube-proxy takes flags with one dash or two, like every Go pflag program.
                var arg = line[i].TrimStart('-');
                if (arg.StartsWith("proxy-mode=", StringComparison.Ordinal))
                {
                    return arg["proxy-mode=".Length..];
                }

                if (arg == "proxy-mode" && line[i].StartsWith('-') && i + 1 < line.Length)
                {
                    return line[i + 1];
                }
            }
        }

        return null;
    }

    /// <summary>The kube-proxy replacements that announce themselves by their agents' labels.</summary>
    private static string? FindReplacement(List<Pod> system)
    {
        if (system.Any(p => p.Metadata.Labels.GetValueOrDefault("k8s-app") == "cilium" || p.Metadata.Labels.GetValueOrDefault("app.kubernetes.io/name") == "cilium-agent"))
        {
            return "Cilium (eBPF kube-proxy replacement; `cilium-dbg service list` shows its Service table)";
        }

        if (system.Any(p => p.Metadata.Labels.GetValueOrDefault("k8s-app") == "kube-router" && p.Spec.Containers.Any(c => c.CommandLine.Any(a => a.TrimStart('-').StartsWith("run-service-proxy", StringComparison.Ordinal) && !a.EndsWith("=false", StringComparison.Ordinal)))))
        {
            return "kube-router (its service proxy programs IPVS)";
        }

        // Only asked when no kube-proxy pod runs: Calico's iptables data plane always has kube-proxy beside it.
        if (system.Any(p => p.Metadata.Labels.GetValueOrDefault("k8s-app") == "calico-node"))
        {
            return "Calico, presumably in eBPF mode (no kube-proxy pod; Felix's BPF programs handle Services)";
        }

        return null;
    }
}
