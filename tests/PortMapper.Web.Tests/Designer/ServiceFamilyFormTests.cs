using System.Text.Json.Nodes;
using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Web.Components.Designer;
using PortMapper.Web.Designer;
using PortMapper.Web.Security;

namespace PortMapper.Web.Tests.Designer;

/// <summary>The Service form's address options (families, trafficDistribution, unready endpoints, loadBalancerClass) over the dual-stack demo.</summary>
public sealed class ServiceFamilyFormTests : DesignerTestContext
{

    [Fact]
    public async Task PreferDualStack_IsWrittenAndTheHintSaysTheDemoHasBothRanges()
    {
        var json = Service("{selector: {app: search}, ports: [{port: 80}]}");
        var form = Render(json);
        Assert.Contains("One cluster IP, of the primary family", Field(form, "spec.ipFamilyPolicy"), StringComparison.Ordinal);

        await Choose(form, "ipFamilyPolicy", IpFamilyPolicies.PreferDualStack);

        Assert.Equal("PreferDualStack", (string?)json["spec"]!["ipFamilyPolicy"]);
        Assert.Null(json["spec"]!["ipFamilies"]);
        Assert.Contains("This cluster serves IPv4 and IPv6 Services (IPv4 first).", Field(form, "spec.ipFamilyPolicy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrimaryIpv6_TheWrittenFamiliesFollowThePolicy()
    {
        var json = Service("{selector: {app: search}, ports: [{port: 80}]}");
        var form = Render(json);
        Assert.Equal("cluster default (IPv4)", form.Find("[data-field='spec.ipFamilies'] input").GetAttribute("value"));

        await Choose(form, "Primary IP family", IpFamily.V6);
        Assert.Equal(["IPv6"], Families(json));

        await Choose(form, "ipFamilyPolicy", IpFamilyPolicies.RequireDualStack);
        Assert.Equal(["IPv6", "IPv4"], Families(json));

        await Choose(form, "ipFamilyPolicy", IpFamilyPolicies.SingleStack);
        Assert.Equal(["IPv6"], Families(json));
        Assert.Equal("SingleStack", (string?)json["spec"]!["ipFamilyPolicy"]);

        await Choose(form, "Primary IP family", "");
        Assert.Null(json["spec"]!["ipFamilies"]);
    }

    [Fact]
    public async Task TrafficDistributionAndUnreadyEndpoints_AreWrittenAndCleared()
    {
        var json = Service("{selector: {app: search}, ports: [{port: 80}]}");
        var form = Render(json);

        await Choose(form, "trafficDistribution", TrafficDistributions.PreferSameZone);
        Assert.Equal("PreferSameZone", (string?)json["spec"]!["trafficDistribution"]);
        Assert.Contains("prefers endpoints in its own zone", Field(form, "spec.trafficDistribution"), StringComparison.Ordinal);
        await Choose(form, "trafficDistribution", "");
        Assert.Null(json["spec"]!["trafficDistribution"]);

        var publish = form.FindComponents<MudSwitch<bool>>().Single(s => (string?)s.Instance.UserAttributes.GetValueOrDefault("aria-label") == "publishNotReadyAddresses");
        await form.InvokeAsync(() => publish.Instance.ValueChanged.InvokeAsync(true));
        Assert.True((bool)json["spec"]!["publishNotReadyAddresses"]!);
    }

    [Fact]
    public void LoadBalancerClass_OnlyForLoadBalancers_WrittenTrimmed()
    {
        var clusterIp = Render(Service("{selector: {app: search}, ports: [{port: 80}]}"));
        Assert.Empty(clusterIp.FindAll("[data-field='spec.loadBalancerClass']"));

        var json = Service("{type: LoadBalancer, selector: {app: search}, ports: [{port: 80}]}");
        var form = Render(json);
        form.Find("#svc-lbclass").Change(" example.com/internal-lb ");

        Assert.Equal("example.com/internal-lb", (string?)json["spec"]!["loadBalancerClass"]);
    }

    [Fact]
    public void Designer_ExistingSearchMadeIpv6First_ShowsTheApiServersRefusal()
    {
        var pane = Render<DesignerPane>(p => p.Add(d => d.ValidationDelay, TimeSpan.Zero).Add(d => d.From, "Service/shop/search"));
        pane.WaitForAssertion(() => Assert.NotNull(pane.Find("[data-item='Service/shop/search']")));
        var ip = Demo.Snapshot.Services[new ObjectKey("shop", "search")].ClusterIps[0];

        var select = pane.FindComponents<DzSelect<string>>().Single(s => (string?)s.Instance.Attributes?.GetValueOrDefault("aria-label") == "Primary IP family");
        pane.InvokeAsync(() => select.Instance.Changed.InvokeAsync(IpFamily.V6));

        pane.WaitForAssertion(() => Assert.Contains(
            $"spec.clusterIPs[0]: Invalid value: \"{ip}\": expected an IPv6 value as indicated by `ipFamilies[0]`",
            pane.Find("[data-field='spec.ipFamilies'] .pm-dz-msg.pm-dz-error").TextContent, StringComparison.Ordinal));
    }

    private IRenderedComponent<ServiceForm> Render(JsonObject json) =>
        Render<ServiceForm>(p => p.Add(f => f.Json, json).Add(f => f.Cluster, Demo.Snapshot));

    private static Task Choose(IRenderedComponent<ServiceForm> form, string label, string value)
    {
        var select = form.FindComponents<DzSelect<string>>().Single(s => (string?)s.Instance.Attributes?.GetValueOrDefault("aria-label") == label);
        return form.InvokeAsync(() => select.Instance.Changed.InvokeAsync(value));
    }

    private static string Field(IRenderedComponent<ServiceForm> form, string path) => form.Find($"[data-field='{path}']").TextContent;

    private static string[] Families(JsonObject json) => [.. json["spec"]!["ipFamilies"]!.AsArray().Select(f => (string?)f ?? "")];

    private static JsonObject Service(string spec) =>
        (JsonObject)YamlToJson.Parse($$"""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {{spec}}
            """, "test")[0].Root!;
}
