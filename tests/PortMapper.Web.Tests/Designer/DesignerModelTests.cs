using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using PortMapper.Web.Designer;

namespace PortMapper.Web.Tests.Designer;

/// <summary>The designer's form models: in-place edits, field placement, key order, templates.</summary>
public sealed class DesignerModelTests
{
    [Theory]
    [InlineData("spec.ports[0].nodePort", "spec.ports[0].nodePort")]
    [InlineData("spec.ports[1]", "spec.ports[1]")]
    [InlineData("spec.ports[0].appProtocol", "spec.ports[0]")]
    [InlineData("spec.LoadBalancerSourceRanges[0]", "spec.loadBalancerSourceRanges")]
    [InlineData("spec.clusterIPs[0]", "spec.type")]
    [InlineData("spec.selector.app", "spec.selector")]
    [InlineData("spec.healthCheckNodePort", null)]
    [InlineData("metadata.labels", null)]
    public void Place_FindingPath_GoesToTheNearestShownField(string field, string? expected)
    {
        var visible = new HashSet<string>(StringComparer.Ordinal)
        {
            "spec.ports[0]", "spec.ports[0].nodePort", "spec.ports[1]", "spec.loadBalancerSourceRanges", "spec.type", "spec.selector",
        };

        Assert.Equal(expected, FieldMessageIndex.Place(field, visible));
    }

