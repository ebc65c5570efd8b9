using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>Tracing a Service's cluster DNS name: a clusterIP, a list of pod IPs (headless) or a CNAME (ExternalName).</summary>
internal sealed partial class TraceRun
{
    private TraceResult TraceServiceName(ServiceNameTarget t)
    {
        var svc = S.Services.GetValueOrDefault(new ObjectKey(t.Namespace, t.Service));
        if (External)
        {
            var port = svc is null ? null : ResolvePort(svc, t, out _);
            return Fail($"{t.Fqdn} is a cluster DNS name: cluster DNS names do not resolve outside the cluster." +
                (svc is null || port is null ? "" : " " + ExternalWays(svc, port)));
        }

        if (from.Kind == TraceSourceKind.Node)
        {
            var port = svc is null ? null : ResolvePort(svc, t, out _);
            return Fail($"Node {_nodeName} resolves names with its own resolver (/etc/resolv.conf), which normally does not ask cluster DNS, so {t.Fqdn} does not resolve there." +
                (svc?.ClusterIp is { } ip && !svc.IsHeadless && port is not null ? $" Dial the clusterIP instead: {TraceTarget.JoinHostPort(ip, port.Port)}." : ""));
        }

        if (svc is null)
        {
            return Fail(UnknownService(t));
        }

        if (svc.IsExternalName)
        {
            return ThroughExternalName(svc, t);
        }

        var resolved = ResolvePort(svc, t, out var portProblem);
        if (resolved is null && !(svc.IsHeadless && !t.Port.IsName && portProblem is null))
        {
            return Fail(portProblem!);
        }

        var viaHostNetwork = _pod?.HostNetwork == true ? "; a hostNetwork pod asks cluster DNS only with dnsPolicy ClusterFirstWithHostNet" : "";
        if (svc.IsHeadless)
        {
            return ThroughHeadless(svc, resolved, t, viaHostNetwork);
        }

        var clusterIp = svc.ClusterIp is { Length: > 0 } c ? c : null;
        Step(TraceStepKind.Dns,
            clusterIp is null
                ? $"cluster DNS answers {t.Fqdn} with the Service's clusterIP (not allocated yet: the Service exists only in manifests){viaHostNetwork}"
                : $"cluster DNS answers {t.Fqdn} with the clusterIP {clusterIp} (A record){viaHostNetwork}",
            TraceTarget.JoinHostPort(t.Fqdn, resolved!.Port), _nodeName);
        var dialed = TraceTarget.JoinHostPort(clusterIp ?? "<clusterIP>", resolved.Port);
        return ThroughClusterIp(svc, resolved, dialed, UnitAnalysis.ServicePathId(Exposure.ClusterIP, svc, resolved));
    }

    /// <summary>The Service port a name target asks for; null with <paramref name="problem"/> set when there is none (null problem: a headless Service without that port).</summary>
    private static ServicePort? ResolvePort(Service svc, ServiceNameTarget t, out string? problem)
    {
        problem = null;
        if (t.Port.IsName)
        {
            var named = svc.Ports.FirstOrDefault(p => p.Name == t.Port.Name);
            if (named is null)
            {
                problem = $"Service {Name(svc)} has no port named \"{t.Port.Name}\" (its ports: {Ports(svc)}). Use one of its port names or numbers.";
            }
            else if (t.Protocol is { } wanted && wanted != named.Protocol)
            {
                problem = $"Port \"{t.Port.Name}\" of Service {Name(svc)} is {named.Port}/{named.Protocol}, not {wanted}. Leave the protocol out or write /{named.Protocol.ToLowerInvariant()}.";
                return null;
            }

            return named;
        }

        var protocol = t.Protocol ?? Protocols.Tcp;
        var port = svc.Ports.FirstOrDefault(p => p.Port == t.Port.Number && p.Protocol == protocol);
        if (port is null && !svc.IsHeadless)
        {
            var other = svc.Ports.FirstOrDefault(p => p.Port == t.Port.Number);
            problem = $"Service {Name(svc)} has no port {t.Port}/{protocol} (its ports: {Ports(svc)})." +
                (other is not null && t.Protocol is null ? $" Add /{other.Protocol.ToLowerInvariant()} to trace its {other.Protocol} port {other.Port}." : " Dial one of its ports.");
        }

        return port;
    }

    private string UnknownService(ServiceNameTarget t)
    {
        var inNamespace = S.Services.Keys.Where(k => k.Namespace == t.Namespace).Select(k => k.Name).Order(StringComparer.Ordinal).ToList();
        if (inNamespace.Count > 0)
        {
            return $"There is no Service \"{t.Service}\" in namespace {t.Namespace}, so {t.Fqdn} does not resolve (cluster DNS answers NXDOMAIN). Services in {t.Namespace}: {Shorten(inNamespace, 10)}.";
        }

        return S.NamespaceNames().Contains(t.Namespace)
            ? $"Namespace {t.Namespace} has no Services, so {t.Fqdn} does not resolve (cluster DNS answers NXDOMAIN). Create the Service, or check the namespace in the name."
            : $"There is no namespace \"{t.Namespace}\" in the cluster, so {t.Fqdn} does not resolve (cluster DNS answers NXDOMAIN). Check the namespace in the name: <service>.<namespace>.";
    }

