using System.Text.Json.Nodes;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Validation;

public class ClusterAwareValidatorTests
{
    private static ObjectValidation One(JsonObject designed, ClusterSnapshot? cluster) =>
        Assert.Single(ClusterAwareValidator.Validate([designed], cluster));

    private static JsonObject NodePortService(string name, string ports, string ns = "default", string extra = "") => Yaml($$"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {{name}}
          namespace: {{ns}}
        spec: {type: NodePort, ports: {{ports}}{{extra}}}
        """);

    // --- nodePort allocation ---

    [Fact]
    public void Validate_NodePortHeldByAnotherService_IsAlreadyAllocated()
    {
        var cluster = Seed("01-port-targetport-nodeport.yaml");

        var result = One(NodePortService("second", "[{port: 80, nodePort: 30001}]"), cluster);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated", finding.Message);
        Assert.Equal(new ObjectRef("Service", "default", "nginx-service"), finding.Related);
    }

    [Fact]
    public void Validate_UpdateKeepingItsOwnNodePort_IsNoClash()
    {
        var cluster = Seed("01-port-targetport-nodeport.yaml");

        var result = One(SeedObject("01-port-targetport-nodeport.yaml", "Service", "nginx-service"), cluster);

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Validate_NodePortOutsideTheClustersRange_NamesThatRange()
    {
        var cluster = ClusterSnapshot.Empty with { NodePortRange = new NodePortRange(20000, 22767) };

        var result = One(NodePortService("web", "[{port: 80, nodePort: 30080}]"), cluster);

        Assert.Equal(
            ["spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 20000-22767"],
            Messages(result.Findings));
    }

    [Fact]
    public void Validate_TwoDesignedServicesWithOneNodePort_TheSecondClashes()
    {
        var results = ClusterAwareValidator.Validate(
            [NodePortService("a", "[{port: 80, nodePort: 30080}]"), NodePortService("b", "[{port: 81, protocol: UDP, nodePort: 30080}]")],
            cluster: null);

        Assert.Empty(results[0].Findings);
        var finding = Assert.Single(results[1].Findings);
        Assert.Equal("spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated", finding.Message);
        Assert.Equal(new ObjectRef("Service", "default", "a"), finding.Related);
    }

    [Fact]
    public void Validate_OneServiceUsingANodePortForTcpAndUdp_IsNoClash()
    {
        var result = One(NodePortService("dns", "[{name: tcp, port: 53, nodePort: 30053}, {name: udp, port: 53, protocol: UDP, nodePort: 30053}]"), ClusterSnapshot.Empty);

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Validate_RefusedService_HoldsNoPortsForTheNextOne()
    {
        var cluster = Seed("01-port-targetport-nodeport.yaml");

        var results = ClusterAwareValidator.Validate(
            [NodePortService("a", "[{name: x, port: 80, nodePort: 30001}, {name: y, port: 81, nodePort: 30500}]"), NodePortService("b", "[{port: 80, nodePort: 30500}]")],
            cluster);

        Assert.Single(results[0].Findings);
        Assert.Empty(results[1].Findings);
    }

    [Fact]
    public void Validate_NodePortToPickFromAFullRange_CannotBeAllocated()
    {
        var cluster = ClusterSnapshot.From(
        [
            new Service(new ObjectMeta { Name = "a", Namespace = "default" }) { Type = ServiceTypes.NodePort, Ports = [new ServicePort { Port = 80, NodePort = 30000 }] },
        ]) with { NodePortRange = new NodePortRange(30000, 30001) };
        var twoMore = NodePortService("b", "[{name: http, port: 80}, {name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53}]");
        var lbWithoutNodePorts = NodePortService("c", "[{port: 80}]", extra: ", allocateLoadBalancerNodePorts: false");
        lbWithoutNodePorts["spec"]!["type"] = "LoadBalancer";

        var results = ClusterAwareValidator.Validate([twoMore, lbWithoutNodePorts], cluster);

        // One port is left: port 80 takes it, and the two port-53 entries would share the next one.
        Assert.Equal(["spec.ports[1].nodePort: failed to allocate a nodePort: range is full"], Messages(results[0].Findings));
        Assert.Empty(results[1].Findings);
    }

    [Fact]
    public void Validate_ClusterIpServiceWithNodePort_IsLeftToStaticValidation()
    {
        var cluster = Seed("01-port-targetport-nodeport.yaml");

        var result = One(Service("{ports: [{port: 80, nodePort: 30001}]}"), cluster);

        Assert.DoesNotContain(result.Findings, f => f.Field.EndsWith(".nodePort", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_HealthCheckNodePortHeldByAnotherService_CannotBeAllocated()
    {
        var cluster = Seed("01-port-targetport-nodeport.yaml");
        var service = Service("{type: LoadBalancer, externalTrafficPolicy: Local, healthCheckNodePort: 30001, ports: [{port: 80}]}");

        var finding = Assert.Single(One(service, cluster).Findings, f => f.Field == "spec.healthCheckNodePort");

        Assert.Equal("spec.healthCheckNodePort: failed to allocate requested HealthCheck NodePort 30001: provided port is already allocated", finding.Message);
    }

    // --- Service selector and targetPort ---

    [Fact]
    public void Validate_WebappServiceFromTheSeed_WarnsThatNoPodDeclaresTargetPort80()
    {
        var cluster = Seed("05-webapp-three-ways.yaml");

        var result = One(SeedObject("05-webapp-three-ways.yaml", "Service", "webapp"), cluster);

        var finding = Assert.Single(result.Findings);
        Assert.Equal(ValidationSeverity.Warning, finding.Severity);
        Assert.Equal(
            "spec.ports[0].targetPort: no selected pod declares containerPort 80/TCP (they declare 8080/TCP): traffic reaches port 80 only if the process listens there anyway",
            finding.Message);
    }

    [Fact]
    public void Validate_NumericTargetPortThatIsDeclared_IsFine()
    {
        var cluster = Seed("02-service-types.yaml");

        var result = One(SeedObject("02-service-types.yaml", "Service", "my-service-clusterip"), cluster);

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Validate_NamedTargetPortNoPodDeclares_IsAnError()
    {
        var cluster = Seed("02-service-types.yaml");
        var service = Service("{selector: {app: my-app}, ports: [{port: 80, targetPort: web}]}", "my-service");
        service["metadata"]!["namespace"] = "types";

        var finding = Assert.Single(One(service, cluster).Findings);

        Assert.Equal(ValidationSeverity.Error, finding.Severity);
        Assert.Equal(
            "spec.ports[0].targetPort: no selected pod declares a port named \"web\" with protocol TCP (Deployment types/my-app): the Service has no endpoints for this port",
            finding.Message);
    }

    [Fact]
    public void Validate_NamedTargetPortWithAnotherProtocol_DoesNotResolve()
    {
        var cluster = Seed("02-service-types.yaml");
        var service = Service("{selector: {app: my-app}, ports: [{port: 80, protocol: UDP, targetPort: http}]}", "my-service");
        service["metadata"]!["namespace"] = "types";

        var finding = Assert.Single(One(service, cluster).Findings);

        Assert.Contains("a port named \"http\" with protocol UDP", finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NamedTargetPortOnARestartableInitContainer_Resolves()
    {
        var pod = Pod("{initContainers: [{name: proxy, image: envoy, restartPolicy: Always, ports: [{name: proxy, containerPort: 15001}]}], containers: [{name: web, image: nginx}]}");
        var service = Service("{selector: {app: web}, ports: [{port: 80, targetPort: proxy}]}");

        var results = ClusterAwareValidator.Validate([pod, service], ClusterSnapshot.Empty);

        Assert.All(results, r => Assert.Empty(r.Findings));
    }

    [Fact]
    public void Validate_NamedTargetPortSomePodsLack_NamesThem()
    {
        var declares = Pod("{containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}", "web");
        var lacks = Pod("{containers: [{name: web, image: nginx}]}", "web");
        lacks["metadata"]!["name"] = "web-old";
        var service = Service("{selector: {app: web}, ports: [{port: 80, targetPort: http}]}");

        var results = ClusterAwareValidator.Validate([declares, lacks, service], ClusterSnapshot.Empty);

        Assert.Equal(
            ["spec.ports[0].targetPort: Pod demo/web-old does not declare a port named \"http\" with protocol TCP: it gets no endpoints for this port"],
            Messages(results[2].Findings));
    }

    [Fact]
    public void Validate_SelectorMatchingNothingInTheCluster_Warns()
    {
        var cluster = Seed("02-service-types.yaml");
        var service = Service("{selector: {app: my-ap, tier: web}, ports: [{port: 80}]}");
        service["metadata"]!["namespace"] = "types";

        var finding = Assert.Single(One(service, cluster).Findings);

        Assert.Equal(ValidationSeverity.Warning, finding.Severity);
        Assert.Equal("spec.selector: selector app=my-ap,tier=web matches no pods and no pod templates in namespace types: the Service has no endpoints", finding.Message);
    }

    [Fact]
    public void Validate_SelectorWithoutACluster_IsNotReportedAsMatchingNothing()
    {
        var result = One(Service("{selector: {app: elsewhere}, ports: [{port: 80}]}"), cluster: null);

        Assert.Empty(result.Findings);
    }

    // --- host ports ---

    [Fact]
    public void Validate_HostPortUsedByTwoSeedPods_WarnsAboutBoth()
    {
        var cluster = Seed("04-external-access.yaml");
        var pod = Pod("{containers: [{name: influxdb, image: influxdb, ports: [{containerPort: 8086, hostPort: 8086}]}]}", "influxdb-2");
        pod["metadata"]!["namespace"] = "monitoring";

        var result = One(pod, cluster);

        Assert.Equal(
            [
                "spec.containers[0].ports[0].hostPort: host port 8086/TCP is also used by Pod monitoring/influxdb-hostnetwork (hostNetwork): the two cannot run on the same node",
                "spec.containers[0].ports[0].hostPort: host port 8086/TCP is also used by Pod monitoring/influxdb-hostport: the two cannot run on the same node",
            ],
            Messages(result.Findings));
        Assert.All(result.Findings, f => Assert.Equal(ValidationSeverity.Warning, f.Severity));
    }

    [Fact]
    public void Validate_HostPortOnTheSameNode_NamesPodAndNode()
    {
        var cluster = ClusterSnapshot.From(
        [
            new Node(new ObjectMeta { Name = "node-a" }),
            new Node(new ObjectMeta { Name = "node-b" }),
            new Pod(new ObjectMeta { Name = "agent", Namespace = "ops" })
            {
                Spec = new PodSpecPorts { NodeName = "node-a", HostNetwork = true, Containers = [new Container { Name = "agent", Ports = [new ContainerPort { Number = 9100 }] }] },
            },
        ]);
        var onA = Pod("{nodeName: node-a, containers: [{name: exporter, image: exporter, ports: [{containerPort: 9100, hostPort: 9100}]}]}");
        var onB = Pod("{nodeName: node-b, containers: [{name: exporter, image: exporter, ports: [{containerPort: 9100, hostPort: 9100}]}]}");

        var finding = Assert.Single(One(onA, cluster).Findings);
        Assert.Equal("spec.containers[0].ports[0].hostPort: host port 9100/TCP is already used on node node-a by Pod ops/agent (hostNetwork): the two cannot run on the same node", finding.Message);
        Assert.Equal(new ObjectRef("Pod", "ops", "agent"), finding.Related);
        Assert.Empty(One(onB, cluster).Findings);
    }

    [Fact]
    public void Validate_DaemonSetHostPort_ClashesOnEveryNodeHoldingIt()
    {
        var cluster = ClusterSnapshot.From(
        [
            new Node(new ObjectMeta { Name = "node-a" }),
            new Node(new ObjectMeta { Name = "node-b" }),
            new Pod(new ObjectMeta { Name = "legacy", Namespace = "ops" })
            {
                Spec = new PodSpecPorts { NodeName = "node-b", Containers = [new Container { Name = "legacy", Ports = [new ContainerPort { Number = 80, HostPort = 9100, Protocol = "UDP" }, new ContainerPort { Number = 81, HostPort = 9100 }] }] },
            },
        ]);
        var daemonSet = Workload("DaemonSet", "{hostNetwork: true, containers: [{name: exporter, image: exporter, ports: [{containerPort: 9100}]}]}", "exporter");

        var result = One(daemonSet, cluster);

        Assert.Equal(
            ["spec.template.spec.containers[0].ports[0].containerPort: host port 9100/TCP is already used on node node-b by Pod ops/legacy: the two cannot run on the same node"],
            Messages(result.Findings));
    }

    [Fact]
    public void Validate_HostPortsOnDifferentAddresses_DoNotClash()
    {
        var cluster = ClusterSnapshot.From(
        [
            new Pod(new ObjectMeta { Name = "a", Namespace = "ops" })
            {
                Spec = new PodSpecPorts { Containers = [new Container { Name = "a", Ports = [new ContainerPort { Number = 80, HostPort = 8080, HostIp = "10.0.0.1" }] }] },
            },
        ]);
        var elsewhere = Pod("{containers: [{name: b, image: nginx, ports: [{containerPort: 80, hostPort: 8080, hostIP: 10.0.0.2}]}]}");
        var everywhere = Pod("{containers: [{name: b, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]}");

        Assert.Empty(One(elsewhere, cluster).Findings);
        Assert.Single(One(everywhere, cluster).Findings);
    }

    // --- Ingress ---

    [Fact]
    public void Validate_IngressFromTheSeed_FindsItsServiceAndPort()
    {
        var cluster = Seed("04-external-access.yaml");

        var result = One(SeedObject("04-external-access.yaml", "Ingress", "influxdb"), cluster);

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Validate_IngressBackendServiceMissing_IsAnError()
    {
        var cluster = Seed("04-external-access.yaml");
        var ingress = SeedObject("04-external-access.yaml", "Ingress", "influxdb");
        ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!["name"] = "influx";

        var finding = Assert.Single(One(ingress, cluster).Findings);

        Assert.Equal(ValidationSeverity.Error, finding.Severity);
        Assert.Equal("spec.rules[0].http.paths[0].backend.service.name: Service \"influx\" not found in namespace monitoring: the ingress controller has nowhere to send this traffic", finding.Message);
    }

    [Fact]
    public void Validate_IngressBackendPortNumberNotOnTheService_IsAnError()
    {
        var cluster = Seed("04-external-access.yaml");
        var ingress = SeedObject("04-external-access.yaml", "Ingress", "influxdb");
        ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!["port"]!["number"] = 80;

        var finding = Assert.Single(One(ingress, cluster).Findings);

        Assert.Equal("spec.rules[0].http.paths[0].backend.service.port.number: Service monitoring/influxdb has no port 80 (its ports: 8086/TCP)", finding.Message);
        Assert.Equal(new ObjectRef("Service", "monitoring", "influxdb"), finding.Related);
    }

    [Fact]
    public void Validate_IngressBackendPortNameOfADesignedService_IsCheckedAgainstIt()
    {
        var service = Service("{selector: {app: web}, ports: [{name: http, port: 80}]}");
        var good = Ingress("{defaultBackend: {service: {name: web, port: {name: http}}}}");
        var bad = Ingress("{defaultBackend: {service: {name: web, port: {name: https}}}}", "web-tls");

        var results = ClusterAwareValidator.Validate([service, good, bad], cluster: null);

        Assert.Empty(results[1].Findings);
        Assert.Equal(
            ["spec.defaultBackend.service.port.name: Service demo/web has no port named \"https\" (its ports: 80/TCP \"http\")"],
            Messages(results[2].Findings));
    }

    [Fact]
    public void Validate_IngressClassMissingFromTheCluster_Warns()
    {
        var cluster = Seed("04-external-access.yaml");
        var ingress = SeedObject("04-external-access.yaml", "Ingress", "influxdb");
        ingress["spec"]!["ingressClassName"] = "nginx";
        var ingressClass = Yaml("{apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: nginx}, spec: {controller: k8s.io/ingress-nginx}}");

        var alone = One(ingress, cluster);
        var withClass = ClusterAwareValidator.Validate([ingressClass, ingress], cluster);

        var finding = Assert.Single(alone.Findings);
        Assert.Equal(ValidationSeverity.Warning, finding.Severity);
        Assert.Equal("spec.ingressClassName: IngressClass \"nginx\" does not exist in the cluster: no ingress controller will serve this Ingress", finding.Message);
        Assert.Empty(withClass[1].Findings);
    }

    // --- the entry point ---

    [Fact]
    public void ManifestValidation_Objects_ReturnsServerFindingsThenClusterFindingsInInputOrder()
    {
        var cluster = Seed("01-port-targetport-nodeport.yaml");
        var configMap = Yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}");
        var service = NodePortService("Second", "[{port: 80, nodePort: 30001}]");

        var results = ManifestValidation.Validate([configMap, service], cluster);

        Assert.Equal([new ObjectRef("ConfigMap", "", "cfg"), new ObjectRef("Service", "default", "Second")], results.Select(r => r.Object));
        Assert.Equal(ValidationSeverity.Info, Assert.Single(results[0].Findings).Severity);
        Assert.Equal(
            [
                $"metadata.name: Invalid value: \"Second\": {ServiceValidationTests.Dns1035Label}",
                "spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated",
            ],
            Messages(results[1].Findings));
        Assert.True(results[1].HasErrors);
    }
}
