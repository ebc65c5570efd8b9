using System.Collections.Immutable;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Trace;
using PortMapper.Web.Components.Graph;
using PortMapper.Web.Designer;
using PortMapper.Web.Graph;

namespace PortMapper.Web.Components.Pages;

/// <summary>
/// The dashboard: the live graph with filters, the side panel (details, trace, findings) and the designer preview
/// overlay. The view state (filters, what is expanded) lives here; <see cref="GraphBuilder"/> turns it and the
/// analysis into a model, and <see cref="GraphCanvas"/> draws the difference.
/// </summary>
public sealed partial class GraphPage : IAsyncDisposable
{
    private enum SideTab
    {
        Details,
        Trace,
        Findings,
    }

    private static readonly ImmutableArray<(SideTab Tab, string Label)> Tabs = [(SideTab.Details, "Details"), (SideTab.Trace, "Trace"), (SideTab.Findings, "Findings")];

    private static readonly ImmutableArray<(Exposure Value, string Text)> Exposures =
    [
        (Exposure.ClusterIP, "ClusterIP"),
        (Exposure.NodePort, "NodePort"),
        (Exposure.LoadBalancer, "LoadBalancer"),
        (Exposure.Ingress, "Ingress"),
        (Exposure.Gateway, "Gateway"),
        (Exposure.HostPort, "hostPort"),
        (Exposure.HostNetwork, "hostNetwork"),
        (Exposure.ExternalIP, "externalIPs"),
        (Exposure.Headless, "Headless"),
        (Exposure.ExternalName, "ExternalName"),
    ];

    private readonly CancellationTokenSource _cts = new();
    private GraphCanvas? _canvas;
    private AnalysisUpdate _update = null!;
    private GraphView _view = GraphView.Default;
    private GraphOrder _order = GraphOrder.Empty;
    private GraphModel _model = GraphModel.Empty;
    private ImmutableSortedSet<string> _namespaces = [];
    private string _search = "";
    private CancellationTokenSource? _searchDelay;
    private string? _selected;
    private ElementDetails? _details;
    private string? _highlightedPath;
    private ImmutableArray<string> _selectedTargets = [];
    private SideTab _tab;
    private int _errors;
    private bool _previewActive;
    private bool _drawn;
    private IDisposable? _subscription;
    private Task? _follow;

    [Inject]
    public required LiveAnalysis Live { get; init; }

    [Inject]
    public required DesignPreview Preview { get; init; }

    /// <summary>A path id to select on arrival (the paths table links here with ?path=).</summary>
    [SupplyParameterFromQuery(Name = "path")]
    public string? PathParameter { get; set; }

    /// <summary>"trace" or "findings" opens that side panel tab on arrival.</summary>
    [SupplyParameterFromQuery(Name = "panel")]
    public string? PanelParameter { get; set; }

    private ClusterAnalysis Analysis => _previewActive && Preview.Analysis is { } preview ? preview : _update.Analysis;

    private static string ExposureText(Exposure e) => Exposures.FirstOrDefault(x => x.Value == e).Text ?? e.ToString();

    private static string NamespacesText(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "",
        <= 3 => string.Join(", ", names),
        _ => $"{names.Count} namespaces",
    };

    protected override void OnInitialized()
    {
        _update = Live.Current;
        _tab = PanelParameter switch
        {
            "trace" => SideTab.Trace,
            "findings" => SideTab.Findings,
            _ => SideTab.Details,
        };
        Rebuild();
        if (RendererInfo.IsInteractive)
        {
            Preview.Changed += OnPreviewChanged;
            var (reader, handle) = Live.Subscribe();
            _subscription = handle;
            _follow = FollowAsync(reader, _cts.Token);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && _canvas is not null)
        {
            await _canvas.ShowAsync(_model, fit: true);
            _drawn = true;
            if (PathParameter is { Length: > 0 } path)
            {
                await SelectPathAsync(path);
            }
        }
    }

    /// <summary>Builds the model for the current analysis and view; keeps the selection's details current.</summary>
    private void Rebuild()
    {
        _previewActive = Preview.IsActive;
        var analysis = Analysis;
        var view = _view with
        {
            Preview = _previewActive
                ? new GraphPreview([.. Preview.RemovedPaths.Select(_update.Analysis.FindPath).OfType<TrafficPath>()], Preview.AddedPaths, Preview.RemovedPaths, Preview.ChangedPaths)
                : null,
        };
        _model = GraphBuilder.Build(analysis, view, _order);
        _order = _model.Order;
        _namespaces = analysis.Snapshot.NamespaceNames();
        _errors = analysis.Diagnostics.Count(d => d.Severity == Severity.Error);
        if (_selected is not null)
        {
            _details = ElementInspector.Describe(analysis, _model, _selected);
            _selectedTargets = _model.FindNode(_selected) is { } node ? TraceSuggestions.TargetsFor(analysis, node) : [];
            if (_details is null)
            {
                _selected = null;
                _highlightedPath = null;
            }
        }
    }

