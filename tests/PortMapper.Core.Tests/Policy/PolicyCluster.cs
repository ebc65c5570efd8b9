using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;

namespace PortMapper.Core.Tests.Policy;

/// <summary>
/// The cluster every policy scenario runs in, written as manifests and read by the real loader: namespaces shop
/// (team=shop), web (team=web) and dev (env=dev) with pods, an undeclared kube-system with CoreDNS, a hostNetwork
/// agent and two nodes.
/// </summary>
public static class PolicyCluster
{
    public const string Base = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {team: shop, env: prod}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: web, labels: {team: web, env: prod}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: dev, labels: {env: dev}}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: node-a, labels: {role: worker}}
        status: {addresses: [{type: InternalIP, address: 192.168.0.11}]}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: node-b, labels: {role: edge}}
        status: {addresses: [{type: InternalIP, address: 192.168.0.12}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: shop, labels: {app: api, tier: backend}}
        spec:
          nodeName: node-a
          containers:
          - name: api
            ports:
            - {name: http, containerPort: 8080}
            - {name: metrics, containerPort: 9090}
            - {name: diameter, containerPort: 3868, protocol: SCTP}
            - {name: stats, containerPort: 8125, protocol: UDP}
        status: {phase: Running, podIP: 10.244.1.10, conditions: [{type: Ready, status: "True"}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: shop, labels: {app: db}}
        spec:
          nodeName: node-a
          containers:
          - name: db
            ports: [{name: pg, containerPort: 5432}]
        status: {phase: Running, podIP: 10.244.1.11}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: frontend, namespace: shop, labels: {app: frontend}}
        spec: {nodeName: node-b, containers: [{name: fe}]}
        status: {phase: Running, podIP: 10.244.2.12}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: agent, namespace: shop, labels: {app: agent}}
        spec:
          nodeName: node-a
          hostNetwork: true
          containers: [{name: agent, ports: [{containerPort: 9100, hostPort: 9100}]}]
        status: {phase: Running, podIP: 192.168.0.11}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: web, labels: {app: client}}
        spec: {nodeName: node-b, containers: [{name: c}]}
        status: {phase: Running, podIP: 10.244.2.20}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: other, namespace: web, labels: {app: other}}
        spec: {nodeName: node-b, containers: [{name: c}]}
        status: {phase: Running, podIP: 10.244.2.21}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: dev, labels: {app: client}}
        spec: {nodeName: node-b, containers: [{name: c}]}
        status: {phase: Running, podIP: 10.244.3.30}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
        spec:
          nodeName: node-a
          containers:
          - name: coredns
            ports:
            - {name: dns, containerPort: 53, protocol: UDP}
            - {name: dns-tcp, containerPort: 53}
        status: {phase: Running, podIP: 10.244.0.5}
        """;

    /// <summary>The base cluster plus <paramref name="policies"/>; fails the test on any load error or issue.</summary>
    public static ClusterSnapshot Load(string policies)
    {
        var text = policies.Trim().Length == 0 ? Base : Base + "\n---\n" + policies;
        var result = ManifestLoader.LoadText(text, "scenario.yaml");
        Assert.Empty(result.Errors);
        Assert.Empty(result.Issues);
        Assert.Empty(result.Skipped);
        return ClusterSnapshot.From(result.Objects);
    }

    /// <summary>
    /// "pod:ns/name", "node:name", "external:ip" or "external:ip@nodeIP" (through a nodePort with
    /// externalTrafficPolicy Cluster: kube-proxy may SNAT the client to that node IP).
    /// </summary>
    public static PolicySource Source(ClusterSnapshot snapshot, string spec)
    {
        var (kind, rest) = (spec[..spec.IndexOf(':', StringComparison.Ordinal)], spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        switch (kind)
        {
            case "pod":
                return PolicySource.FromPod(Pod(snapshot, rest));
            case "node":
                var node = snapshot.Nodes[rest];
                return PolicySource.FromNode(node.PrimaryAddress!, node.Metadata.Name);
            case "external":
                var parts = rest.Split('@');
                return PolicySource.FromExternal(parts[0], parts.Length > 1 ? parts[1] : null);
            default:
                throw new ArgumentException($"unknown source {spec}", nameof(spec));
        }
    }

    public static Pod Pod(ClusterSnapshot snapshot, string nsName)
    {
        var parts = nsName.Split('/');
        return snapshot.Pods[new ObjectKey(parts[0], parts[1])];
    }
}
