using PortMapper.Core.Trace;
using static PortMapper.Core.Tests.Trace.TraceCluster;

namespace PortMapper.Core.Tests.Trace;

public class IngressRoutesTests
{
    /// <summary>The examples table of the Kubernetes Ingress documentation ("Examples" under Path types).</summary>
    [Theory]
    [InlineData("Prefix", "/", "/anything/at/all", true)]
    [InlineData("Exact", "/foo", "/foo", true)]
    [InlineData("Exact", "/foo", "/bar", false)]
    [InlineData("Exact", "/foo", "/foo/", false)]
    [InlineData("Exact", "/foo/", "/foo", false)]
    [InlineData("Prefix", "/foo", "/foo", true)]
    [InlineData("Prefix", "/foo", "/foo/", true)]
    [InlineData("Prefix", "/foo/", "/foo", true)]
    [InlineData("Prefix", "/foo/", "/foo/", true)]
    [InlineData("Prefix", "/aaa/bb", "/aaa/bbb", false)]
    [InlineData("Prefix", "/aaa/bbb", "/aaa/bbb", true)]
    [InlineData("Prefix", "/aaa/bbb/", "/aaa/bbb", true)]
    [InlineData("Prefix", "/aaa/bbb", "/aaa/bbb/", true)]
    [InlineData("Prefix", "/aaa/bbb", "/aaa/bbb/ccc", true)]
    [InlineData("Prefix", "/aaa/bbb", "/aaa/bbbxyz", false)]
    [InlineData("Prefix", "/aaa", "/ccc", false)]
    [InlineData("ImplementationSpecific", "/aaa", "/aaa/x", true)]
    public void PathMatches_DocumentedExamples_MatchAsDocumented(string pathType, string rulePath, string request, bool expected)
    {
        Assert.Equal(expected, IngressRoutes.PathMatches(pathType, rulePath, request));
    }

    [Theory]
    [InlineData("*.foo.com", "bar.foo.com", true)]
    [InlineData("*.foo.com", "baz.bar.foo.com", false)]
    [InlineData("*.foo.com", "foo.com", false)]
    [InlineData("foo.bar.com", "foo.bar.com", true)]
    [InlineData("foo.bar.com", "bar.com", false)]
    [InlineData(null, "anything.example", true)]
    public void HostMatches_ExactAndOneLabelWildcard_MatchAsDocumented(string? pattern, string host, bool expected)
    {
        Assert.Equal(expected, IngressRoutes.HostMatches(pattern, host));
    }

    [Theory]
    [InlineData("/aaa/ccc", "ingress:shop/t:0:1")]
    [InlineData("/aaa/bbb", "ingress:shop/t:0:2")]
    [InlineData("/ccc", "ingress:shop/t:0:0")]
    [InlineData("/foo", "ingress:shop/t:0:4")]
    public void Match_SeveralPathsMatch_LongestWinsAndExactBeatsPrefix(string path, string pathId)
    {
        var ingress = Ingress("t", [Rule("t.example.com",
            Path("/", "Prefix", "web", 80),
            Path("/aaa", "Prefix", "web", 80),
            Path("/aaa/bbb", "Prefix", "web", 80),
            Path("/foo", "Prefix", "web", 80),
            Path("/foo", "Exact", "web", 80))]);
        var analysis = Analyze(Objects().Append(ingress));

        var result = Run("external", "http://t.example.com" + path, analysis);

        Assert.Equal(pathId, result.PathId);
    }
}
