using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Design;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Design;

public class WhatIfTests
{
    private static readonly ClusterSnapshot Demo = DemoCluster.CreateDefault().Snapshot;

    [Fact]
    public void Compute_NodePortServiceForTheNginxPods_AddsClusterIpAndNodePortPathsToThePod()
    {
        var service = Yaml("""
            apiVersion: v1
            kind: Service
            metadata: {name: nginx-external, namespace: default}
            spec:
              type: NodePort
              selector: {name: nginx-pod}
              ports: [{port: 8080, targetPort: 80}]
            """);

        var result = WhatIf.Compute(Demo, [service]);

        Assert.Equal(["clusterip:default/nginx-external:8080/TCP", "nodeport:default/nginx-external:8080/TCP"], result.Added.Select(p => p.Id).ToArray());
        Assert.Empty(result.Removed);
        Assert.Empty(result.Changed);
        var nodePort = result.Added.Single(p => p.Exposure == Exposure.NodePort);
        Assert.Equal(PathStatus.Ok, nodePort.Status);
        var endpoints = nodePort.Hops[^1];
        var pod = Assert.Single(endpoints.Endpoints);
        Assert.Equal(new ObjectRef("Pod", "default", "nginx"), pod.Pod);
        Assert.Equal(80, pod.Port);
        Assert.Equal(Demo.Pods[new ObjectKey("default", "nginx")].PodIp, pod.Ip);
    }

    [Fact]
    public void Compute_NewService_LeavesClusterIpAndNodePortUnallocated()
    {
        var service = Yaml("""
            apiVersion: v1
            kind: Service
            metadata: {name: nginx-external}
            spec: {type: NodePort, selector: {name: nginx-pod}, ports: [{port: 8080, targetPort: 80}]}
            """);

        var result = WhatIf.Compute(Demo, [service]);

        var nodePort = result.Added.Single(p => p.Exposure == Exposure.NodePort);
        var nodeHop = nodePort.Hops.Single(h => h.Kind == HopKind.NodePort);
        Assert.Null(nodeHop.Port);
        Assert.Equal("nodePort not set: the API server allocates one from 30000-32767", nodeHop.Note);
        Assert.Equal(["(clusterIP not allocated yet)"], nodePort.Hops.Single(h => h.Kind == HopKind.ClusterIp).Addresses.ToArray());
    }

    [Fact]
    public void Compute_FixedCartSelector_FixesPM001AndTheCartPathsWork()
    {
        var cart = Yaml("""
            apiVersion: v1
            kind: Service
            metadata: {name: cart, namespace: shop}
            spec:
              selector: {app: carts}
              ports: [{name: http, port: 8080, targetPort: http}]
            """);

        var result = WhatIf.Compute(Demo, [cart]);

        Assert.Contains(result.Fixed, d => d.Code == Codes.SelectorMatchesNothing && d.Object == new ObjectRef("Service", "shop", "cart"));
        Assert.DoesNotContain(result.Caused, d => d.Severity == Severity.Error);
        var change = Assert.Single(result.Changed, c => c.Id == "clusterip:shop/cart:8080/TCP");
        Assert.True(change.StatusChanged);
        Assert.Equal(PathStatus.Broken, change.Before.Status);
        Assert.Equal(PathStatus.Ok, change.After.Status);
        Assert.Equal(2, change.After.Hops[^1].Endpoints.Length);
    }

    [Fact]
    public void Compute_UpdatedService_KeepsItsClusterIpAndNodePort()
    {
        var nginx = SeedObject("01-port-targetport-nodeport.yaml", "Service", "nginx-service");
        ((JsonObject)nginx["spec"]!["ports"]![0]!).Remove("nodePort");

        var result = WhatIf.Compute(Demo, [nginx]);

        Assert.False(result.HasChanges, string.Join(", ", result.Changed.Select(c => c.Id)));
        var path = result.After.FindPath("nodeport:default/nginx-service:30080/TCP");
        Assert.NotNull(path);
        Assert.Equal(30001, path.Hops.Single(h => h.Kind == HopKind.NodePort).Port);
        Assert.Equal(Demo.Services[new ObjectKey("default", "nginx-service")].ClusterIps.ToArray(), path.Hops.Single(h => h.Kind == HopKind.ClusterIp).Addresses.ToArray());
    }

