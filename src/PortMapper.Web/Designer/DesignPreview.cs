using System.Collections.Immutable;
using PortMapper.Core.Analysis;

namespace PortMapper.Web.Designer;

/// <summary>
/// What the designer would change, shared within one browser session (circuit) so that the graph can show it:
/// the analysis of the cluster with the designed objects applied, and which paths and findings appear or go.
/// </summary>
public sealed class DesignPreview
{
    public ClusterAnalysis? Analysis { get; private set; }

    public ImmutableHashSet<string> AddedPaths { get; private set; } = [];

    public ImmutableHashSet<string> RemovedPaths { get; private set; } = [];

    public ImmutableHashSet<string> ChangedPaths { get; private set; } = [];

    public bool IsActive => Analysis is not null;

    /// <summary>Raised after every <see cref="Show"/> or <see cref="Clear"/>.</summary>
    public event Action? Changed;

    public void Show(ClusterAnalysis analysis, ImmutableHashSet<string> added, ImmutableHashSet<string> removed, ImmutableHashSet<string> changed)
    {
        Analysis = analysis;
        AddedPaths = added;
        RemovedPaths = removed;
        ChangedPaths = changed;
        Changed?.Invoke();
    }

    public void Clear()
    {
        Analysis = null;
        AddedPaths = RemovedPaths = ChangedPaths = [];
        Changed?.Invoke();
    }
}
