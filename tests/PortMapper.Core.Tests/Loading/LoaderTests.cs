using System.Collections.Immutable;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Loading;

public class LoaderTests
{
    private static Service OnlyService(LoadResult result) => Assert.IsType<Service>(Assert.Single(result.Objects));

    // ---------------------------------------------------------------- Documents

    [Fact]
    public void LoadFile_MultiDocument_ReadsEveryObject()
    {
        var result = ManifestLoader.LoadFile(Path.Combine("samples", "seeds", "01-port-targetport-nodeport.yaml"));

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.Objects.Length);
        var nginx = Assert.Single(result.Objects.OfType<Service>(), s => s.Metadata.Name == "nginx-service");
        var port = Assert.Single(nginx.Ports);
        Assert.Equal((30080, 30001), (port.Port, port.NodePort!.Value));
        Assert.Equal(IntOrName.FromNumber(80), port.TargetPort);
        Assert.Equal(new SourceLocation(Path.Combine("samples", "seeds", "01-port-targetport-nodeport.yaml"), 2, 29), nginx.Metadata.Source);
    }

    [Fact]
    public void LoadText_MalformedSecondDocument_ErrorNamesFileDocumentAndLineAndKeepsTheOthers()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: first
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: broken: yes
            spec: {}
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: third
            """;

        var result = ManifestLoader.LoadText(yaml, "app.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("app.yaml", 1, 9), (error.File, error.DocumentIndex, error.Line));
        Assert.StartsWith("app.yaml (document 2, line 9): malformed YAML: ", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["first", "third"], result.Objects.Select(o => o.Metadata.Name).ToArray());
        Assert.Equal(2, result.Objects[1].Metadata.Source!.DocumentIndex);
        Assert.Equal(12, result.Objects[1].Metadata.Source!.Line);
    }

    [Fact]
    public void LoadText_UnclosedFlowMapping_ReportsErrorInsteadOfThrowing()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              labels: {app: web
            spec: {}
            """;

        var result = ManifestLoader.LoadText(yaml, "svc.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal((0, 4), (error.DocumentIndex, error.Line));
        Assert.Contains("unclosed bracket, brace or quote", error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void LoadText_DuplicateKey_RejectedWithItsLine()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: a
              name: b
            """;

        var result = ManifestLoader.LoadText(yaml, "dup.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("dup.yaml (document 1, line 5): malformed YAML: duplicate key \"name\"", error.ToString());
        Assert.Empty(result.Objects);
    }

    [Theory]
    [InlineData("- apiVersion: v1\n  kind: Service\n")]
    [InlineData("just a string\n")]
    [InlineData("42\n")]
    public void LoadText_DocumentIsNotAMapping_ReportsError(string yaml)
    {
        var result = ManifestLoader.LoadText("apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\n" + yaml, "odd.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("odd.yaml", 1, 5), (error.File, error.DocumentIndex, error.Line));
        Assert.Contains("expected a Kubernetes object", error.Message, StringComparison.Ordinal);
        Assert.Single(result.Objects);
    }

    [Fact]
    public void LoadText_DocumentWithoutKind_ReportsError()
    {
        var result = ManifestLoader.LoadText("apiVersion: v1\nmetadata:\n  name: nameless\n", "nokind.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("nokind.yaml (document 1, line 1): the document has no kind: every object needs apiVersion and kind", error.ToString());
    }

    [Fact]
    public void LoadText_EmptyDocumentsAndComments_NothingLoadedNoError()
    {
        var result = ManifestLoader.LoadText("# only comments\n---\n---\n\n", "empty.yaml");

        Assert.Equal((0, 0, 0), (result.Objects.Length, result.Errors.Length, result.Issues.Length));
    }

    [Fact]
    public void LoadText_UnknownKinds_SkippedAndListed()
    {
        const string yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            ---
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata:
              name: shop-tls
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            """;

        var result = ManifestLoader.LoadText(yaml, "mixed.yaml");

        Assert.Equal(
            [
                new SkippedObject("v1", "ConfigMap", "settings", new SourceLocation("mixed.yaml", 0, 1)),
                new SkippedObject("cert-manager.io/v1", "Certificate", "shop-tls", new SourceLocation("mixed.yaml", 1, 6)),
            ],
            result.Skipped.ToArray());
        Assert.Equal("web", OnlyService(result).Metadata.Name);
        Assert.Empty(result.Errors);
    }

    // ---------------------------------------------------------------- Lists and kubectl output

    [Fact]
    public void LoadText_KindList_ReadsEachItemAndSkipsUnknownOnes()
    {
        const string yaml = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata:
                name: web
            - apiVersion: v1
              kind: Secret
              metadata:
                name: token
            - apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: web
              spec:
                selector:
                  matchLabels: {app: web}
                template:
                  metadata:
                    labels: {app: web}
                  spec:
                    containers:
                    - name: web
                      ports:
                      - containerPort: 8080
            - not an object
            """;

        var result = ManifestLoader.LoadText(yaml, "list.yaml");

        Assert.Equal(["Service", "Deployment"], result.Objects.Select(o => o.Kind).ToArray());
        Assert.Equal(new SourceLocation("list.yaml", 0, 12), result.Objects[1].Metadata.Source);
        Assert.Equal("Secret", Assert.Single(result.Skipped).Kind);
        var error = Assert.Single(result.Errors);
        Assert.Equal("list.yaml (document 1, line 27): items[3]: expected a Kubernetes object", error.ToString());
    }

    [Fact]
    public void LoadText_KubectlGetJsonOutput_ReadsSpecAndStatus()
    {
        const string json = """
            {
              "apiVersion": "v1",
              "kind": "List",
              "items": [
                {
                  "apiVersion": "v1", "kind": "Node",
                  "metadata": { "name": "n1", "labels": { "topology.kubernetes.io/zone": "a" } },
                  "spec": { "podCIDR": "10.244.0.0/24" },
                  "status": {
                    "addresses": [ { "type": "Hostname", "address": "n1" }, { "type": "InternalIP", "address": "10.0.0.1" } ],
                    "conditions": [ { "type": "Ready", "status": "False" } ]
                  }
                },
                {
                  "apiVersion": "v1", "kind": "Pod",
                  "metadata": { "name": "web-1", "namespace": "shop", "labels": { "app": "web" }, "deletionTimestamp": "2024-01-01T00:00:00Z" },
                  "spec": { "nodeName": "n1", "containers": [ { "name": "web", "ports": [ { "name": "http", "containerPort": 8080, "protocol": "TCP" } ] } ] },
                  "status": {
                    "phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.244.0.5",
                    "podIPs": [ { "ip": "10.244.0.5" }, { "ip": "fd00::5" } ],
                    "conditions": [ { "type": "Ready", "status": "True" }, { "type": "PodScheduled", "status": "True" } ]
                  }
                },
                {
                  "apiVersion": "v1", "kind": "Pod",
                  "metadata": { "name": "web-2", "namespace": "shop" },
                  "spec": { "containers": [ { "name": "web" } ] },
                  "status": {
                    "phase": "Pending",
                    "conditions": [ { "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes are available" } ]
                  }
                },
                {
                  "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                  "metadata": { "name": "web-x7k2p", "namespace": "shop", "labels": { "kubernetes.io/service-name": "web" } },
                  "addressType": "IPv4",
                  "ports": [ { "name": "http", "protocol": "TCP", "port": 8080 } ],
                  "endpoints": [
                    { "addresses": [ "10.244.0.5" ], "conditions": { "ready": true, "serving": true, "terminating": false },
                      "nodeName": "n1", "zone": "a", "targetRef": { "kind": "Pod", "name": "web-1", "namespace": "shop" } },
                    { "addresses": [ "10.244.0.6" ], "conditions": { "ready": false } }
                  ]
                },
                {
                  "apiVersion": "v1", "kind": "Service",
                  "metadata": { "name": "web", "namespace": "shop" },
                  "spec": { "type": "LoadBalancer", "clusterIP": "10.96.0.10", "clusterIPs": [ "10.96.0.10" ], "selector": { "app": "web" },
                            "ports": [ { "name": "http", "port": 80, "targetPort": "http", "nodePort": 31080, "protocol": "TCP" } ] },
                  "status": { "loadBalancer": { "ingress": [ { "ip": "198.51.100.1" } ] } }
                }
              ]
            }
            """;

        var result = ManifestLoader.LoadText(json, "cluster.json");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Issues);
        var node = Assert.Single(result.Objects.OfType<Node>());
        Assert.Equal(("10.0.0.1", false, "a", "10.244.0.0/24"), (node.PrimaryAddress, node.Ready, node.Zone, node.PodCidr));
        var running = Assert.Single(result.Objects.OfType<Pod>(), p => p.Metadata.Name == "web-1");
        Assert.Equal(("shop", "n1", "Running", true, true, "10.0.0.1"), (running.Metadata.Namespace, running.NodeName, running.Phase, running.Ready, running.Terminating, running.HostIp));
        Assert.Equal(["10.244.0.5", "fd00::5"], running.PodIps.ToArray());
        Assert.Equal(("http", 8080), (running.Spec.AllPorts.Single().Port.Name, running.Spec.AllPorts.Single().Port.Number));
        var pending = Assert.Single(result.Objects.OfType<Pod>(), p => p.Metadata.Name == "web-2");
        Assert.Equal(("0/1 nodes are available", false), (pending.UnschedulableMessage, pending.Ready));
        var slice = Assert.Single(result.Objects.OfType<EndpointSlice>());
        Assert.Equal("web", slice.ServiceName);
        Assert.Equal(new EndpointSlicePort("http", "TCP", 8080, null), Assert.Single(slice.Ports));
        Assert.Equal((true, "n1", new ObjectRef("Pod", "shop", "web-1")), (slice.Endpoints[0].IsReady, slice.Endpoints[0].NodeName, slice.Endpoints[0].TargetRef));
        Assert.False(slice.Endpoints[1].IsReady);
        var svc = Assert.Single(result.Objects.OfType<Service>());
        Assert.Equal((ServiceTypes.LoadBalancer, "10.96.0.10", 31080, IntOrName.FromName("http")), (svc.Type, svc.ClusterIp, svc.Ports[0].NodePort, svc.Ports[0].TargetPort));
        Assert.Equal("198.51.100.1", Assert.Single(svc.LoadBalancerStatus).Address);
    }

    // ---------------------------------------------------------------- Fields of the wrong type

    [Fact]
    public void LoadText_QuotedServicePort_IssueNamesObjectAndFieldAndObjectStillLoads()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: shop
            spec:
              ports:
              - port: "80"
                targetPort: 8080
            """;

        var result = ManifestLoader.LoadText(yaml, "svc.yaml");

        var svc = OnlyService(result);
        Assert.Equal((0, IntOrName.FromNumber(8080)), (svc.Ports[0].Port, svc.Ports[0].TargetPort));
        var issue = Assert.Single(result.Issues);
        Assert.Equal(new LoadIssue(new ObjectRef("Service", "shop", "web"), "spec.ports[0].port", "expected an integer, found the string \"80\"", new SourceLocation("svc.yaml", 0, 1)), issue);
        Assert.Equal("svc.yaml (document 1, line 1): Service shop/web: spec.ports[0].port: expected an integer, found the string \"80\"", issue.ToString());
    }

    [Fact]
    public void LoadText_NonNumericContainerPort_IssueAndPodStillLoads()
    {
        const string yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-1
            spec:
              containers:
              - name: web
                ports:
                - containerPort: abc
                - containerPort: 8080
            """;

        var result = ManifestLoader.LoadText(yaml, "pod.yaml");

        var pod = Assert.IsType<Pod>(Assert.Single(result.Objects));
        Assert.Equal([0, 8080], pod.Spec.AllPorts.Select(p => p.Port.Number).ToArray());
        var issue = Assert.Single(result.Issues);
        Assert.Equal((new ObjectRef("Pod", "default", "web-1"), "spec.containers[0].ports[0].containerPort"), (issue.Object, issue.Field));
        Assert.Equal("expected an integer, found the string \"abc\"", issue.Message);
    }

    [Fact]
    public void LoadText_LabelsAsList_IssueNamesTheObjectItBelongsTo()
    {
        const string yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: first
              labels: [app]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: second
              namespace: shop
              labels: [tier]
            """;

        var result = ManifestLoader.LoadText(yaml, "objects.yaml");

        Assert.Equal(2, result.Objects.Length);
        Assert.Empty(result.Objects[0].Metadata.Labels);
        Assert.Collection(
            result.Issues,
            i => Assert.Equal((new ObjectRef("Pod", "default", "first"), "metadata.labels", "expected a map of strings, found a list"), (i.Object, i.Field, i.Message)),
            i => Assert.Equal((new ObjectRef("Service", "shop", "second"), "metadata.labels"), (i.Object, i.Field)));
    }

    [Fact]
    public void LoadText_WrongTypesAcrossTheSpec_EachReportedWithItsPath()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels:
                app: web
                replicas: 3
            spec:
              selector: app=web
              externalIPs: 203.0.113.7
              publishNotReadyAddresses: "true"
              ports:
              - port: 80
                targetPort: true
                nodePort: 99999999999
            """;

        var result = ManifestLoader.LoadText(yaml, "svc.yaml");

        var svc = OnlyService(result);
        Assert.Equal(
            [
                "metadata.labels.replicas: expected a string, found 3",
                "spec.externalIPs: expected a list of strings, found the string \"203.0.113.7\"",
                "spec.ports[0].nodePort: Invalid value: 99999999999: does not fit in a 32-bit integer",
                "spec.ports[0].targetPort: expected a port number or name, found the boolean true",
                "spec.publishNotReadyAddresses: expected a boolean, found the string \"true\"",
                "spec.selector: expected a map of strings, found the string \"app=web\"",
            ],
            result.Issues.Select(i => $"{i.Field}: {i.Message}").Order(StringComparer.Ordinal).ToArray());
        Assert.All(result.Issues, i => Assert.Equal(new ObjectRef("Service", "default", "web"), i.Object));
        Assert.Equal(("web", 80, (IntOrName?)null), (svc.Metadata.Labels["app"], svc.Ports[0].Port, svc.Ports[0].TargetPort));
    }

    [Fact]
    public void LoadText_NumberAsName_IssueOnUnnamedObject()
    {
        var result = ManifestLoader.LoadText("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 5}}""", "pod.json");

        Assert.Equal(
            [("metadata.name", "expected a string, found 5"), ("metadata.name", "Required value")],
            result.Issues.Select(i => (i.Field, i.Message)).ToArray());
        Assert.All(result.Issues, i => Assert.Equal("Pod", i.Object!.Kind));
    }

    // ---------------------------------------------------------------- YAML 1.1 scalars, anchors

    [Fact]
    public void LoadText_Yaml11Scalars_ResolvedAsTheApiServerDoes()
    {
        const string yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: "on"
              labels:
                enabled: "yes"
            spec:
              hostNetwork: yes
              containers:
              - name: web
                ports:
                - containerPort: 0x1F90
                  hostPort: 8_080
                  name: "8080"
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: no
            spec:
              publishNotReadyAddresses: on
              ports:
              - port: 80
                targetPort: "8080"
            """;

        var result = ManifestLoader.LoadText(yaml, "yaml11.yaml");

        var pod = Assert.IsType<Pod>(result.Objects[0]);
        Assert.Equal(("on", "yes", true), (pod.Metadata.Name, pod.Metadata.Labels["enabled"], pod.HostNetwork));
        var port = pod.Spec.AllPorts.Single().Port;
        Assert.Equal((8080, 8080, "8080"), (port.Number, port.HostPort, port.Name));

        // Plain no is the boolean false, which is no name; a quoted "8080" stays a string and is looked up as a port name.
        var svc = Assert.IsType<Service>(result.Objects[1]);
        Assert.Equal(("", true, IntOrName.FromName("8080")), (svc.Metadata.Name, svc.PublishNotReadyAddresses, svc.Ports[0].TargetPort));
        Assert.Contains(result.Issues, i => i.Field == "metadata.name" && i.Message == "expected a string, found the boolean false");
    }

    [Fact]
    public void LoadText_AnchorsAliasesAndMergeKeys_Expanded()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels: &labels
                app: web
                tier: fe
            spec:
              selector:
                <<: *labels
                track: stable
              ports:
              - &http {name: http, port: 80, targetPort: 8080}
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web-canary
            spec:
              ports:
              - {name: http, port: 80, targetPort: 8081}
            """;

        var result = ManifestLoader.LoadText(yaml, "anchors.yaml");

        Assert.Empty(result.Errors);
        var web = Assert.IsType<Service>(result.Objects[0]);
        Assert.Equal(
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["app"] = "web", ["tier"] = "fe", ["track"] = "stable" }),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, web.Selector!));
        Assert.Equal(("http", 80, IntOrName.FromNumber(8080)), (web.Ports[0].Name, web.Ports[0].Port, web.Ports[0].TargetPort));
    }

    [Fact]
    public void LoadText_AliasAcrossDocuments_ReportsUnknownAlias()
    {
        var result = ManifestLoader.LoadText("apiVersion: v1\nkind: Namespace\nmetadata: &m {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: *m\n", "ns.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal((1, 7), (error.DocumentIndex, error.Line));
        Assert.Contains("unknown alias *m", error.Message, StringComparison.Ordinal);
        Assert.Equal("a", Assert.Single(result.Objects).Metadata.Name);
    }

    [Fact]
    public void LoadText_FloatThatOverflows_KeptAsStringAndReported()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: big
            spec:
              ports:
              - port: 1e999
            """;

        var result = ManifestLoader.LoadText(yaml, "big.yaml");

        Assert.Equal(0, Assert.Single(OnlyService(result).Ports).Port);
        var issue = Assert.Single(result.Issues);
        Assert.Equal("spec.ports[0].port", issue.Field);
        Assert.Contains("\"1e999\"", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_NestingTooDeep_ReportsErrorInsteadOfOverflowingTheStack()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\ndata: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var result = ManifestLoader.LoadText(yaml, "deep.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("deep.yaml", 0, 3), (error.File, error.DocumentIndex, error.Line));
        Assert.Contains("nesting deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_AliasesThatExpandExponentially_ReportsError()
    {
        var yaml = new System.Text.StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: laughs}\ndata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i <= 9; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        var result = ManifestLoader.LoadText(yaml.ToString(), "laughs.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(0, error.DocumentIndex);
        Assert.Contains("aliases expand to more than", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0\0\0")]
    [InlineData("{{{")]
    [InlineData("- - -")]
    [InlineData(": :")]
    [InlineData("key: [unclosed")]
    [InlineData("\tkind: Pod")]
    [InlineData("*undefined")]
    [InlineData("? [a, b]\n: c")]
    [InlineData("\"unterminated")]
    [InlineData("%YAML 1.1\n---\nkind: [")]
    [InlineData("---\n...\n---\n...")]
    [InlineData("kind: Pod\nmetadata: []\nspec: 7\nstatus: {conditions: [1, null, {type: Ready}]}")]
    [InlineData("kind: Service\nspec: {ports: [null, 80, {port: {}}], selector: {a: [1]}}")]
    [InlineData("kind: List\nitems: [1, {kind: List, items: []}, {kind: 5}]")]
    [InlineData("kind: Ingress\nspec: {rules: [{http: {paths: [{backend: {service: {port: {number: x}}}}]}}]}")]
    public void LoadText_GarbageInput_NeverThrows(string text)
    {
        var result = ManifestLoader.LoadText(text, "garbage.yaml");

        Assert.NotNull(result);
        Assert.All(result.Errors, e => Assert.Equal("garbage.yaml", e.File));
    }

    // ---------------------------------------------------------------- Paths, directories, stdin

    [Fact]
    public void LoadPaths_NonexistentPath_ReportsError()
    {
        var missing = Path.Combine(Path.GetTempPath(), "portmapper-no-such-dir", "app.yaml");

        var result = ManifestLoader.LoadPaths([missing]);

        var error = Assert.Single(result.Errors);
        Assert.Equal($"{missing}: no such file or directory", error.ToString());
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void LoadFile_Directory_ReportsCannotRead()
    {
        var result = ManifestLoader.LoadFile(Path.Combine("samples", "seeds"));

        Assert.StartsWith("cannot read the file", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPaths_Directory_ReadsManifestFilesRecursivelyInOrdinalOrder()
    {
        var dir = Directory.CreateTempSubdirectory("portmapper-loader-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "a"));
            File.WriteAllText(Path.Combine(dir.FullName, "b.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n");
            File.WriteAllText(Path.Combine(dir.FullName, "a", "z.yml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: a-z}\n");
            File.WriteAllText(Path.Combine(dir.FullName, "a", "c.json"), """{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a-c"}}""");
            File.WriteAllText(Path.Combine(dir.FullName, "A.YAML"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: upper}\n");
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "kind: Namespace\nmetadata: {name: ignored}\n");

            var result = ManifestLoader.LoadPaths([dir.FullName]);

            Assert.Empty(result.Errors);
            Assert.Equal(["upper", "a-c", "a-z", "b"], result.Objects.Select(o => o.Metadata.Name).ToArray());
            Assert.Equal(Path.Combine(dir.FullName, "a", "c.json"), result.Objects[1].Metadata.Source!.File);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void LoadPaths_Dash_ReadsStandardInput()
    {
        using var stdin = new StringReader("apiVersion: v1\nkind: Service\nmetadata:\n  name: piped\n");

        var result = ManifestLoader.LoadPaths(["-"], stdin);

        Assert.Equal("piped", OnlyService(result).Metadata.Name);
        Assert.Equal("<stdin>", result.Objects[0].Metadata.Source!.File);
    }

    [Fact]
    public void LoadPaths_SeveralPaths_MergesResultsAndErrors()
    {
        using var stdin = new StringReader("kind: [");

        var result = ManifestLoader.LoadPaths([Path.Combine("samples", "seeds", "03-kube-proxy-nodeport.yaml"), "-", "missing.yaml"], stdin);

        Assert.Equal(["Service", "Deployment"], result.Objects.Select(o => o.Kind).ToArray());
        Assert.Equal(["<stdin>", "missing.yaml"], result.Errors.Select(e => e.File).ToArray());
    }

    [Fact]
    public void LoadText_MalformedJson_ErrorNamesTheFileAndLine()
    {
        var result = ManifestLoader.LoadText("{\n  \"kind\": \"Service\",\n  \"metadata\": {\"name\": \"a\"\n}", "broken.json");

        var error = Assert.Single(result.Errors);
        Assert.Equal("broken.json", error.File);
        Assert.StartsWith("malformed JSON", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void LoadText_JsonWithADuplicateKey_IsRefusedLikeTheApiServerDoes()
    {
        var result = ManifestLoader.LoadText("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","name":"b"},"spec":{"ports":[{"port":80}]}}""", "dup.json");

        Assert.Equal("malformed JSON: duplicate key \"name\"", Assert.Single(result.Errors).Message);
        Assert.Empty(result.Objects);
    }
}
