using System.Text.Json.Nodes;
using PortMapper.Core.Validation;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Validation;

public class ServiceValidationTests
{
    // The API server's format messages, as upstream builds them (note the double spaces after the commas).
    internal const string Dns1123Label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    internal const string Dns1123Subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    internal const string Dns1035Label = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    internal const string PortRange = "must be between 1 and 65535, inclusive";

    /// <summary>rule, a spec that breaks it, a near-identical spec that keeps it, the server's message for the breach.</summary>
    public static TheoryData<string, string, string, string> Rules => new()
    {
        {
            "type must be a known value (sorted list)",
            "{type: Internal, ports: [{port: 80}]}",
            "{type: NodePort, ports: [{port: 80}]}",
            "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
        },
        {
            "ports are required unless headless",
            "{selector: {app: web}}",
            "{clusterIP: None, selector: {app: web}}",
            "spec.ports: Required value"
        },
        {
            "ports are required unless ExternalName",
            "{type: NodePort}",
            "{type: ExternalName, externalName: db.example.com}",
            "spec.ports: Required value"
        },
        {
            "port names are required when there is more than one port",
            "{ports: [{name: http, port: 80}, {port: 443}]}",
            "{ports: [{name: http, port: 80}, {name: https, port: 443}]}",
            "spec.ports[1].name: Required value"
        },
        {
            "a port name is a DNS-1123 label",
            "{ports: [{name: web_http, port: 80}]}",
            "{ports: [{name: web-http, port: 80}]}",
            $"spec.ports[0].name: Invalid value: \"web_http\": {Dns1123Label}"
        },
        {
            "a port name has no dots",
            "{ports: [{name: web.http, port: 80}]}",
            "{ports: [{name: webhttp, port: 80}]}",
            "spec.ports[0].name: Invalid value: \"web.http\": must not contain dots"
        },
        {
            "port names are unique",
            "{ports: [{name: http, port: 80}, {name: http, port: 8080}]}",
            "{ports: [{name: http, port: 80}, {name: http-alt, port: 8080}]}",
            "spec.ports[1].name: Duplicate value: \"http\""
        },
        {
            "port is 1..65535",
            "{ports: [{port: 70000, targetPort: 80}]}",
            "{ports: [{port: 65535, targetPort: 80}]}",
            $"spec.ports[0].port: Invalid value: 70000: {PortRange}"
        },
        {
            "protocol is TCP, UDP or SCTP",
            "{ports: [{port: 53, protocol: DNS}]}",
            "{ports: [{port: 53, protocol: UDP}]}",
            "spec.ports[0].protocol: Unsupported value: \"DNS\": supported values: \"SCTP\", \"TCP\", \"UDP\""
        },
        {
            "a numeric targetPort is 1..65535",
            "{ports: [{port: 80, targetPort: 65536}]}",
            "{ports: [{port: 80, targetPort: 8080}]}",
            $"spec.ports[0].targetPort: Invalid value: 65536: {PortRange}"
        },
        {
            "a quoted number is a port name, which needs a letter",
            "{ports: [{port: 80, targetPort: \"8080\"}]}",
            "{ports: [{port: 80, targetPort: 8080}]}",
            "spec.ports[0].targetPort: Invalid value: \"8080\": must contain at least one letter (a-z)"
        },
        {
            "a named targetPort is at most 15 characters",
            "{ports: [{port: 80, targetPort: http-web-server-1}]}",
            "{ports: [{port: 80, targetPort: http-web}]}",
            "spec.ports[0].targetPort: Invalid value: \"http-web-server-1\": must be no more than 15 characters"
        },
        {
            "appProtocol is a qualified name",
            "{ports: [{port: 80, appProtocol: -h2c}]}",
            "{ports: [{port: 80, appProtocol: kubernetes.io/h2c}]}",
            "spec.ports[0].appProtocol: Invalid value: \"-h2c\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        },
        {
            "(port, protocol) pairs are unique, protocol defaulted to TCP",
            "{ports: [{name: a, port: 80}, {name: b, port: 80, targetPort: 8080}]}",
            "{ports: [{name: a, port: 80}, {name: b, port: 80, protocol: UDP}]}",
            "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"
        },
        {
            "(protocol, nodePort) pairs are unique",
            "{type: NodePort, ports: [{name: a, port: 80, nodePort: 30080}, {name: b, port: 81, nodePort: 30080}]}",
            "{type: NodePort, ports: [{name: a, port: 80, nodePort: 30080}, {name: b, port: 80, protocol: UDP, nodePort: 30080}]}",
            "spec.ports[1].nodePort: Duplicate value: 30080"
        },
        {
            "no nodePort on a ClusterIP Service (type defaults to ClusterIP)",
            "{ports: [{port: 80, nodePort: 30080}]}",
            "{type: NodePort, ports: [{port: 80, nodePort: 30080}]}",
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
        },
        {
            "a NodePort Service cannot be headless",
            "{type: NodePort, clusterIP: None, ports: [{port: 80}]}",
            "{type: ClusterIP, clusterIP: None, ports: [{port: 80}]}",
            "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"
        },
        {
            "a LoadBalancer Service cannot be headless",
            "{type: LoadBalancer, clusterIP: None, ports: [{port: 80}]}",
            "{type: LoadBalancer, ports: [{port: 80}]}",
            "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"
        },
        {
            "None is the only clusterIP of a headless Service",
            "{clusterIP: None, clusterIPs: [None, 10.96.0.10], ports: [{port: 80}]}",
            "{clusterIP: None, clusterIPs: [None], ports: [{port: 80}]}",
            "spec.clusterIPs: Invalid value: []string{\"None\", \"10.96.0.10\"}: 'None' must be the first and only value"
        },
        {
            "clusterIPs[0] matches clusterIP",
            "{clusterIP: 10.96.0.10, clusterIPs: [10.96.0.11], ports: [{port: 80}]}",
            "{clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10], ports: [{port: 80}]}",
            "spec.clusterIPs: Invalid value: []string{\"10.96.0.11\"}: first value must match `clusterIP`"
        },
        {
            "clusterIPs needs clusterIP",
            "{clusterIPs: [10.96.0.10], ports: [{port: 80}]}",
            "{clusterIP: 10.96.0.10, ports: [{port: 80}]}",
            "spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: must be empty when `clusterIP` is not specified"
        },
        {
            "a clusterIP is an IP address",
            "{clusterIP: 10.96.0.300, ports: [{port: 80}]}",
            "{clusterIP: 10.96.0.30, ports: [{port: 80}]}",
            "spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
        },
        {
            "at most one clusterIP per IP family",
            "{clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10, 10.96.0.11], ports: [{port: 80}]}",
            "{clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10, 'fd00::10'], ports: [{port: 80}]}",
            "spec.clusterIPs: Invalid value: []string{\"10.96.0.10\", \"10.96.0.11\"}: may specify no more than one IP for each IP family"
        },
        {
            "at most two clusterIPs",
            "{clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10, 'fd00::10', 10.96.0.11], ports: [{port: 80}]}",
            "{clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10, 'fd00::10'], ports: [{port: 80}]}",
            "spec.clusterIPs: Invalid value: []string{\"10.96.0.10\", \"fd00::10\", \"10.96.0.11\"}: may only hold up to 2 values"
        },
        {
            "a clusterIP matches its ipFamilies entry",
            "{clusterIP: 10.96.0.10, ipFamilies: [IPv6], ports: [{port: 80}]}",
            "{clusterIP: 10.96.0.10, ipFamilies: [IPv4], ports: [{port: 80}]}",
            "spec.clusterIPs[0]: Invalid value: \"10.96.0.10\": expected an IPv6 value as indicated by `ipFamilies[0]`"
        },
        {
            "ipFamilies are IPv4 or IPv6",
            "{ipFamilies: [IPv5], ports: [{port: 80}]}",
            "{ipFamilies: [IPv6], ports: [{port: 80}]}",
            "spec.ipFamilies[0]: Unsupported value: \"IPv5\": supported values: \"IPv4\", \"IPv6\""
        },
        {
            "ipFamilies are unique",
            "{ipFamilies: [IPv4, IPv4], ports: [{port: 80}]}",
            "{ipFamilies: [IPv4, IPv6], ports: [{port: 80}]}",
            "spec.ipFamilies[1]: Duplicate value: \"IPv4\""
        },
        {
            "ipFamilyPolicy is a known policy",
            "{ipFamilyPolicy: DualStack, ports: [{port: 80}]}",
            "{ipFamilyPolicy: PreferDualStack, ports: [{port: 80}]}",
            "spec.ipFamilyPolicy: Unsupported value: \"DualStack\": supported values: \"PreferDualStack\", \"RequireDualStack\", \"SingleStack\""
        },
        {
            "an ExternalName Service has no clusterIPs",
            "{type: ExternalName, externalName: db.example.com, clusterIP: None}",
            "{type: ExternalName, externalName: db.example.com}",
            "spec.clusterIPs: Forbidden: may not be set for ExternalName services"
        },
        {
            "an ExternalName Service has no ipFamilies",
            "{type: ExternalName, externalName: db.example.com, ipFamilies: [IPv4]}",
            "{type: ExternalName, externalName: db.example.com}",
            "spec.ipFamilies: Forbidden: may not be set for ExternalName services"
        },
        {
            "an ExternalName Service has no ipFamilyPolicy",
            "{type: ExternalName, externalName: db.example.com, ipFamilyPolicy: SingleStack}",
            "{type: ExternalName, externalName: db.example.com}",
            "spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services"
        },
        {
            "externalName is required (a lone dot is stripped)",
            "{type: ExternalName, externalName: .}",
            "{type: ExternalName, externalName: db.example.com.}",
            "spec.externalName: Required value"
        },
        {
            "externalName is a DNS-1123 subdomain once one trailing dot is stripped",
            "{type: ExternalName, externalName: DB.example.com.}",
            "{type: ExternalName, externalName: db.example.com.}",
            $"spec.externalName: Invalid value: \"DB.example.com\": {Dns1123Subdomain}"
        },
        {
            "externalTrafficPolicy only on externally-accessible Services",
            "{ports: [{port: 80}], externalTrafficPolicy: Local}",
            "{ports: [{port: 80}], externalIPs: [192.0.2.10], externalTrafficPolicy: Local}",
            "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services"
        },
        {
            "externalTrafficPolicy is Cluster or Local",
            "{type: NodePort, ports: [{port: 80}], externalTrafficPolicy: Global}",
            "{type: NodePort, ports: [{port: 80}], externalTrafficPolicy: Cluster}",
            "spec.externalTrafficPolicy: Unsupported value: \"Global\": supported values: \"Cluster\", \"Local\""
        },
        {
            "healthCheckNodePort only for LoadBalancer with externalTrafficPolicy Local",
            "{type: LoadBalancer, ports: [{port: 80}], healthCheckNodePort: 30500}",
            "{type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}], healthCheckNodePort: 30500}",
            "spec.healthCheckNodePort: Invalid value: 30500: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"
        },
        {
            "a healthCheckNodePort, when set, is 1..65535",
            "{type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}], healthCheckNodePort: 70000}",
            "{type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}",
            $"spec.healthCheckNodePort: Invalid value: 70000: {PortRange}"
        },
        {
            "internalTrafficPolicy is Cluster or Local",
            "{ports: [{port: 80}], internalTrafficPolicy: Node}",
            "{ports: [{port: 80}], internalTrafficPolicy: Local}",
            "spec.internalTrafficPolicy: Unsupported value: \"Node\": supported values: \"Cluster\", \"Local\""
        },
        {
            "sessionAffinity is ClientIP or None",
            "{ports: [{port: 80}], sessionAffinity: Cookie}",
            "{ports: [{port: 80}], sessionAffinity: ClientIP}",
            "spec.sessionAffinity: Unsupported value: \"Cookie\": supported values: \"ClientIP\", \"None\""
        },
        {
            "the ClientIP timeout is 1..86400",
            "{ports: [{port: 80}], sessionAffinity: ClientIP, sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}}",
            "{ports: [{port: 80}], sessionAffinity: ClientIP, sessionAffinityConfig: {clientIP: {timeoutSeconds: 86400}}}",
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400"
        },
        {
            "loadBalancerSourceRanges only on LoadBalancer Services (path as the server spells it)",
            "{type: NodePort, ports: [{port: 80}], loadBalancerSourceRanges: [10.0.0.0/8]}",
            "{type: LoadBalancer, ports: [{port: 80}], loadBalancerSourceRanges: [10.0.0.0/8]}",
            "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"
        },
        {
            "loadBalancerSourceRanges are CIDRs",
            "{type: LoadBalancer, ports: [{port: 80}], loadBalancerSourceRanges: [10.0.0.0/33]}",
            "{type: LoadBalancer, ports: [{port: 80}], loadBalancerSourceRanges: [' 10.0.0.0/32 ']}",
            "spec.LoadBalancerSourceRanges[0]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
        },
        {
            "allocateLoadBalancerNodePorts only on LoadBalancer Services",
            "{type: NodePort, ports: [{port: 80}], allocateLoadBalancerNodePorts: false}",
            "{type: LoadBalancer, ports: [{port: 80}], allocateLoadBalancerNodePorts: false}",
            "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"
        },
        {
            "loadBalancerClass only on LoadBalancer Services",
            "{type: ClusterIP, ports: [{port: 80}], loadBalancerClass: example.com/internal}",
            "{type: LoadBalancer, ports: [{port: 80}], loadBalancerClass: example.com/internal}",
            "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"
        },
        {
            "loadBalancerClass is a label-style key",
            "{type: LoadBalancer, ports: [{port: 80}], loadBalancerClass: 'metal lb'}",
            "{type: LoadBalancer, ports: [{port: 80}], loadBalancerClass: metallb.io/metallb}",
            "spec.loadBalancerClass: Invalid value: \"metal lb\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        },
        {
            "trafficDistribution values",
            "{ports: [{port: 80}], trafficDistribution: PreferNearby}",
            "{ports: [{port: 80}], trafficDistribution: PreferSameNode}",
            "spec.trafficDistribution: Unsupported value: \"PreferNearby\": supported values: \"PreferClose\", \"PreferSameNode\", \"PreferSameZone\""
        },
        {
            "externalIPs are IP addresses",
            "{ports: [{port: 80}], externalIPs: [lb.example.com]}",
            "{ports: [{port: 80}], externalIPs: [192.0.2.10]}",
            "spec.externalIPs[0]: Invalid value: \"lb.example.com\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
        },
        {
            "externalIPs are not loopback addresses",
            "{ports: [{port: 80}], externalIPs: [127.0.0.1]}",
            "{ports: [{port: 80}], externalIPs: [192.0.2.1]}",
            "spec.externalIPs[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"
        },
        {
            "externalIPs are not unspecified",
            "{ports: [{port: 80}], externalIPs: ['::']}",
            "{ports: [{port: 80}], externalIPs: ['2001:db8::10']}",
            "spec.externalIPs[0]: Invalid value: \"::\": may not be unspecified (::)"
        },
        {
            "externalIPs are not link-local",
            "{ports: [{port: 80}], externalIPs: [169.254.169.254]}",
            "{ports: [{port: 80}], externalIPs: [172.16.0.1]}",
            "spec.externalIPs[0]: Invalid value: \"169.254.169.254\": may not be in the link-local range (169.254.0.0/16, fe80::/10)"
        },
        {
            "externalIPs are not link-local multicast",
            "{ports: [{port: 80}], externalIPs: [224.0.0.251]}",
            "{ports: [{port: 80}], externalIPs: [224.0.1.1]}",
            "spec.externalIPs[0]: Invalid value: \"224.0.0.251\": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"
        },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Validate_ServiceRule_ReportsTheServersMessageOnlyWhenBroken(string rule, string broken, string valid, string expected)
    {
        var brokenFindings = ManifestValidator.Validate(Service(broken));
        var validFindings = ManifestValidator.Validate(Service(valid));

        Assert.True(Messages(brokenFindings).Contains(expected), $"{rule}: expected\n{expected}\nbut got\n{Describe(brokenFindings)}");
        Assert.True(validFindings.IsEmpty, $"{rule}: the valid variant reported\n{Describe(validFindings)}");
    }

    [Fact]
    public void Validate_SourceRangesAnnotation_FollowsTheFieldsRules()
    {
        const string key = "service.beta.kubernetes.io/load-balancer-source-ranges";
        var nodePort = Service("{type: NodePort, ports: [{port: 80}]}");
        var badRange = Service("{type: LoadBalancer, ports: [{port: 80}]}");
        var loadBalancer = Service("{type: LoadBalancer, ports: [{port: 80}]}");
        nodePort["metadata"]!["annotations"] = new JsonObject { [key] = "10.0.0.0/8" };
        badRange["metadata"]!["annotations"] = new JsonObject { [key] = "10.0.0.0/8, 10.0.0.0/33" };
        loadBalancer["metadata"]!["annotations"] = new JsonObject { [key] = " 10.0.0.0/8, 192.168.0.0/16 " };

        Assert.Equal([$"metadata.annotations[{key}]: Forbidden: may only be used when `type` is 'LoadBalancer'"], Messages(ManifestValidator.Validate(nodePort)));
        Assert.Equal([$"metadata.annotations[{key}]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"], Messages(ManifestValidator.Validate(badRange)));
        Assert.Empty(ManifestValidator.Validate(loadBalancer));
    }

    [Fact]
    public void Validate_UnsetTargetPort_DefaultsToPort()
    {
        var findings = ManifestValidator.Validate(Service("{ports: [{port: 8080, targetPort: 0}, {name: b, port: 9090, targetPort: ''}]}"));

        // Both targetPorts default to their port, so the only problem left is the missing name of port 0.
        Assert.Equal(["spec.ports[0].name: Required value"], Messages(findings));
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsThemInTheServersOrder()
    {
        var findings = ManifestValidator.Validate(Service("{type: Internal, ports: [{name: Web, port: 0}], sessionAffinity: Cookie}"));

        Assert.Equal(
            [
                $"spec.ports[0].name: Invalid value: \"Web\": {Dns1123Label}",
                $"spec.ports[0].port: Invalid value: 0: {PortRange}",
                $"spec.ports[0].targetPort: Invalid value: 0: {PortRange}",
                "spec.sessionAffinity: Unsupported value: \"Cookie\": supported values: \"ClientIP\", \"None\"",
                "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
            ],
            Messages(findings));
    }

    [Fact]
    public void Validate_Finding_SplitsPathAndBody()
    {
        var finding = Assert.Single(ManifestValidator.Validate(Service("{ports: [{port: 80, nodePort: 30080}]}")));

        Assert.Equal("spec.ports[0].nodePort", finding.Field);
        Assert.Equal("Forbidden: may not be used when `type` is 'ClusterIP'", finding.Detail);
        Assert.Equal(ValidationSeverity.Error, finding.Severity);
    }
}
