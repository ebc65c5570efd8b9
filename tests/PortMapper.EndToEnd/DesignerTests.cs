using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

/// <summary>The designer at /designer in a real browser, against the demo cluster.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DesignerTests(PortMapperAppFixture app)
{
    [Fact]
    public async Task DesignNodePortService_DownloadDryRunApply_NewPathIsLive()
    {
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;
        try
        {
            // A NodePort Service for the app1 Deployment's pods (label name=app1, containerPort 8080).
            await page.GetByRole(AriaRole.Button, new() { Name = "New Service" }).ClickAsync();
            await Field(page, "metadata.name").Locator("input").FillAsync("app1-external");
            await page.Locator(".pm-dz-type").GetByText("NodePort", new() { Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add selector label" }).ClickAsync();
            await page.GetByLabel("selector key 1").FillAsync("name");
            await page.GetByLabel("selector value 1").FillAsync("app1");
            await Expect(page.Locator("[data-testid=selected-count]")).ToHaveTextAsync("3");
            await Field(page, "spec.ports[0].port").Locator("input").FillAsync("8081");
            await Expect(Field(page, "spec.ports[0].targetPort").Locator("input")).ToHaveValueAsync("8080");

            var yaml = page.Locator("[data-testid=yaml]");
            await Expect(yaml).ToContainTextAsync("name: app1-external");
            await Expect(yaml).ToContainTextAsync("type: NodePort");
            await Expect(yaml).ToContainTextAsync("port: 8081");
            var shown = await yaml.InnerTextAsync();

            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-yaml]").ClickAsync());
            Assert.Equal("app1-external-service.yaml", download.SuggestedFilename);
            var file = await download.PathAsync();
            Assert.Equal(shown.Trim(), (await File.ReadAllTextAsync(file)).Trim());

            await page.GetByRole(AriaRole.Tab, new() { Name = "What if" }).ClickAsync();
            await Expect(page.Locator("[data-path-id='nodeport:default/app1-external:8081/TCP'].pm-dz-path-added")).ToContainTextAsync("3 pods :8080");

            await page.GetByRole(AriaRole.Tab, new() { Name = "Dry run & apply" }).ClickAsync();
            var apply = page.Locator("[data-testid=apply]");
            await Expect(apply).ToBeDisabledAsync();
            await page.Locator("[data-testid=dry-run]").ClickAsync();
            var result = page.Locator("[data-testid=apply-results][data-dry-run=true] [data-object='Service/default/app1-external']");
            await Expect(result).ToHaveAttributeAsync("data-outcome", "created");
            await Expect(result).ToContainTextAsync("would be created");
            await Expect(result.Locator("[data-testid=allocated]")).ToContainTextAsync("for port 8081");
            Assert.Null(Demo().Get(new ObjectRef("Service", "default", "app1-external")));
            await page.SetViewportSizeAsync(1440, 1500);
            await tab.SaveScreenshotAsync("designer-dry-run");

            await Expect(apply).ToBeEnabledAsync();
            await apply.ClickAsync();
            await Expect(page.Locator("[data-testid=apply-results][data-dry-run=false] [data-object='Service/default/app1-external']")).ToHaveAttributeAsync("data-outcome", "created");
            await Expect(apply).ToBeDisabledAsync();

            using var http = new HttpClient { BaseAddress = app.BaseAddress };
            await WaitForAsync(async () =>
            {
                var paths = await http.GetFromJsonAsync<JsonElement>("api/paths?namespace=default");
                return paths.EnumerateArray().Any(p => p.GetProperty("id").GetString() == "nodeport:default/app1-external:8081/TCP" && p.GetProperty("status").GetString() == "ok");
            });
            Assert.Empty(tab.Problems);
        }
        finally
        {
            // The app is shared by the browser tests: leave the demo cluster as it was.
            Demo().Delete(new ObjectRef("Service", "default", "app1-external"));
        }
    }

    [Fact]
    public async Task InvalidPortNameAndNodePort_ShowTheServersMessagesAtTheirFields()
    {
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "New Service" }).ClickAsync();
        await Field(page, "metadata.name").Locator("input").FillAsync("web");
        await page.Locator(".pm-dz-type").GetByText("NodePort", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add selector label" }).ClickAsync();
        await page.GetByLabel("selector key 1").FillAsync("name");
        await page.GetByLabel("selector value 1").FillAsync("nginx-pod");
        await Field(page, "spec.ports[0].name").Locator("input").FillAsync("Web_HTTP");
        await Field(page, "spec.ports[0].nodePort").GetByText("fixed", new() { Exact = true }).ClickAsync();
        await Field(page, "spec.ports[0].nodePort").Locator("input").FillAsync("80");

        await Expect(Field(page, "spec.ports[0].name").Locator(".pm-dz-msg.pm-dz-error"))
            .ToContainTextAsync("Invalid value: \"Web_HTTP\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
        await Expect(Field(page, "spec.ports[0].nodePort").Locator(".pm-dz-msg.pm-dz-error"))
            .ToHaveTextAsync("Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767");
        await Expect(page.Locator("[data-item='Service/default/web'] .pm-dz-item-errors")).ToHaveTextAsync("2");
        await page.SetViewportSizeAsync(1440, 1400);
        await tab.SaveScreenshotAsync("designer-validation-error");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task FromQuery_CartService_FixingTheSelectorFixesPM001()
    {
        await using var tab = await app.OpenAsync("/designer?from=Service/shop/cart");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;

        await Expect(page.Locator("[data-item='Service/shop/cart']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=selected-pods]")).ToContainTextAsync("Matches no pods");
        await page.GetByLabel("selector value 1").FillAsync("carts");
        await Expect(page.Locator("[data-testid=selected-count]")).ToHaveTextAsync("2");
        await page.GetByRole(AriaRole.Tab, new() { Name = "What if" }).ClickAsync();

        await Expect(page.Locator(".pm-dz-diag-fixed[data-code=PM001]")).ToContainTextAsync("shop/cart");
        await Expect(page.Locator("[data-path-id='clusterip:shop/cart:8080/TCP'].pm-dz-path-changed")).ToContainTextAsync("broken");
        await page.SetViewportSizeAsync(1440, 1300);
        await tab.SaveScreenshotAsync("designer-what-if");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task FromQuery_DualStackSearch_SingleStackReleasesItsIpv6Address_AndIpv6FirstIsRefused()
    {
        await using var tab = await app.OpenAsync("/designer?from=Service/shop/search");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;
        var ips = Demo().Snapshot.Services[new ObjectKey("shop", "search")].ClusterIps;

        await Expect(page.Locator("[data-item='Service/shop/search']")).ToBeVisibleAsync();
        await Expect(Field(page, "spec.ipFamilyPolicy")).ToContainTextAsync("This cluster serves IPv4 and IPv6 Services (IPv4 first).");
        await page.SetViewportSizeAsync(1440, 1300);
        await page.GetByLabel("ipFamilyPolicy", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "SingleStack", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-testid=yaml]")).ToContainTextAsync("ipFamilyPolicy: SingleStack");

        await page.GetByRole(AriaRole.Tab, new() { Name = "What if" }).ClickAsync();
        var changed = page.Locator("[data-path-id='clusterip:shop/search:80/TCP'].pm-dz-path-changed");
        await Expect(changed).ToBeVisibleAsync();
        await Expect(changed).Not.ToContainTextAsync(ips[1]);

        await page.GetByLabel("Primary IP family", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "IPv6", Exact = true }).ClickAsync();
        await Expect(Field(page, "spec.ipFamilies").Locator(".pm-dz-msg.pm-dz-error"))
            .ToContainTextAsync($"Invalid value: \"{ips[0]}\": expected an IPv6 value as indicated by `ipFamilies[0]`");
        await Expect(page.Locator("[data-testid=whatif-refused]")).ToContainTextAsync("1 designed object would be refused as written");
        await tab.SaveScreenshotAsync("designer-service-families");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task PickAClusterObject_OpensItInTheForm()
    {
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;

        await page.GetByLabel("Start from a cluster object").FillAsync("payments");
        await page.GetByRole(AriaRole.Option, new() { Name = "Service · shop/payments", Exact = true }).ClickAsync();

        await Expect(page.Locator("[data-item='Service/shop/payments'].pm-dz-item-selected")).ToBeVisibleAsync();
        await Expect(Field(page, "spec.externalTrafficPolicy")).ToContainTextAsync("Local");
        await Expect(Field(page, "spec.ports[0].nodePort").Locator("input")).ToHaveValueAsync("31443");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task FromQuery_UnknownObject_SaysSoWithoutBreakingThePage()
    {
        await using var tab = await app.OpenAsync("/designer?from=Service/default/no-such-service");
        await tab.WaitForInteractiveAsync();

        await Expect(tab.Page.Locator("[data-testid=designer-error]"))
            .ToContainTextAsync("Service default/no-such-service does not exist in the cluster");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "New Service" }).ClickAsync();
        await Expect(tab.Page.Locator("[data-item='Service/default/my-service']")).ToBeVisibleAsync();
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task ImportMalformedYaml_ShowsTheLineAndImportsNothing()
    {
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;

        await page.Locator("[data-testid=import-toggle]").ClickAsync();
        await page.Locator("[data-testid=import] textarea").FillAsync("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n namespace: b\n");
        await page.Locator("[data-testid=import-run]").ClickAsync();

        await Expect(page.Locator("[data-testid=import-error]")).ToContainTextAsync("Nothing was imported: document 1, line 5: malformed YAML");
        await Expect(page.Locator(".pm-dz-item")).ToHaveCountAsync(0);
        await tab.SaveScreenshotAsync("designer-import-error");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task CopyYaml_PutsTheShownYamlOnTheClipboard()
    {
        await using var tab = await app.OpenAsync("/designer?from=Service/default/nginx-service");
        await tab.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;
        await Expect(page.Locator("[data-testid=yaml]")).ToContainTextAsync("name: nginx-service");

        await page.Locator("[data-testid=copy-yaml]").ClickAsync();

        await Expect(page.Locator(".pm-dz-yaml-actions [role=status]")).ToHaveTextAsync("Copied.");
        var copied = await page.EvaluateAsync<string>("navigator.clipboard.readText()");
        Assert.Equal((await page.Locator("[data-testid=yaml]").InnerTextAsync()).Trim(), copied.Trim());
        Assert.DoesNotContain("clusterIP", copied, StringComparison.Ordinal);
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task ExportNamespace_DownloadsItsServicesIngressesGatewayRoutesAndWorkloadsClean()
    {
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;

        await page.Locator("[data-testid=export-namespace]").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "shop", Exact = true }).ClickAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export" }).ClickAsync());

        Assert.Equal("shop-networking.yaml", download.SuggestedFilename);
        var text = await File.ReadAllTextAsync(await download.PathAsync());
        var documents = text.Split("---\n");
        // 7 Services, 1 Ingress, 1 Gateway, 2 HTTPRoutes, 4 Deployments, 1 StatefulSet and 1 DaemonSet: no pods, slices or status.
        Assert.Equal(17, documents.Length);
        Assert.Contains(documents, d => d.Contains("kind: Ingress", StringComparison.Ordinal));
        Assert.Contains(documents, d => d.Contains("kind: HTTPRoute", StringComparison.Ordinal) && d.Contains("name: storefront-redirect", StringComparison.Ordinal));
        Assert.Contains(documents, d => d.Contains("kind: StatefulSet", StringComparison.Ordinal) && d.Contains("name: catalog-db", StringComparison.Ordinal));
        Assert.DoesNotContain("status:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("clusterIP: 10.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fd00:10:96::", text, StringComparison.Ordinal);
        Assert.Contains("ipFamilyPolicy: PreferDualStack", text, StringComparison.Ordinal);
        Assert.DoesNotContain("uid:", text, StringComparison.Ordinal);
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task UploadYamlFile_ImportsItsObjects()
    {
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;
        await page.Locator("[data-testid=import-toggle]").ClickAsync();

        await page.Locator("[data-testid=import] input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "two.yaml",
            MimeType = "application/yaml",
            Buffer = System.Text.Encoding.UTF8.GetBytes("apiVersion: v1\nkind: Service\nmetadata: {name: up-a}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: up-b}\ndata: {a: b}\n"),
        });

        await Expect(page.Locator("[data-item='Service/default/up-a']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-item='ConfigMap//up-b']")).ToBeVisibleAsync();
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task ConflictWithAnotherManager_IsShownAndForceTakesTheFieldOver()
    {
        var source = app.App.Services.GetRequiredService<LiveAnalysis>().Source;
        var owned = System.Text.Json.Nodes.JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"owned-e2e","namespace":"default"},
             "spec":{"selector":{"name":"nginx-pod"},"ports":[{"port":8089,"targetPort":80}]}}
            """)!.AsObject();
        try
        {
            var created = await source.ApplyAsync([owned], new ApplyOptions(DryRun: false, FieldManager: "ci-pipeline"), CancellationToken.None);
            Assert.True(created[0].Succeeded, created[0].Message);
            await using var tab = await app.OpenAsync("/designer?from=Service/default/owned-e2e");
            await tab.WaitForInteractiveAsync();
            var page = tab.Page;

            await Field(page, "spec.ports[0].targetPort").Locator("input").FillAsync("8080");
            await page.GetByRole(AriaRole.Tab, new() { Name = "Dry run & apply" }).ClickAsync();
            await page.Locator("[data-testid=dry-run]").ClickAsync();

            var result = page.Locator("[data-testid=apply-results] [data-object='Service/default/owned-e2e']");
            await Expect(result).ToHaveAttributeAsync("data-outcome", "conflict");
            await Expect(result.Locator("[data-conflict-manager=ci-pipeline]")).ToContainTextAsync(".spec.ports[port=8089,protocol=\"TCP\"].targetPort");
            await Expect(page.Locator("[data-testid=apply]")).ToBeDisabledAsync();
            await page.SetViewportSizeAsync(1440, 1200);
            await tab.SaveScreenshotAsync("designer-conflict");

            await page.Locator("[data-testid=force]").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("\"ci-pipeline\"");
            await page.GetByRole(AriaRole.Button, new() { Name = "Dry run with force" }).ClickAsync();
            await Expect(result).ToHaveAttributeAsync("data-outcome", "configured");
            await page.Locator("[data-testid=apply]").ClickAsync();

            await Expect(page.Locator("[data-testid=apply-results][data-dry-run=false] [data-object='Service/default/owned-e2e']")).ToHaveAttributeAsync("data-outcome", "configured");
            Assert.Equal(8080, (int)Demo().Get(new ObjectRef("Service", "default", "owned-e2e"))!["spec"]!["ports"]![0]!["targetPort"]!);
            Assert.Empty(tab.Problems);
        }
        finally
        {
            Demo().Delete(new ObjectRef("Service", "default", "owned-e2e"));
        }
    }

    /// <summary>A new HTTPRoute on the demo's Gateway: the form picks the Gateway, listener and a Service port; the what-if shows the new path.</summary>
    [Fact]
    public async Task NewHttpRoute_AttachesToTheDemosGateway_AndTheWhatIfShowsItsPath()
    {
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "New object of another kind" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "New HTTPRoute" }).ClickAsync();
        await Expect(page.Locator("[data-form=HTTPRoute]")).ToBeVisibleAsync();
        await page.Locator("#hr-namespace").FillAsync("shop");
        await page.GetByLabel("Gateway", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "shop/shop-gateway", Exact = true }).ClickAsync();
        await page.GetByLabel("Listener", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "https", Exact = true }).ClickAsync();
        await page.GetByLabel("Hostnames", new() { Exact = true }).FillAsync("shop.example.com");
        await page.GetByLabel("Hostnames", new() { Exact = true }).BlurAsync();

        var yaml = page.Locator("[data-testid=yaml]");
        await Expect(yaml).ToContainTextAsync("kind: HTTPRoute");
        await Expect(yaml).ToContainTextAsync("namespace: shop");
        await Expect(yaml).ToContainTextAsync("sectionName: https");
        await page.GetByRole(AriaRole.Tab, new() { Name = "What if" }).ClickAsync();
        await Expect(page.Locator(".pm-dz-path-added").First).ToContainTextAsync("https://shop.example.com/");
        await page.SetViewportSizeAsync(1440, 1100);
        await tab.SaveScreenshotAsync("designer-httproute");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task NewIngress_BackendsComeFromTheNamespacesServicesAndPorts()
    {
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "New object of another kind" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "New Ingress" }).ClickAsync();
        await Expect(page.Locator("[data-form=Ingress]")).ToBeVisibleAsync();
        await page.GetByLabel("Rule 1 path 1 Service", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "nginx-service", Exact = true }).ClickAsync();

        var yaml = page.Locator("[data-testid=yaml]");
        await Expect(yaml).ToContainTextAsync("name: nginx-service");
        await Expect(yaml).ToContainTextAsync("number: 30080");
        await Expect(yaml).ToContainTextAsync("ingressClassName: ");
        await page.GetByRole(AriaRole.Tab, new() { Name = "What if" }).ClickAsync();
        await Expect(page.Locator(".pm-dz-path-added").First).ToContainTextAsync("http://app.example.com/");
        await page.SetViewportSizeAsync(1440, 1100);
        await tab.SaveScreenshotAsync("designer-ingress");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task WorkloadPorts_ExposeTheDeployment_AddsAServiceForItsPods()
    {
        await using var tab = await app.OpenAsync("/designer?from=Deployment/shop/frontend");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;
        await Expect(page.Locator("[data-form=Workload]")).ToBeVisibleAsync();
        await page.GetByLabel("Container 1 port 1 name", new() { Exact = true }).FillAsync("http");
        await page.GetByRole(AriaRole.Tab, new() { Name = "What if" }).ClickAsync();
        await Expect(page.Locator(".pm-dz-diag-fixed[data-code=PM003]")).ToContainTextAsync("shop/frontend");
        await page.SetViewportSizeAsync(1440, 1100);
        await tab.SaveScreenshotAsync("designer-workload");

        await page.Locator("[data-testid=expose]").ClickAsync();

        await Expect(page.Locator("[data-item='Service/shop/frontend-2'].pm-dz-item-selected")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=selected-count]")).ToHaveTextAsync("2");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task NetworkPolicyForm_AllowShopFrontendToBankApi_WhatIfOpensItAndApplyMakesItAllowed()
    {
        var policyRef = new ObjectRef("NetworkPolicy", "bank", "api-from-shop-frontend");
        await using var tab = await app.OpenAsync("/designer");
        await tab.WaitForInteractiveAsync();
        var page = tab.Page;
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "New object of another kind" }).ClickAsync();
            await page.GetByRole(AriaRole.Menuitem, new() { Name = "New NetworkPolicy" }).ClickAsync();
            await Expect(page.Locator("[data-form=NetworkPolicy]")).ToBeVisibleAsync();
            await Field(page, "metadata.name").Locator("input").FillAsync(policyRef.Name);
            await Field(page, "metadata.namespace").Locator("input").FillAsync("bank");
            await Expect(page.Locator("[data-testid=selects-all]")).ToContainTextAsync("every pod of namespace bank");

            // "Allow this client to reach this Service's pods".
            await page.GetByLabel("Client", new() { Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "shop/frontend (Deployment)", Exact = true }).ClickAsync();
            await page.GetByLabel("Service to allow", new() { Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "api", Exact = true }).ClickAsync();
            await page.Locator("[data-testid=allow-run]").ClickAsync();

            await Expect(page.Locator("[data-testid=selected-count]")).ToHaveTextAsync("2");
            var yaml = page.Locator("[data-testid=yaml]");
            await Expect(yaml).ToContainTextAsync("kubernetes.io/metadata.name: shop");
            await Expect(yaml).ToContainTextAsync("app: frontend");
            // The targetPort, by name, never the Service port: the policy sees the packet after DNAT.
            await Expect(yaml).ToContainTextAsync("- port: grpc");

            // Checked the way the API server checks it, at the field.
            await page.GetByLabel("ingress rule 1 port 1 endPort", new() { Exact = true }).FillAsync("9100");
            await Expect(Field(page, "spec.ingress[0].ports[0].endPort")).ToContainTextAsync("may not be specified when `port` is non-numeric");
            await page.GetByLabel("ingress rule 1 port 1 endPort", new() { Exact = true }).FillAsync("");
            await Expect(Field(page, "spec.ingress[0].ports[0].endPort")).Not.ToContainTextAsync("non-numeric");

            await page.GetByRole(AriaRole.Tab, new() { Name = "What if" }).ClickAsync();
            await Expect(page.Locator("[data-testid=whatif-opened]")).ToHaveTextAsync("1");
            await Expect(page.Locator("[data-testid=whatif-closed]")).ToHaveTextAsync("0");
            var opened = page.Locator(".pm-dz-reach-opens[data-client='shop/frontend']");
            await Expect(opened).ToHaveAttributeAsync("data-target", "bank/api:9090 → 9090/TCP");
            await Expect(opened).ToContainTextAsync("blocked → allowed");
            await Expect(opened).ToContainTextAsync("bank/api-from-shop-frontend");
            await page.SetViewportSizeAsync(1440, 1400);
            await tab.SaveScreenshotAsync("designer-network-policy");

            await page.GetByRole(AriaRole.Tab, new() { Name = "Dry run & apply" }).ClickAsync();
            await page.Locator("[data-testid=dry-run]").ClickAsync();
            await Expect(page.Locator($"[data-testid=apply-results][data-dry-run=true] [data-object='NetworkPolicy/bank/{policyRef.Name}']")).ToHaveAttributeAsync("data-outcome", "created");
            await page.Locator("[data-testid=apply]").ClickAsync();
            await Expect(page.Locator($"[data-testid=apply-results][data-dry-run=false] [data-object='NetworkPolicy/bank/{policyRef.Name}']")).ToHaveAttributeAsync("data-outcome", "created");

            // Live: the analysis the graph draws now admits shop's frontend at bank's api pods.
            using var http = new HttpClient { BaseAddress = app.BaseAddress };
            var frontend = Demo().Snapshot.Pods.Values.First(p => p.Metadata.Namespace == "shop" && p.Metadata.Name.StartsWith("frontend-", StringComparison.Ordinal));
            await WaitForAsync(async () =>
            {
                var trace = await http.GetFromJsonAsync<JsonElement>($"api/trace?from=pod:shop/{frontend.Metadata.Name}&to=api.bank:9090");
                return trace.TryGetProperty("policies", out var policies) && policies.GetArrayLength() > 0
                    && policies.EnumerateArray().All(v => v.GetProperty("verdict").GetString() == "allowed");
            });
            Assert.Empty(tab.Problems);
        }
        finally
        {
            Demo().Delete(policyRef);
        }
    }

    private static ILocator Field(IPage page, string path) => page.Locator($"[data-field='{path}']").First;

    private DemoCluster Demo() => (DemoCluster)app.App.Services.GetRequiredService<LiveAnalysis>().Source;

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 30 seconds");
            await Task.Delay(100);
        }
    }
}
