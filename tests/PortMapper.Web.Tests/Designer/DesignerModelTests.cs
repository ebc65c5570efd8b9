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

    private static JsonObject Parse(string yaml) => (JsonObject)YamlToJson.Parse(yaml, "test")[0].Root!;
}
