using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Tests.Deployment;

/// <summary>deploy/ checked by PortMapper's own engine, and by what the Deployment must be to run safely behind the Ingress.</summary>
public sealed class KubernetesManifestsTests
{
    private static readonly LoadResult Loaded = ManifestLoader.LoadPaths([RepoFiles.PathOf("deploy")]);

    [Fact]
    public void Load_Deploy_ReadsEveryDocumentWithoutProblems()
    {
        Assert.Empty(Loaded.Errors);
        Assert.Empty(Loaded.Issues);
        Assert.Equal(["Deployment portmapper/portmapper", "Ingress portmapper/portmapper", "Namespace/portmapper", "Service portmapper/portmapper"],
            Loaded.Objects.Select(o => o.Ref().ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_Deploy_TheApiServerWouldAcceptEveryObject()
    {
        var validations = ManifestValidation.Validate([.. Loaded.Raw], cluster: null);

        Assert.All(validations, v => Assert.False(v.HasErrors, $"{v.Object}: {string.Join("; ", v.Findings)}"));
    }

    [Fact]
    public void Analyze_Deploy_NoErrorForPortMappersServiceIngressOrPods()
    {
        var cluster = DemoCluster.FromManifests(Loaded);
        var analysis = ClusterAnalyzer.Analyze(cluster.Snapshot, cluster.StartupFindings);

        var errors = analysis.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Contains(analysis.Paths, p => p.Namespace == "portmapper");
        var service = cluster.Snapshot.Services[new ObjectKey("portmapper", "portmapper")];
        Assert.Contains(cluster.Snapshot.Pods.Values, p => p.Metadata.Namespace == "portmapper" && service.Selector!.All(s => p.Metadata.Labels.GetValueOrDefault(s.Key) == s.Value));
    }

    [Fact]
    public void Ingress_PathAndPort_MatchTheAppsPathBaseAndTheServicePort()
    {
        var ingress = Document("ingress.yaml");
        var service = Document("service.yaml");
        var args = PortMapperOptions.Parse(Args());

        var path = ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!;
        Assert.Equal("nginx", RepoFiles.Text(ingress["spec"]!["ingressClassName"]));
        Assert.Equal(args.PathBase, RepoFiles.Text(path["path"]));
        Assert.Equal("Prefix", RepoFiles.Text(path["pathType"]));
        Assert.Equal(RepoFiles.Text(service["spec"]!["ports"]![0]!["name"]), RepoFiles.Text(path["backend"]!["service"]!["port"]!["name"]));
        var annotations = ingress["metadata"]!["annotations"]!;
        Assert.Equal("3600", RepoFiles.Text(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]));
        Assert.Equal("3600", RepoFiles.Text(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]));
        Assert.Null(annotations["nginx.ingress.kubernetes.io/rewrite-target"]);
        Assert.Equal("ClusterIP", RepoFiles.Text(service["spec"]!["type"]));
    }

    [Fact]
    public void Deployment_Pod_IsRestrictedReadOnlyAndProbed()
    {
        var pod = Document("deployment.yaml")["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;

        Assert.Equal("portmapper", RepoFiles.Text(pod["serviceAccountName"]));
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal("RuntimeDefault", RepoFiles.Text(pod["securityContext"]!["seccompProfile"]!["type"]));
        var security = container["securityContext"]!;
        Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal(["ALL"], RepoFiles.Strings(security["capabilities"]!["drop"]));
        Assert.Equal("/healthz", RepoFiles.Text(container["livenessProbe"]!["httpGet"]!["path"]));
        Assert.Equal("/readyz", RepoFiles.Text(container["readinessProbe"]!["httpGet"]!["path"]));
        Assert.Equal(8080, container["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.NotNull(container["resources"]!["requests"]);
        Assert.NotNull(container["resources"]!["limits"]!["memory"]);
        Assert.Equal("/tmp", RepoFiles.Text(container["volumeMounts"]![0]!["mountPath"]));
        Assert.NotNull(pod["volumes"]![0]!["emptyDir"]);

        // No source option: in a pod PortMapper connects with the pod's ServiceAccount (ClusterSources).
        var options = PortMapperOptions.Parse(Args());
        Assert.False(options.Demo);
        Assert.Empty(options.Manifests);
        Assert.Null(options.Kubeconfig);
        Assert.Null(options.Context);
        Assert.False(options.AllowApply);
        Assert.Equal("/portmapper", options.PathBase);
    }

    [Fact]
    public void ReadRole_GrantsExactlyGetListWatchOnWhatPortMapperReads()
    {
        var role = RepoFiles.Yaml("deploy/clusterrole-read.yaml").Single(d => RepoFiles.Text(d["kind"]) == "ClusterRole");

        var grants = role["rules"]!.AsArray()
            .SelectMany(r => RepoFiles.Strings(r!["apiGroups"]).SelectMany(g => RepoFiles.Strings(r["resources"]).Select(res => (Resource: g.Length == 0 ? res : $"{res}.{g}", Verbs: RepoFiles.Strings(r["verbs"])))))
            .ToList();

        Assert.Equal(
            [
                "clusternetworkpolicies.policy.networking.k8s.io", "endpointslices.discovery.k8s.io",
                "gatewayclasses.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io", "grpcroutes.gateway.networking.k8s.io",
                "httproutes.gateway.networking.k8s.io", "ingressclasses.networking.k8s.io", "ingresses.networking.k8s.io", "namespaces",
                "networkpolicies.networking.k8s.io", "nodes", "pods", "referencegrants.gateway.networking.k8s.io", "servicecidrs.networking.k8s.io", "services",
                "tcproutes.gateway.networking.k8s.io", "tlsroutes.gateway.networking.k8s.io",
            ],
            grants.Select(g => g.Resource).Order(StringComparer.Ordinal));
        Assert.All(grants, g => Assert.Equal(["get", "list", "watch"], g.Verbs));
        var binding = RepoFiles.Yaml("deploy/clusterrole-read.yaml").Single(d => RepoFiles.Text(d["kind"]) == "ClusterRoleBinding");
        Assert.Equal("portmapper", RepoFiles.Text(binding["subjects"]![0]!["name"]));
    }

    [Fact]
    public void KubeProxyConfigRole_ReadsOnlyKubeProxysConfigMapsInKubeSystem()
    {
        var docs = RepoFiles.Yaml("deploy/role-kube-proxy-config.yaml");
        var role = docs.Single(d => RepoFiles.Text(d["kind"]) == "Role");
        var rule = Assert.Single(role["rules"]!.AsArray())!;

        Assert.Equal("kube-system", RepoFiles.Text(role["metadata"]!["namespace"]));
        Assert.Equal(["configmaps"], RepoFiles.Strings(rule["resources"]));
        Assert.Equal(PortMapper.Core.Model.KubeProxyConfig.Names, RepoFiles.Strings(rule["resourceNames"]));
        Assert.Equal(["get", "list", "watch"], RepoFiles.Strings(rule["verbs"]));
        var binding = docs.Single(d => RepoFiles.Text(d["kind"]) == "RoleBinding");
        Assert.Equal("portmapper", RepoFiles.Text(binding["subjects"]![0]!["name"]));
        Assert.Equal("portmapper", RepoFiles.Text(binding["subjects"]![0]!["namespace"]));
    }

    [Fact]
    public void Kustomization_ListsEveryFileButTheOptionalApplyRole()
    {
        var kustomization = RepoFiles.Yaml("deploy/kustomization.yaml").Single();

        var resources = RepoFiles.Strings(kustomization["resources"]);
        var files = Directory.GetFiles(RepoFiles.PathOf("deploy"), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");
        Assert.Equal(files.Where(f => f != "apply-role.yaml").Order(StringComparer.Ordinal), resources.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("apply-role.yaml", resources);
        Assert.Contains("server-side apply", File.ReadAllText(RepoFiles.PathOf("deploy/apply-role.yaml")), StringComparison.Ordinal);
    }

    /// <summary>The Deployment's container args (the image's entrypoint adds --urls).</summary>
    internal static string[] Args() => [.. RepoFiles.Strings(Document("deployment.yaml")["spec"]!["template"]!["spec"]!["containers"]![0]!["args"])];

    private static JsonObject Document(string file) => RepoFiles.Yaml($"deploy/{file}").Single();
}
