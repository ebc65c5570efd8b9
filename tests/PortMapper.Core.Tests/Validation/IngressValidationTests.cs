using System.Text.Json.Nodes;
using PortMapper.Core.Validation;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Validation;

public class IngressValidationTests
{
    private const string Backend = "{service: {name: web, port: {number: 80}}}";
    private const string PathTo = "backend: " + Backend;

    /// <summary>rule, an Ingress spec that breaks it, one that keeps it, the server's message for the breach.</summary>
    public static TheoryData<string, string, string, string> Rules => new()
    {
        {
            "defaultBackend or rules (absent rules print as nil)",
            "{ingressClassName: nginx}",
            $"{{ingressClassName: nginx, defaultBackend: {Backend}}}",
            "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"
        },
        {
            "defaultBackend or rules (an empty list prints as empty)",
            "{rules: []}",
            $"{{rules: [{{http: {{paths: [{{path: /, pathType: Prefix, {PathTo}}}]}}}}]}}",
            "spec: Invalid value: []networking.IngressRule{}: either `defaultBackend` or `rules` must be specified"
        },
        {
            "a host is not an IP address",
            $"{{rules: [{{host: 192.0.2.10, http: {{paths: [{{path: /, pathType: Prefix, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{host: web.example.com, http: {{paths: [{{path: /, pathType: Prefix, {PathTo}}}]}}}}]}}",
            "spec.rules[0].host: Invalid value: \"192.0.2.10\": must be a DNS name, not an IP address"
        },
        {
            "a wildcard host is '*.' and a subdomain",
            $"{{rules: [{{host: '*.*.example.com', http: {{paths: [{{path: /, pathType: Prefix, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{host: '*.example.com', http: {{paths: [{{path: /, pathType: Prefix, {PathTo}}}]}}}}]}}",
            "spec.rules[0].host: Invalid value: \"*.*.example.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        },
        {
            "a host is a DNS-1123 subdomain",
            $"{{rules: [{{host: Web.example.com, http: {{paths: [{{path: /, pathType: Prefix, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{host: web.example.com, http: {{paths: [{{path: /, pathType: Prefix, {PathTo}}}]}}}}]}}",
            $"spec.rules[0].host: Invalid value: \"Web.example.com\": {ServiceValidationTests.Dns1123Subdomain}"
        },
        {
            "an http rule has paths",
            "{rules: [{host: web.example.com, http: {paths: []}}]}",
            "{rules: [{host: web.example.com}]}",
            "spec.rules[0].http.paths: Required value"
        },
        {
            "pathType is required",
            $"{{rules: [{{http: {{paths: [{{path: /, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /, pathType: ImplementationSpecific, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"
        },
        {
            "pathType is Exact, ImplementationSpecific or Prefix",
            $"{{rules: [{{http: {{paths: [{{path: /, pathType: Regex, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /, pathType: Exact, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\""
        },
        {
            "an Exact or Prefix path is absolute",
            $"{{rules: [{{http: {{paths: [{{path: api, pathType: Prefix, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /api, pathType: Prefix, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].path: Invalid value: \"api\": must be an absolute path"
        },
        {
            "an Exact or Prefix path has no '//'",
            $"{{rules: [{{http: {{paths: [{{path: /api//v1, pathType: Exact, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /api/v1, pathType: Exact, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].path: Invalid value: \"/api//v1\": must not contain '//'"
        },
        {
            "an Exact or Prefix path has no encoded slash",
            $"{{rules: [{{http: {{paths: [{{path: /a%2fb, pathType: Prefix, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /a/b, pathType: Prefix, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].path: Invalid value: \"/a%2fb\": must not contain '%2f'"
        },
        {
            "an Exact or Prefix path does not end in '/..'",
            $"{{rules: [{{http: {{paths: [{{path: /api/.., pathType: Prefix, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /api/..x, pathType: Prefix, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].path: Invalid value: \"/api/..\": cannot end with '/..'"
        },
        {
            "a backend is not both a Service and a resource",
            "{defaultBackend: {service: {name: web, port: {number: 80}}, resource: {kind: StorageBucket, name: assets}}}",
            "{defaultBackend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: assets}}}",
            "spec.defaultBackend: Invalid value: \"\": cannot set both resource and service backends"
        },
        {
            "a backend is a Service or a resource",
            $"{{rules: [{{http: {{paths: [{{path: /, pathType: Prefix, backend: {{}}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /, pathType: Prefix, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].backend: Invalid value: \"\": resource or service backend is required"
        },
        {
            "a backend Service name is a DNS-1035 label",
            "{defaultBackend: {service: {name: 1web, port: {number: 80}}}}",
            "{defaultBackend: {service: {name: web1, port: {number: 80}}}}",
            $"spec.defaultBackend.service.name: Invalid value: \"1web\": {ServiceValidationTests.Dns1035Label}"
        },
        {
            "a backend port is a name or a number, not both",
            "{defaultBackend: {service: {name: web, port: {name: http, number: 80}}}}",
            "{defaultBackend: {service: {name: web, port: {name: http}}}}",
            "spec.defaultBackend: Invalid value: \"\": cannot set both port name & port number"
        },
        {
            "a backend port is required",
            "{defaultBackend: {service: {name: web, port: {}}}}",
            "{defaultBackend: {service: {name: web, port: {number: 8080}}}}",
            "spec.defaultBackend: Required value: port name or number is required"
        },
        {
            "a backend port name is an IANA_SVC_NAME",
            "{defaultBackend: {service: {name: web, port: {name: http_alt}}}}",
            "{defaultBackend: {service: {name: web, port: {name: http-alt}}}}",
            "spec.defaultBackend.service.port.name: Invalid value: \"http_alt\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        },
        {
            "a backend port number is 1..65535",
            "{defaultBackend: {service: {name: web, port: {number: 70000}}}}",
            "{defaultBackend: {service: {name: web, port: {number: 65535}}}}",
            $"spec.defaultBackend.service.port.number: Invalid value: 70000: {ServiceValidationTests.PortRange}"
        },
        {
            "an ImplementationSpecific path, when given, is absolute",
            $"{{rules: [{{http: {{paths: [{{path: 'api*', pathType: ImplementationSpecific, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{pathType: ImplementationSpecific, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].path: Invalid value: \"api*\": must be an absolute path"
        },
        {
            "an Exact or Prefix path has no '/./'",
            $"{{rules: [{{http: {{paths: [{{path: /a/./b, pathType: Exact, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /a/.b, pathType: Exact, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].path: Invalid value: \"/a/./b\": must not contain '/./'"
        },
        {
            "an Exact or Prefix path does not end in '/.'",
            $"{{rules: [{{http: {{paths: [{{path: /a/., pathType: Exact, {PathTo}}}]}}}}]}}",
            $"{{rules: [{{http: {{paths: [{{path: /a/.well-known, pathType: Exact, {PathTo}}}]}}}}]}}",
            "spec.rules[0].http.paths[0].path: Invalid value: \"/a/.\": cannot end with '/.'"
        },
        {
            "a resource backend has a kind",
            "{defaultBackend: {resource: {apiGroup: k8s.example.com, name: assets}}}",
            "{defaultBackend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: assets}}}",
            "spec.defaultBackend.resource.kind: Required value"
        },
        {
            "a resource backend name is a path segment",
            "{defaultBackend: {resource: {kind: StorageBucket, name: a/b}}}",
            "{defaultBackend: {resource: {kind: StorageBucket, name: a-b}}}",
            "spec.defaultBackend.resource.name: Invalid value: \"a/b\": may not contain '/'"
        },
        {
            "a resource backend apiGroup is a subdomain",
            "{defaultBackend: {resource: {apiGroup: K8s.example.com, kind: StorageBucket, name: assets}}}",
            "{defaultBackend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: assets}}}",
            $"spec.defaultBackend.resource.apiGroup: Invalid value: \"K8s.example.com\": {ServiceValidationTests.Dns1123Subdomain}"
        },
        {
            "TLS hosts are subdomains or wildcards",
            $"{{defaultBackend: {Backend}, tls: [{{hosts: ['*.example.com', Web.example.com], secretName: web-tls}}]}}",
            $"{{defaultBackend: {Backend}, tls: [{{hosts: ['*.example.com', web.example.com], secretName: web-tls}}]}}",
            $"spec.tls[0].hosts[1]: Invalid value: \"Web.example.com\": {ServiceValidationTests.Dns1123Subdomain}"
        },
        {
            "a TLS secretName is a Secret name",
            $"{{defaultBackend: {Backend}, tls: [{{hosts: [web.example.com], secretName: Web_TLS}}]}}",
            $"{{defaultBackend: {Backend}, tls: [{{hosts: [web.example.com], secretName: web-tls}}]}}",
            $"spec.tls[0].secretName: Invalid value: \"Web_TLS\": {ServiceValidationTests.Dns1123Subdomain}"
        },
        {
            "ingressClassName is a subdomain",
            $"{{ingressClassName: Nginx, defaultBackend: {Backend}}}",
            $"{{ingressClassName: nginx, defaultBackend: {Backend}}}",
            $"spec.ingressClassName: Invalid value: \"Nginx\": {ServiceValidationTests.Dns1123Subdomain}"
        },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Validate_IngressRule_ReportsTheServersMessageOnlyWhenBroken(string rule, string broken, string valid, string expected)
    {
        var brokenFindings = ManifestValidator.Validate(Ingress(broken));
        var validFindings = ManifestValidator.Validate(Ingress(valid));

        Assert.True(Messages(brokenFindings).Contains(expected), $"{rule}: expected\n{expected}\nbut got\n{Describe(brokenFindings)}");
        Assert.True(validFindings.IsEmpty, $"{rule}: the valid variant reported\n{Describe(validFindings)}");
    }

    [Fact]
    public void Validate_ClassAnnotationDifferingFromIngressClassName_IsInvalid()
    {
        var ingress = Ingress($"{{ingressClassName: nginx, defaultBackend: {Backend}}}");
        var same = Ingress($"{{ingressClassName: nginx, defaultBackend: {Backend}}}");
        ingress["metadata"]!["annotations"] = new JsonObject { ["kubernetes.io/ingress.class"] = "traefik" };
        same["metadata"]!["annotations"] = new JsonObject { ["kubernetes.io/ingress.class"] = "nginx" };

        Assert.Equal(
            ["annotations.kubernetes.io/ingress.class: Invalid value: \"traefik\": must match `ingressClassName` when both are specified"],
            Messages(ManifestValidator.Validate(ingress)));
        Assert.Empty(ManifestValidator.Validate(same));
    }

    [Fact]
    public void Validate_MissingPathType_StopsBeforeTheBackend()
    {
        var findings = ManifestValidator.Validate(Ingress("{rules: [{http: {paths: [{path: /, backend: {}}]}}]}"));

        Assert.Equal(["spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"], Messages(findings));
    }
}
