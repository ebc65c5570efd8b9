namespace PortMapper.Core.KubeProxy;

/// <summary>
/// kube-proxy's name for one port of one Service (pkg/proxy ServicePortName). Its text form is what
/// kube-proxy hashes into chain names and writes into rule comments, so it must match exactly.
/// </summary>
/// <param name="Port">The Service port's name; "" when the port is unnamed (allowed only for a single-port Service).</param>
public readonly record struct ServicePortName(string Namespace, string Name, string Port)
{
    /// <summary><c>ns/name</c>, plus <c>:port</c> when the port has a name.</summary>
    public override string ToString() => Port.Length == 0 ? $"{Namespace}/{Name}" : $"{Namespace}/{Name}:{Port}";
}
