using System.Text.Json.Nodes;
using Bunit;
using Microsoft.AspNetCore.Components;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Validation;
using PortMapper.Web.Components.Designer;
using PortMapper.Web.Designer;
using PortMapper.Web.Security;

namespace PortMapper.Web.Tests.Designer;

/// <summary>The designer's Gateway and HTTPRoute forms: templates, editing, validation and the what-if on the graph.</summary>
public sealed class GatewayDesignerTests : DesignerTestContext
{

    [Fact]
    public void Templates_NewGatewayAndRoute_AreValidAndWiredToTheCluster()
    {
        var gateway = DesignTemplates.Scratch("Gateway", "shop", _ => false, Demo.Snapshot);
        var route = DesignTemplates.Scratch("HTTPRoute", "shop", _ => false, Demo.Snapshot);

        Assert.Equal("portmapper-demo", (string?)gateway["spec"]!["gatewayClassName"]);
        Assert.Equal("http", (string?)gateway["spec"]!["listeners"]![0]!["name"]);
        Assert.Equal("shop-gateway", (string?)route["spec"]!["parentRefs"]![0]!["name"]);
        Assert.Null(route["spec"]!["parentRefs"]![0]!["namespace"]);
        Assert.Equal("cart", (string?)route["spec"]!["rules"]![0]!["backendRefs"]![0]!["name"]);
        Assert.Equal(8080, (int?)route["spec"]!["rules"]![0]!["backendRefs"]![0]!["port"]);
        Assert.DoesNotContain(ManifestValidator.Validate(gateway), f => f.Severity == ValidationSeverity.Error);
        Assert.DoesNotContain(ManifestValidator.Validate(route), f => f.Severity == ValidationSeverity.Error);
    }

    [Fact]
    public void Validation_RouteWithBadValues_NamesEachField()
    {
        var route = (JsonObject)YamlToJson.Parse("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: shop}
            spec:
              parentRefs: [{name: shop-gateway}]
              hostnames: ["shop.example.com:443"]
              rules:
              - matches: [{path: {type: Prefix, value: /api}}]
                backendRefs: [{name: web, port: 70000}, {name: api, weight: -1, port: 80}, {name: db}]
            """, "route.yaml")[0].Root!;

        var findings = ManifestValidator.Validate(route).Select(f => f.Message).ToList();

        Assert.Contains(findings, f => f.StartsWith("spec.hostnames[0]: Invalid value: \"shop.example.com:443\"", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.StartsWith("spec.rules[0].matches[0].path.type: Unsupported value: \"Prefix\"", StringComparison.Ordinal));
        Assert.Contains("spec.rules[0].backendRefs[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive", findings);
        Assert.Contains("spec.rules[0].backendRefs[1].weight: Invalid value: -1: must be between 0 and 1000000, inclusive", findings);
        Assert.Contains("spec.rules[0].backendRefs[2].port: Required value: must be specified when the referent is a Service", findings);
    }

    [Fact]
    public void RouteEditor_GatewayInAnotherNamespace_WritesItsNamespace_AndHostnames()
    {
        var route = DesignTemplates.Scratch("HTTPRoute", "bank", _ => false, Demo.Snapshot);
        var editor = new HttpRouteEditor(route);

        editor.Gateway = "shop/shop-gateway";
        editor.SectionName = "https";
        editor.SetHostnames(["bank.example.com"]);
        editor.Rules[0].AddBackend("api", "9090");
        editor.Rules[0].Backends[1].Weight = 10;

        var parent = route["spec"]!["parentRefs"]![0]!;
        Assert.Equal(("shop-gateway", "shop", "https"), ((string?)parent["name"], (string?)parent["namespace"], (string?)parent["sectionName"]));
        Assert.Equal("shop/shop-gateway", editor.Gateway);
        Assert.Equal(["bank.example.com"], editor.Hostnames);
        Assert.Equal(10, (int?)route["spec"]!["rules"]![0]!["backendRefs"]![1]!["weight"]);
        Assert.Contains("spec.rules[0].backendRefs[1].weight", editor.VisibleFields());
    }

    [Fact]
    public void GatewayEditor_TcpListener_DropsItsHostname_AndSelectorAdmitsLabelledNamespaces()
    {
        var gateway = DesignTemplates.Scratch("Gateway", "shop", _ => false, Demo.Snapshot);
        var editor = new GatewayEditor(gateway);
        editor.AddListener();
        var https = editor.Listeners[1];
        https.Hostname = "shop.example.com";
        https.From = "Selector";

        Assert.Equal(("https", 443, "HTTPS"), (https.Name, https.Port, https.Protocol));
        Assert.Equal("true", (string?)gateway["spec"]!["listeners"]![1]!["allowedRoutes"]!["namespaces"]!["selector"]!["matchLabels"]!["gateway-access"]);
        https.Protocol = "TCP";
        Assert.Null(gateway["spec"]!["listeners"]![1]!["hostname"]);
        https.From = "Same";
        Assert.Null(gateway["spec"]!["listeners"]![1]!["allowedRoutes"]);
    }

    [Fact]
    public void Designer_FromTheDemosRoute_ShowsItsForm_AndAWeightOfZeroBreaksThatPathInTheWhatIf()
    {
        var preview = Services.GetRequiredService<DesignPreview>();
        var pane = Render<DesignerPane>(p => p.Add(d => d.ValidationDelay, TimeSpan.Zero).Add(d => d.From, "HTTPRoute/shop/storefront"));

        pane.WaitForAssertion(() => Assert.NotEmpty(pane.FindAll("[data-form=HTTPRoute]")));
        Assert.Equal(3, pane.FindAll("[data-form=HTTPRoute] [data-rule]").Count);

        pane.Find("[data-field='spec.rules[0].backendRefs[0].weight'] input").Change("0");

        pane.WaitForAssertion(() => Assert.Contains("httproute:shop/storefront:0.https:0:0", preview.ChangedPaths));
        var changed = preview.Analysis!.FindPath("httproute:shop/storefront:0.https:0:0")!;
        Assert.Equal(Core.Analysis.PathStatus.Broken, changed.Status);
        Assert.Contains("weight: 0", pane.Find("[data-testid=yaml]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Designer_NewGatewayForm_ListsTheClusterClassesAndAddsAListener()
    {
        var json = DesignTemplates.Scratch("Gateway", "shop", _ => false, Demo.Snapshot);
        var form = Render<GatewayForm>(p => p.Add(f => f.Json, json).Add(f => f.Cluster, Demo.Snapshot));
        Assert.Single(form.FindAll("[data-listener]"));

        form.FindAll("button").Single(b => b.TextContent.Contains("Add listener", StringComparison.Ordinal)).Click();

        Assert.Equal(2, form.FindAll("[data-listener]").Count);
        Assert.Equal(443, (int?)json["spec"]!["listeners"]![1]!["port"]);
        Assert.NotEmpty(form.FindAll("[data-field='spec.listeners[1].hostname']"));
    }
}
