using PortMapper.Core.Model;

namespace PortMapper.Core.Policy;

public enum PolicySourceKind
{
    /// <summary>A pod in the cluster: its egress policies apply, and it is a peer pod selectors can match.</summary>
    Pod,

    /// <summary>A node's own address (a process on the node, or kube-proxy's SNAT): only ipBlock peers match it.</summary>
    Node,

    /// <summary>A client outside the cluster: only ipBlock peers match it.</summary>
    External,
}

/// <summary>Where a packet comes from, as the destination pod's network plugin may see it.</summary>
public sealed record PolicySource
{
    private PolicySource(PolicySourceKind kind, Pod? pod, string? ip, string? nodeName, string? snatNodeIp)
    {
        Kind = kind;
        Pod = pod;
        Ip = ip;
        NodeName = nodeName;
        SnatNodeIp = snatNodeIp;
    }

    public PolicySourceKind Kind { get; }

    public Pod? Pod { get; }

    /// <summary>The source address: the pod's IP, the node's IP or the client's IP. Null for a pod without status.</summary>
    public string? Ip { get; }

    public string? NodeName { get; }

    /// <summary>
    /// For an external client through a NodePort or LoadBalancer with <c>externalTrafficPolicy: Cluster</c>: the node
    /// IP kube-proxy masquerades the client to. Whether the destination's plugin sees this or the client's address
    /// depends on the plugin (eBPF data paths and DSR keep the client address).
    /// </summary>
    public string? SnatNodeIp { get; }

    public static PolicySource FromPod(Pod pod) => new(PolicySourceKind.Pod, pod ?? throw new ArgumentNullException(nameof(pod)), pod.PodIp, pod.NodeName, null);

    public static PolicySource FromNode(string nodeIp, string? nodeName = null) => new(PolicySourceKind.Node, null, nodeIp, nodeName, null);

    /// <param name="clientIp">The client's address; null when the client is "anyone outside", so ipBlock peers depend on who it is.</param>
    public static PolicySource FromExternal(string? clientIp, string? snatNodeIp = null) => new(PolicySourceKind.External, null, clientIp, null, snatNodeIp);

    /// <summary>
    /// An external client reaching <paramref name="service"/> through <paramref name="nodeIp"/> (its nodePort) or
    /// its load balancer: with externalTrafficPolicy Cluster (the default) kube-proxy may SNAT it to the node's IP.
    /// </summary>
    public static PolicySource ExternalThrough(Service service, string? clientIp, string nodeIp) =>
        FromExternal(clientIp, service.ExternalPolicyLocal ? null : nodeIp);

    public override string ToString() => Kind switch
    {
        PolicySourceKind.Pod => $"pod {Pod!.Metadata.Namespace}/{Pod.Metadata.Name}",
        PolicySourceKind.Node => NodeName is null ? $"node IP {Ip}" : $"node {NodeName} ({Ip})",
        _ => Ip is null ? "an external client" : $"external client {Ip}",
    };
}

/// <summary>
/// The packet at the pod hop, after DNAT: the destination is the pod's IP and the container port the Service's
/// targetPort resolved to, never the clusterIP, the Service port or the nodePort.
/// </summary>
public sealed record PolicyPacket(PolicySource Source, Pod Destination, int Port, string Protocol = Protocols.Tcp);