    [Fact]
    public void FieldMessageIndex_SplitsPlacedAndUnplaced()
    {
        var findings = new[]
        {
            ValidationFinding.Create("spec.ports[0].port", ValidationSeverity.Error, "Invalid value: 0: must be between 1 and 65535, inclusive"),
            ValidationFinding.Create("spec.healthCheckNodePort", ValidationSeverity.Error, "Forbidden: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
        };

        var index = new FieldMessageIndex(findings.Select(FieldMessage.From), ["spec.ports[0].port"]);

        Assert.True(index.HasErrorAt("spec.ports[0].port"));
        Assert.Equal("spec.healthCheckNodePort", Assert.Single(index.Unplaced).Field);
    }

    [Fact]
    public void FieldMessageIndex_ClusterIpOfAFamilyTheClusterLacks_IsShownAtTheFamilyChoice_AsErrorAndAsInferredWarning()
    {
        var service = (Service)new ModelReader([]).Read(Parse("""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {ipFamilyPolicy: PreferDualStack, clusterIPs: [10.96.0.50, "fd00:10:96::50"], ports: [{port: 80}]}
            """))!;
        string[] visible = ["spec.ipFamilies", "spec.clusterIP"];

        foreach (var known in new[] { true, false })
        {
            var findings = ServiceFamilies.Resolve(service, null, new ClusterServiceFamilies([IpFamily.V4], known))!.Findings;
            var finding = Assert.Single(findings, f => f.Field == "spec.clusterIPs[1]");
            Assert.Equal(known ? ValidationSeverity.Error : ValidationSeverity.Warning, finding.Severity);

            var index = new FieldMessageIndex(findings.Select(FieldMessage.From), visible);

            Assert.Contains(index.At("spec.ipFamilies"), m => m.Field == "spec.clusterIPs[1]");
            Assert.Empty(index.Unplaced);
        }
    }

    [Fact]
    public void ServiceEditor_Edits_KeepFieldsTheFormDoesNotKnow()
    {
        var json = Parse("""
            apiVersion: v1
            kind: Service
            metadata: {name: web, annotations: {team: payments}}
            spec:
              publishNotReadyAddresses: true
              ports: [{port: 80, appProtocol: http}]
            """);
        var editor = new ServiceEditor(json);

        editor.SetKind(ServiceKinds.Headless);
        editor.Ports[0].Name = "http";
        editor.Ports[0].SetTargetMode(TargetPortMode.Name);
        editor.Ports[0].SetTargetName("web");
        editor.AddPort();
        KeyOrder.Normalize(json);

        Assert.Equal("""
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              annotations:
                team: payments
            spec:
              type: ClusterIP
              clusterIP: None
              ports:
              - name: http
                port: 80
                targetPort: web
                appProtocol: http
              - name: port-2
                port: 81
                targetPort: 81
              publishNotReadyAddresses: true

            """.ReplaceLineEndings("\n"), YamlWriter.Write(json));
    }

    [Fact]
    public void ServiceEditor_ProtocolTcp_IsNotWrittenUnlessItWasThere()
    {
        var json = Parse("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 53}, {port: 54, protocol: TCP}]}\n");
        var ports = new ServiceEditor(json).Ports;

        ports[0].Protocol = "TCP";
        ports[1].Protocol = "TCP";

        Assert.Null(json["spec"]!["ports"]![0]!["protocol"]);
        Assert.Equal("TCP", (string?)json["spec"]!["ports"]![1]!["protocol"]);
    }

    [Fact]
    public void Expose_PodWithOneUnnamedPort_IsKubectlExposesService()
    {
        var pod = Parse("""
            apiVersion: v1
            kind: Pod
            metadata: {name: nginx, namespace: default, labels: {name: nginx-pod}}
            spec: {containers: [{name: nginx, image: nginx, ports: [{containerPort: 80}]}]}
            """);

        var service = DesignTemplates.Expose(pod, name => name == "nginx");

        Assert.NotNull(service);
        Assert.Equal("""
            apiVersion: v1
            kind: Service
            metadata:
              name: nginx-2
              namespace: default
            spec:
              type: ClusterIP
              selector:
                name: nginx-pod
              ports:
              - port: 80
                targetPort: 80

            """.ReplaceLineEndings("\n"), YamlWriter.Write(service));
    }

    [Fact]
    public void Expose_WithoutLabels_IsNull()
    {
        var pod = Parse("apiVersion: v1\nkind: Pod\nmetadata: {name: bare}\nspec: {containers: [{name: a, image: a}]}\n");

        Assert.Null(DesignTemplates.Expose(pod, _ => false));
    }

    [Theory]
    [InlineData("Service")]
    [InlineData("Ingress")]
    [InlineData("NetworkPolicy")]
    [InlineData("Deployment")]
    [InlineData("StatefulSet")]
    [InlineData("DaemonSet")]
    [InlineData("Pod")]
    public void Scratch_EveryKind_IsValidAgainstTheDemo(string kind)
    {
        var demo = DemoCluster.CreateDefault().Snapshot;

        var json = DesignTemplates.Scratch(kind, "default", _ => false, demo);

        var findings = ManifestValidation.Validate([json], demo)[0].Findings.Where(f => f.Severity == ValidationSeverity.Error);
        Assert.Empty(findings.Select(f => f.Message));
    }

    [Fact]
    public void Scratch_NameTaken_PicksTheNextFreeOne()
    {
        var json = DesignTemplates.Scratch("Service", "default", n => n is "my-service" or "my-service-2", ClusterSnapshot.Empty);

        Assert.Equal("my-service-3", (string?)json["metadata"]!["name"]);
    }

    [Fact]
    public void ClusterFacts_SelectFrontend_ListsDeclaredPortNames()
    {
        var demo = DemoCluster.CreateDefault().Snapshot;

        var selected = ClusterFacts.Select(demo, "shop", new Dictionary<string, string> { ["app"] = "frontend" });

        Assert.Equal(2, selected.Count);
        Assert.Equal(["metrics", "web"], selected.PortNames("TCP").ToArray());
        Assert.Equal(["Deployment frontend"], selected.Templates.ToArray());
        Assert.Empty(selected.PortNames("UDP"));
    }

    [Fact]
    public void NetworkPolicyEditor_AllowClientFromAnotherNamespace_SelectsTheServicesPodsAndAdmitsItOnTheTargetPorts()
    {
        var demo = DemoCluster.CreateDefault().Snapshot;
        var json = DesignTemplates.Scratch("NetworkPolicy", "bank", _ => false, demo);
        var editor = new NetworkPolicyEditor(json);
        var client = ClusterFacts.PolicyClients(demo).Single(c => c.Value == "Deployment/shop/frontend");

        var error = editor.AllowClient(client, demo.Services[new ObjectKey("bank", "api")]);

        Assert.Null(error);
        Assert.Equal(
            """{"podSelector":{"matchLabels":{"app":"api"}},"policyTypes":["Ingress"],"ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"shop"}},"podSelector":{"matchLabels":{"app":"frontend","tier":"web"}}}],"ports":[{"port":"grpc"}]}]}""",
            json["spec"]!.ToJsonString());
        Assert.Empty(ManifestValidator.Validate(json));
    }

    [Fact]
    public void NetworkPolicyEditor_AllowClientOfTheSameNamespace_NeedsNoNamespaceSelector_AndKeepsAnExistingPodSelector()
    {
        var demo = DemoCluster.CreateDefault().Snapshot;
        var json = Parse("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: bank}
            spec:
              podSelector: {matchLabels: {app: web}}
            """);
        var editor = new NetworkPolicyEditor(json);
        var reports = ClusterFacts.PolicyClients(demo).Single(c => c.Value == "Deployment/bank/reports");

        editor.AllowClient(reports, demo.Services[new ObjectKey("bank", "api")]);

        Assert.Equal("""{"app":"web"}""", json["spec"]!["podSelector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal("""[{"podSelector":{"matchLabels":{"app":"reports"}}}]""", json["spec"]!["ingress"]![0]!["from"]!.ToJsonString());
        // policyTypes was not written: the server's default (Ingress) already isolates for it.
        Assert.Null(json["spec"]!["policyTypes"]);
        Assert.True(editor.Isolates(NetworkPolicyEditor.Ingress));
        Assert.False(editor.Isolates(NetworkPolicyEditor.Egress));
    }

    [Fact]
    public void NetworkPolicyEditor_ServiceWithoutSelector_SaysWhyItCannotAllow()
    {
        var service = new Service(new ObjectMeta { Name = "external-db", Namespace = "bank" });
        var editor = new NetworkPolicyEditor(DesignTemplates.Scratch("NetworkPolicy", "bank", _ => false, ClusterSnapshot.Empty));

        var error = editor.AllowClient(new PolicyClient("Namespace/shop", "every pod in namespace shop", "shop", null), service);

        Assert.Equal("Service bank/external-db has no selector: its endpoints are not pods a NetworkPolicy can select by label.", error);
    }

    [Fact]
    public void NetworkPolicyEditor_PolicyTypesAndPeerKinds_EditTheManifestAsTheApiDefines()
    {
        var json = Parse("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: bank}
            spec:
              podSelector: {}
              egress: [{to: [{podSelector: {matchLabels: {app: api}}}]}]
            """);
        var editor = new NetworkPolicyEditor(json);

        // Defaulting: egress rules without policyTypes mean Ingress and Egress.
        Assert.True(editor.Isolates(NetworkPolicyEditor.Egress));
        editor.SetIsolates(NetworkPolicyEditor.Ingress, false);
        Assert.Equal("""["Egress"]""", json["spec"]!["policyTypes"]!.ToJsonString());
        editor.SetIsolates(NetworkPolicyEditor.Egress, false);
        Assert.Null(json["spec"]!["policyTypes"]);

        var peer = editor.Rules(NetworkPolicyEditor.Egress)[0].Peers[0];
        peer.Kind = PolicyPeerEditor.IpBlock;
        peer.Cidr = "10.0.0.0/8";
        peer.SetExcept(["10.1.0.0/16"]);
        Assert.Equal("""{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.1.0.0/16"]}}""", peer.Json.ToJsonString());
        peer.Kind = PolicyPeerEditor.PodsInNamespaces;
        Assert.Equal("""{"namespaceSelector":{},"podSelector":{}}""", peer.Json.ToJsonString());

        var port = new PolicyPortEditor(new JsonObject(), "spec.egress[0].ports[0]") { Port = "5432" };
        Assert.Equal("""{"port":5432}""", port.Json.ToJsonString());
        port.Port = "postgres";
        Assert.Equal("""{"port":"postgres"}""", port.Json.ToJsonString());
        port.Protocol = "TCP";
        Assert.False(port.Json.ContainsKey("protocol"));
    }

    [Fact]
    public void FormShape_NetworkPolicyWithAPeerListAsAMap_HasNoForm()
    {
        var json = Parse("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: bank}
            spec:
              ingress: [{from: {podSelector: {}}}]
            """);

        Assert.Equal("spec.ingress[0].from is not a list", FormShape.Problem(json, "NetworkPolicy"));
    }

    private static JsonObject Parse(string yaml) => (JsonObject)YamlToJson.Parse(yaml, "test")[0].Root!;
}
