using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.JSInterop;
using MudBlazor;

namespace PortMapper.Web.Components.Layout;

/// <summary>
/// The app shell: app bar, the theme, and the About dialog. The theme is dark when the person chose dark (a cookie),
/// or chose nothing and their system prefers dark. The choice is read while prerendering — from the cookie, or from
/// Chromium's Sec-CH-Prefers-Color-Scheme hint, which <see cref="Hosting.PortMapperHost"/> asks for — and carried into
/// the circuit, so the first paint already has the right colours. Without a hint, the circuit asks the browser and
/// then follows system changes. A cookie rather than localStorage because the server must know it before any script runs.
/// </summary>
public sealed partial class MainLayout : IAsyncDisposable
{
    private MudThemeProvider? _themeProvider;
    private IJSObjectReference? _module;
    private bool _watching;

    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    /// <summary>"light" or "dark" when chosen with the toggle; null: follow the system.</summary>
    [PersistentState]
    public string? Choice { get; set; }

    /// <summary>What the system prefers, as far as the server knows (null: unknown until the browser says).</summary>
    [PersistentState]
    public bool? SystemDark { get; set; }

    private bool Dark => Choice switch
    {
        "dark" => true,
        "light" => false,
        _ => SystemDark ?? false,
    };

    protected override void OnInitialized()
    {
        if (HttpContext is { } http)
        {
            Choice ??= ThemeChoice.Parse(http.Request.Cookies[PortMapperTheme.Cookie]);
            SystemDark ??= ThemeChoice.SystemPrefersDark(http.Request.Headers[ThemeChoice.ClientHint]);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive || _themeProvider is null)
        {
            return;
        }

        try
        {
            // The page's own media query is the truth; the hint can be missing or stale (an emulated preference).
            var systemDark = await _themeProvider.GetSystemDarkModeAsync();
            if (systemDark != SystemDark)
            {
                SystemDark = systemDark;
                StateHasChanged();
            }

            await _themeProvider.WatchSystemDarkModeAsync(OnSystemDarkModeChanged);
            _watching = true;
        }
        catch (JSDisconnectedException)
        {
            // The page went away.
        }
    }

    private Task OnSystemDarkModeChanged(bool dark)
    {
        SystemDark = dark;
        return InvokeAsync(StateHasChanged);
    }

    private async Task ToggleThemeAsync()
    {
        Choice = Dark ? "light" : "dark";
        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/theme.js");
            await _module.InvokeVoidAsync("remember", PortMapperTheme.Cookie, Choice);
        }
        catch (JSException)
        {
            // Remembering is a convenience; the page has switched anyway.
        }
        catch (JSDisconnectedException)
        {
        }
    }

    private Task ShowAboutAsync() =>
        Dialogs.ShowAsync<AboutDialog>("About PortMapper", new DialogOptions { MaxWidth = MaxWidth.ExtraSmall, FullWidth = true, CloseOnEscapeKey = true, CloseButton = true });

    public async ValueTask DisposeAsync()
    {
        _ = _watching;
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }
}

/// <summary>Reading the theme choice and the system preference from a request.</summary>
public static class ThemeChoice
{
    /// <summary>The user-agent client hint with the system's colour preference ("light" or "dark").</summary>
    public const string ClientHint = "Sec-CH-Prefers-Color-Scheme";

    /// <summary>"light" or "dark"; anything else (absent, tampered) is no choice.</summary>
    public static string? Parse(string? cookie) => cookie switch
    {
        "dark" => "dark",
        "light" => "light",
        _ => null,
    };

    /// <summary>True or false from the hint's value ("dark", with or without quotes); null without a usable hint.</summary>
    public static bool? SystemPrefersDark(string? hint) => hint?.Trim().Trim('"') switch
    {
        "dark" => true,
        "light" => false,
        _ => null,
    };
}
