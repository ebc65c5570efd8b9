using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Web.Designer;
using PortMapper.Web.Security;

namespace PortMapper.Web.Tests.Designer;

/// <summary>
/// A bUnit context for the designer's components over a fresh demo cluster, interactive as on the server, with an
/// apply guard that allows everything unless a test passes its own. MudBlazor's services dispose only
/// asynchronously, so xUnit disposes the context through IAsyncLifetime.
/// </summary>
public abstract class DesignerTestContext : BunitContext, IAsyncLifetime
{
    protected DesignerTestContext(IApplyGuard? guard = null)
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        Services.AddLogging();
        Services.AddSingleton(new LiveAnalysis(Demo));
        Services.AddSingleton(guard ?? new AllowAll());
        Services.AddScoped<DesignPreview>();
        AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected DemoCluster Demo { get; } = DemoCluster.CreateDefault();

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    private sealed class AllowAll : IApplyGuard
    {
        public ApplyDecision Check(ClaimsPrincipal user, bool dryRun) => ApplyDecision.Allow;

        public void Audit(ClaimsPrincipal user, IReadOnlyList<ApplyObjectResult> results, bool dryRun)
        {
        }
    }
}