    [Fact]
    public void Compute_ServiceWithAnotherServicesNodePort_CausesPM006()
    {
        var service = Yaml("""
            apiVersion: v1
            kind: Service
            metadata: {name: second, namespace: default}
            spec: {type: NodePort, selector: {name: nginx-pod}, ports: [{port: 80, nodePort: 30001}]}
            """);

        var result = WhatIf.Compute(Demo, [service]);

        var caused = Assert.Single(result.Caused, d => d.Object == new ObjectRef("Service", "default", "second"));
        Assert.Equal(Codes.NodePortDuplicate, caused.Code);
        Assert.Equal("spec.ports[0].nodePort", caused.Field);
        Assert.Contains(result.Caused, d => d.Code == Codes.NodePortDuplicate && d.Object == new ObjectRef("Service", "default", "nginx-service"));
    }

    [Fact]
    public void Compute_TargetPortRenamedInTheTemplate_RollsThePodsAndFixesTheFrontend()
    {
        // The frontend Service asks for targetPort "http"; the pods call the port "web". Rename it in the Deployment.
        var frontend = Yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: frontend, namespace: shop}
            spec:
              replicas: 2
              selector: {matchLabels: {app: frontend}}
              template:
                metadata: {labels: {app: frontend, tier: web}}
                spec:
                  containers:
                  - name: web
                    image: registry.example.com/shop/frontend:2.3
                    ports: [{name: http, containerPort: 3000}, {name: metrics, containerPort: 9100}]
            """);

        var result = WhatIf.Compute(Demo, [frontend]);

        Assert.Contains(result.Fixed, d => d.Code == Codes.NamedTargetPortMissing && d.Object.Name == "frontend");
        var change = Assert.Single(result.Changed, c => c.Id == "clusterip:shop/frontend:80/TCP");
        Assert.Equal(PathStatus.Ok, change.After.Status);
        Assert.All(change.After.Hops[^1].Endpoints, e => Assert.Equal(3000, e.Port));
        Assert.Equal(2, change.After.Hops[^1].Endpoints.Length);
    }

    [Fact]
    public void Compute_NewDeploymentAndItsService_PredictsAnEndpointFromTheTemplate()
    {
        var deployment = Workload("Deployment", "{containers: [{name: api, image: api:1, ports: [{name: http, containerPort: 8080}]}]}", "api");
        var service = Service("{selector: {app: api}, ports: [{port: 80, targetPort: http}]}", "api");

        var result = WhatIf.Compute(Demo, [deployment, service]);

        var path = Assert.Single(result.Added);
        Assert.Equal("clusterip:demo/api:80/TCP", path.Id);
        var endpoint = Assert.Single(path.Hops[^1].Endpoints);
        Assert.Equal(new ObjectRef("Deployment", "demo", "api"), endpoint.Pod);
        Assert.Equal(8080, endpoint.Port);
        Assert.Null(endpoint.Ip);
    }

    [Fact]
    public void Compute_ManifestSnapshot_DesignedServiceUsesTheEnginesPrediction()
    {
        var cluster = Seed("03-kube-proxy-nodeport.yaml");
        var service = Service("{type: NodePort, selector: {name: app1}, ports: [{port: 9090, targetPort: 8080}]}", "app1-metrics");
        ((JsonObject)service["metadata"]!)["namespace"] = "default";

        var result = WhatIf.Compute(cluster, [service]);

        var nodePort = Assert.Single(result.Added, p => p.Exposure == Exposure.NodePort);
        Assert.True(Assert.Single(nodePort.Hops[^1].Endpoints).Predicted);
    }

    [Fact]
    public void Compute_NewIngress_ItsMissingAddressIsExpectedNotAMistake()
    {
        var ingress = Yaml("""
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: web, namespace: default}
            spec: {rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: nginx-service, port: {number: 30080}}}}]}}]}
            """);
        var existing = SeedObject("01-port-targetport-nodeport.yaml", "Service", "nginx-service");

        var result = WhatIf.Compute(Demo, [ingress, existing]);

        Assert.Equal([new ObjectRef("Ingress", "default", "web")], result.Created.ToArray());
        var pending = Assert.Single(result.Caused, d => d.Code == Codes.LoadBalancerPending);
        Assert.True(result.IsAwaitingAddress(pending));
    }

    [Fact]
    public void Compute_KindsTheEngineDoesNotModel_AreListedAndChangeNothing()
    {
        var configMap = Yaml("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: default}
            data: {a: b}
            """);

        var result = WhatIf.Compute(Demo, [configMap]);

        Assert.False(result.HasChanges);
        Assert.Equal([new ObjectRef("ConfigMap", "default", "settings")], result.NotModelled.ToArray());
    }

    [Fact]
    public void Compute_NothingDesigned_NoChanges()
    {
        var result = WhatIf.Compute(Demo, []);

        Assert.False(result.HasChanges);
        Assert.Equal(result.Before.Paths.Length, result.After.Paths.Length);
    }
}
