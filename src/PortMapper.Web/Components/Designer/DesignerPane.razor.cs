using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Design;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using PortMapper.Web.Designer;
using PortMapper.Web.Security;
using MudBlazor;

namespace PortMapper.Web.Components.Designer;

/// <summary>
/// The manifest designer: forms over a set of objects, validated as you type, with the YAML, the what-if against the
/// live cluster, and server-side dry run and apply. A component of its own so that it can sit beside the graph too.
/// </summary>
public sealed partial class DesignerPane : IAsyncDisposable
{
    /// <summary>The largest YAML file the import accepts.</summary>
    internal const long MaxImportBytes = 1024 * 1024;

    private readonly List<DesignItem> _items = [];
    private readonly CancellationTokenSource _cts = new();
    private DesignItem? _selected;
    private long _edit;
    private DesignCheck _check = null!;
    private CancellationTokenSource? _debounce;
    private BeforeAnalysis? _before;
    private IDisposable? _subscription;
    private Task? _follow;
    private IJSObjectReference? _module;

    private ApplyRun? _run;
    private ApplyRun? _dryRunOk;
    private bool _busy;
    private bool _createNamespaces;
    private string? _notice;
    private string? _error;
    private int _tab;

    private bool _showImport;
    private string _importText = "";
    private string? _importError;
    private string? _exportNamespace;
    private string? _copyStatus;
    private (long Edit, string Yaml)? _yaml;
    private string? _loadedFrom;
    private (ClusterSnapshot Snapshot, PickItem[] Items)? _startable;

    [Inject]
    public required LiveAnalysis Live { get; init; }

    [Inject]
    public required IApplyGuard Guard { get; init; }

    [Inject]
    public required DesignPreview Preview { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    // Optional (Services is injected below), so that the pane renders in component tests without MudBlazor's snackbar.

    private ISnackbar? Snackbar => Services.GetService<ISnackbar>();

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    [Inject]
    public required ILogger<DesignerPane> Logger { get; init; }

    /// <summary>Start from this cluster object: <c>Kind/namespace/name</c> (or <c>Kind/name</c> for cluster-scoped kinds).</summary>
    [Parameter]
    public string? From { get; set; }

    /// <summary>How long typing must pause before the design is checked again.</summary>
    [Parameter]
    public TimeSpan ValidationDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long cluster changes are collected before the design is checked against them.</summary>
    private static readonly TimeSpan LiveDelay = TimeSpan.FromSeconds(1);

    private ClusterSnapshot Snapshot => Live.Current.Analysis.Snapshot;

    /// <summary>Read at each use: a kubeconfig context switch replaces the source while the designer is open.</summary>
    private IClusterSource Source => Live.Source;

    private string Yaml
    {
        get
        {
            if (_yaml is not { } y || y.Edit != _edit)
            {
                _yaml = (_edit, YamlWriter.WriteAll(_items.Select(i => YamlWriter.Clean(i.Json))));
            }

            return _yaml.Value.Yaml;
        }
    }

    private bool CanApply => !_busy && _dryRunOk is { } ok && ok.Yaml == Yaml && ok.CreateNamespaces == _createNamespaces;

    private ImmutableArray<string> MissingNamespaces
    {
        get
        {
            var known = Snapshot.NamespaceNames();
            return [.. _items.Select(i => i.Ref.Namespace)
                .Where(ns => ns.Length > 0 && !known.Contains(ns) && !_items.Any(o => o.Kind == "Namespace" && o.Ref.Name == ns))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)];
        }
    }

