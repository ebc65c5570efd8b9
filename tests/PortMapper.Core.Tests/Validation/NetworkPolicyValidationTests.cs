using PortMapper.Core.Validation;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Validation;

/// <summary>ValidateNetworkPolicy (pkg/apis/networking/validation): each rule broken once and kept once.</summary>
public class NetworkPolicyValidationTests
{
    private const string LabelValue = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    /// <summary>rule, a spec that breaks it, one that keeps it, the server's message for the breach.</summary>
    public static TheoryData<string, string, string, string> Rules => new()
    {
        {
            "protocol is TCP, UDP or SCTP",
            "{podSelector: {}, ingress: [{ports: [{protocol: ICMP, port: 80}]}]}",
            "{podSelector: {}, ingress: [{ports: [{protocol: SCTP, port: 80}]}]}",
            "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\""
        },
        {
            "a port number is 1-65535",
            "{podSelector: {}, ingress: [{ports: [{port: 0}]}]}",
            "{podSelector: {}, ingress: [{ports: [{port: 1}]}]}",
            "spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"
        },
        {
            "endPort is not below port (the server prints port as the value)",
            "{podSelector: {}, egress: [{ports: [{port: 32000, endPort: 31000}]}]}",
            "{podSelector: {}, egress: [{ports: [{port: 32000, endPort: 32768}]}]}",
            "spec.egress[0].ports[0].endPort: Invalid value: 32000: must be greater than or equal to `port`"
        },
        {
            "endPort is 1-65535",
            "{podSelector: {}, egress: [{ports: [{port: 32000, endPort: 70000}]}]}",
            "{podSelector: {}, egress: [{ports: [{port: 32000, endPort: 65535}]}]}",
            "spec.egress[0].ports[0].endPort: Invalid value: 70000: must be between 1 and 65535, inclusive"
        },
        {
            "endPort needs a numeric port",
            "{podSelector: {}, ingress: [{ports: [{port: http, endPort: 90}]}]}",
            "{podSelector: {}, ingress: [{ports: [{port: http}]}]}",
            "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric"
        },
        {
            "endPort needs a port",
            "{podSelector: {}, ingress: [{ports: [{endPort: 90}]}]}",
            "{podSelector: {}, ingress: [{ports: [{protocol: UDP}]}]}",
            "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified"
        },
        {
            "a named port is an IANA service name",
            "{podSelector: {}, ingress: [{ports: [{port: http_alt}]}]}",
            "{podSelector: {}, ingress: [{ports: [{port: http-alt}]}]}",
            "spec.ingress[0].ports[0].port: Invalid value: \"http_alt\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        },
        {
            "a peer names something",
            "{podSelector: {}, ingress: [{from: [{}]}]}",
            "{podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}",
            "spec.ingress[0].from[0]: Required value: must specify a peer"
        },
        {
            "ipBlock stands alone in its peer",
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}",
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}, {podSelector: {}}]}]}",
            "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"
        },
        {
            "ipBlock needs a cidr",
            "{podSelector: {}, egress: [{to: [{ipBlock: {except: [10.1.0.0/16]}}]}]}",
            "{podSelector: {}, egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]}",
            "spec.egress[0].to[0].ipBlock.cidr: Required value"
        },
        {
            "cidr is a CIDR",
            "{podSelector: {}, egress: [{to: [{ipBlock: {cidr: 10.0.0.0}}]}]}",
            "{podSelector: {}, egress: [{to: [{ipBlock: {cidr: 10.0.0.0/32}}]}]}",
            "spec.egress[0].to[0].ipBlock.cidr: Invalid value: \"10.0.0.0\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
        },
        {
            "except is inside cidr",
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.2.0.0/24]}}]}]}",
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]}]}",
            "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.2.0.0/24\": must be a strict subset of `cidr`"
        },
        {
            "except is strictly smaller than cidr",
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}]}]}",
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/17]}}]}]}",
            "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.0.0.0/16\": must be a strict subset of `cidr`"
        },
        {
            "an IPv6 except lies in an IPv6 cidr",
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 'fd00::/64', except: ['fd01::/80']}}]}]}",
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 'fd00::/64', except: ['fd00::/80']}}]}]}",
            "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"fd01::/80\": must be a strict subset of `cidr`"
        },
        {
            "policyTypes are Ingress or Egress",
            "{podSelector: {}, policyTypes: [ingress]}",
            "{podSelector: {}, policyTypes: [Ingress]}",
            "spec.policyTypes[0]: Unsupported value: \"ingress\": supported values: \"Ingress\", \"Egress\""
        },
        {
            "at most two policyTypes",
            "{podSelector: {}, policyTypes: [Ingress, Egress, Ingress]}",
            "{podSelector: {}, policyTypes: [Ingress, Egress]}",
            "spec.policyTypes: Invalid value: []networking.PolicyType{\"Ingress\", \"Egress\", \"Ingress\"}: may not specify more than two policyTypes"
        },
        {
            "a selector operator is In, NotIn, Exists or DoesNotExist",
            "{podSelector: {matchExpressions: [{key: tier, operator: Equals, values: [web]}]}}",
            "{podSelector: {matchExpressions: [{key: tier, operator: In, values: [web]}]}}",
            "spec.podSelector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator"
        },
        {
            "In needs values",
            "{podSelector: {}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: team, operator: In}]}}]}]}",
            "{podSelector: {}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}}]}]}",
            "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
        },
        {
            "Exists takes no values",
            "{podSelector: {matchExpressions: [{key: team, operator: Exists, values: [a]}]}}",
            "{podSelector: {matchExpressions: [{key: team, operator: NotIn, values: [a]}]}}",
            "spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
        },
        {
            "a label value is a qualified name's name part",
            "{podSelector: {matchLabels: {app: 'web front'}}}",
            "{podSelector: {matchLabels: {app: web-front}}}",
            $"spec.podSelector.matchLabels: Invalid value: \"web front\": {LabelValue}"
        },
        {
            "a label key is a qualified name",
            "{podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {'-app': web}}}]}]}",
            "{podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {'example.com/app': web}}}]}]}",
            "spec.ingress[0].from[0].podSelector.matchLabels: Invalid value: \"-app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Validate_NetworkPolicyRule_ReportsTheServersMessageOnlyWhenBroken(string rule, string broken, string valid, string expected)
    {
        var brokenFindings = ManifestValidator.Validate(Policy(broken));
        var validFindings = ManifestValidator.Validate(Policy(valid));

        Assert.True(Messages(brokenFindings).Contains(expected), $"{rule}: expected\n{expected}\nbut got\n{Describe(brokenFindings)}");
        Assert.True(validFindings.IsEmpty, $"{rule}: the valid variant reported\n{Describe(validFindings)}");
    }

    [Fact]
    public void Validate_PolicyWithoutPodSelector_IsValid()
    {
        // podSelector is a struct, not a pointer: absent means the empty selector, every pod of the namespace.
        Assert.Empty(ManifestValidator.Validate(Policy("{policyTypes: [Ingress]}")));
    }

    [Fact]
    public void Validate_WrongApiVersion_NamesTheOneToUse()
    {
        var policy = Policy("{podSelector: {}}");
        policy["apiVersion"] = "extensions/v1beta1";

        Assert.Equal(["apiVersion: Unsupported value: \"extensions/v1beta1\": supported values: \"networking.k8s.io/v1\""], Messages(ManifestValidator.Validate(policy)));
    }

    private static System.Text.Json.Nodes.JsonObject Policy(string spec) => Yaml($$"""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-web
          namespace: demo
        spec: {{spec}}
        """);
}
