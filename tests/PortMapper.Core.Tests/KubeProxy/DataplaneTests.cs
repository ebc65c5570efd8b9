using PortMapper.Core.KubeProxy;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.KubeProxy;

/// <summary>Which data plane carries Service traffic, worked out from the pods of kube-system.</summary>
public class DataplaneTests
{
    private static ClusterSnapshot Cluster(params string[] pods)
    {
        var issues = new List<LoadIssue>();
        var reader = new ModelReader(issues);
        var objects = pods.Select(yaml => reader.Read((System.Text.Json.Nodes.JsonObject)YamlToJson.Parse(yaml, "test")[0].Root!)!);
        return ClusterSnapshot.From(objects, endpointSlicesAuthoritative: true);
    }

    private static string Pod(string name, string labels, string container = "kube-proxy", string args = "[]", string command = "[]") => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: kube-system, labels: {{labels}}}
        spec:
          containers: [{name: {{container}}, image: example/{{container}}, command: {{command}}, args: {{args}}}]
        """;

    [Theory]
    [InlineData("[--proxy-mode=nftables]", "[]", ProxyMode.Nftables)]
    [InlineData("[--v=2, --proxy-mode, ipvs]", "[]", ProxyMode.Ipvs)]
    [InlineData("[]", "[kube-proxy, -proxy-mode=iptables]", ProxyMode.Iptables)]
    public void Detect_KubeProxyPodWithTheFlag_UsesTheFlag(string args, string command, ProxyMode expected)
    {
        var snapshot = Cluster(Pod("kube-proxy-abcde", "{k8s-app: kube-proxy}", args: args, command: command));

        var dataplane = Dataplane.Detect(snapshot, configured: ProxyMode.Ipvs == expected ? ProxyMode.Nftables : ProxyMode.Ipvs);

        Assert.Equal(expected, dataplane.Mode);
        Assert.StartsWith("flag --proxy-mode=", dataplane.Source, StringComparison.Ordinal);
        Assert.Contains("kube-system/kube-proxy-abcde", dataplane.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_KubeProxyWithoutTheFlag_TakesTheOptionElseIptables()
    {
        // kubeadm: --config=/var/lib/kube-proxy/config.conf, the mode is in the ConfigMap's file.
        var snapshot = Cluster(Pod("kube-proxy-x", "{k8s-app: kube-proxy}", command: "[/usr/local/bin/kube-proxy, --config=/var/lib/kube-proxy/config.conf]"));

        Assert.Equal(ProxyMode.Nftables, Dataplane.Detect(snapshot, ProxyMode.Nftables).Mode);
        var fallback = Dataplane.Detect(snapshot);
        Assert.Equal(ProxyMode.Iptables, fallback.Mode);
        Assert.Contains("config file", fallback.Source, StringComparison.Ordinal);
    }

    /// <summary>kube-proxy's ConfigMap as kubeadm writes it (trimmed to the fields around mode), or as EKS names it.</summary>
    private static string ConfigMap(string mode, string name = "kube-proxy", string key = "config.conf") => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{name}}
          namespace: kube-system
          labels:
            app: kube-proxy
        data:
          {{key}}: |-
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            bindAddress: 0.0.0.0
            clusterCIDR: 10.244.0.0/16
            iptables:
              masqueradeAll: false
            mode: {{mode}}
            nftables:
              masqueradeBit: 14
          kubeconfig.conf: |-
            apiVersion: v1
            kind: Config
        """;

    [Theory]
    [InlineData("nftables", ProxyMode.Nftables)]
    [InlineData("ipvs", ProxyMode.Ipvs)]
    [InlineData("\"\"", ProxyMode.Iptables)]
    public void Detect_KubeProxyWithoutTheFlag_ReadsTheModeFromItsConfigMap(string mode, ProxyMode expected)
    {
        var snapshot = Cluster(
            Pod("kube-proxy-x", "{k8s-app: kube-proxy}", command: "[/usr/local/bin/kube-proxy, --config=/var/lib/kube-proxy/config.conf]"),
            ConfigMap(mode));

        var dataplane = Dataplane.Detect(snapshot, configured: expected == ProxyMode.Ipvs ? ProxyMode.Nftables : ProxyMode.Ipvs);

        Assert.Equal(expected, dataplane.Mode);
        Assert.Contains("ConfigMap kube-system/kube-proxy (data.config.conf)", dataplane.Source, StringComparison.Ordinal);
        Assert.Equal("10.244.0.0/16", snapshot.KubeProxyConfigs.Values.Single().ClusterCidr);
    }

    [Fact]
    public void Detect_EksConfigMap_KubeProxyConfigWithKeyConfig()
    {
        var snapshot = Cluster(ConfigMap("iptables", name: "kube-proxy-config", key: "config"));

        var dataplane = Dataplane.Detect(snapshot, ProxyMode.Nftables);

        Assert.Equal(ProxyMode.Iptables, dataplane.Mode);
        Assert.Equal("mode: iptables in ConfigMap kube-system/kube-proxy-config (data.config)", dataplane.Source);
    }

    [Fact]
    public void Detect_TheFlagWinsOverTheConfigMap()
    {
        var snapshot = Cluster(Pod("kube-proxy-abcde", "{k8s-app: kube-proxy}", args: "[--proxy-mode=nftables]"), ConfigMap("ipvs"));

        Assert.Equal(ProxyMode.Nftables, Dataplane.Detect(snapshot).Mode);
    }

    [Fact]
    public void Detect_ConfigMapWithBrokenYaml_SaysWhyAndFallsBackToTheOption()
    {
        var broken = ConfigMap("nftables").Replace("    mode: nftables", "    mode: [nftables", StringComparison.Ordinal);
        var snapshot = Cluster(Pod("kube-proxy-x", "{k8s-app: kube-proxy}"), broken);

        var dataplane = Dataplane.Detect(snapshot, ProxyMode.Nftables);

        Assert.Equal(ProxyMode.Nftables, dataplane.Mode);
        Assert.Contains("ConfigMap kube-system/kube-proxy cannot be read: data.config.conf is not valid YAML", dataplane.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherConfigMaps_AreNotRead()
    {
        var loaded = ManifestLoader.LoadText(ConfigMap("ipvs", name: "coredns") + "\n---\n" + ConfigMap("ipvs"), "cm.yaml");

        Assert.Equal(["kube-system/kube-proxy"], loaded.Objects.Select(o => $"{o.Metadata.Namespace}/{o.Metadata.Name}"));
        Assert.Contains(loaded.Skipped, s => s.Kind == "ConfigMap" && s.Name == "coredns");
    }

    [Fact]
    public void Detect_ConfigMapChangesWhilePodsStay_TheNewModeIsSeen()
    {
        var pods = Cluster(Pod("kube-proxy-x", "{k8s-app: kube-proxy}"));
        var before = pods.Upsert(Cluster(ConfigMap("iptables")).KubeProxyConfigs.Values.Single());
        var after = before.Upsert(Cluster(ConfigMap("nftables")).KubeProxyConfigs.Values.Single());

        Assert.Equal(ProxyMode.Iptables, Dataplane.Detect(before).Mode);
        Assert.Equal(ProxyMode.Nftables, Dataplane.Detect(after).Mode);
    }

    [Fact]
    public void Detect_CiliumWithoutKubeProxy_SaysThereAreNoKubeProxyRules()
    {
        var snapshot = Cluster(Pod("cilium-4xk2p", "{k8s-app: cilium}", container: "cilium-agent"), Pod("coredns-1", "{k8s-app: kube-dns}", container: "coredns"));

        var dataplane = Dataplane.Detect(snapshot, ProxyMode.Iptables);

        Assert.Equal(ProxyMode.Replaced, dataplane.Mode);
        Assert.StartsWith("no kube-proxy rules: the dataplane is Cilium", dataplane.Summary, StringComparison.Ordinal);
        Assert.Equal("none", dataplane.ModeName);
    }

    [Fact]
    public void Detect_CiliumBesideKubeProxy_IsKubeProxy()
    {
        // Cilium as the CNI only: kube-proxy still programs the Services.
        var snapshot = Cluster(Pod("cilium-4xk2p", "{k8s-app: cilium}", container: "cilium-agent"), Pod("kube-proxy-q", "{k8s-app: kube-proxy}", args: "[--proxy-mode=nftables]"));

        Assert.Equal(ProxyMode.Nftables, Dataplane.Detect(snapshot).Mode);
    }

    [Fact]
    public void Detect_NoSystemPods_UsesTheOptionOrTheDefault()
    {
        Assert.Equal(ProxyMode.Ipvs, Dataplane.Detect(ClusterSnapshot.Empty, ProxyMode.Ipvs).Mode);
        var dataplane = Dataplane.Detect(ClusterSnapshot.Empty);
        Assert.Equal(ProxyMode.Iptables, dataplane.Mode);
        Assert.Equal("kube-proxy in iptables mode (kube-proxy's default; set the --proxy-mode option if the cluster runs another mode)", dataplane.Summary);
    }

    [Fact]
    public void Detect_UnknownFlagValue_SaysSoAndFallsBack()
    {
        var snapshot = Cluster(Pod("kube-proxy-w", "{component: kube-proxy}", args: "[--proxy-mode=kernelspace]"));

        var dataplane = Dataplane.Detect(snapshot);

        Assert.Equal(ProxyMode.Iptables, dataplane.Mode);
        Assert.Contains("--proxy-mode=kernelspace, which PortMapper does not model", dataplane.Source, StringComparison.Ordinal);
    }
}
