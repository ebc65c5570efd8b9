using PortMapper.Core.Model;
using PortMapper.Core.Policy;
using static PortMapper.Core.Policy.PolicyVerdictKind;

namespace PortMapper.Core.Tests.Policy;

/// <summary>
/// Expected verdicts written from the NetworkPolicy API semantics (Kubernetes docs "Network Policies", the
/// networking.k8s.io/v1 types and their defaulting) and the ClusterNetworkPolicy API (policy.networking.k8s.io),
/// not from the engine's output. Each case: policies as YAML over <see cref="PolicyCluster.Base"/>, one packet after
/// DNAT, the verdict, the deciding policy and rule index, and parts of the reason or walk.
/// </summary>
public class PolicyScenarioTests
{
    public sealed record Scenario(
        string Name,
        string Policies,
        string From,
        string To,
        int Port,
        PolicyVerdictKind Verdict,
        string? Policy = null,
        int? Rule = null,
        string Protocol = Protocols.Tcp,
        string? Reason = null,
        string? Walk = null,
        string? Direction = null);

    private const string DefaultDenyShop = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: shop}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
        """;

    private const string DenyEgressWeb = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-egress, namespace: web}
        spec:
          podSelector: {}
          policyTypes: [Egress]
        """;

    private static string AllowShop(string rules, string name = "allow") => $"""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {"{"}name: {name}, namespace: shop{"}"}
        spec:
          podSelector: {"{"}matchLabels: {"{"}app: api{"}"}{"}"}
          policyTypes: [Ingress]
          ingress:
        {rules}
        """;

    private static string Cnp(string name, string tier, int priority, string body, string subject = "namespaces: {matchLabels: {team: shop}}") => $"""
        apiVersion: policy.networking.k8s.io/v1beta1
        kind: ClusterNetworkPolicy
        metadata: {"{"}name: {name}{"}"}
        spec:
          tier: {tier}
          priority: {priority}
          subject:
            {subject}
        {body}
        """;

    private static readonly Scenario[] Cases =
    [
        // ---------------------------------------------------------------- isolation and defaulting
        new("no policy: allowed by default", "", "pod:web/client", "shop/api", 8080, Allowed,
            Walk: "[NetworkPolicy] no policy selects the pod for Ingress → [Default] allowed"),
        new("default-deny ingress blocks", DefaultDenyShop, "pod:web/client", "shop/api", 8080, Blocked, "shop/default-deny",
            Reason: "shop/default-deny selects the pod for Ingress and no rule admits port 8080/TCP from namespace web (pod client)",
            Walk: "[NetworkPolicy] blocked (shop/default-deny)", Direction: PolicyTypes.Ingress),
        new("policyTypes unset and no rules defaults to Ingress", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: bare, namespace: shop}
            spec: {podSelector: {}}
            """, "pod:web/client", "shop/api", 8080, Blocked, "shop/bare"),
        new("policyTypes unset with egress rules also isolates Ingress", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: egress-only-rules, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
            """, "pod:web/client", "shop/api", 8080, Blocked, "shop/egress-only-rules", Direction: PolicyTypes.Ingress),
        new("policyTypes unset with egress rules isolates Egress", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: egress-only-rules, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
            """, "pod:shop/api", "shop/frontend", 8080, Blocked, "shop/egress-only-rules", Direction: PolicyTypes.Egress),
        new("policyTypes [Egress] leaves ingress open", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: egress-deny, namespace: shop}
            spec: {podSelector: {}, policyTypes: [Egress]}
            """, "pod:web/client", "shop/api", 8080, Allowed),
        new("a policy selecting other pods does not isolate this one", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db-only, namespace: shop}
            spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}
            """, "pod:web/client", "shop/api", 8080, Allowed),
        new("a policy in another namespace does not select the pod", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: default-deny, namespace: web}
            spec: {podSelector: {}, policyTypes: [Ingress]}
            """, "pod:web/client", "shop/api", 8080, Allowed),

        // ---------------------------------------------------------------- peers
        new("namespaceSelector admits the namespace", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}]"),
            "pod:web/client", "shop/api", 8080, Allowed, "shop/allow", 0, Reason: "shop/allow spec.ingress[0] admits port 8080/TCP from namespace web (pod client)"),
        new("namespaceSelector does not admit another namespace", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}]"),
            "pod:dev/client", "shop/api", 8080, Blocked, "shop/allow"),
        new("namespaceSelector AND podSelector in one peer: both match", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}, podSelector: {matchLabels: {app: client}}}]"),
            "pod:web/client", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("namespaceSelector AND podSelector in one peer: pod label missing", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}, podSelector: {matchLabels: {app: client}}}]"),
            "pod:web/other", "shop/api", 8080, Blocked, "shop/allow"),
        new("namespaceSelector AND podSelector in one peer: namespace wrong", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}, podSelector: {matchLabels: {app: client}}}]"),
            "pod:dev/client", "shop/api", 8080, Blocked, "shop/allow"),
        new("two peers are OR: namespace peer admits any pod of web", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}, {podSelector: {matchLabels: {app: client}}}]"),
            "pod:web/other", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("two peers are OR: podSelector peer means the policy's own namespace", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}, {podSelector: {matchLabels: {app: client}}}]"),
            "pod:dev/client", "shop/api", 8080, Blocked, "shop/allow"),
        new("podSelector peer admits a pod of the own namespace", AllowShop("  - from: [{podSelector: {matchLabels: {app: frontend}}}]"),
            "pod:shop/frontend", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("empty namespaceSelector with podSelector: that pod in every namespace", AllowShop("  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}]"),
            "pod:dev/client", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("kubernetes.io/metadata.name is set on every namespace", AllowShop("  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]"),
            "pod:web/client", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("kubernetes.io/metadata.name also for an undeclared namespace", AllowShop("  - from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [kube-system]}]}}]"),
            "pod:kube-system/coredns", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("empty from admits every peer, outside too", AllowShop("  - from: []\n    ports: [{port: 8080}]"),
            "external:203.0.113.7", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("rule without from (ports only) admits any peer on that port", AllowShop("  - ports: [{port: 8080}]"),
            "pod:dev/client", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("rule without from (ports only) does not admit other ports", AllowShop("  - ports: [{port: 8080}]"),
            "pod:dev/client", "shop/api", 9090, Blocked, "shop/allow", Reason: "no rule admits port 9090/TCP"),
        new("empty rule admits everything", AllowShop("  - {}"),
            "pod:dev/client", "shop/api", 9090, Allowed, "shop/allow", 0),
        new("the second rule decides", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}]\n  - from: [{namespaceSelector: {matchLabels: {env: dev}}}]"),
            "pod:dev/client", "shop/api", 8080, Allowed, "shop/allow", 1, Walk: "[NetworkPolicy] allowed (shop/allow)"),
        new("policies are a union: an allowing policy beats default-deny", DefaultDenyShop + "\n---\n" + AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}]", "allow-web"),
            "pod:web/client", "shop/api", 8080, Allowed, "shop/allow-web", 0),

        // ---------------------------------------------------------------- ports
        new("named port resolves against the destination's container ports", AllowShop("  - ports: [{port: http}]"),
            "pod:web/client", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("named port admits only its own number", AllowShop("  - ports: [{port: http}]"),
            "pod:web/client", "shop/api", 9090, Blocked, "shop/allow"),
        new("named port the pod does not declare admits nothing", AllowShop("  - ports: [{port: web}]"),
            "pod:web/client", "shop/api", 8080, Blocked, "shop/allow"),
        new("named port of another protocol does not match", AllowShop("  - ports: [{port: http, protocol: UDP}]"),
            "pod:web/client", "shop/api", 8080, Blocked, "shop/allow"),
        new("endPort range includes the port", AllowShop("  - ports: [{port: 8000, endPort: 8100}]"),
            "pod:web/client", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("endPort range excludes the port", AllowShop("  - ports: [{port: 8000, endPort: 8100}]"),
            "pod:web/client", "shop/api", 9090, Blocked, "shop/allow"),
        new("protocol mismatch: UDP rule, TCP packet", AllowShop("  - ports: [{port: 8080, protocol: UDP}]"),
            "pod:web/client", "shop/api", 8080, Blocked, "shop/allow"),
        new("UDP rule admits UDP", AllowShop("  - ports: [{port: 8125, protocol: UDP}]"),
            "pod:web/client", "shop/api", 8125, Allowed, "shop/allow", 0, Protocol: Protocols.Udp),
        new("SCTP rule admits SCTP", AllowShop("  - ports: [{port: diameter, protocol: SCTP}]"),
            "pod:web/client", "shop/api", 3868, Allowed, "shop/allow", 0, Protocol: Protocols.Sctp),
        new("protocol defaults to TCP: no SCTP", AllowShop("  - ports: [{port: 3868}]"),
            "pod:web/client", "shop/api", 3868, Blocked, "shop/allow", Protocol: Protocols.Sctp),
        new("port unset: every port of the protocol", AllowShop("  - ports: [{protocol: TCP}]"),
            "pod:web/client", "shop/api", 9090, Allowed, "shop/allow", 0),

        // ---------------------------------------------------------------- ipBlock
        new("ipBlock admits an external client", AllowShop("  - from: [{ipBlock: {cidr: 203.0.113.0/24}}]"),
            "external:203.0.113.7", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("ipBlock except removes a range", AllowShop("  - from: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.0/28]}}]"),
            "external:203.0.113.7", "shop/api", 8080, Blocked, "shop/allow"),
        new("ipBlock except leaves the rest", AllowShop("  - from: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.0/28]}}]"),
            "external:203.0.113.77", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("ipBlock containing a pod IP depends on the plugin", AllowShop("  - from: [{ipBlock: {cidr: 10.244.0.0/16}}]"),
            "pod:web/client", "shop/api", 8080, Depends, "shop/allow", 0, Reason: "whether ipBlock matches pod IPs differs between network plugins"),
        new("a selector peer decides even when an ipBlock also contains the pod", AllowShop("  - from: [{ipBlock: {cidr: 10.244.0.0/16}}, {namespaceSelector: {matchLabels: {team: web}}}]"),
            "pod:web/client", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("node source matches ipBlock only", AllowShop("  - from: [{ipBlock: {cidr: 192.168.0.0/24}}]"),
            "node:node-b", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("node source is no pod for selectors", AllowShop("  - from: [{namespaceSelector: {}}]"),
            "node:node-b", "shop/api", 8080, Blocked, "shop/allow", Reason: "from node node-b (192.168.0.12)"),

        // ---------------------------------------------------------------- egress and ingress together
        new("egress default-deny blocks at the source", DenyEgressWeb, "pod:web/client", "shop/api", 8080, Blocked, "web/deny-egress",
            Reason: "web/deny-egress selects the pod for Egress and no rule admits port 8080/TCP to namespace shop (pod api)", Direction: PolicyTypes.Egress),
        new("egress allowed but ingress blocked: both are required", DefaultDenyShop + "\n---\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: to-shop, namespace: web}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress: [{to: [{namespaceSelector: {matchLabels: {team: shop}}}]}]
            """, "pod:web/client", "shop/api", 8080, Blocked, "shop/default-deny", Direction: PolicyTypes.Ingress),
        new("ingress allowed but egress blocked: both are required", DenyEgressWeb + "\n---\n" + AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}]"),
            "pod:web/client", "shop/api", 8080, Blocked, "web/deny-egress", Direction: PolicyTypes.Egress),
        new("egress and ingress both allow", DefaultDenyShop + "\n---\n" + AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}]", "allow-web") + "\n---\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: to-shop, namespace: web}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress: [{to: [{namespaceSelector: {matchLabels: {team: shop}}}], ports: [{port: 8080}]}]
            """, "pod:web/client", "shop/api", 8080, Allowed, "shop/allow-web", 0),
        new("egress named port resolves against the destination pod", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: to-http, namespace: web}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress: [{ports: [{port: http}]}]
            """, "pod:web/client", "shop/api", 8080, Allowed, "web/to-http", 0),
        new("egress default-deny also blocks DNS", DenyEgressWeb, "pod:web/client", "kube-system/coredns", 53, Blocked, "web/deny-egress", Protocol: Protocols.Udp),
        new("egress DNS rule for UDP only leaves TCP 53 blocked", DenyEgressWeb + "\n---\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: dns, namespace: web}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}], ports: [{port: 53, protocol: UDP}]}]
            """, "pod:web/client", "kube-system/coredns", 53, Blocked, "web/deny-egress"),

        // ---------------------------------------------------------------- ClusterNetworkPolicy tiers
        new("Admin Deny overrides a NetworkPolicy that allows", AllowShop("  - {}") + "\n---\n" + Cnp("deny-dev", "Admin", 10, """
              ingress:
              - {action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
            """), "pod:dev/client", "shop/api", 8080, Blocked, "deny-dev", 0, Walk: "[Admin] Deny (deny-dev)"),
        new("Admin Accept overrides default-deny", DefaultDenyShop + "\n---\n" + Cnp("accept-web", "Admin", 10, """
              ingress:
              - {action: Accept, from: [{namespaces: {matchLabels: {team: web}}}]}
            """), "pod:web/client", "shop/api", 8080, Allowed, "accept-web", 0, Walk: "[Admin] Accept (accept-web)"),
        new("Admin Pass hands over to NetworkPolicy", DefaultDenyShop + "\n---\n" + Cnp("tenant-pass", "Admin", 10, """
              ingress:
              - {action: Pass, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Blocked, "shop/default-deny",
            Walk: "[Admin] Pass (tenant-pass) → [NetworkPolicy] blocked (shop/default-deny)"),
        new("Admin priority: lower number first (Accept 10 before Deny 20)", Cnp("accept", "Admin", 10, """
              ingress:
              - {action: Accept, from: [{namespaces: {}}]}
            """) + "\n---\n" + Cnp("deny", "Admin", 20, """
              ingress:
              - {action: Deny, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Allowed, "accept", 0),
        new("Admin priority: lower number first (Deny 5 before Accept 50)", Cnp("accept", "Admin", 50, """
              ingress:
              - {action: Accept, from: [{namespaces: {}}]}
            """) + "\n---\n" + Cnp("deny", "Admin", 5, """
              ingress:
              - {action: Deny, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Blocked, "deny", 0),
        new("Admin: same priority, different actions is ambiguous", Cnp("a-accept", "Admin", 7, """
              ingress:
              - {action: Accept, from: [{namespaces: {}}]}
            """) + "\n---\n" + Cnp("b-deny", "Admin", 7, """
              ingress:
              - {action: Deny, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Depends, "a-accept", 0, Reason: "share priority 7"),
        new("Admin: rules in written order, the first match decides", DefaultDenyShop + "\n---\n" + Cnp("ordered", "Admin", 1, """
              ingress:
              - {name: pass-web, action: Pass, from: [{namespaces: {matchLabels: {team: web}}}]}
              - {name: deny-all, action: Deny, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Blocked, "shop/default-deny",
            Walk: "[Admin] Pass (ordered) → [NetworkPolicy] blocked (shop/default-deny)"),
        new("Admin: the second rule matches", Cnp("ordered", "Admin", 1, """
              ingress:
              - {name: pass-web, action: Pass, from: [{namespaces: {matchLabels: {team: web}}}]}
              - {name: deny-all, action: Deny, from: [{namespaces: {}}]}
            """), "pod:dev/client", "shop/api", 8080, Blocked, "ordered", 1),
        new("Admin subject that does not select the pod is ignored", Cnp("web-only", "Admin", 1, """
              ingress:
              - {action: Deny, from: [{namespaces: {}}]}
            """, subject: "namespaces: {matchLabels: {team: web}}"), "pod:dev/client", "shop/api", 8080, Allowed),
        new("Admin pods subject: namespace AND pod selector", Cnp("db-guard", "Admin", 1, """
              ingress:
              - {action: Deny, from: [{namespaces: {}}]}
            """, subject: "pods: {namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: db}}}"), "pod:web/client", "shop/api", 8080, Allowed),
        new("Baseline Deny applies when no NetworkPolicy selects the pod", Cnp("baseline-deny", "Baseline", 1, """
              ingress:
              - {action: Deny, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Blocked, "baseline-deny", 0,
            Walk: "[NetworkPolicy] no policy selects the pod for Ingress → [Baseline] Deny (baseline-deny)"),
        new("a NetworkPolicy overrides Baseline", AllowShop("  - from: [{namespaceSelector: {matchLabels: {team: web}}}]") + "\n---\n" + Cnp("baseline-deny", "Baseline", 1, """
              ingress:
              - {action: Deny, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Allowed, "shop/allow", 0),
        new("Admin Pass, no NetworkPolicy, Baseline Deny", Cnp("tenant-pass", "Admin", 1, """
              ingress:
              - {action: Pass, from: [{namespaces: {}}]}
            """) + "\n---\n" + Cnp("baseline-deny", "Baseline", 1, """
              ingress:
              - {action: Deny, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Blocked, "baseline-deny", 0,
            Walk: "[Admin] Pass (tenant-pass) → [NetworkPolicy] no policy selects the pod for Ingress → [Baseline] Deny (baseline-deny)"),
        new("Baseline Accept then nothing else: allowed", Cnp("baseline-accept", "Baseline", 1, """
              ingress:
              - {action: Accept, from: [{namespaces: {}}]}
            """), "pod:web/client", "shop/api", 8080, Allowed, "baseline-accept", 0),
        new("Admin egress networks match pod IPs too", Cnp("no-pod-cidr", "Admin", 1, """
              egress:
              - {action: Deny, to: [{networks: [10.244.0.0/16]}]}
            """, subject: "namespaces: {matchLabels: {team: web}}"), "pod:web/client", "shop/api", 8080, Blocked, "no-pod-cidr", 0, Direction: PolicyTypes.Egress),
        new("Admin protocols: port range", Cnp("deny-range", "Admin", 1, """
              ingress:
              - action: Deny
                from: [{namespaces: {}}]
                protocols: [{tcp: {destinationPort: {range: {start: 8000, end: 8100}}}}]
            """), "pod:web/client", "shop/api", 8080, Blocked, "deny-range", 0),
        new("Admin protocols: other protocol does not match", Cnp("deny-udp", "Admin", 1, """
              ingress:
              - action: Deny
                from: [{namespaces: {}}]
                protocols: [{udp: {destinationPort: {number: 8080}}}]
            """), "pod:web/client", "shop/api", 8080, Allowed),
        new("Admin destinationNamedPort resolves against the destination pod", Cnp("deny-metrics", "Admin", 1, """
              ingress:
              - action: Deny
                from: [{namespaces: {}}]
                protocols: [{destinationNamedPort: metrics}]
            """), "pod:web/client", "shop/api", 9090, Blocked, "deny-metrics", 0),
        new("ClusterNetworkPolicy v1alpha2 ports are read too", """
            apiVersion: policy.networking.k8s.io/v1alpha2
            kind: ClusterNetworkPolicy
            metadata: {name: old-shape}
            spec:
              tier: Admin
              priority: 3
              subject: {namespaces: {}}
              ingress:
              - action: Deny
                from: [{namespaces: {matchLabels: {env: dev}}}]
                ports: [{portNumber: {protocol: TCP, port: 8080}}]
            """, "pod:dev/client", "shop/api", 8080, Blocked, "old-shape", 0),

        // ---------------------------------------------------------------- undefined and plugin-dependent
        new("hostNetwork destination is undefined by the API", DefaultDenyShop, "pod:web/client", "shop/agent", 9100, Depends,
            Reason: "undefined by the API"),
        new("hostNetwork source is undefined by the API", DefaultDenyShop, "pod:shop/agent", "shop/api", 8080, Depends,
            Reason: "source pod shop/agent uses hostNetwork"),
        new("SNAT through a nodePort: client allowed, node IP not", AllowShop("  - from: [{ipBlock: {cidr: 203.0.113.0/24}}]"),
            "external:203.0.113.7@192.168.0.11", "shop/api", 8080, Depends, "shop/allow", 0,
            Reason: "depends on the network plugin: with externalTrafficPolicy Cluster kube-proxy may SNAT the client to the node IP 192.168.0.11"),
        new("SNAT through a nodePort with no policy: allowed either way", "", "external:203.0.113.7@192.168.0.11", "shop/api", 8080, Allowed,
            Reason: "the same for the node IP 192.168.0.11"),
        new("SNAT through a nodePort, both addresses blocked", DefaultDenyShop, "external:203.0.113.7@192.168.0.11", "shop/api", 8080, Blocked, "shop/default-deny"),
        new("externalTrafficPolicy Local keeps the client address", AllowShop("  - from: [{ipBlock: {cidr: 203.0.113.0/24}}]"),
            "external:203.0.113.7", "shop/api", 8080, Allowed, "shop/allow", 0),
    ];

    public static TheoryData<string> Names => [.. Cases.Select(c => c.Name)];

    [Fact]
    public void Cases_AreManyAndUniquelyNamed()
    {
        Assert.True(Cases.Length >= 40, $"{Cases.Length} scenarios");
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Evaluate_Scenario_ExpectedVerdictAndDecidingRule(string name)
    {
        var scenario = Cases.Single(c => c.Name == name);
        var snapshot = PolicyCluster.Load(scenario.Policies);
        var packet = new PolicyPacket(PolicyCluster.Source(snapshot, scenario.From), PolicyCluster.Pod(snapshot, scenario.To), scenario.Port, scenario.Protocol);

        var verdict = PolicyEvaluator.Evaluate(snapshot, packet);

        Assert.True(verdict.IsPrediction);
        Assert.Equal(scenario.Verdict, verdict.Verdict);
        Assert.Equal(scenario.Policy, verdict.Policy is { } p ? p.Namespace.Length == 0 ? p.Name : $"{p.Namespace}/{p.Name}" : null);
        Assert.Equal(scenario.Rule, verdict.RuleIndex);
        if (scenario.Reason is { } reason)
        {
            Assert.Contains(reason, verdict.Reason, StringComparison.Ordinal);
        }

        if (scenario.Walk is { } walk)
        {
            Assert.Equal(walk, verdict.Deciding!.WalkText);
        }

        if (scenario.Direction is { } direction)
        {
            Assert.Equal(direction, verdict.Deciding!.Direction);
        }
    }
}
