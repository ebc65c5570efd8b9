using PortMapper.Core.Analysis;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Fixtures.DiagnosticAssert;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>PM105: a field the loader could not read, reported beside the analysis of what it could.</summary>
public class LoadIssueDiagnosticTests
{
    [Fact]
    public void ToDiagnostic_QuotedPortNumber_ReportsPM105ForTheField()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              selector:
                app: web
              ports:
              - port: "80"
                targetPort: 8080
            """;
        var loaded = ManifestLoader.LoadText(yaml, "web.yaml");

        var analysis = ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects), loaded.Issues.Select(i => i.ToDiagnostic()));

        var d = Single(analysis, Codes.UnreadableField);
        Is(d, Codes.UnreadableField, Severity.Error, Svc("web"), "spec.ports[0].port");
        Mentions(d.Message, "spec.ports[0].port of Service default/web in web.yaml (document 1, line 1) cannot be read", "expected an integer, found the string \"80\"", "refuses the object");
        Mentions(d.Fix, "numbers without quotes (port: 80)");
        Assert.Contains(analysis.Diagnostics, x => x.Code == Codes.SelectorMatchesNothing);
    }

    [Fact]
    public void ToDiagnostic_WellTypedManifest_NoPM105()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              ports:
              - port: 80
            """;
        var loaded = ManifestLoader.LoadText(yaml, "web.yaml");

        var analysis = ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects), loaded.Issues.Select(i => i.ToDiagnostic()));

        None(analysis, Codes.UnreadableField);
    }
}
