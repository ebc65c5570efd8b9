using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Fixtures;

internal static class DiagnosticAssert
{
    /// <summary>The one finding with <paramref name="code"/>; fails when there are none or several.</summary>
    public static Diagnostic Single(ClusterAnalysis analysis, string code) => Assert.Single(analysis.Diagnostics, d => d.Code == code);

    /// <summary>The one finding with <paramref name="code"/> about <paramref name="obj"/>.</summary>
    public static Diagnostic Single(ClusterAnalysis analysis, string code, ObjectRef obj) =>
        Assert.Single(analysis.Diagnostics, d => d.Code == code && d.Object == obj);

    public static void None(ClusterAnalysis analysis, string code) => Assert.DoesNotContain(analysis.Diagnostics, d => d.Code == code);

    /// <summary>Every code reported, sorted, one entry per finding.</summary>
    public static string[] AllCodes(ClusterAnalysis analysis) => [.. analysis.Diagnostics.Select(d => d.Code).Order(StringComparer.Ordinal)];

    /// <summary>Asserts the finding's identity: what it is, how bad, where it points and which paths it names.</summary>
    public static void Is(Diagnostic d, string code, Severity severity, ObjectRef obj, string? field, params string[] paths)
    {
        Assert.Equal(code, d.Code);
        Assert.Equal(severity, d.Severity);
        Assert.Equal(obj, d.Object);
        Assert.Equal(field, d.Field);
        Assert.Equal(paths.Order(StringComparer.Ordinal), d.Paths.Order(StringComparer.Ordinal));
    }

    /// <summary>Asserts that <paramref name="text"/> contains each of <paramref name="words"/>.</summary>
    public static void Mentions(string text, params string[] words)
    {
        foreach (var w in words)
        {
            Assert.Contains(w, text, StringComparison.Ordinal);
        }
    }

    public static ObjectRef Svc(string name, string ns = "default") => new("Service", ns, name);

    public static ObjectRef PodRef(string name, string ns = "default") => new("Pod", ns, name);

    public static ObjectRef Ing(string name, string ns = "default") => new("Ingress", ns, name);
}
