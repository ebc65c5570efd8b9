using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// The port-related rules of ValidatePodSpec (containers, init containers, hostNetwork) and the port warnings of
/// GetWarningsForPod, for a Pod's spec or a workload's pod template spec.
/// </summary>
internal static class PodSpecRules
{
    private static readonly string[] SupportedProtocols = [Protocols.Sctp, Protocols.Tcp, Protocols.Udp];

    private sealed record PortDecl(string Path, string Name, int ContainerPort, int HostPort, string Protocol, string HostIp);

    private sealed record ContainerDecl(string Path, string Name, string Image, string? RestartPolicy, ImmutableArray<PortDecl> Ports);

    /// <param name="specPath"><c>spec</c> for a Pod, <c>spec.template.spec</c> for a workload.</param>
    /// <param name="isPod">Pods get hostNetwork defaulting and the strict hostPort rule; templates allow hostPort 0.</param>
    public static void Validate(JsonObject? spec, string specPath, bool isPod, FindingList f)
    {
        var hostNetwork = JsonFields.Bool(spec, "hostNetwork", $"{specPath}.hostNetwork", f) ?? false;

        // SetDefaults_Pod copies containerPort into an unset hostPort when hostNetwork is on; templates are left alone.
        var defaultHostPorts = isPod && hostNetwork;
        var containersPath = $"{specPath}.containers";
        var initPath = $"{specPath}.initContainers";
        var containers = ReadContainers(spec, "containers", containersPath, defaultHostPorts, f);
        var inits = ReadContainers(spec, "initContainers", initPath, defaultHostPorts, f);

        ValidateContainers(containers, containersPath, f);
        ValidateInitContainers(inits, containers, initPath, f);

        if (hostNetwork)
        {
            foreach (var port in containers.SelectMany(c => c.Ports))
            {
                if ((isPod || port.HostPort != 0) && port.HostPort != port.ContainerPort)
                {
                    f.Invalid($"{port.Path}.hostPort", port.HostPort, "must match `containerPort` when `hostNetwork` is true");
                }
            }
        }

        AddPortWarnings(inits.Concat(containers), f);
    }

    private static List<ContainerDecl> ReadContainers(JsonObject? spec, string key, string path, bool defaultHostPorts, FindingList f)
    {
        var result = new List<ContainerDecl>();
        foreach (var (c, cPath) in JsonFields.ObjectList(spec, key, path, f) ?? [])
        {
            var ports = ImmutableArray.CreateBuilder<PortDecl>();
            foreach (var (p, pPath) in JsonFields.ObjectList(c, "ports", $"{cPath}.ports", f) ?? [])
            {
                var containerPort = JsonFields.Int(p, "containerPort", $"{pPath}.containerPort", f) ?? 0;
                var hostPort = JsonFields.Int(p, "hostPort", $"{pPath}.hostPort", f) ?? 0;
                var protocol = JsonFields.String(p, "protocol", $"{pPath}.protocol", f);
                ports.Add(new PortDecl(
                    pPath,
                    JsonFields.String(p, "name", $"{pPath}.name", f) ?? "",
                    containerPort,
                    defaultHostPorts && hostPort == 0 ? containerPort : hostPort,
                    string.IsNullOrEmpty(protocol) ? Protocols.Tcp : protocol,
                    JsonFields.String(p, "hostIP", $"{pPath}.hostIP", f) ?? ""));
            }

            result.Add(new ContainerDecl(
                cPath,
                JsonFields.String(c, "name", $"{cPath}.name", f) ?? "",
                JsonFields.String(c, "image", $"{cPath}.image", f) ?? "",
                JsonFields.String(c, "restartPolicy", $"{cPath}.restartPolicy", f),
                ports.ToImmutable()));
        }

        return result;
    }

    private static void ValidateContainers(List<ContainerDecl> containers, string path, FindingList f)
    {
        if (containers.Count == 0)
        {
            f.Required(path);
            return;
        }

        var names = new HashSet<string>(KubeNames.Comparer);
        foreach (var c in containers)
        {
            ValidateContainerCommon(c, f);
            if (!names.Add(c.Name))
            {
                f.Duplicate($"{c.Path}.name", GoValues.Quote(c.Name));
            }

            if (c.RestartPolicy is not null)
            {
                f.Forbidden($"{c.Path}.restartPolicy", "may not be set for non-init containers");
            }
        }

        CheckHostPortConflicts(containers, path, f);
    }