    private TraceResult ThroughExternalName(Service svc, ServiceNameTarget t)
    {
        var pathId = UnitAnalysis.ServicePathId(Exposure.ExternalName, svc, null);
        if (string.IsNullOrEmpty(svc.ExternalName))
        {
            return Fail($"ExternalName Service {Name(svc)} has no spec.externalName, so cluster DNS has nothing to answer {t.Fqdn} with. Set spec.externalName to the host name it stands for.", pathId);
        }

        if (t.Port.IsName)
        {
            return Fail($"Service {Name(svc)} is an ExternalName alias for {svc.ExternalName}: it does no port mapping, so the port name \"{t.Port.Name}\" means nothing. Give the port number to dial on {svc.ExternalName}.", pathId);
        }

        var port = t.Port.Number!.Value;
        Step(TraceStepKind.Dns, $"cluster DNS answers {t.Fqdn} with a CNAME record to {svc.ExternalName}", TraceTarget.JoinHostPort(t.Fqdn, port), _nodeName);
        Step(TraceStepKind.ExternalName, $"the client resolves {svc.ExternalName} itself and dials port {port} there: no proxy, no kube-proxy, no port translation (an ExternalName Service's ports are ignored)", TraceTarget.JoinHostPort(svc.ExternalName, port));
        return Fail($"The request leaves the cluster: Service {Name(svc)} is an ExternalName alias for {svc.ExternalName}, and the client dials {TraceTarget.JoinHostPort(svc.ExternalName, port)} itself. PortMapper cannot see whether anything answers there.", pathId);
    }

    private TraceResult ThroughHeadless(Service svc, ServicePort? port, ServiceNameTarget t, string viaHostNetwork)
    {
        // DNS answers with the pod IPs whatever port the client has in mind; without a matching Service port any
        // port's endpoints give the same addresses.
        var source = port ?? (svc.Ports.IsDefaultOrEmpty ? null : svc.Ports[0]);
        var pathId = TraceIndex.PathIdOf(svc, source);
        var answers = index.EndpointsOf(svc, source).Where(e => e.Ready).ToImmutableArray();
        if (answers.IsEmpty)
        {
            Step(TraceStepKind.Dns, $"cluster DNS has no ready pod IP to answer {t.Fqdn} with (headless Service: no clusterIP)", TraceTarget.JoinHostPort(t.Fqdn, port?.Port ?? t.Port.Number ?? 0), _nodeName);
            return Fail(NoEndpointsReason(svc, port, index.EndpointsOf(svc, source), pathId, $"cluster DNS has no address to answer with and {t.Fqdn} does not resolve"), pathId);
        }

        var ips = Shorten(answers.Select(e => e.Ip ?? "(no IP yet)").Distinct().ToList(), 5);
        Step(TraceStepKind.Dns,
            t.Port.IsName
                ? $"cluster DNS answers {t.Fqdn} with the ready pod IPs, and the SRV record for port \"{t.Port.Name}\" with their port (headless Service: no clusterIP, no kube-proxy): {ips}{viaHostNetwork}"
                : $"cluster DNS answers {t.Fqdn} with the ready pod IPs (headless Service: no clusterIP, no kube-proxy): {ips}{viaHostNetwork}",
            null, _nodeName);

        var candidates = answers;
        if (!t.Port.IsName)
        {
            var number = t.Port.Number!.Value;
            var protocol = port?.Protocol ?? t.Protocol ?? Protocols.Tcp;
            candidates = [.. answers
                .Where(e => e.Port == number || e.Pod is null || PodListensOn(e.Pod, number, protocol))
                .Select(e => e with { Port = number })];
            if (candidates.IsEmpty)
            {
                var served = answers.Select(e => e.Port).FirstOrDefault(p => p is not null);
                var hint = port is not null && served is { } sp
                    ? $" Its port {number} leads to targetPort {port.EffectiveTargetPort}, where the pods serve ({sp}): a headless Service does not translate, so dial {sp} (or look up the SRV record of the port name)."
                    : " Dial a port the pods serve.";
                return Fail($"The client dials port {number}/{protocol} on the pod IPs directly (headless Services do no port translation), but no pod of Service {Name(svc)} declares or serves it.{hint}", pathId);
            }
        }

        var text = candidates.Length == 1
            ? $"the client connects straight to {Describe(candidates[0])}: no DNAT"
            : $"the client connects straight to one of {candidates.Length} addresses (its own resolver's choice, no DNAT): {DescribeAll(candidates)}";
        _steps.Add(new TraceStep(TraceStepKind.Endpoints, text)
        {
            Address = candidates.Length == 1 ? Address(candidates[0]) : null,
            Node = candidates.Length == 1 ? candidates[0].NodeName : null,
        });
        return Done(candidates, pathId);
    }

    /// <summary>Whether a pod (or the workload template PortMapper predicted it from) declares or serves a port.</summary>
    private bool PodListensOn(ObjectRef pod, int number, string protocol)
    {
        var spec = pod.Kind == "Pod"
            ? S.Pods.GetValueOrDefault(new ObjectKey(pod.Namespace, pod.Name))?.Spec
            : S.Workloads.GetValueOrDefault(pod)?.Template;
        return (spec?.AllPorts.Any(x => x.Port.Number == number && x.Port.Protocol == protocol) ?? false) || index.Serves(pod, number, protocol);
    }
}
