using System.Collections.Immutable;
using System.Reflection;
using PortMapper.Core.Analysis;

namespace PortMapper.Cli;

/// <summary>A diagnostic code as a SARIF rule: its id, a name, one line on what it means and how to fix it.</summary>
public sealed record Rule(string Id, string Name, string Summary, string Help);

/// <summary>Every code in <see cref="Codes"/>, described for code-scanning tools.</summary>
public static class Rules
{
    private static readonly Dictionary<string, (string Summary, string Help)> Descriptions = new(StringComparer.Ordinal)
    {
        [Codes.SelectorMatchesNothing] = ("The Service's selector matches no Pod.", "Make spec.selector equal to the labels of the Pods (or the workload's pod template) that should receive the traffic."),
        [Codes.NumericTargetPortUndeclared] = ("A numeric targetPort is not declared by any container.", "Check the process listens on that port, or set targetPort to a declared containerPort (declaring it documents the port)."),
        [Codes.NamedTargetPortMissing] = ("A named targetPort matches no container port of that name and protocol.", "Name the container port exactly as the Service's targetPort, with the same protocol; otherwise the Pod gets no endpoint for it."),
        [Codes.NoReadyEndpoints] = ("The Service has no ready endpoints.", "Fix the Pods' readiness (probes, crashes, scheduling) or the selector so that ready Pods back the Service."),
        [Codes.NodePortOutOfRange] = ("The nodePort is outside the API server's --service-node-port-range.", "Pick a nodePort in the range (default 30000-32767), or leave it out to get one allocated."),
        [Codes.NodePortDuplicate] = ("Two Service ports claim the same nodePort and protocol.", "Give each Service port its own nodePort, or leave nodePort out to get one allocated."),
        [Codes.HostPortConflict] = ("Pods on one node claim the same hostPort.", "Use distinct hostPorts, fewer replicas than nodes, or a Service instead of hostPort."),
        [Codes.IngressServiceMissing] = ("An Ingress backend names a Service that does not exist.", "Create the Service in the Ingress's namespace or correct backend.service.name."),
        [Codes.IngressPortMissing] = ("An Ingress backend names a Service port that does not exist.", "Set backend.service.port to one of the Service's port numbers or port names."),
        [Codes.LocalPolicyNodesDrop] = ("externalTrafficPolicy: Local drops traffic on nodes without a ready endpoint.", "Run a backing Pod on every node that receives traffic (e.g. a DaemonSet), or use externalTrafficPolicy: Cluster."),
        [Codes.LoadBalancerPending] = ("The LoadBalancer Service has no external address.", "Install a load-balancer controller (cloud provider, MetalLB...) or use a NodePort or Ingress instead."),
        [Codes.ExternalNameIgnoresFields] = ("An ExternalName Service sets fields that only other types use.", "Remove selector, ports' targetPort/nodePort and clusterIP from the ExternalName Service, or change its type."),
        [Codes.FamilyWithoutEndpoints] = ("A dual-stack Service has no endpoint with an address of one of its families.", "Give the pods addresses of both families, or make the Service single-stack (ipFamilyPolicy: SingleStack)."),
        [Codes.TopologyHintsUnused] = ("trafficDistribution is set, but kube-proxy cannot use topology hints for the Service.", "Label every node with topology.kubernetes.io/zone and keep the pods on labelled nodes, or upgrade the control plane."),
        [Codes.HostNetworkOnNodePort] = ("A hostNetwork Pod listens on a port in the node-port range.", "Move the Pod's port out of the node-port range, or drop hostNetwork: kube-proxy and the Pod would fight over the port."),
        [Codes.NoSelectorNoEndpoints] = ("A Service without a selector has no EndpointSlices.", "Add a selector, or create EndpointSlices for the Service by hand (kubernetes.io/service-name label)."),
        [Codes.IngressClassMissing] = ("The Ingress names no existing IngressClass and there is no default.", "Set spec.ingressClassName to an installed IngressClass, or mark one as the default."),
        [Codes.AffinityBehindSnat] = ("ClientIP session affinity sees the node's address, not the client's.", "Use externalTrafficPolicy: Local to keep client addresses, or affinity at the Ingress (cookies)."),
        [Codes.IngressRouteDuplicate] = ("Two Ingress rules claim the same host and path.", "Keep one rule per host and path; which backend wins otherwise depends on the controller."),
        [Codes.UnreadableField] = ("PortMapper could not read a file, document or field.", "Fix the YAML or the field's type as the message says (numbers unquoted, strings quoted when they look like numbers)."),
        [Codes.RejectedByApiServer] = ("The API server would refuse the object.", "Correct the field as the message says; the API server validates the same way."),
        [Codes.SomeEndpointsNotReady] = ("Some of the Service's endpoints are not ready.", "Look at the Pods that are not ready (probes, crashes); traffic only goes to the ready ones."),
        [Codes.PodUnschedulable] = ("A Pod cannot be scheduled on any node.", "Free the hostPort or resources it needs, or relax its node selector and affinity."),
        [Codes.PolicySelectsNoPod] = ("A NetworkPolicy selects no Pod of its namespace.", "Make spec.podSelector match the labels of the Pods to protect, or remove the policy."),
        [Codes.PolicyPortNameUndeclared] = ("A NetworkPolicy ingress port name is declared by none of the Pods it selects.", "Use the name of a container port the Pods declare (same protocol), or the port number."),
        [Codes.EgressBlocksDns] = ("Egress isolation blocks DNS (port 53, UDP and TCP) to the cluster's DNS Pods.", "Add an egress rule to the kube-dns/CoreDNS Pods on port 53 for UDP and TCP."),
        [Codes.IpBlockContainsPods] = ("A NetworkPolicy ipBlock contains Pod IPs; plugins treat that differently.", "Select Pods with podSelector/namespaceSelector; keep ipBlock for addresses outside the cluster."),
        [Codes.PolicyClosesService] = ("NetworkPolicy lets no client (or no outside client) reach a Service port's endpoints.", "Admit the container port (targetPort, not the Service port) from the clients in a policy that selects the Pods."),
        [Codes.PolicyBlocksIngressController] = ("NetworkPolicy blocks the Ingress controller's Pods from the backend Pods.", "Admit the controller's namespace and Pods on the container port in a policy that selects the backend Pods."),
        [Codes.GatewayRouteNotAttached] = ("A Gateway API route's parentRef is accepted by no listener: the route is attached to nothing there.", "Name an existing Gateway and listener, or let the listener's allowedRoutes admit the route's namespace and kind."),
        [Codes.GatewayHostnameMismatch] = ("None of the route's hostnames falls within the listener's hostname.", "Give the route a hostname within the listener's, or attach it to a listener whose hostname covers it."),
        [Codes.GatewayReferenceNotPermitted] = ("A backendRef to another namespace has no ReferenceGrant there; its share of requests gets 500.", "Create a ReferenceGrant in the Service's namespace admitting routes of this kind from the route's namespace."),
        [Codes.GatewayBackendPortMissing] = ("A backendRef names a port the Service does not have; its share of requests gets 500.", "Use the Service's port (not the container's targetPort)."),
        [Codes.GatewayBackendMissing] = ("A backendRef names a missing Service or a kind that is not a Service, or a rule has no backend; requests get 500.", "Create the Service, or point the backendRef at an existing Service port with a weight above 0."),
        [Codes.GatewayRuleShadowed] = ("Another route rule matches every request this one matches and wins by the Gateway API's precedence.", "Make the rule more specific (path, exact hostname, header, method) or remove it."),
        [Codes.GatewayListenerConflict] = ("Two listeners of a Gateway share a port with incompatible protocols or the same hostname.", "Move one listener to another port or give it another hostname."),
        [Codes.GatewayStatusDisagrees] = ("The Gateway controller's route status says otherwise than PortMapper's prediction.", "Read the controller's reason and message and the route's observedGeneration; fix what they say."),
        [Codes.GatewayClassMissing] = ("The Gateway names a GatewayClass that does not exist: no controller programs it.", "Set spec.gatewayClassName to an installed GatewayClass."),
    };

    /// <summary>All rules, ordered by id; a code without a description fails the build's tests, not the report.</summary>
    public static ImmutableArray<Rule> All { get; } = [.. typeof(Codes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (Name: f.Name, Id: (string)f.GetRawConstantValue()!))
        .Select(c => Descriptions.TryGetValue(c.Id, out var d)
            ? new Rule(c.Id, c.Name, d.Summary, d.Help)
            : new Rule(c.Id, c.Name, c.Name, "See docs/diagnostics.md."))
        .OrderBy(r => r.Id, StringComparer.Ordinal)];

    public static bool IsDescribed(string id) => Descriptions.ContainsKey(id);
}
