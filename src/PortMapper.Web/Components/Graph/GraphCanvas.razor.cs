using System.Collections.Immutable;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using PortMapper.Web.Graph;

namespace PortMapper.Web.Components.Graph;

/// <summary>
/// The Cytoscape drawing of a <see cref="GraphModel"/>. The page pushes models with <see cref="ShowAsync"/>; the
/// canvas sends the browser only what changed (a <see cref="GraphDiff"/>). Calls are serialized, and a lost
/// circuit ends them quietly.
/// </summary>
public sealed partial class GraphCanvas : IAsyncDisposable
{
    /// <summary>The ES module beside this component (a collocated static web asset).</summary>
    public const string ModulePath = "./Components/Graph/GraphCanvas.razor.js";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ElementReference _container;
    private IJSObjectReference? _module;
    private DotNetObjectReference<GraphCanvas>? _self;
    private GraphModel? _shown;
    private GraphModel? _requested;
    private bool _fitRequested;
    private long _version;
    private string? _error;
    private bool _disposed;

    [Inject]
    public required IJSRuntime JS { get; init; }

    /// <summary>A click (or Enter) on an element: its id.</summary>
    [Parameter]
    public EventCallback<string> OnTap { get; set; }

    /// <summary>An element selected with the arrow keys: its id.</summary>
    [Parameter]
    public EventCallback<string> OnFocus { get; set; }

    /// <summary>A click on the empty background, or Escape.</summary>
    [Parameter]
    public EventCallback OnBackground { get; set; }

    /// <summary>The page's theme (MainLayout cascades it): the graph is drawn in its palette, and re-coloured when it changes.</summary>
    [CascadingParameter(Name = "DarkTheme")]
    public bool Dark { get; set; }

    private bool? _drawnDark;

    /// <summary>The renderer the browser used ("canvas" or "webgl"), once the graph exists.</summary>
    public string? Renderer { get; private set; }

    /// <summary>Draws <paramref name="model"/>: the first time in full, later as the difference to what is shown.</summary>
    /// <param name="model">The elements to show.</param>
    /// <param name="fit">Zoom to show the whole graph afterwards (after a filter changed, not after a live change).</param>
    public Task ShowAsync(GraphModel model, bool fit = false)
    {
        // Calls can overtake each other while they wait for the gate: whichever runs shows the newest model.
        _requested = model;
        _fitRequested |= fit;
        return RunAsync(async module =>
        {
            var target = _requested;
            var fitNow = _fitRequested;
            if (target is null || (ReferenceEquals(target, _shown) && !fitNow))
            {
                return;
            }

            _version++;
            if (_shown is null)
            {
                var dark = Dark;
                var result = await module.InvokeAsync<CreateResult>("create", _container, _self, new { nodes = target.Nodes, edges = target.Edges }, new { version = _version, palette = Layout.PortMapperTheme.Graph(dark) });
                _drawnDark = dark;
                Renderer = result?.Renderer;
            }
            else
            {
                var diff = GraphDiff.Between(_shown, target);
                if (!diff.IsEmpty || fitNow)
                {
                    await module.InvokeVoidAsync("update", _container, diff, new { version = _version, fit = fitNow, animate = true });
                }
            }

            _shown = target;
            _fitRequested = false;
        });
    }

    protected override Task OnParametersSetAsync() =>
        _drawnDark is { } drawn && drawn != Dark ? RecolourAsync() : Task.CompletedTask;

    private Task RecolourAsync() => RunAsync(async module =>
    {
        var dark = Dark;
        if (_drawnDark != dark)
        {
            await module.InvokeVoidAsync("setPalette", _container, Layout.PortMapperTheme.Graph(dark));
            _drawnDark = dark;
        }
    });

    /// <summary>Selects <paramref name="id"/> (null: nothing) and highlights <paramref name="paths"/> end to end.</summary>
    public Task FocusAsync(string? id, IEnumerable<string> paths, bool center) =>
        RunAsync(module => module.InvokeVoidAsync("focus", _container, id, paths.ToArray(), center).AsTask());

    /// <summary>
    /// Lights a traced request's steps one after the other; from <paramref name="droppedAt"/> (a step index) on, the
    /// steps and the edges into them are drawn blocked: the request stops there.
    /// </summary>
    public Task PlayTraceAsync(ImmutableArray<GraphPathStep> steps, int? droppedAt = null) =>
        RunAsync(module => module.InvokeVoidAsync("playTrace", _container, steps.Select(s => s.Elements).ToArray(), droppedAt).AsTask());

    public Task ClearAsync() => RunAsync(module => module.InvokeVoidAsync("clear", _container).AsTask());

    public Task FitAsync() => RunAsync(module => module.InvokeVoidAsync("fit", _container).AsTask());

    /// <summary>Downloads the graph as "png" or "svg".</summary>
    public Task ExportAsync(string format) => RunAsync(module =>
        module.InvokeVoidAsync(format == "svg" ? "exportSvg" : "exportPng", _container, $"portmapper-graph.{format}").AsTask());

    [JSInvokable]
    public Task OnElementTap(string id) => OnTap.InvokeAsync(id);

    [JSInvokable]
    public Task OnElementFocus(string id) => OnFocus.InvokeAsync(id);

    [JSInvokable]
    public Task OnBackgroundTap() => OnBackground.InvokeAsync();

    private async Task RunAsync(Func<IJSObjectReference, Task> action)
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            if (_module is null)
            {
                _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
                _self = DotNetObjectReference.Create(this);
            }

            await action(_module);
            if (_error is not null)
            {
                _error = null;
                StateHasChanged();
            }
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone; nothing is left to draw on.
        }
        catch (JSException e)
        {
            _error = e.Message;
            StateHasChanged();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            if (_module is not null)
            {
                try
                {
                    await _module.InvokeVoidAsync("dispose", _container);
                    await _module.DisposeAsync();
                }
                catch (JSDisconnectedException)
                {
                    // The circuit is gone and the page with it.
                }
            }

            _self?.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What the module's create() answers.</summary>
    public sealed record CreateResult(string Renderer);
}
