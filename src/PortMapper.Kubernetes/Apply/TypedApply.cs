using System.Collections.Frozen;
using k8s;
using k8s.Autorest;
using k8s.Models;
using PortMapper.Core.Cluster;

namespace PortMapper.Kubernetes.Apply;

/// <summary>
/// Server-side apply through KubernetesClient's typed patch calls (PATCH application/apply-patch+yaml with
/// fieldManager, force and dryRun), one per kind PortMapper writes.
/// </summary>
internal static class TypedApply
{
    /// <summary>What the server answered: its status code and the applied object as JSON.</summary>
    public readonly record struct Answer(int StatusCode, string? Json);

    private delegate Task<Answer> Call(k8s.Kubernetes k, V1Patch body, string name, string? ns, string? dryRun, string fieldManager, bool? force, CancellationToken ct);

    private static readonly FrozenDictionary<string, Call> Calls = new Dictionary<string, Call>(StringComparer.Ordinal)
    {
        ["Namespace"] = (k, b, n, _, d, f, o, c) => Read(k.CoreV1.PatchNamespaceWithHttpMessagesAsync(b, n, d, f, null, o, null, null, c)),
        ["Pod"] = (k, b, n, ns, d, f, o, c) => Read(k.CoreV1.PatchNamespacedPodWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["Service"] = (k, b, n, ns, d, f, o, c) => Read(k.CoreV1.PatchNamespacedServiceWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["ConfigMap"] = (k, b, n, ns, d, f, o, c) => Read(k.CoreV1.PatchNamespacedConfigMapWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["EndpointSlice"] = (k, b, n, ns, d, f, o, c) => Read(k.DiscoveryV1.PatchNamespacedEndpointSliceWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["Ingress"] = (k, b, n, ns, d, f, o, c) => Read(k.NetworkingV1.PatchNamespacedIngressWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["IngressClass"] = (k, b, n, _, d, f, o, c) => Read(k.NetworkingV1.PatchIngressClassWithHttpMessagesAsync(b, n, d, f, null, o, null, null, c)),
        ["NetworkPolicy"] = (k, b, n, ns, d, f, o, c) => Read(k.NetworkingV1.PatchNamespacedNetworkPolicyWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["Deployment"] = (k, b, n, ns, d, f, o, c) => Read(k.AppsV1.PatchNamespacedDeploymentWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["StatefulSet"] = (k, b, n, ns, d, f, o, c) => Read(k.AppsV1.PatchNamespacedStatefulSetWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["DaemonSet"] = (k, b, n, ns, d, f, o, c) => Read(k.AppsV1.PatchNamespacedDaemonSetWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["ReplicaSet"] = (k, b, n, ns, d, f, o, c) => Read(k.AppsV1.PatchNamespacedReplicaSetWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["Job"] = (k, b, n, ns, d, f, o, c) => Read(k.BatchV1.PatchNamespacedJobWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
        ["CronJob"] = (k, b, n, ns, d, f, o, c) => Read(k.BatchV1.PatchNamespacedCronJobWithHttpMessagesAsync(b, n, ns, d, f, null, o, null, null, c)),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every kind with a typed call; <see cref="Api.ResourceType.Applicable"/> must not list one without it.</summary>
    public static IEnumerable<string> Kinds => Calls.Keys;

    /// <exception cref="HttpOperationException">The server refused; its Status body is in Response.Content.</exception>
    public static Task<Answer> PatchAsync(
        k8s.Kubernetes library, string kind, string manifestJson, string name, string? ns, ApplyOptions options, CancellationToken cancellationToken) =>
        Calls[kind](
            library, new V1Patch(manifestJson, V1Patch.PatchType.ApplyPatch), name, ns,
            options.DryRun ? "All" : null, options.FieldManager, options.Force ? true : null, cancellationToken);

    private static async Task<Answer> Read<T>(Task<HttpOperationResponse<T>> call)
    {
        using var response = await call.ConfigureAwait(false);
        return new Answer((int)response.Response.StatusCode, response.Body is { } body ? KubernetesJson.Serialize(body) : null);
    }
}
