using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Validation;

public class ObjectValidationTests
{
    /// <summary>rule, an object that breaks it, one that keeps it, the server's message for the breach.</summary>
    public static TheoryData<string, string, string, string> Rules => new()
    {
        {
            "a Service name is a DNS-1035 label",
            "{apiVersion: v1, kind: Service, metadata: {name: 1st-web}, spec: {ports: [{port: 80}]}}",
            "{apiVersion: v1, kind: Service, metadata: {name: web-1st}, spec: {ports: [{port: 80}]}}",
            $"metadata.name: Invalid value: \"1st-web\": {ServiceValidationTests.Dns1035Label}"
        },
        {
            "a Pod name is a DNS-1123 subdomain",
            "{apiVersion: v1, kind: Pod, metadata: {name: web_1}, spec: {containers: [{name: web, image: nginx}]}}",
            "{apiVersion: v1, kind: Pod, metadata: {name: web.1}, spec: {containers: [{name: web, image: nginx}]}}",
            $"metadata.name: Invalid value: \"web_1\": {ServiceValidationTests.Dns1123Subdomain}"
        },
        {
            "an Ingress name is a DNS-1123 subdomain",
            "{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: Web}, spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}}",
            "{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: web.example}, spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}}",
            $"metadata.name: Invalid value: \"Web\": {ServiceValidationTests.Dns1123Subdomain}"
        },
        {
            "a namespace is a DNS-1123 label",
            "{apiVersion: v1, kind: Service, metadata: {name: web, namespace: my.team}, spec: {ports: [{port: 80}]}}",
            "{apiVersion: v1, kind: Service, metadata: {name: web, namespace: my-team}, spec: {ports: [{port: 80}]}}",
            "metadata.namespace: Invalid value: \"my.team\": must not contain dots"
        },
        {
            "a name is required, generateName will do",
            "{apiVersion: v1, kind: Service, metadata: {namespace: demo}, spec: {ports: [{port: 80}]}}",
            "{apiVersion: v1, kind: Service, metadata: {generateName: web-}, spec: {ports: [{port: 80}]}}",
            "metadata.name: Required value: name or generateName is required"
        },
        {
            "apiVersion is required",
            "{kind: Service, metadata: {name: web}, spec: {ports: [{port: 80}]}}",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 80}]}}",
            "apiVersion: Required value"
        },
        {
            "kind is required",
            "{apiVersion: v1, metadata: {name: web}, spec: {ports: [{port: 80}]}}",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 80}]}}",
            "kind: Required value"
        },
        {
            "a kind is served at one apiVersion",
            "{apiVersion: extensions/v1beta1, kind: Ingress, metadata: {name: web}, spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}}",
            "{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: web}, spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}}",
            "apiVersion: Unsupported value: \"extensions/v1beta1\": supported values: \"networking.k8s.io/v1\""
        },
        {
            "an integer field holds a JSON number",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: \"80\"}]}}",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 80}]}}",
            "spec.ports[0].port: Invalid value: \"80\": must be an integer"
        },
        {
            "a boolean field holds a JSON boolean",
            "{apiVersion: v1, kind: Pod, metadata: {name: web}, spec: {hostNetwork: \"true\", containers: [{name: web, image: nginx}]}}",
            "{apiVersion: v1, kind: Pod, metadata: {name: web}, spec: {hostNetwork: true, containers: [{name: web, image: nginx}]}}",
            "spec.hostNetwork: Invalid value: \"true\": must be a boolean"
        },
        {
            "a string field holds a JSON string",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {type: 30080, ports: [{port: 80}]}}",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {type: NodePort, ports: [{port: 80}]}}",
            "spec.type: Invalid value: 30080: must be a string"
        },
        {
            "a list field holds a JSON list",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: {port: 80}}}",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 80}]}}",
            "spec.ports: Invalid value: {\"port\":80}: must be a list"
        },
        {
            "an integer field fits in 32 bits",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 4294967376}]}}",
            "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 80}]}}",
            "spec.ports[0].port: Invalid value: 4294967376: must be a 32-bit integer"
        },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Validate_ObjectRule_ReportsTheMessageOnlyWhenBroken(string rule, string broken, string valid, string expected)
    {
        var brokenFindings = ManifestValidator.Validate(Yaml(broken));
        var validFindings = ManifestValidator.Validate(Yaml(valid));

        Assert.True(Messages(brokenFindings).Contains(expected), $"{rule}: expected\n{expected}\nbut got\n{Describe(brokenFindings)}");
        Assert.True(validFindings.IsEmpty, $"{rule}: the valid variant reported\n{Describe(validFindings)}");
    }

    [Fact]
    public void Validate_UnknownKind_SaysPortMapperDoesNotCheckIt()
    {
        var finding = Assert.Single(ManifestValidator.Validate(Yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: web}, data: {a: b}}")));

        Assert.Equal(ValidationSeverity.Info, finding.Severity);
        Assert.Equal("kind: PortMapper does not validate kind \"ConfigMap\": the API server will check it when it is applied", finding.Message);
    }

    [Fact]
    public void Validate_UndecodableValue_ReportsOnlyDecodeErrors()
    {
        // The server cannot decode this object, so it never gets to the nodePort rule the object also breaks.
        var findings = ManifestValidator.Validate(Service("{ports: [{port: \"80\", nodePort: 30080}, {port: 81, targetPort: [8080]}]}"));

        Assert.Equal(
            [
                "spec.ports[0].port: Invalid value: \"80\": must be an integer",
                "spec.ports[1].targetPort: Invalid value: [8080]: must be an integer or a string",
            ],
            Messages(findings));
    }

    [Fact]
    public void Validate_GenerateNameWithTrailingDash_IsCheckedAsAPrefix()
    {
        var findings = ManifestValidator.Validate(Yaml("{apiVersion: v1, kind: Service, metadata: {generateName: Web-}, spec: {ports: [{port: 80}]}}"));

        Assert.Equal([$"metadata.generateName: Invalid value: \"Web-\": {ServiceValidationTests.Dns1035Label}"], Messages(findings));
    }

    [Theory]
    [InlineData("{apiVersion: v1, kind: Service, metadata: {name: web}}", "Service", "default", "web")]
    [InlineData("{apiVersion: v1, kind: Service, metadata: {name: web, namespace: demo}}", "Service", "demo", "web")]
    [InlineData("{apiVersion: v1, kind: Namespace, metadata: {name: demo}}", "Namespace", "", "demo")]
    [InlineData("{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}", "ConfigMap", "", "cfg")]
    public void Describe_Manifest_NamesTheObjectWhereItWillBeApplied(string yaml, string kind, string ns, string name)
    {
        Assert.Equal(new ObjectRef(kind, ns, name), ManifestValidator.Describe(Yaml(yaml)));
    }
}
