using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.Extensions.Logging;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using PortMapper.Web.Hosting;
using PortMapper.Web.Security;
using PortMapper.Web.Tests.Support;

namespace PortMapper.Web.Tests.Security;

public sealed class ApplyGuardTests
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());
    private static readonly ClaimsPrincipal Alice = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice@example.com")], "oidc"));

    [Theory]
    [InlineData("--urls", "http://0.0.0.0:8080")]
    [InlineData("--urls", "http://127.0.0.1:5000")]
    public void Check_DemoSandbox_AllowsAnyone(params string[] args)
    {
        var (guard, _) = Guard(DemoCluster.CreateDefault(), args);

        Assert.True(guard.Check(Anonymous, dryRun: false).Allowed);
    }

    [Fact]
    public void Check_RealClusterWithoutAllowApply_IsReadOnlyAndSaysHowToEnableIt()
    {
        var (guard, logs) = Guard(new FakeLiveCluster(), "--urls", "http://127.0.0.1:5000");

        var decision = guard.Check(Alice, dryRun: true);

        Assert.False(decision.Allowed);
        Assert.Equal("PortMapper is read-only against this cluster. To enable apply and dry run, restart it with --allow-apply.", decision.Reason);
        var line = Assert.Single(logs.Entries, e => e.Category == SourceApplyGuard.AuditCategory);
        Assert.Equal("ApplyRefused", line.EventId.Name);
        Assert.Equal("alice@example.com", line.State["User"]);
        Assert.Equal(true, line.State["DryRun"]);
    }

    [Fact]
    public void Check_RealClusterReadOnlySourceEvenWithAllowApply_IsRefused()
    {
        var (guard, _) = Guard(new FakeLiveCluster(canApply: false), "--allow-apply", "--urls", "http://127.0.0.1:5000");

        Assert.False(guard.Check(Alice, dryRun: false).Allowed);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://localhost:5000;http://[::1]:5000")]
    public void Check_AllowApplyOnLoopbackOnly_AllowsTheLocalUserWithoutSignIn(string urls)
    {
        var (guard, _) = Guard(new FakeLiveCluster(), "--allow-apply", "--urls", urls);

        Assert.True(guard.Check(Anonymous, dryRun: false).Allowed);
    }

    [Fact]
    public void Check_AllowApplyOnLoopbackBehindAProxy_NeedsSignIn()
    {
        var (guard, _) = Guard(new FakeLiveCluster(), "--allow-apply", "--urls", "http://127.0.0.1:5000", "--path-base", "/portmapper");

        var decision = guard.Check(Anonymous, dryRun: false);

        Assert.False(decision.Allowed);
        Assert.Contains("no sign-in is set up", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AllowApplyOnAllAddressesWithoutSignIn_SaysWhichOptionsToAdd()
    {
        var (guard, _) = Guard(new FakeLiveCluster(), "--allow-apply", "--urls", "http://0.0.0.0:8080");

        var decision = guard.Check(Alice, dryRun: false);

        Assert.False(decision.Allowed);
        Assert.Equal(
            "Apply needs a signed-in person because PortMapper listens on http://0.0.0.0:8080, but no sign-in is set up. Restart it with --apply-token-file <path>, " +
            "or --oidc-authority <issuer-url> --oidc-client-id <id> with the client secret in $PORTMAPPER_OIDC_CLIENT_SECRET, or listen on 127.0.0.1 only.",
            decision.Reason);
    }

    [Fact]
    public void Check_SignInSetUpButAnonymous_AsksToSignIn()
    {
        using var token = TokenFile.Create();
        var (guard, _) = Guard(new FakeLiveCluster(), "--allow-apply", "--urls", "http://0.0.0.0:8080", "--apply-token-file", token.Path, "--path-base", "/portmapper");

        var decision = guard.Check(Anonymous, dryRun: false);

        Assert.False(decision.Allowed);
        Assert.Equal("Sign in to apply: open /portmapper/signin; API clients send the header 'Authorization: Bearer <token>' with the token from --apply-token-file.", decision.Reason);
    }

    [Fact]
    public void Check_SignInSetUpAndSignedIn_Allows()
    {
        using var token = TokenFile.Create();
        var (guard, _) = Guard(new FakeLiveCluster(), "--allow-apply", "--urls", "http://0.0.0.0:8080", "--apply-token-file", token.Path);

        Assert.True(guard.Check(Alice, dryRun: false).Allowed);
        Assert.True(guard.Check(ApplyTokenFile.Principal(), dryRun: true).Allowed);
    }

    [Fact]
    public void Preview_Refused_RecordsNothing()
    {
        var (guard, logs) = Guard(new FakeLiveCluster(), "--urls", "http://127.0.0.1:5000");

        Assert.False(guard.Preview(Alice).Allowed);
        Assert.Empty(logs.Entries);
    }

    [Fact]
    public void Audit_AnApply_WritesOneStructuredLineWithWhoWhatDryRunAndResult()
    {
        var (guard, logs) = Guard(new FakeLiveCluster(), "--allow-apply", "--urls", "http://127.0.0.1:5000");
        ImmutableArray<ApplyObjectResult> results =
        [
            new(new ObjectRef("Service", "shop", "web"), ApplyOutcome.Configured, 200, "configured"),
            new(new ObjectRef("Deployment", "shop", "web"), ApplyOutcome.Created, 201, "created"),
        ];

        guard.Audit(Alice, results, dryRun: false);

        var line = Assert.Single(logs.Entries);
        Assert.Equal(SourceApplyGuard.AuditCategory, line.Category);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("ApplyAudit", line.EventId.Name);
        Assert.Equal("alice@example.com", line.State["User"]);
        Assert.Equal("oidc", line.State["AuthMethod"]);
        Assert.Equal(false, line.State["DryRun"]);
        Assert.Equal("kubeconfig", line.State["Cluster"]);
        Assert.Equal("Service shop/web, Deployment shop/web", line.State["Objects"]);
        Assert.Equal("1 created, 1 configured", line.State["Result"]);
        Assert.Equal("Apply audit: user=alice@example.com via=oidc dryRun=False cluster=kubeconfig objects=Service shop/web, Deployment shop/web result=1 created, 1 configured", line.Message);
    }

    [Fact]
    public void Audit_ADryRunWithAConflict_IsAWarning()
    {
        var (guard, logs) = Guard(new FakeLiveCluster(), "--allow-apply", "--urls", "http://127.0.0.1:5000");

        guard.Audit(Anonymous, [new(new ObjectRef("Service", "shop", "web"), ApplyOutcome.Conflict, 409, "conflict")], dryRun: true);

        var line = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal("(local user)", line.State["User"]);
        Assert.Equal(true, line.State["DryRun"]);
        Assert.Equal("1 conflict", line.State["Result"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://127.8.9.1:5000", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://[::1]:5000", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://10.1.2.3:8080", false)]
    [InlineData("http://unix:/tmp/portmapper.sock", false)]
    public void IsLoopback_ListenAddress_OnlyForThisMachine(string url, bool loopback)
    {
        Assert.Equal(loopback, ApplyAccessPolicy.IsLoopback(url));
    }

    private static (SourceApplyGuard Guard, CapturedLogs Logs) Guard(IClusterSource source, params string[] args)
    {
        var options = PortMapperOptions.Parse(args);
        var logs = new CapturedLogs();
        var policy = ApplyAccessPolicy.Create(options, options.Urls);
        return (new SourceApplyGuard(new LiveAnalysis(source), policy, LoggerFactory.Create(b => b.AddProvider(logs))), logs);
    }
}
