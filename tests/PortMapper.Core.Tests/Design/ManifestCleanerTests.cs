using PortMapper.Core.Demo;
using PortMapper.Core.Design;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Design;

public class ManifestCleanerTests
{
    [Fact]
    public void Clean_ServiceAsTheServerReturnsIt_KeepsWhatAPersonWrote()
    {
        var live = Yaml("""
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: demo
              uid: 6f1c
              resourceVersion: "812"
              creationTimestamp: "2026-11-20T10:00:00Z"
              annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
              managedFields: [{manager: kubectl}]
            spec:
              type: NodePort
              clusterIP: 10.96.0.20
              clusterIPs: [10.96.0.20]
              ipFamilies: [IPv4]
              ipFamilyPolicy: SingleStack
              sessionAffinity: None
              internalTrafficPolicy: Cluster
              externalTrafficPolicy: Cluster
              selector: {app: web}
              ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080}]
            status: {loadBalancer: {}}
            """);

        var clean = Core.Design.ManifestCleaner.Clean(live);

        Assert.Equal("""
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: demo
            spec:
              type: NodePort
              selector:
                app: web
              ports:
              - name: http
                port: 80
                targetPort: 8080
                nodePort: 30080

            """.ReplaceLineEndings("\n"), YamlWriter.Write(clean));
    }

    [Theory]
    [InlineData("{ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv4, IPv6], clusterIP: 10.96.0.9, clusterIPs: [10.96.0.9, 'fd00::9'], ports: [{port: 80}]}", "PreferDualStack", null)]
    [InlineData("{ipFamilyPolicy: SingleStack, ipFamilies: [IPv6], clusterIP: 'fd00::9', clusterIPs: ['fd00::9'], ports: [{port: 80}]}", null, "IPv6")]
    [InlineData("{ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6, IPv4], ports: [{port: 80}]}", "RequireDualStack", "IPv6,IPv4")]
    public void Clean_IpFamilies_TheDerivedOnesGoAWrittenChoiceStays(string spec, string? policy, string? families)
    {
        var clean = Core.Design.ManifestCleaner.Clean(Service(spec));

        Assert.Equal(policy, (string?)clean["spec"]!["ipFamilyPolicy"]);
        Assert.Equal(families, clean["spec"]!["ipFamilies"] is System.Text.Json.Nodes.JsonArray a ? string.Join(",", a.Select(f => (string?)f)) : null);
        Assert.Null(clean["spec"]!["clusterIPs"]);
    }

    [Fact]
    public void Clean_HeadlessService_KeepsClusterIpNone()
    {
        var clean = Core.Design.ManifestCleaner.Clean(Service("{clusterIP: None, clusterIPs: [None], sessionAffinity: ClientIP, ports: [{port: 5432, protocol: UDP}]}"));

        Assert.Equal("None", (string?)clean["spec"]!["clusterIP"]);
        Assert.Null(clean["spec"]!["clusterIPs"]);
        Assert.Equal("ClientIP", (string?)clean["spec"]!["sessionAffinity"]);
        Assert.Equal("UDP", (string?)clean["spec"]!["ports"]![0]!["protocol"]);
    }

    [Fact]
    public void Clean_DeploymentDefaults_AreDroppedOtherValuesStay()
    {
        var live = Yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: demo, annotations: {deployment.kubernetes.io/revision: "3"}}
            spec:
              replicas: 2
              revisionHistoryLimit: 10
              progressDeadlineSeconds: 600
              strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
              selector: {matchLabels: {app: web}}
              template:
                metadata: {creationTimestamp: null, labels: {app: web}}
                spec:
                  dnsPolicy: ClusterFirst
                  restartPolicy: Always
                  schedulerName: default-scheduler
                  securityContext: {}
                  terminationGracePeriodSeconds: 45
                  containers:
                  - name: web
                    image: nginx:1.27
                    imagePullPolicy: IfNotPresent
                    terminationMessagePath: /dev/termination-log
                    terminationMessagePolicy: File
                    resources: {}
                    ports: [{containerPort: 80, protocol: TCP, hostPort: 8080}]
            """);

        var clean = Core.Design.ManifestCleaner.Clean(live);

        Assert.Equal("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: demo
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  terminationGracePeriodSeconds: 45
                  containers:
                  - name: web
                    image: nginx:1.27
                    ports:
                    - containerPort: 80
                      hostPort: 8080

            """.ReplaceLineEndings("\n"), YamlWriter.Write(clean));
    }

    [Fact]
    public void Clean_ImagePullPolicyThatIsNotTheDefault_Stays()
    {
        var clean = Core.Design.ManifestCleaner.Clean(Pod("{containers: [{name: a, image: 'nginx:1.27', imagePullPolicy: Always}, {name: b, image: nginx, imagePullPolicy: Always}]}"));

        Assert.Equal("Always", (string?)clean["spec"]!["containers"]![0]!["imagePullPolicy"]);
        Assert.Null(clean["spec"]!["containers"]![1]!["imagePullPolicy"]);
    }

    [Fact]
    public void Clean_DemoPod_DropsStatusNodeNameAndOwner()
    {
        var demo = DemoCluster.CreateDefault();
        var pod = demo.Snapshot.Pods.Values.First(p => p.Metadata.Namespace == "default" && p.Metadata.OwnerReferences.Length > 0);

        var clean = Core.Design.ManifestCleaner.Clean(demo.Get(pod.Ref())!);

        Assert.Null(clean["status"]);
        Assert.Null(clean["spec"]!["nodeName"]);
        Assert.Null(clean["metadata"]!["ownerReferences"]);
        Assert.Null(clean["metadata"]!["uid"]);
        Assert.NotNull(clean["metadata"]!["labels"]);
    }

    [Fact]
    public void Clean_LeavesTheInputUntouched()
    {
        var live = Service("{clusterIP: 10.96.0.9, ports: [{port: 80}]}");

        _ = Core.Design.ManifestCleaner.Clean(live);

        Assert.Equal("10.96.0.9", (string?)live["spec"]!["clusterIP"]);
    }

    [Fact]
    public void Select_ShopNamespace_ServicesIngressesGatewayRoutesAndWorkloadsNotTheirPods()
    {
        var demo = DemoCluster.CreateDefault().Snapshot;

        var selected = NamespaceExport.Select(demo, "shop");

        Assert.Equal(
            [
                "Service shop/cart", "Service shop/catalog-db", "Service shop/frontend", "Service shop/metrics-agent", "Service shop/payments", "Service shop/payments-partners", "Service shop/search",
                "Ingress shop/shop",
                "Gateway shop/shop-gateway", "HTTPRoute shop/storefront", "HTTPRoute shop/storefront-redirect",
                "Deployment shop/cart", "Deployment shop/frontend", "Deployment shop/payments", "Deployment shop/search", "StatefulSet shop/catalog-db", "DaemonSet shop/metrics-agent",
            ],
            selected.Select(r => r.ToString()).ToArray());
        Assert.DoesNotContain(selected, r => r.Kind is "Pod" or "EndpointSlice");
        Assert.Contains(new ObjectRef("Pod", "default", "nginx"), NamespaceExport.Select(demo, "default"));
    }
}
