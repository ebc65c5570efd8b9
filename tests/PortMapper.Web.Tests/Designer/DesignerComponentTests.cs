using System.Security.Claims;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Web.Components.Designer;
using PortMapper.Web.Designer;
using PortMapper.Web.Security;

namespace PortMapper.Web.Tests.Designer;

/// <summary>The designer's forms, rendered with bUnit over the demo cluster.</summary>
public sealed class DesignerComponentTests : DesignerTestContext
{
    private readonly RecordingGuard _guard;

    public DesignerComponentTests()
        : this(new RecordingGuard())
    {
    }

    private DesignerComponentTests(RecordingGuard guard)
        : base(guard)
    {
        _guard = guard;
    }

    [Fact]
    public void ServiceForm_ChooseNodePort_ShowsTheNodePortField()
    {
        var form = RenderServiceForm(Service("{ports: [{port: 80, targetPort: 8080}]}"));
        Assert.Empty(form.FindAll("[data-field='spec.ports[0].nodePort']"));

        TypeButton(form, "NodePort").Click();

        var nodePort = form.Find("[data-field='spec.ports[0].nodePort']");
        Assert.Contains("Opened on every node's address", nodePort.TextContent, StringComparison.Ordinal);
        Assert.Empty(form.FindAll("[data-field='spec.externalName']"));
    }

    [Fact]
    public void ServiceForm_FromNodePortToClusterIp_DropsTheNodePortTheServerWouldRefuse()
    {
        var json = Service("{type: NodePort, ports: [{port: 80, nodePort: 30080}], externalTrafficPolicy: Local}");
        var form = RenderServiceForm(json);
        Assert.NotEmpty(form.FindAll("[data-field='spec.ports[0].nodePort']"));

        TypeButton(form, "ClusterIP").Click();

        Assert.Empty(form.FindAll("[data-field='spec.ports[0].nodePort']"));
        Assert.Null(json["spec"]!["ports"]![0]!["nodePort"]);
        Assert.Null(json["spec"]!["externalTrafficPolicy"]);
        Assert.Equal("ClusterIP", (string?)json["spec"]!["type"]);
    }

    [Fact]
    public void ServiceForm_NamedTargetPort_OffersThePortNamesOfTheSelectedPods()
    {
        // shop/frontend's pods declare the ports "web" (3000) and "metrics" (9100).
        var json = Service("{selector: {app: frontend}, ports: [{port: 80, targetPort: 3000}]}", ns: "shop");
        var form = RenderServiceForm(json);
        Assert.Equal("2", form.Find("[data-testid=selected-count]").TextContent);

        ModeButton(form, "spec.ports[0].targetPort", "name").Click();

        var names = form.FindAll("[data-field='spec.ports[0].targetPort'] .pm-dz-suggestion").Select(i => i.TextContent.Trim()).ToArray();
        Assert.Equal(["metrics", "web"], names);
        Assert.Equal("", (string?)json["spec"]!["ports"]![0]!["targetPort"]);
    }