    private static void ValidateInitContainers(List<ContainerDecl> inits, List<ContainerDecl> containers, string path, FindingList f)
    {
        var names = new HashSet<string>(containers.Select(c => c.Name), KubeNames.Comparer);
        foreach (var c in inits)
        {
            ValidateContainerCommon(c, f);
            if (names.Contains(c.Name))
            {
                f.Duplicate($"{c.Path}.name", GoValues.Quote(c.Name));
            }
            else if (c.Name.Length > 0)
            {
                names.Add(c.Name);
            }

            // Init containers run one at a time, so each is checked alone; the server passes a one-element list, which
            // is why these errors always name initContainers[0] whatever the container's real index.
            CheckHostPortConflicts([c], path, f);
        }
    }

    private static void ValidateContainerCommon(ContainerDecl c, FindingList f)
    {
        if (c.Name.Length == 0)
        {
            f.Required($"{c.Path}.name");
        }
        else
        {
            foreach (var msg in KubeFormats.IsDns1123Label(c.Name))
            {
                f.InvalidString($"{c.Path}.name", c.Name, msg);
            }
        }

        if (c.Image.Length == 0)
        {
            f.Required($"{c.Path}.image");
        }

        ValidateContainerPorts(c.Ports, f);
    }

    private static void ValidateContainerPorts(ImmutableArray<PortDecl> ports, FindingList f)
    {
        var names = new HashSet<string>(KubeNames.Comparer);
        foreach (var port in ports)
        {
            if (port.Name.Length > 0)
            {
                var msgs = KubeFormats.IsValidPortName(port.Name);
                if (msgs.Count > 0)
                {
                    foreach (var msg in msgs)
                    {
                        f.InvalidString($"{port.Path}.name", port.Name, msg);
                    }
                }
                else if (!names.Add(port.Name))
                {
                    f.Duplicate($"{port.Path}.name", GoValues.Quote(port.Name));
                }
            }

            if (port.ContainerPort == 0)
            {
                f.Required($"{port.Path}.containerPort");
            }
            else
            {
                foreach (var msg in KubeFormats.IsValidPortNum(port.ContainerPort))
                {
                    f.Invalid($"{port.Path}.containerPort", port.ContainerPort, msg);
                }
            }

            if (port.HostPort != 0)
            {
                foreach (var msg in KubeFormats.IsValidPortNum(port.HostPort))
                {
                    f.Invalid($"{port.Path}.hostPort", port.HostPort, msg);
                }
            }

            if (!SupportedProtocols.Contains(port.Protocol, StringComparer.Ordinal))
            {
                f.NotSupported($"{port.Path}.protocol", port.Protocol, SupportedProtocols);
            }
        }
    }

    /// <summary>
    /// AccumulateUniqueHostPorts: one host port per protocol/hostIP/hostPort across the given containers. Paths are
    /// built from the position in <paramref name="containers"/>, as the server builds them.
    /// </summary>
    private static void CheckHostPortConflicts(IReadOnlyList<ContainerDecl> containers, string path, FindingList f)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var ci = 0; ci < containers.Count; ci++)
        {
            for (var pi = 0; pi < containers[ci].Ports.Length; pi++)
            {
                var port = containers[ci].Ports[pi];
                if (port.HostPort == 0)
                {
                    continue;
                }

                var key = $"{port.Protocol}/{port.HostIp}/{port.HostPort}";
                if (!seen.Add(key))
                {
                    f.Duplicate($"{path}[{ci}].ports[{pi}].hostPort", GoValues.Quote(key));
                }
            }
        }
    }

    /// <summary>The port warnings of warningsForPodSpecAndMeta, over init containers first, then containers.</summary>
    private static void AddPortWarnings(IEnumerable<ContainerDecl> containers, FindingList f)
    {
        var seen = new Dictionary<string, List<PortDecl>>(StringComparer.Ordinal);
        foreach (var port in containers.SelectMany(c => c.Ports))
        {
            if (port.HostIp.Length > 0 && port.HostPort == 0)
            {
                f.Warning(port.Path, $"hostIP set without hostPort: {{Name:{port.Name} HostPort:{port.HostPort} ContainerPort:{port.ContainerPort} Protocol:{port.Protocol} HostIP:{port.HostIp}}}");
            }

            var key = $"{port.ContainerPort}/{port.Protocol}";
            if (!seen.TryGetValue(key, out var others))
            {
                seen[key] = [port];
                continue;
            }

            foreach (var other in others)
            {
                var (a, b) = (port.HostIp.Length == 0, other.HostIp.Length == 0);
                if (port.HostIp == other.HostIp && port.HostPort == other.HostPort)
                {
                    f.Warning(port.Path, $"duplicate port definition with {other.Path}");
                }
                else if (port.HostPort == 0 || other.HostPort == 0)
                {
                    f.Warning(port.Path, $"overlapping port definition with {other.Path}");
                }
                else if (port.HostPort == other.HostPort && (a || b) && !(a && b))
                {
                    f.Warning(port.Path, $"dangerously ambiguous port definition with {other.Path}");
                }
            }

            others.Add(port);
        }
    }
}
