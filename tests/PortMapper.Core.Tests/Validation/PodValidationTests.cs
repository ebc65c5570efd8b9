using System.Text.Json.Nodes;
using PortMapper.Core.Validation;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Validation;

public class PodValidationTests
{
    private const string PortRange = ServiceValidationTests.PortRange;

    /// <summary>rule, a pod spec that breaks it, one that keeps it, the server's message for the breach.</summary>
    public static TheoryData<string, string, string, string> Rules => new()
    {
        {
            "containers are required",
            "{containers: []}",
            "{containers: [{name: web, image: nginx}]}",
            "spec.containers: Required value"
        },
        {
            "a container has a name",
            "{containers: [{image: nginx}]}",
            "{containers: [{name: web, image: nginx}]}",
            "spec.containers[0].name: Required value"
        },
        {
            "a container name is a DNS-1123 label",
            "{containers: [{name: Web, image: nginx}]}",
            "{containers: [{name: web, image: nginx}]}",
            $"spec.containers[0].name: Invalid value: \"Web\": {ServiceValidationTests.Dns1123Label}"
        },
        {
            "container names are unique across containers and init containers",
            "{initContainers: [{name: web, image: busybox}], containers: [{name: web, image: nginx}]}",
            "{initContainers: [{name: init, image: busybox}], containers: [{name: web, image: nginx}]}",
            "spec.initContainers[0].name: Duplicate value: \"web\""
        },
        {
            "container names are unique among containers",
            "{containers: [{name: web, image: nginx}, {name: web, image: envoy}]}",
            "{containers: [{name: web, image: nginx}, {name: proxy, image: envoy}]}",
            "spec.containers[1].name: Duplicate value: \"web\""
        },
        {
            "a container has an image",
            "{containers: [{name: web}]}",
            "{containers: [{name: web, image: nginx}]}",
            "spec.containers[0].image: Required value"
        },
        {
            "only init containers have a restartPolicy",
            "{containers: [{name: web, image: nginx, restartPolicy: Always}]}",
            "{initContainers: [{name: web, image: nginx, restartPolicy: Always}], containers: [{name: app, image: app}]}",
            "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"
        },
        {
            "a container port name is an IANA_SVC_NAME (charset)",
            "{containers: [{name: web, image: nginx, ports: [{name: web_http, containerPort: 80}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{name: web-http, containerPort: 80}]}]}",
            "spec.containers[0].ports[0].name: Invalid value: \"web_http\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        },
        {
            "a container port name has no consecutive hyphens",
            "{containers: [{name: web, image: nginx, ports: [{name: web--http, containerPort: 80}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{name: web-http, containerPort: 80}]}]}",
            "spec.containers[0].ports[0].name: Invalid value: \"web--http\": must not contain consecutive hyphens"
        },
        {
            "a container port name does not end with a hyphen",
            "{containers: [{name: web, image: nginx, ports: [{name: http-, containerPort: 80}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}",
            "spec.containers[0].ports[0].name: Invalid value: \"http-\": must not begin or end with a hyphen"
        },
        {
            "container port names are unique within a container (not across containers)",
            "{containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}, {name: http, containerPort: 8080}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}, {name: side, image: envoy, ports: [{name: http, containerPort: 8080}]}]}",
            "spec.containers[0].ports[1].name: Duplicate value: \"http\""
        },
        {
            "containerPort is required",
            "{containers: [{name: web, image: nginx, ports: [{name: http}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}",
            "spec.containers[0].ports[0].containerPort: Required value"
        },
        {
            "containerPort is 1..65535",
            "{containers: [{name: web, image: nginx, ports: [{containerPort: 70000}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{containerPort: 65535}]}]}",
            $"spec.containers[0].ports[0].containerPort: Invalid value: 70000: {PortRange}"
        },
        {
            "a non-zero hostPort is 1..65535",
            "{containers: [{name: web, image: nginx, ports: [{containerPort: 80, hostPort: -1}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{containerPort: 80, hostPort: 0}]}]}",
            $"spec.containers[0].ports[0].hostPort: Invalid value: -1: {PortRange}"
        },
        {
            "protocol is TCP, UDP or SCTP (case matters)",
            "{containers: [{name: web, image: nginx, ports: [{containerPort: 80, protocol: tcp}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{containerPort: 80, protocol: SCTP}]}]}",
            "spec.containers[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""
        },
        {
            "with hostNetwork a pod's hostPort matches containerPort (an unset one is defaulted)",
            "{hostNetwork: true, containers: [{name: influxdb, image: influxdb, ports: [{containerPort: 8086, hostPort: 9086}]}]}",
            "{hostNetwork: true, containers: [{name: influxdb, image: influxdb, ports: [{containerPort: 8086}]}]}",
            "spec.containers[0].ports[0].hostPort: Invalid value: 9086: must match `containerPort` when `hostNetwork` is true"
        },
        {
            "host ports are unique per protocol/hostIP/hostPort across a pod's containers",
            "{containers: [{name: a, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}, {name: b, image: nginx, ports: [{containerPort: 81, hostPort: 8080}]}]}",
            "{containers: [{name: a, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}, {name: b, image: nginx, ports: [{containerPort: 81, hostPort: 8080, protocol: UDP}]}]}",
            "spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\""
        },
        {
            "hostNetwork defaulting makes equal containerPorts clash as host ports",
            "{hostNetwork: true, containers: [{name: a, image: nginx, ports: [{containerPort: 80}]}, {name: b, image: nginx, ports: [{containerPort: 80}]}]}",
            "{hostNetwork: true, containers: [{name: a, image: nginx, ports: [{containerPort: 80}]}, {name: b, image: nginx, ports: [{containerPort: 81}]}]}",
            "spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//80\""
        },
        {
            "a restartable init container's ports follow the same rules",
            "{initContainers: [{name: proxy, image: envoy, restartPolicy: Always, ports: [{name: Admin, containerPort: 9901}]}], containers: [{name: web, image: nginx}]}",
            "{initContainers: [{name: proxy, image: envoy, restartPolicy: Always, ports: [{name: admin, containerPort: 9901}]}], containers: [{name: web, image: nginx}]}",
            "spec.initContainers[0].ports[0].name: Invalid value: \"Admin\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        },
        {
            "init containers are checked for host port clashes one by one, always reported as initContainers[0]",
            "{initContainers: [{name: init, image: busybox}, {name: proxy, image: envoy, restartPolicy: Always, ports: [{containerPort: 9901, hostPort: 9000}, {containerPort: 9902, hostPort: 9000}]}], containers: [{name: web, image: nginx}]}",
            "{initContainers: [{name: init, image: busybox}, {name: proxy, image: envoy, restartPolicy: Always, ports: [{containerPort: 9901, hostPort: 9000}, {containerPort: 9902, hostPort: 9001}]}], containers: [{name: web, image: nginx}]}",
            "spec.initContainers[0].ports[1].hostPort: Duplicate value: \"TCP//9000\""
        },
        {
            "a duplicate containerPort/protocol is only a warning",
            "{containers: [{name: a, image: nginx, ports: [{containerPort: 80}]}, {name: b, image: nginx, ports: [{containerPort: 80}]}]}",
            "{containers: [{name: a, image: nginx, ports: [{containerPort: 80}]}, {name: b, image: nginx, ports: [{containerPort: 80, protocol: UDP}]}]}",
            "spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]"
        },
        {
            "a containerPort published once with and once without hostPort overlaps",
            "{containers: [{name: a, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}, {name: b, image: nginx, ports: [{containerPort: 80}]}]}",
            "{containers: [{name: a, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}, {name: b, image: nginx, ports: [{containerPort: 81}]}]}",
            "spec.containers[1].ports[0]: overlapping port definition with spec.containers[0].ports[0]"
        },
        {
            "an init container's port counts for the duplicate warning, and comes first",
            "{initContainers: [{name: proxy, image: envoy, restartPolicy: Always, ports: [{containerPort: 80}]}], containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}",
            "{initContainers: [{name: proxy, image: envoy, restartPolicy: Always, ports: [{containerPort: 8080}]}], containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}",
            "spec.containers[0].ports[0]: duplicate port definition with spec.initContainers[0].ports[0]"
        },
        {
            "one host port with and one without a hostIP is dangerously ambiguous",
            "{containers: [{name: a, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}, {name: b, image: nginx, ports: [{containerPort: 80, hostPort: 8080, hostIP: 10.0.0.1}]}]}",
            "{containers: [{name: a, image: nginx, ports: [{containerPort: 80, hostPort: 8080, hostIP: 10.0.0.2}]}, {name: b, image: nginx, ports: [{containerPort: 80, hostPort: 8080, hostIP: 10.0.0.1}]}]}",
            "spec.containers[1].ports[0]: dangerously ambiguous port definition with spec.containers[0].ports[0]"
        },
        {
            "a hostIP without a hostPort is a warning",
            "{containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80, hostIP: 10.0.0.1}]}]}",
            "{containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80, hostIP: 10.0.0.1, hostPort: 8080}]}]}",
            "spec.containers[0].ports[0]: hostIP set without hostPort: {Name:http HostPort:0 ContainerPort:80 Protocol:TCP HostIP:10.0.0.1}"
        },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Validate_PodRule_ReportsTheServersMessageOnlyWhenBroken(string rule, string broken, string valid, string expected)
    {
        var brokenFindings = ManifestValidator.Validate(Pod(broken));
        var validFindings = ManifestValidator.Validate(Pod(valid));

        Assert.True(Messages(brokenFindings).Contains(expected), $"{rule}: expected\n{expected}\nbut got\n{Describe(brokenFindings)}");
        Assert.True(validFindings.IsEmpty, $"{rule}: the valid variant reported\n{Describe(validFindings)}");
    }

    [Fact]
    public void Validate_DuplicateContainerPort_IsAWarningNotAnError()
    {
        var finding = Assert.Single(ManifestValidator.Validate(Pod("{containers: [{name: a, image: nginx, ports: [{containerPort: 80}]}, {name: b, image: nginx, ports: [{containerPort: 80}]}]}")));

        Assert.Equal(ValidationSeverity.Warning, finding.Severity);
        Assert.Equal("spec.containers[1].ports[0]", finding.Field);
    }

    [Theory]
    [InlineData("Deployment")]
    [InlineData("ReplicaSet")]
    [InlineData("DaemonSet")]
    [InlineData("Job")]
    public void Validate_WorkloadTemplatePort_ReportsTemplatePath(string kind)
    {
        var findings = ManifestValidator.Validate(Workload(kind, "{containers: [{name: web, image: nginx, ports: [{name: HTTP, containerPort: 80}]}]}"));

        var finding = Assert.Single(findings, f => f.Field == "spec.template.spec.containers[0].ports[0].name" && f.Detail.Contains("alpha-numeric", StringComparison.Ordinal));
        Assert.Equal(ValidationSeverity.Error, finding.Severity);
    }

    [Fact]
    public void Validate_TemplateWithHostNetwork_AllowsUnsetHostPortButNotAMismatch()
    {
        var unset = ManifestValidator.Validate(Workload("DaemonSet", "{hostNetwork: true, containers: [{name: agent, image: agent, ports: [{containerPort: 9100}]}]}"));
        var mismatch = ManifestValidator.Validate(Workload("DaemonSet", "{hostNetwork: true, containers: [{name: agent, image: agent, ports: [{containerPort: 9100, hostPort: 9200}]}]}"));

        Assert.Empty(unset);
        Assert.Equal(
            ["spec.template.spec.containers[0].ports[0].hostPort: Invalid value: 9200: must match `containerPort` when `hostNetwork` is true"],
            Messages(mismatch));
    }

    [Fact]
    public void Validate_StatefulSetTemplate_ReportsPortErrorsAsWarnings()
    {
        // The server accepts the StatefulSet without validating its template; the pods it makes are refused later.
        var findings = ManifestValidator.Validate(Workload("StatefulSet", "{containers: [{name: db, image: postgres, ports: [{containerPort: 0}]}]}"));

        var finding = Assert.Single(findings);
        Assert.Equal("spec.template.spec.containers[0].ports[0].containerPort: Required value", finding.Message);
        Assert.Equal(ValidationSeverity.Warning, finding.Severity);
    }

    [Fact]
    public void Validate_SelectorNotMatchingTemplate_ReportsTemplateLabels()
    {
        var deployment = Workload("Deployment", "{containers: [{name: web, image: nginx}]}");
        deployment["spec"]!["template"]!["metadata"]!["labels"]!["app"] = "check-out";

        Assert.Equal(
            ["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"check-out\"}: `selector` does not match template `labels`"],
            Messages(ManifestValidator.Validate(deployment)));
    }

    [Theory]
    [InlineData("StatefulSet", "statefulset")]
    [InlineData("DaemonSet", "daemonset")]
    [InlineData("ReplicaSet", "deployment")]
    public void Validate_EmptySelectorOfOtherWorkloads_NamesTheKindAsTheServerDoes(string kind, string named)
    {
        var workload = Workload(kind, "{containers: [{name: web, image: nginx}]}");
        workload["spec"]!["selector"] = new JsonObject { ["matchLabels"] = new JsonObject() };

        Assert.Equal(
            [$"spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string{{}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: empty selector is invalid for {named}"],
            Messages(ManifestValidator.Validate(workload)));
    }

    [Fact]
    public void Validate_MissingSelector_RequiresItAndNothingMatches()
    {
        var deployment = Workload("Deployment", "{containers: [{name: web, image: nginx}]}");
        deployment["spec"]!.AsObject().Remove("selector");

        Assert.Equal(
            [
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`",
            ],
            Messages(ManifestValidator.Validate(deployment)));
    }

    [Fact]
    public void Validate_EmptySelector_ReportsItAsTheServerPrintsIt()
    {
        var deployment = Workload("Deployment", "{containers: [{name: web, image: nginx}]}");
        deployment["spec"]!["selector"] = new JsonObject();

        Assert.Equal(
            ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"],
            Messages(ManifestValidator.Validate(deployment)));
    }
}