    [Fact]
    public void ServiceForm_Selector_CountsAndNamesTheMatchingPods()
    {
        var form = RenderServiceForm(Service("{selector: {name: app1}, ports: [{port: 80}]}", ns: "default"));

        Assert.Equal("3", form.Find("[data-testid=selected-count]").TextContent);
        var pods = form.FindAll("[data-testid=selected-pods] .pm-dz-chip").Select(c => c.TextContent).ToList();
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.StartsWith("app1-", p, StringComparison.Ordinal));
        Assert.Contains("template of Deployment app1", form.Find("[data-testid=selected-pods]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designer_InvalidPort_ShowsTheMessageAtThePortField()
    {
        var pane = RenderDesigner();
        await pane.InvokeAsync(() => pane.Find("[data-testid=new-object] button").Click());

        pane.Find("[data-field='spec.ports[0].port'] input").Input("70000");

        pane.WaitForAssertion(() => Assert.Equal(
            "Invalid value: 70000: must be between 1 and 65535, inclusive",
            pane.Find("[data-field='spec.ports[0].port'] .pm-dz-msg.pm-dz-error").TextContent.Trim()));
        Assert.Contains("port: 70000", pane.Find("[data-testid=yaml]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designer_FindingOnAFieldWithoutAControl_ShowsAtItsRow()
    {
        var pane = RenderDesigner();
        await pane.InvokeAsync(() => pane.Find("[data-testid=import-toggle]").Click());
        pane.Find("[data-testid=import] textarea").Change("""
            apiVersion: v1
            kind: Service
            metadata: {name: odd, namespace: default}
            spec: {ports: [{port: 80, appProtocol: "not a/valid/protocol"}], selector: {name: nginx-pod}}
            """);
        await pane.InvokeAsync(() => pane.Find("[data-testid=import-run]").Click());

        pane.WaitForAssertion(() =>
        {
            var row = pane.Find("[data-field='spec.ports[0]']");
            Assert.Contains("spec.ports[0].appProtocol: Invalid value: \"not a/valid/protocol\"", row.TextContent, StringComparison.Ordinal);
        });
        Assert.Empty(pane.FindAll("[data-testid=other-findings]"));
    }

    [Fact]
    public async Task Designer_FindingOnAFieldTheFormDoesNotShow_GoesToOtherFindings()
    {
        var pane = RenderDesigner();
        await pane.InvokeAsync(() => pane.Find("[data-testid=import-toggle]").Click());
        pane.Find("[data-testid=import] textarea").Change("""
            apiVersion: v1
            kind: Service
            metadata: {name: odd, namespace: default}
            spec: {ports: [{port: 80}], selector: {name: nginx-pod}, healthCheckNodePort: 30123}
            """);
        await pane.InvokeAsync(() => pane.Find("[data-testid=import-run]").Click());

        pane.WaitForAssertion(() =>
        {
            var other = pane.Find("[data-testid=other-findings] [data-field='spec.healthCheckNodePort']");
            Assert.StartsWith("spec.healthCheckNodePort: ", other.TextContent.Trim(), StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("spec: []", "spec is not a map")]
    [InlineData("metadata: web", "metadata is not a map")]
    [InlineData("spec: {ports: {port: 80}}", "spec.ports is not a list")]
    [InlineData("spec: {ports: [80]}", "spec.ports has an item that is not a map")]
    public async Task Designer_ImportedObjectOfTheWrongShape_ShowsFindingsInsteadOfAForm(string body, string problem)
    {
        var pane = RenderDesigner();
        await pane.InvokeAsync(() => pane.Find("[data-testid=import-toggle]").Click());
        pane.Find("[data-testid=import] textarea").Change($"apiVersion: v1\nkind: Service\n{(body.StartsWith("metadata", StringComparison.Ordinal) ? "" : "metadata: {name: odd}\n")}{body}\n");

        await pane.InvokeAsync(() => pane.Find("[data-testid=import-run]").Click());

        Assert.Contains(problem, pane.Find("[data-testid=no-form]").TextContent, StringComparison.Ordinal);
        Assert.Empty(pane.FindAll("[data-form]"));
        pane.WaitForAssertion(() => Assert.NotEmpty(pane.FindAll("[data-testid=other-findings] li")));
        Assert.Contains(body.Split(':')[0], pane.Find("[data-testid=yaml]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designer_ExposeWorkload_AddsAServiceSelectingItsPods()
    {
        var pane = RenderDesigner(from: "Deployment/shop/frontend");
        pane.WaitForAssertion(() => Assert.NotNull(pane.Find("[data-item='Deployment/shop/frontend']")));

        await pane.InvokeAsync(() => pane.Find("[data-testid=expose]").Click());

        // The preview renders after the model is rebuilt; under a loaded machine that is not the same render.
        pane.WaitForAssertion(() => Assert.Contains("name: frontend-2", pane.Find("[data-testid=yaml]").TextContent, StringComparison.Ordinal));
        var yaml = pane.Find("[data-testid=yaml]").TextContent;
        Assert.Contains("""
            apiVersion: v1
            kind: Service
            metadata:
              name: frontend-2
              namespace: shop
            spec:
              type: ClusterIP
              selector:
                app: frontend
              ports:
              - name: web
                port: 3000
                targetPort: 3000
              - name: metrics
                port: 9100
                targetPort: 9100
            """.ReplaceLineEndings("\n"), yaml, StringComparison.Ordinal);
        pane.WaitForAssertion(() => Assert.NotNull(pane.Find("[data-item='Service/shop/frontend-2'].pm-dz-item-selected")));
    }

    [Fact]
    public async Task Designer_DryRun_ShowsTheServersAnswerAndEnablesApply()
    {
        var pane = RenderDesigner(from: "Service/default/nginx-service");
        await pane.WaitForAssertionAsync(() => Assert.NotNull(pane.Find("[data-item='Service/default/nginx-service']")));
        await OpenTab(pane, "Dry run & apply");
        Assert.True(pane.Find("[data-testid=apply]").HasAttribute("disabled"));

        await pane.InvokeAsync(() => pane.Find("[data-testid=dry-run]").Click());

        await pane.WaitForAssertionAsync(() => Assert.Equal("unchanged",
            pane.Find("[data-testid=apply-results] [data-object='Service/default/nginx-service']").GetAttribute("data-outcome")));
        Assert.False(pane.Find("[data-testid=apply]").HasAttribute("disabled"));
        Assert.Equal([true], _guard.Checked.ToArray());
        Assert.Single(_guard.Audited);
    }

    [Fact]
    public async Task Designer_GuardRefuses_ShowsItsReasonAndSendsNothing()
    {
        _guard.Refusal = "Only members of platform-admins may apply.";
        var pane = RenderDesigner(from: "Service/default/nginx-service");
        await pane.WaitForAssertionAsync(() => Assert.NotNull(pane.Find("[data-item='Service/default/nginx-service']")));
        await OpenTab(pane, "Dry run & apply");

        await pane.InvokeAsync(() => pane.Find("[data-testid=dry-run]").Click());

        await pane.WaitForAssertionAsync(() => Assert.Contains("Only members of platform-admins may apply.", pane.Find("[data-testid=apply-refused]").TextContent, StringComparison.Ordinal));
        Assert.Empty(_guard.Audited);
        Assert.True(pane.Find("[data-testid=apply]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Designer_DryRunInvalidObject_PutsTheServersFieldErrorAtTheField()
    {
        var pane = RenderDesigner();
        await pane.InvokeAsync(() => pane.Find("[data-testid=new-object] button").Click());
        await pane.InvokeAsync(() => TypeButton(pane, "NodePort").Click());
        await pane.InvokeAsync(() => ModeButton(pane, "spec.ports[0].nodePort", "fixed").Click());
        await pane.InvokeAsync(() => pane.Find("[data-field='spec.ports[0].nodePort'] input").Input("30001"));
        await OpenTab(pane, "Dry run & apply");

        await pane.InvokeAsync(() => pane.Find("[data-testid=dry-run]").Click());

        await pane.WaitForAssertionAsync(() =>
        {
            var messages = pane.FindAll("[data-field='spec.ports[0].nodePort'] .pm-dz-msg[data-source=server]");
            Assert.Equal("cluster: Invalid value: 30001: provided port is already allocated", Assert.Single(messages).TextContent.Trim());
        });
        Assert.Equal("invalid", pane.Find("[data-testid=apply-results] [data-object='Service/default/my-service']").GetAttribute("data-outcome"));
    }

    [Fact]
    public void Designer_UnknownFrom_SaysWhatIsMissing()
    {
        var pane = RenderDesigner(from: "Service/default/nope");

        pane.WaitForAssertion(() => Assert.Equal(
            "Service default/nope does not exist in the cluster (it may have been deleted). Pick another object, or start from scratch.",
            pane.Find("[data-testid=designer-error] [data-testid=alert-text]").TextContent.Trim()));
    }

    [Fact]
    public void Designer_NewFromWhileOpen_AddsThatObjectToo()
    {
        var pane = RenderDesigner(from: "Service/default/nginx-service");
        pane.WaitForAssertion(() => Assert.NotNull(pane.Find("[data-item='Service/default/nginx-service']")));

        pane.Render(p => p.Add(d => d.From, "Ingress/shop/shop"));

        pane.WaitForAssertion(() => Assert.NotNull(pane.Find("[data-item='Ingress/shop/shop'].pm-dz-item-selected")));
        Assert.Equal(2, pane.FindAll(".pm-dz-item").Count);
    }

    [Fact]
    public void Designer_MalformedFrom_ExplainsTheForm()
    {
        var pane = RenderDesigner(from: "nginx-service");

        Assert.Contains("write it as Kind/namespace/name", pane.Find("[data-testid=designer-error]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designer_WhatIf_IsPublishedToTheDesignPreviewAndClearedWithTheDesign()
    {
        var preview = Services.GetRequiredService<DesignPreview>();
        var pane = RenderDesigner();

        await pane.InvokeAsync(() => pane.Find("[data-testid=new-object] button").Click());

        pane.WaitForAssertion(() => Assert.True(preview.IsActive));
        Assert.Contains("clusterip:default/my-service:80/TCP", preview.AddedPaths);

        await pane.InvokeAsync(() => pane.Find("[data-item='Service/default/my-service'] .pm-dz-item-remove").Click());

        pane.WaitForAssertion(() => Assert.False(preview.IsActive));
        Assert.Empty(preview.AddedPaths);
    }

    [Fact]
    public void WorkloadForm_RemoveTheSecondPort_RemovesThatPortOnly()
    {
        var json = (JsonObject)YamlToJson.Parse("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}, {containerPort: 9100, name: metrics}], livenessProbe: {tcpSocket: {port: 80}}}]}
            """, "test")[0].Root!;
        var form = Render<WorkloadForm>(p => p.Add(f => f.Json, json));

        form.Find("[aria-label='Remove container 1 port 2']").Click();

        var container = json["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal(80, (int)Assert.Single(container["ports"]!.AsArray())!["containerPort"]!);
        Assert.NotNull(container["livenessProbe"]);
        Assert.Single(form.FindAll("[data-port]"));
    }

    private IRenderedComponent<ServiceForm> RenderServiceForm(JsonObject json) =>
        Render<ServiceForm>(p => p
            .Add(f => f.Json, json)
            .Add(f => f.Cluster, Demo.Snapshot));

    private IRenderedComponent<DesignerPane> RenderDesigner(string? from = null) =>
        Render<DesignerPane>(p => p
            .Add(d => d.ValidationDelay, TimeSpan.Zero)
            .Add(d => d.From, from));

    private static Task OpenTab(IRenderedComponent<DesignerPane> pane, string name) =>
        pane.InvokeAsync(() => pane.FindAll(".pm-dz-tabs [role=tab]").Single(t => t.TextContent.Contains(name, StringComparison.Ordinal)).Click());

    private static IElement TypeButton<T>(IRenderedComponent<T> form, string type)
        where T : IComponent =>
        form.FindAll(".pm-dz-type button").Single(b => b.TextContent.Trim() == type);

    private static IElement ModeButton<T>(IRenderedComponent<T> form, string field, string text)
        where T : IComponent =>
        form.FindAll($"[data-field='{field}'] .pm-dz-mode button").Single(b => b.TextContent.Trim() == text);

    private static JsonObject Service(string spec, string ns = "default") =>
        (JsonObject)YamlToJson.Parse($$"""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: {{ns}}}
            spec: {{spec}}
            """, "test")[0].Root!;

    private sealed class RecordingGuard : IApplyGuard
    {
        public string? Refusal { get; set; }

        public List<bool> Checked { get; } = [];

        public List<IReadOnlyList<ApplyObjectResult>> Audited { get; } = [];

        public ApplyDecision Check(ClaimsPrincipal user, bool dryRun)
        {
            Checked.Add(dryRun);
            return Refusal is null ? ApplyDecision.Allow : new ApplyDecision(false, Refusal);
        }

        public void Audit(ClaimsPrincipal user, IReadOnlyList<ApplyObjectResult> results, bool dryRun) => Audited.Add(results);
    }
}