    /// <summary>Rebuilds, re-renders and sends the difference to the browser, then restores selection and highlight.</summary>
    private async Task RefreshAsync(bool fit)
    {
        Rebuild();
        StateHasChanged();
        if (_canvas is null || !_drawn)
        {
            return;
        }

        await _canvas.ShowAsync(_model, fit);
        await RefocusAsync(center: false);
    }

    private Task RefocusAsync(bool center)
    {
        if (_canvas is null)
        {
            return Task.CompletedTask;
        }

        var paths = _highlightedPath is { } p ? [p]
            : _selected is { } id && _model.FindNode(id) is { } node ? node.Paths
            : _details is { Kind: GraphKinds.Policy } policy ? [.. policy.Paths.Select(x => x.Id)]
            : ImmutableArray<string>.Empty;
        return _canvas.FocusAsync(_selected, paths, center);
    }

    private async Task FollowAsync(ChannelReader<AnalysisUpdate> reader, CancellationToken token)
    {
        try
        {
            await foreach (var update in reader.ReadAllAsync(token))
            {
                await InvokeAsync(async () =>
                {
                    _update = update;
                    await RefreshAsync(fit: false);
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    private void OnPreviewChanged() => _ = InvokeAsync(() => RefreshAsync(fit: true));

    // ------------------------------------------------------------------ selection

    private async Task OnTapAsync(string id)
    {
        var node = _model.FindNode(id);
        _tab = SideTab.Details;
        if (node is { Expandable: true })
        {
            await ExpandAsync(id);
            return;
        }

        await SelectAsync(id, center: false);
    }

    private Task OnFocusAsync(string id) => SelectAsync(id, center: false);

    private async Task SelectAsync(string? id, bool center)
    {
        _selected = id;
        _highlightedPath = null;
        _details = id is null ? null : ElementInspector.Describe(Analysis, _model, id);
        _selectedTargets = id is not null && _model.FindNode(id) is { } node ? TraceSuggestions.TargetsFor(Analysis, node) : [];
        StateHasChanged();
        await RefocusAsync(center);
    }

    private Task ClearSelectionAsync()
    {
        _selected = null;
        _details = null;
        _highlightedPath = null;
        _selectedTargets = [];
        StateHasChanged();
        return _canvas?.ClearAsync() ?? Task.CompletedTask;
    }

    private Task ClearHighlightAsync()
    {
        _highlightedPath = null;
        return RefocusAsync(center: false);
    }

    private async Task ExpandAsync(string id)
    {
        var node = _model.FindNode(id);
        if (node?.Kind == GraphKinds.Namespace && node.Namespace is { } ns)
        {
            _view = _view with { ExpandedNamespaces = _view.ExpandedNamespaces.Add(ns), CollapsedNamespaces = _view.CollapsedNamespaces.Remove(ns) };
        }
        else
        {
            _view = _view with { Expanded = _view.Expanded.Add(id) };
        }

        _selected = id;
        _highlightedPath = null;
        await RefreshAsync(fit: false);
        _details = ElementInspector.Describe(Analysis, _model, id);
        StateHasChanged();
        await RefocusAsync(center: node?.Kind == GraphKinds.Namespace);
    }

    private async Task CollapseAsync(string id)
    {
        if (id.StartsWith("ns:", StringComparison.Ordinal))
        {
            var ns = id[3..];
            _view = _view with { CollapsedNamespaces = _view.CollapsedNamespaces.Add(ns), ExpandedNamespaces = _view.ExpandedNamespaces.Remove(ns) };
        }
        else
        {
            _view = _view with { Expanded = _view.Expanded.Remove(id) };
        }

        _selected = id;
        await RefreshAsync(fit: false);
        await RefocusAsync(center: true);
    }

    private async Task CollapseAllAsync()
    {
        _view = _view with { Expanded = _view.Expanded.Clear(), ExpandedNamespaces = _view.ExpandedNamespaces.Clear() };
        await RefreshAsync(fit: true);
    }

    /// <summary>Shows path <paramref name="pathId"/> end to end: makes it visible, then highlights and centres it.</summary>
    private async Task SelectPathAsync(string pathId)
    {
        if (!await EnsureVisibleAsync(pathId))
        {
            return;
        }

        var element = _model.ElementFor(pathId, HopKind.ClusterIp);
        if (_selected is null || _model.FindNode(_selected) is not { } current || !current.Paths.Contains(pathId))
        {
            _selected = element;
            _details = element is null ? null : ElementInspector.Describe(Analysis, _model, element);
        }

        _highlightedPath = pathId;
        _tab = SideTab.Details;
        StateHasChanged();
        await RefocusAsync(center: true);
    }

    /// <summary>Changes the view as little as needed for the path to be on the graph; false when it does not exist.</summary>
    private async Task<bool> EnsureVisibleAsync(string pathId)
    {
        if (Analysis.FindPath(pathId) is not { } path)
        {
            return false;
        }

        var view = _view;
        if (!view.Namespaces.IsEmpty && !view.Namespaces.Contains(path.Namespace))
        {
            view = view with { Namespaces = view.Namespaces.Add(path.Namespace) };
        }

        if (!view.Exposures.IsEmpty && !view.Exposures.Contains(path.Exposure))
        {
            view = view with { Exposures = view.Exposures.Add(path.Exposure) };
        }

        if (GraphSearch.IsActive(view.Search) && !GraphSearch.Matches(path, view.Search))
        {
            view = view with { Search = "" };
            _search = "";
        }

        if (_model.CollapsedNamespaces.Contains(path.Namespace))
        {
            view = view with { ExpandedNamespaces = view.ExpandedNamespaces.Add(path.Namespace), CollapsedNamespaces = view.CollapsedNamespaces.Remove(path.Namespace) };
        }

        if (view != _view)
        {
            _view = view;
            await RefreshAsync(fit: false);
        }

        return _model.PathSteps.ContainsKey(pathId);
    }

    private async Task OnFindingAsync(Diagnostic d)
    {
        if (d.Object.Kind == "NetworkPolicy" && d.Paths.IsDefaultOrEmpty)
        {
            // A policy is not drawn: its panel lists the pods it selects and the paths into them.
            _tab = SideTab.Details;
            await SelectAsync(ElementInspector.PolicyId(d.Object), center: false);
            return;
        }

        var pathId = d.Paths.FirstOrDefault();
        if (pathId is null || !await EnsureVisibleAsync(pathId))
        {
            return;
        }

        var element = _model.ElementFor(pathId, d.Hop);
        _tab = SideTab.Details;
        _selected = element;
        _highlightedPath = pathId;
        _details = element is null ? null : ElementInspector.Describe(Analysis, _model, element);
        _selectedTargets = element is not null && _model.FindNode(element) is { } node ? TraceSuggestions.TargetsFor(Analysis, node) : [];
        StateHasChanged();
        await RefocusAsync(center: true);
    }

    private async Task OnTracedAsync(TraceResult result)
    {
        if (_canvas is null)
        {
            return;
        }

        if (result.PathId is not { } pathId || !await EnsureVisibleAsync(pathId))
        {
            await _canvas.ClearAsync();
            return;
        }

        _highlightedPath = null;
        var steps = _model.PathSteps[pathId];
        var dropped = result.DroppedAt is { } hop ? steps.Select((s, i) => (s, i)).Where(x => x.s.Hop == hop).Select(x => (int?)x.i).FirstOrDefault() : null;
        await _canvas.PlayTraceAsync(steps, dropped);
    }

    // ------------------------------------------------------------------ toolbar

    private Task OnNamespacesChanged(IEnumerable<string>? namespaces)
    {
        _view = _view with { Namespaces = (namespaces ?? []).ToImmutableHashSet(StringComparer.Ordinal) };
        return RefreshAsync(fit: true);
    }

    private Task OnExposuresChanged(IEnumerable<Exposure>? exposures)
    {
        _view = _view with { Exposures = [.. exposures ?? []] };
        return RefreshAsync(fit: true);
    }

    private async Task OnSearchInput(ChangeEventArgs e)
    {
        _search = e.Value?.ToString() ?? "";
        if (_searchDelay is not null)
        {
            await _searchDelay.CancelAsync();
            _searchDelay.Dispose();
        }

        _searchDelay = new CancellationTokenSource();
        var token = _searchDelay.Token;
        try
        {
            // Wait for a pause in typing: each keystroke would otherwise rebuild the graph.
            await Task.Delay(250, token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        _view = _view with { Search = _search };
        await RefreshAsync(fit: true);
    }

    private async Task ClearFiltersAsync()
    {
        _search = "";
        _view = _view with { Namespaces = _view.Namespaces.Clear(), Exposures = [], Search = "" };
        await RefreshAsync(fit: true);
    }

    private Task FitAsync() => _canvas?.FitAsync() ?? Task.CompletedTask;

    private Task ExportAsync(string format) => _canvas?.ExportAsync(format) ?? Task.CompletedTask;

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString("N0", CultureInfo.InvariantCulture)} {noun}s";

    public async ValueTask DisposeAsync()
    {
        Preview.Changed -= OnPreviewChanged;
        await _cts.CancelAsync();
        _subscription?.Dispose();
        if (_follow is not null)
        {
            await _follow;
        }

        _searchDelay?.Dispose();
        _cts.Dispose();
    }
}
