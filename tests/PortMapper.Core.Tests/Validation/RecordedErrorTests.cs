using System.Text.Json.Nodes;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Validation;

/// <summary>
/// The 422 answers recorded from a real kube-apiserver (tests/fixtures/k8s-recordings, README there): PortMapper must
/// print exactly what the server printed for the same request body.
/// </summary>
public class RecordedErrorTests
{
    [Theory]
    [InlineData("error-422-invalid-port-name.json", "web-badname", 30090, "Web_HTTP")]
    [InlineData("error-422-nodeport-out-of-range.json", "web-lowport", 80, "http")]
    [InlineData("error-422-duplicate-nodeport.json", "web-dup", 30080, "http")]
    public void Validate_RecordedRequest_ReproducesTheRecordedMessage(string recording, string name, int nodePort, string portName)
    {
        var status = JsonNode.Parse(File.ReadAllText(Recording(recording)))!;
        var cause = status["details"]!["causes"]![0]!;
        var message = (string)status["message"]!;
        var body = BodyC(name, nodePort, portName);

        var result = Assert.Single(ManifestValidation.Validate([body], RecordedCluster()));

        var finding = Assert.Single(result.Findings);
        Assert.Equal((string)cause["field"]!, finding.Field);
        Assert.Equal((string)cause["message"]!, finding.Detail);
        Assert.Equal($"Service \"{name}\" is invalid: {finding.Message}", message);
        Assert.Equal(ValidationSeverity.Error, finding.Severity);
    }

    [Fact]
    public void Validate_RecordedDuplicateNodePort_NamesTheServiceHoldingIt()
    {
        var result = Assert.Single(ManifestValidation.Validate([BodyC("web-dup", 30080, "http")], RecordedCluster()));

        Assert.Equal(new ObjectRef("Service", "demo", "web"), Assert.Single(result.Findings).Related);
    }

    /// <summary>Body C of the recordings README, filled in as its table says.</summary>
    private static JsonObject BodyC(string name, int nodePort, string portName) => (JsonObject)JsonNode.Parse($$$"""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"{{{name}}}","namespace":"demo"},
         "spec":{"type":"NodePort","selector":{"app":"web"},
          "ports":[{"name":"{{{portName}}}","port":80,"protocol":"TCP","targetPort":"http","nodePort":{{{nodePort}}}}]}}
        """)!;

    /// <summary>The recorded cluster's Services, Pods and Nodes (list items carry no kind, so it is put back).</summary>
    private static ClusterSnapshot RecordedCluster()
    {
        var reader = new ModelReader([]);
        var objects = new List<IKubeObject>();
        foreach (var (file, kind) in new[] { ("list-services.json", "Service"), ("list-pods.json", "Pod"), ("list-nodes.json", "Node") })
        {
            foreach (var item in JsonNode.Parse(File.ReadAllText(Recording(file)))!["items"]!.AsArray())
            {
                var obj = item!.AsObject();
                obj["kind"] = kind;
                objects.Add(reader.Read(obj)!);
            }
        }

        return ClusterSnapshot.From(objects, endpointSlicesAuthoritative: true);
    }
}
