using Microsoft.Playwright;

namespace PortMapper.EndToEnd;

/// <summary>A page in its own browser context, recording everything that went wrong while it was open.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _problems = [];

    internal BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Record($"console error: {message.Text} (at {message.Location})");
            }
        };
        page.PageError += (_, error) => Record($"uncaught error: {error}");
        page.RequestFailed += (_, request) => Record($"request failed: {request.Method} {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Record($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>The answer to the first navigation.</summary>
    public IResponse? Response { get; internal set; }

    /// <summary>Console errors, uncaught exceptions, failed requests and HTTP errors, in order.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Waits until Blazor's circuit has rendered the layout interactively (MainLayout's data-interactive).</summary>
    public Task WaitForInteractiveAsync() =>
        Page.Locator(".pm-layout[data-interactive=true]").WaitForAsync();

    public Task<string> SaveScreenshotAsync(string name) => PortMapperAppFixture.SaveScreenshotAsync(Page, name);

    public ValueTask DisposeAsync() => new(_context.CloseAsync());

    private void Record(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }
}
