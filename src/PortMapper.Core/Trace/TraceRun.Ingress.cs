using System.Collections.Immutable;
using System.Net;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>Tracing an http(s) URL through the Ingress rules to a Service's endpoints.</summary>
internal sealed partial class TraceRun
{
    private TraceResult TraceIngress(IngressUrlTarget u)
    {
        var route = IngressRoutes.Match(index, u.Host, u.Path, out var problem);
        if (route is null)
        {
            return Fail(problem!);
        }

        var ing = route.Ingress;
        var addresses = ing.LoadBalancerStatus.Select(a => a.Address).Where(a => a.Length > 0).ToList();
        var hostIsIp = IPAddress.TryParse(u.Host, out _);
        if (!hostIsIp)
        {
            Step(TraceStepKind.Dns,
                $"DNS must resolve {u.Host} to the Ingress controller ({(addresses.Count > 0 ? string.Join(", ", addresses) : $"Ingress {Name(ing)} has no address published yet")}); PortMapper cannot see that DNS",
                TraceTarget.JoinHostPort(u.Host, u.Port));
        }

        var tls = IngressRoutes.TlsCovers(ing, u.Host);
        var address = TraceTarget.JoinHostPort(addresses.FirstOrDefault() ?? u.Host, u.Port);
        if (u.Https && !tls)
        {
            Step(TraceStepKind.Ingress, $"the Ingress controller has no certificate of Ingress {Name(ing)} for {u.Host}", address);
            return Fail($"{u} uses https, but Ingress {Name(ing)} has no TLS entry (spec.tls) for host {u.Host}, so the controller has no certificate for it: it serves its default self-signed certificate or refuses. Add spec.tls with hosts: [{u.Host}] and a secretName, or use http://.", route.PathId);
        }

        var notes = new List<string>();
        if (route.Note is not null)
        {
            notes.Add(route.Note);
        }

        if (!u.DefaultPort)
        {
            notes.Add($"PortMapper assumes port {u.Port} reaches the controller (for example through its nodePort)");
        }

        if (!u.Https && tls)
        {
            notes.Add("the host has TLS, and many controllers redirect http to https (ingress-nginx answers 308)");
        }

        notes.AddRange(index.DiagnosticsOf(route.PathId).Where(d => d.Code == Codes.IngressClassMissing).Select(d => "warning: " + d.Message));
        var head = $"the Ingress controller {(u.Https ? "terminates TLS and " : "")}matches {route.Matched} of Ingress {Name(ing)}";
        string Text(string backend) => $"{head} → {backend}" + string.Concat(notes.Select(n => "; " + n));

        if (route.Backend.Service is not { } backend)
        {
            var resource = route.Backend.Resource;
            Step(TraceStepKind.Ingress, Text(resource is null ? "no backend" : $"resource {resource.Kind}/{resource.Name}"), address);
            return Fail($"Ingress {Name(ing)} sends {route.Matched} to {(resource is null ? "no backend" : $"the resource backend {resource.Kind}/{resource.Name}, which the controller serves itself, not a Service's pods")}; PortMapper cannot trace it further.", route.PathId);
        }

        var portText = backend.Port is { IsName: true } named ? $"port \"{named.Name}\"" : $"port {backend.Port?.ToString() ?? "(none)"}";
        Step(TraceStepKind.Ingress, Text($"Service {ing.Metadata.Namespace}/{backend.Name} {portText}"), address);
        if (!S.Services.TryGetValue(new ObjectKey(ing.Metadata.Namespace, backend.Name), out var svc))
        {
            return Fail($"Ingress {Name(ing)} sends {route.Matched} to Service \"{backend.Name}\", which does not exist in namespace {ing.Metadata.Namespace}, so the controller answers 503. Create the Service or point the backend at an existing one (an Ingress reaches only Services in its own namespace).", route.PathId);
        }

        if (svc.IsExternalName)
        {
            return Fail($"Ingress {Name(ing)} sends {route.Matched} to Service {Name(svc)}, an ExternalName alias for {svc.ExternalName}: whether the controller proxies to it depends on the controller (ingress-nginx does, many others refuse), and PortMapper cannot see beyond it.", route.PathId);
        }

        var port = backend.Port is { } want ? svc.Ports.FirstOrDefault(p => want.IsName ? p.Name == want.Name : p.Port == want.Number) : null;
        if (port is null)
        {
            return Fail($"Ingress {Name(ing)} sends {route.Matched} to {portText} of Service {Name(svc)}, which has no such port (its ports: {Ports(svc)}), so the controller answers 503. Use the Service's port number or name, not the container's targetPort.", route.PathId);
        }

        var all = index.EndpointsHop(route.PathId)?.Endpoints ?? index.EndpointsOf(svc, port);
        var ready = all.Where(e => e.Ready).ToImmutableArray();
        if (ready.IsEmpty)
        {
            Step(TraceStepKind.Dropped, $"the controller has no ready endpoint of Service {Name(svc)} to send to and answers 503 Service Unavailable");
            return Fail(NoEndpointsReason(svc, port, all, TraceIndex.PathIdOf(svc, port), "the Ingress controller answers 503 Service Unavailable"), route.PathId);
        }

        var how = "it reads the Service's EndpointSlices, so there is no clusterIP and no kube-proxy DNAT on the way (a controller that sends to the clusterIP instead lets kube-proxy pick)";
        var text = ready.Length == 1
            ? $"the controller proxies to {Describe(ready[0])} directly: {how}"
            : $"the controller proxies to one of {ready.Length} endpoints of Service {Name(svc)} directly: {how}: {DescribeAll(ready)}";
        _steps.Add(new TraceStep(TraceStepKind.Endpoints, text)
        {
            Address = ready.Length == 1 ? Address(ready[0]) : null,
            Node = ready.Length == 1 ? ready[0].NodeName : null,
        });
        return Done(ready, route.PathId);
    }
}
