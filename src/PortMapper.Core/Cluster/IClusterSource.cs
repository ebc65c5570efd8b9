using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using PortMapper.Core.Model;

namespace PortMapper.Core.Cluster;

/// <summary>Where the cluster picture comes from.</summary>
public enum ClusterSourceKind
{
    Demo,
    Manifests,
    Kubeconfig,
    InCluster,
}

public sealed record ClusterSourceInfo(ClusterSourceKind Kind, string DisplayName, string? Context = null, string? Server = null)
{
    public string KindName => Kind switch
    {
        ClusterSourceKind.Demo => "demo",
        ClusterSourceKind.Manifests => "manifests",
        ClusterSourceKind.Kubeconfig => "kubeconfig",
        _ => "in-cluster",
    };
}

public enum ConnectionStatus
{
    Connecting,
    Live,
    Reconnecting,
    Failed,
}

/// <summary>A resource PortMapper could not read, and why (RBAC, an API the server does not serve...).</summary>
public sealed record HiddenResource(string Resource, string? Namespace, string Reason);

public sealed record ConnectionState(ConnectionStatus Status, string? LastError = null, DateTimeOffset? Since = null)
{
    public ImmutableArray<HiddenResource> Hidden { get; init; } = [];

    public bool PartlyForbidden => !Hidden.IsDefaultOrEmpty;

    public string StatusName => Status switch
    {
        ConnectionStatus.Connecting => "connecting",
        ConnectionStatus.Live => PartlyForbidden ? "partly-forbidden" : "live",
        ConnectionStatus.Reconnecting => "reconnecting",
        _ => "failed",
    };
}

/// <summary>A batch of changes and the snapshot that results from applying them.</summary>
public sealed record ClusterBatch(ClusterSnapshot Snapshot, ImmutableArray<ClusterChange> Changes, ConnectionState State);

/// <summary>The current snapshot and a stream of later batches; dispose it to unsubscribe.</summary>
public sealed class ClusterSubscription(ClusterSnapshot initial, ConnectionState state, ChannelReader<ClusterBatch> updates, Action unsubscribe) : IDisposable
{
    public ClusterSnapshot Initial { get; } = initial;

    public ConnectionState InitialState { get; } = state;

    public ChannelReader<ClusterBatch> Updates { get; } = updates;

    public void Dispose() => unsubscribe();
}

public sealed record ApplyOptions(bool DryRun, bool Force = false, string FieldManager = "portmapper", bool CreateNamespaces = false);

public enum ApplyOutcome
{
    Created,
    Configured,
    Unchanged,
    Conflict,
    Invalid,
    Forbidden,
    Unauthorized,
    NotFound,
    Refused,
    Error,
}

/// <summary>A field that another field manager owns (a 409 from server-side apply).</summary>
public sealed record FieldConflict(string Manager, string Field, string Message);

/// <summary>One cause of a 422: a field path and the API server's message for it.</summary>
public sealed record FieldError(string Field, string Reason, string Message);

public sealed record ApplyObjectResult(ObjectRef Object, ApplyOutcome Outcome, int? HttpStatus, string Message)
{
    public ImmutableArray<FieldConflict> Conflicts { get; init; } = [];

    public ImmutableArray<FieldError> Errors { get; init; } = [];

    /// <summary>The object as the server returned it (dry-run answers show the merged result).</summary>
    public JsonObject? Result { get; init; }

    public bool Succeeded => Outcome is ApplyOutcome.Created or ApplyOutcome.Configured or ApplyOutcome.Unchanged;
}

/// <summary>
/// A cluster PortMapper reads and may write: the built-in demo cluster, a manifest set, or a real API server.
/// One instance is shared by every browser session.
/// </summary>
public interface IClusterSource : IAsyncDisposable
{
    ClusterSourceInfo Info { get; }

    ConnectionState State { get; }

    ClusterSnapshot Snapshot { get; }

    /// <summary>False when the source is read-only; <see cref="ApplyAsync"/> then refuses every object.</summary>
    bool CanApply { get; }

    Task StartAsync(CancellationToken cancellationToken);

    ClusterSubscription Subscribe();

    /// <summary>The object as the cluster stores it (for showing its YAML); null when it does not exist.</summary>
    Task<JsonObject?> GetObjectAsync(ObjectRef reference, CancellationToken cancellationToken);

    /// <summary>Server-side apply of each object (apiVersion, kind, metadata.name, metadata.namespace set).</summary>
    Task<ImmutableArray<ApplyObjectResult>> ApplyAsync(IReadOnlyList<JsonObject> objects, ApplyOptions options, CancellationToken cancellationToken);
}
