namespace PortMapper.Kubernetes.Api;

public enum ConnectionFailure
{
    Refused,
    HostNotFound,
    Tls,
    Timeout,
    Credentials,
    Other,
}

/// <summary>The API server could not be reached or its identity could not be trusted: nothing came back as HTTP.</summary>
public sealed class KubernetesConnectionException(ConnectionFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public ConnectionFailure Failure { get; } = failure;

    /// <summary>Failures that retrying alone will not fix: a person has to change the kubeconfig, credentials or trust.</summary>
    public bool NeedsAttention => Failure is ConnectionFailure.Tls or ConnectionFailure.Credentials or ConnectionFailure.HostNotFound;
}