    protected override void OnInitialized()
    {
        _check = DesignCheck.Empty(Snapshot);
        if (RendererInfo.IsInteractive)
        {
            var (reader, handle) = Live.Subscribe();
            _subscription = handle;
            _follow = FollowAsync(reader, _cts.Token);
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        // A link to /designer?from=... while the designer is open reuses this component: load each new object once.
        if (RendererInfo.IsInteractive && !string.IsNullOrWhiteSpace(From) && From != _loadedFrom)
        {
            _loadedFrom = From;
            await StartFromAsync(From);
        }
    }

    private async Task FollowAsync(ChannelReader<AnalysisUpdate> reader, CancellationToken token)
    {
        try
        {
            await foreach (var _ in reader.ReadAllAsync(token))
            {
                // A busy cluster changes often; re-checking the design once a second is enough to stay current.
                await InvokeAsync(() => ScheduleCheck(ValidationDelay > LiveDelay ? ValidationDelay : LiveDelay));
            }
        }
        catch (OperationCanceledException)
        {
            // The pane was closed.
        }
    }

    // ------------------------------------------------------------------ the design

    private void Add(JsonObject json, DesignOrigin origin)
    {
        var reference = ManifestValidator.Describe(json);
        var same = _items.FindIndex(i => i.Ref == reference && reference.Name.Length > 0);
        var item = new DesignItem(json, origin);
        if (same >= 0)
        {
            _items[same] = item;
        }
        else
        {
            _items.Add(item);
        }

        _selected = item;
        Changed();
    }

    private void Select(DesignItem item) => _selected = item;

    private void Remove(DesignItem item)
    {
        var index = _items.IndexOf(item);
        _items.Remove(item);
        if (_selected == item)
        {
            _selected = _items.Count == 0 ? null : _items[Math.Min(index, _items.Count - 1)];
        }

        Changed();
    }

    private void ClearDesign()
    {
        _items.Clear();
        _selected = null;
        _run = null;
        Changed();
    }

    private void NewObject(string kind)
    {
        var ns = _selected?.Ref.Namespace is { Length: > 0 } selectedNs ? selectedNs : "default";
        var snapshot = _check.After;
        bool Taken(string name) =>
            _items.Any(i => i.Kind == kind && i.Ref.Name == name && i.Ref.Namespace == ns) ||
            snapshot.AllObjects().Any(o => o.Kind == kind && o.Metadata.Name == name && o.Metadata.Namespace == ns);
        Add(DesignTemplates.Scratch(kind, ns, Taken, snapshot), DesignOrigin.Scratch);
        _notice = null;
    }

    private void Expose(DesignItem workload)
    {
        var ns = workload.Ref.Namespace;
        var service = DesignTemplates.Expose(workload.Json, name =>
            _items.Any(i => i.Kind == "Service" && i.Ref.Namespace == ns && i.Ref.Name == name) ||
            Snapshot.Services.ContainsKey(new ObjectKey(ns, name)));
        if (service is null)
        {
            _error = $"{workload.Ref} has no pod labels to select: add a pod label first, then expose it.";
            return;
        }

        Add(service, DesignOrigin.Scratch);
    }

    /// <summary>Called by every form after it changed the selected object.</summary>
    private void Changed()
    {
        if (_selected is { } selected)
        {
            KeyOrder.Normalize(selected.Json);
        }

        _edit++;
        ScheduleCheck();
    }

    private void ScheduleCheck() => ScheduleCheck(ValidationDelay);

    private void ScheduleCheck(TimeSpan delay)
    {
        _debounce?.Cancel();
        _debounce?.Dispose();
        _debounce = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
        _ = CheckAfterAsync(delay, _debounce.Token);
    }

    private async Task CheckAfterAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, token);
            }

            if (_items.Count == 0)
            {
                // Nothing designed: nothing to analyse, and nothing for the graph to overlay.
                await InvokeAsync(() =>
                {
                    _check = DesignCheck.Empty(Snapshot);
                    Publish();
                    StateHasChanged();
                });
                return;
            }

            var edit = _edit;
            var items = _items.Select(i => (i.Id, (JsonObject)i.Json.DeepClone())).ToList();
            var snapshot = Snapshot;
            var check = await Task.Run(() => DesignCheck.Run(edit, items, snapshot, Before(snapshot)), token);
            token.ThrowIfCancellationRequested();
            await InvokeAsync(() =>
            {
                _check = check;
                Publish();
                StateHasChanged();
            });
        }
        catch (OperationCanceledException)
        {
            // A newer edit replaced this check, or the pane was closed.
        }
        catch (ObjectDisposedException)
        {
            // The pane was closed while checking.
        }
    }

    /// <summary>The analysis of the cluster as it is, made the same way as the what-if's (kept while the snapshot stays).</summary>
    private ClusterAnalysis Before(ClusterSnapshot snapshot)
    {
        // Read and written from checks running on the thread pool: one reference, swapped whole.
        if (_before is { } cached && ReferenceEquals(cached.Snapshot, snapshot))
        {
            return cached.Analysis;
        }

        var analysis = ClusterAnalyzer.Analyze(snapshot);
        _before = new BeforeAnalysis(snapshot, analysis);
        return analysis;
    }

    private sealed record BeforeAnalysis(ClusterSnapshot Snapshot, ClusterAnalysis Analysis);

    private void Publish()
    {
        if (_items.Count == 0 || _check.WhatIf is not { } whatIf)
        {
            Preview.Clear();
            return;
        }

        Preview.Show(whatIf.After, whatIf.AddedIds, whatIf.RemovedIds, whatIf.ChangedIds);
    }

    // ------------------------------------------------------------------ starting points

    private async Task StartFromAsync(string from)
    {
        var parts = from.Split('/');
        if (parts.Length is not (2 or 3) || parts.Any(p => p.Length == 0))
        {
            _error = $"Cannot start from \"{from}\": write it as Kind/namespace/name, for example Service/default/nginx-service.";
            return;
        }

        var reference = parts.Length == 3 ? new ObjectRef(parts[0], parts[1], parts[2]) : new ObjectRef(parts[0], "", parts[1]);
        await LoadFromClusterAsync(reference);
    }

    private async Task LoadFromClusterAsync(ObjectRef reference)
    {
        _error = null;
        JsonObject? json;
        try
        {
            json = await Source.GetObjectAsync(reference, _cts.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever the cluster client throws, the page stays up and says what failed.
            Logger.LogWarning(e, "Reading {Object} for the designer failed", reference);
            _error = $"Could not read {reference} from the cluster: {e.Message}";
            return;
        }

        if (json is null)
        {
            _error = $"{reference} does not exist in the cluster (it may have been deleted). Pick another object, or start from scratch.";
            return;
        }

        Add(ManifestCleaner.Clean(json), DesignOrigin.Cluster);
        _notice = $"Editing {reference} as the cluster has it; applying changes only the fields you change.";
    }

    private async Task PickAsync(PickItem? item)
    {
        if (item is not null)
        {
            await LoadFromClusterAsync(item.Reference);
        }
    }

    /// <summary>The picker's matches: every word typed must appear in the kind, namespace or name (case-insensitive).</summary>
    private Task<IEnumerable<PickItem>> SearchStartableAsync(string? text, CancellationToken token)
    {
        var words = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        IEnumerable<PickItem> items = Startable();
        if (words.Length > 0)
        {
            items = items.Where(i => words.All(w => i.Label.Contains(w, StringComparison.OrdinalIgnoreCase)));
        }

        return Task.FromResult(items.Take(50));
    }

    private PickItem[] Startable()
    {
        var snapshot = Snapshot;
        if (_startable is not { } cached || !ReferenceEquals(cached.Snapshot, snapshot))
        {
            _startable = cached = (snapshot, [.. ClusterFacts.Startable(snapshot)
                .Select(r => new PickItem($"{r.Kind}/{r.Namespace}/{r.Name}", $"{r.Kind} · {(r.Namespace.Length > 0 ? r.Namespace + "/" : "")}{r.Name}", r))]);
        }

        return cached.Items;
    }

    /// <summary>One entry of the "start from a cluster object" picker.</summary>
    public sealed record PickItem(string Key, string Label, ObjectRef Reference);

    private void Import()
    {
        var parsed = DesignInput.Parse(_importText);
        if (parsed.Error is { } error)
        {
            _importError = $"Nothing was imported: {error.ToString().TrimEnd('.')}.";
            return;
        }

        foreach (var doc in parsed.Documents)
        {
            Add(doc.Object, DesignOrigin.Imported);
        }

        _selected = _items.FirstOrDefault(i => i.Ref == ManifestValidator.Describe(parsed.Documents[0].Object)) ?? _selected;
        _importError = null;
        _importText = "";
        _showImport = false;
        _notice = parsed.Documents.Length == 1 ? "Imported 1 object." : $"Imported {parsed.Documents.Length} objects.";
    }

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        var file = e.File;
        if (file.Size > MaxImportBytes)
        {
            _importError = $"{file.Name} is {file.Size / 1024} KiB; the designer imports files up to {MaxImportBytes / 1024} KiB.";
            return;
        }

        try
        {
            using var reader = new StreamReader(file.OpenReadStream(MaxImportBytes, _cts.Token));
            _importText = await reader.ReadToEndAsync(_cts.Token);
            _importError = null;
            Import();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            _importError = $"Could not read {file.Name}: {ex.Message}";
        }
    }

    private async Task ExportNamespaceAsync(bool download)
    {
        if (_exportNamespace is not { } ns)
        {
            return;
        }

        _error = null;
        var objects = new List<JsonObject>();
        foreach (var reference in NamespaceExport.Select(Snapshot, ns))
        {
            try
            {
                if (await Source.GetObjectAsync(reference, _cts.Token) is { } json)
                {
                    objects.Add(ManifestCleaner.Clean(json));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logger.LogWarning(e, "Reading {Object} for the export of {Namespace} failed", reference, ns);
                _error = $"Could not read {reference} from the cluster, so the export of {ns} stopped: {e.Message}";
                return;
            }
        }

        if (objects.Count == 0)
        {
            _error = $"Namespace {ns} has no Services, Ingresses or workloads to export.";
            return;
        }

        if (download)
        {
            await DownloadAsync($"{ns}-networking.yaml", YamlWriter.WriteAll(objects));
            _notice = $"Downloaded {objects.Count} objects of namespace {ns}.";
        }
        else
        {
            foreach (var o in objects)
            {
                Add(o, DesignOrigin.Cluster);
            }

            _notice = $"Opened {objects.Count} objects of namespace {ns} in the designer.";
        }
    }

    // ------------------------------------------------------------------ YAML out

    private string FileName => _items.Count == 1 ? $"{_items[0].Ref.Name}-{_items[0].Kind.ToLowerInvariant()}.yaml" : "design.yaml";

    private async Task<IJSObjectReference> ModuleAsync() =>
        _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./Components/Designer/DesignerPane.razor.js");

    private async Task CopyAsync()
    {
        try
        {
            var copied = await (await ModuleAsync()).InvokeAsync<bool>("copyText", Yaml);
            _copyStatus = copied ? "Copied." : "The browser did not allow copying: select the text and press Ctrl+C.";
        }
        catch (Exception e) when (e is JSException or TaskCanceledException)
        {
            _copyStatus = $"Could not copy: {e.Message}";
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone.
        }
    }

    private async Task DownloadAsync(string fileName, string text)
    {
        try
        {
            await (await ModuleAsync()).InvokeVoidAsync("downloadText", fileName, text);
        }
        catch (Exception e) when (e is JSException or TaskCanceledException)
        {
            _error = $"Could not start the download: {e.Message}";
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone.
        }
    }

    // ------------------------------------------------------------------ dry run and apply

    private async Task<ClaimsPrincipal> UserAsync()
    {
        if (Services.GetService<AuthenticationStateProvider>() is { } provider)
        {
            try
            {
                return (await provider.GetAuthenticationStateAsync()).User;
            }
            catch (InvalidOperationException)
            {
                // No authentication state in this scope (no authentication configured).
            }
        }

        return new ClaimsPrincipal(new ClaimsIdentity());
    }

    private Task DryRunAsync() => RunAsync(dryRun: true, force: false);

    private Task ApplyAsync() => _dryRunOk is { } ok ? RunAsync(dryRun: false, force: ok.Force) : Task.CompletedTask;

    private async Task ForceAsync()
    {
        var conflicts = _run?.Conflicts ?? [];
        var managers = string.Join(", ", conflicts.Select(c => $"\"{c.Manager}\"").Distinct());
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Take over these fields?",
            $"Forcing takes over {conflicts.Length} field{(conflicts.Length == 1 ? "" : "s")} that {managers} manage{(conflicts.Select(c => c.Manager).Distinct().Count() == 1 ? "s" : "")}. " +
            "Their next apply may set them back (or fail in turn). A dry run with force runs first; Apply stays a separate step.",
            yesText: "Dry run with force", cancelText: "Cancel",
            options: new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        if (confirmed == true)
        {
            await RunAsync(dryRun: true, force: true);
        }
    }

    /// <summary>A one-line summary as a snackbar; the results panel below keeps every object's details.</summary>
    private void Announce(ApplyRun run)
    {
        if (Snackbar is null)
        {
            return;
        }

        var what = run.DryRun ? "Dry run" : "Apply";
        var results = run.Result.Results;
        var failed = results.Count(r => !r.Succeeded);
        var (text, severity) = run.Result.Refused
            ? ($"{what} not allowed: {run.Result.Decision.Reason ?? "this user may not write to the cluster."}", MudBlazor.Severity.Error)
            : failed == 0
                ? ($"{what}: {results.Length} object{(results.Length == 1 ? "" : "s")} {(run.DryRun ? "accepted, nothing stored" : "applied")}.", MudBlazor.Severity.Success)
                : ($"{what}: {failed} of {results.Length} object{(results.Length == 1 ? "" : "s")} refused; see the results.", MudBlazor.Severity.Warning);
        Snackbar.Add(text, severity, o => o.VisibleStateDuration = 6000);
    }

    private async Task RunAsync(bool dryRun, bool force)
    {
        var yaml = Yaml;
        var parsed = DesignInput.Parse(yaml);
        if (parsed.Error is { } error)
        {
            _error = $"The design's YAML cannot be read back ({error}); nothing was sent.";
            return;
        }

        _busy = true;
        _error = null;
        StateHasChanged();
        try
        {
            var user = await UserAsync();
            var options = new ApplyOptions(dryRun, force, CreateNamespaces: _createNamespaces);
            var result = await GuardedApply.RunAsync(Guard, Source, user, parsed.Objects, options, _cts.Token);
            _run = new ApplyRun(dryRun, force, _createNamespaces, yaml, result);
            _dryRunOk = dryRun && _run.Succeeded ? _run : null;
            _tab = 2;
            Announce(_run);
        }
        catch (OperationCanceledException)
        {
            // The pane was closed.
        }
        catch (Exception e)
        {
            // GuardedApply turns unreachable clusters into answers; anything else still must not take the page down.
            Logger.LogError(e, "{Action} from the designer failed", dryRun ? "Dry run" : "Apply");
            _error = $"The {(dryRun ? "dry run" : "apply")} failed before the cluster answered: {e.Message}";
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>The cluster's answer about one designed object, when it is about the YAML shown now.</summary>
    private ApplyObjectResult? ServerResultFor(DesignItem item) =>
        _run is { } run && run.Yaml == Yaml ? run.Result.Results.FirstOrDefault(r => r.Object == item.Ref) : null;

    private FieldMessageIndex MessagesFor(DesignItem item)
    {
        var validation = _check.For(item.Id)?.Findings.Select(FieldMessage.From) ?? [];
        var server = ServerResultFor(item)?.Errors.Select(FieldMessage.From) ?? [];
        IEnumerable<string> visible = FormShape.Problem(item.Json, item.Form) is not null ? [] : item.Form switch
        {
            "Service" => new ServiceEditor(item.Json).VisibleFields(),
            "Ingress" => new IngressEditor(item.Json).VisibleFields(),
            "NetworkPolicy" => new NetworkPolicyEditor(item.Json).VisibleFields(),
            "Gateway" => new GatewayEditor(item.Json).VisibleFields(),
            "HTTPRoute" => new HttpRouteEditor(item.Json).VisibleFields(),
            "Workload" => new WorkloadEditor(item.Json).VisibleFields(),
            _ => [],
        };
        return new FieldMessageIndex(validation.Concat(server), visible.ToList());
    }

    private int ErrorCount(DesignItem item) =>
        (_check.For(item.Id)?.Findings.Count(f => f.Severity == ValidationSeverity.Error) ?? 0) +
        (ServerResultFor(item)?.Errors.Length ?? 0);

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _subscription?.Dispose();
        if (_follow is not null)
        {
            await _follow;
        }

        _debounce?.Dispose();
        Preview.Clear();
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone; so is the module.
            }
        }

        _cts.Dispose();
    }
}
