using PortMapper.Core.Analysis;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Policy;

/// <summary>
/// PM504 (a Service port no client may reach) and PM505 (Ingress controller pods that may not reach the backend), on
/// manifests read by the real loader: the packet checked is the one after DNAT, podIP:targetPort.
/// </summary>
public class ReachDiagnosticTests
{
    private const string Api = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec:
          replicas: 2
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: api, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: shop}
        spec:
          type: NodePort
          selector: {app: api}
          ports: [{name: http, port: 80, targetPort: http}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: shop}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        ---
        """;

    private const string Controller = """
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: nginx}
        spec: {controller: k8s.io/ingress-nginx}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
        spec:
          selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
          template:
            metadata: {labels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}}
            spec: {containers: [{name: controller, ports: [{name: http, containerPort: 80}]}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: shop, namespace: shop}
        spec:
          ingressClassName: nginx
          rules:
          - host: shop.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
        ---
        """;

    private static ClusterAnalysis Analyze(string yaml)
    {
        var loaded = ManifestLoader.LoadText(yaml, "reach.yaml");
        Assert.Empty(loaded.Errors);
        return ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects));
    }

    private static List<Diagnostic> Findings(string yaml, string code) => [.. Analyze(yaml).Diagnostics.Where(d => d.Code == code)];

    [Fact]
    public void Analyze_DefaultDenyAndNoRuleForThePort_PM504OnTheServicePortAndItsPaths()
    {
        var analysis = Analyze(Api);

        var d = Assert.Single(analysis.Diagnostics, d => d.Code == Codes.PolicyClosesService);
        Assert.Equal(new ObjectRef("Service", "shop", "api"), d.Object);
        Assert.Equal("spec.ports[0]", d.Field);
        Assert.Equal(Severity.Error, d.Severity);
        Assert.Equal(HopKind.Endpoints, d.Hop);
        Assert.Contains("shop/default-deny", d.Message);
        Assert.Contains("port 8080/TCP", d.Message);
        Assert.Contains("no client reaches the Service", d.Message);
        Assert.Contains("after DNAT", d.Fix);
        // Both the ClusterIP and the NodePort path of port 80 are marked, and drawn broken.
        Assert.Equal(["clusterip:shop/api:80/TCP", "nodeport:shop/api:80/TCP"], d.Paths.Order(StringComparer.Ordinal));
        Assert.All(d.Paths, id => Assert.Equal(PathStatus.Broken, analysis.FindPath(id)!.Status));
        Assert.All(d.Paths, id => Assert.Contains(Codes.PolicyClosesService, analysis.FindPath(id)!.Diagnostics));
    }

    [Fact]
    public void Analyze_RuleListsTheServicePortInsteadOfTheContainerPort_PM504SaysSo()
    {
        var d = Assert.Single(Findings(Api + "\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-web, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{ports: [{port: 80}]}]
            """, Codes.PolicyClosesService));

        Assert.Contains("NetworkPolicies shop/api-web, shop/default-deny isolate the only ready endpoint (shop/api)", d.Message);
        Assert.Contains("Rule spec.ingress[0] of shop/api-web admits port 80, the Service port; the pods receive on port 8080/TCP.", d.Message);
    }

    [Theory]
    [InlineData("ingress: [{ports: [{port: http}]}]")]
    [InlineData("ingress: [{ports: [{port: 8000, endPort: 8100}]}]")]
    [InlineData("ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]")]
    [InlineData("ingress: [{}]")]
    public void Analyze_SomeRuleAdmitsTheContainerPortFromSomePeer_NoPM504ForAllClients(string rules)
    {
        var analysis = Analyze(Api + "\n" + $$$"""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-open, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              {{{rules}}}
            """);

        Assert.DoesNotContain(analysis.Diagnostics, d => d.Code == Codes.PolicyClosesService && d.Message.Contains("no client reaches"));
    }

    [Fact]
    public void Analyze_NodePortWhosePodsAdmitOnlyPodsOfTheNamespace_PM504ForOutsideClientsOnTheNodePortPath()
    {
        var d = Assert.Single(Findings(Api + "\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-from-shop, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{from: [{podSelector: {}}], ports: [{port: http}]}]
            """, Codes.PolicyClosesService));

        Assert.Contains("exposed outside the cluster (NodePort)", d.Message);
        Assert.Contains("block clients from outside on port 8080/TCP", d.Message);
        Assert.Equal(["nodeport:shop/api:80/TCP"], d.Paths.ToArray());
    }

    [Fact]
    public void Analyze_NodePortWithAnIpBlockForOutsideClients_NoPM504()
    {
        Assert.Empty(Findings(Api + "\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-office, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 8080}]}]
            """, Codes.PolicyClosesService));
    }

    [Fact]
    public void Analyze_AdminClusterNetworkPolicyAcceptsThePort_NoPM504()
    {
        Assert.Empty(Findings(Api.Replace("type: NodePort", "type: ClusterIP", StringComparison.Ordinal) + "\n" + """
            apiVersion: policy.networking.k8s.io/v1alpha2
            kind: ClusterNetworkPolicy
            metadata: {name: monitoring}
            spec:
              tier: Admin
              priority: 10
              subject: {namespaces: {}}
              ingress:
              - action: Accept
                from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
                protocols: [{tcp: {destinationPort: {number: 8080}}}]
            """, Codes.PolicyClosesService));
    }

    [Fact]
    public void Analyze_NoPolicy_NoReachFindings()
    {
        var analysis = Analyze(Api.Replace("kind: NetworkPolicy", "kind: ConfigMap", StringComparison.Ordinal).Replace("spec: {podSelector: {}, policyTypes: [Ingress]}", "data: {}", StringComparison.Ordinal) + "\n" + Controller);

        Assert.DoesNotContain(analysis.Diagnostics, d => d.Code is Codes.PolicyClosesService or Codes.PolicyBlocksIngressController);
    }

    [Fact]
    public void Analyze_BackendAdmitsItsNamespaceButNotTheController_PM505OnTheIngressBackend()
    {
        var analysis = Analyze(Api + "\n" + Controller + "\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-from-shop, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{from: [{podSelector: {}}], ports: [{port: http}]}]
            """);

        var d = Assert.Single(analysis.Diagnostics, d => d.Code == Codes.PolicyBlocksIngressController);
        Assert.Equal(new ObjectRef("Ingress", "shop", "shop"), d.Object);
        Assert.Equal("spec.rules[0].http.paths[0].backend", d.Field);
        Assert.Equal(Severity.Error, d.Severity);
        Assert.Contains("IngressClass nginx (ingress-nginx/ingress-nginx-controller)", d.Message);
        Assert.Contains("on port 8080/TCP, at the backend pods' ingress", d.Message);
        Assert.Contains("502 or 504", d.Message);
        Assert.Contains("namespaceSelector kubernetes.io/metadata.name: ingress-nginx with podSelector app.kubernetes.io/name=ingress-nginx, app.kubernetes.io/component=controller", d.Fix);
        Assert.Equal(["ingress:shop/shop:0:0"], d.Paths.ToArray());
        Assert.Equal(PathStatus.Broken, analysis.FindPath("ingress:shop/shop:0:0")!.Status);
    }

    [Fact]
    public void Analyze_BackendAdmitsTheControllerNamespace_NoPM505()
    {
        Assert.Empty(Findings(Api + "\n" + Controller + "\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-from-ingress, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}], ports: [{port: 8080}]}]
            """, Codes.PolicyBlocksIngressController));
    }

    [Fact]
    public void Analyze_ControllerEgressIsolatedWithoutARuleToTheBackend_PM505NamesTheControllersEgress()
    {
        var d = Assert.Single(Findings(Api + "\n" + Controller + "\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-from-ingress, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: lockdown, namespace: ingress-nginx}
            spec: {podSelector: {}, policyTypes: [Egress]}
            """, Codes.PolicyBlocksIngressController));

        Assert.Contains("at the controller's egress", d.Message);
        Assert.Contains("ingress-nginx/lockdown", d.Message);
        Assert.Contains("a policy in ingress-nginx selecting the controller pods", d.Fix);
    }

    [Fact]
    public void Analyze_UnknownControllerNamedByTheAnnotation_PM505UsesTheAnnotatedPods()
    {
        var yaml = Api + "\n" + Controller
            .Replace("controller: k8s.io/ingress-nginx", "controller: example.com/edge-proxy", StringComparison.Ordinal)
            .Replace("metadata: {name: nginx}", "metadata: {name: nginx, annotations: {portmapper.io/controller-pod-selector: \"app.kubernetes.io/name=ingress-nginx\"}}", StringComparison.Ordinal) + "\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-from-shop, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{from: [{podSelector: {}}]}]
            """;

        var d = Assert.Single(Findings(yaml, Codes.PolicyBlocksIngressController));
        Assert.Contains("podSelector app.kubernetes.io/name=ingress-nginx", d.Fix);
    }

    [Fact]
    public void Analyze_UnknownControllerWithoutAnnotation_NoPM505()
    {
        Assert.Empty(Findings(Api + "\n" + Controller.Replace("controller: k8s.io/ingress-nginx", "controller: example.com/edge-proxy", StringComparison.Ordinal), Codes.PolicyBlocksIngressController));
    }

    [Fact]
    public void Analyze_HostNetworkController_NoPM505BecauseTheApiDoesNotDecide()
    {
        var yaml = Api + "\n" + Controller.Replace("spec: {containers: [{name: controller", "spec: {hostNetwork: true, containers: [{name: controller", StringComparison.Ordinal) + "\n" + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-from-shop, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{from: [{podSelector: {}}]}]
            """;

        Assert.Empty(Findings(yaml, Codes.PolicyBlocksIngressController));
    }
}
