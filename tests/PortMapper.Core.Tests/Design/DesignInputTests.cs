using PortMapper.Core.Design;

namespace PortMapper.Core.Tests.Design;

public class DesignInputTests
{
    [Fact]
    public void Parse_TwoDocuments_KeepsEveryFieldAndWhereEachStarts()
    {
        var result = DesignInput.Parse("""
            apiVersion: v1
            kind: Service
            metadata: {name: a}
            spec: {ports: [{port: 80}], x-unknown: kept}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: b}
            """);

        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Documents.Length);
        Assert.Equal("kept", (string?)result.Objects[0]["spec"]!["x-unknown"]);
        Assert.Equal((1, 6), (result.Documents[1].DocumentIndex, result.Documents[1].Line));
    }

    [Fact]
    public void Parse_MalformedSecondDocument_NamesTheDocumentAndLine()
    {
        var result = DesignInput.Parse("""
            apiVersion: v1
            kind: Service
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: b
             namespace: bad-indent
            """);

        Assert.False(result.Succeeded);
        Assert.Equal(1, result.Error!.DocumentIndex);
        Assert.Equal(9, result.Error.Line);
        Assert.StartsWith("document 2, line 9: malformed YAML: ", result.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_List_ReturnsItsItems()
    {
        var result = DesignInput.Parse("""{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"}},{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"}}]}""");

        Assert.True(result.Succeeded);
        Assert.Equal(["Service", "Pod"], result.Objects.Select(o => (string)o["kind"]!).ToArray());
        Assert.Null(result.Objects[0].Parent);
    }

    [Theory]
    [InlineData("", "document 1, line 1: the text is empty: paste one or more Kubernetes objects (YAML or JSON)")]
    [InlineData("# only a comment\n", "document 1, line 1: the text holds no objects (only comments or empty documents)")]
    [InlineData("- a\n- b\n", "document 1, line 1: expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found a list")]
    [InlineData("apiVersion: v1\nmetadata: {name: a}\n", "document 1, line 1: the object has no kind: every object needs apiVersion and kind")]
    [InlineData("apiVersion: v1\nkind: Service\n---\nhello\n", "document 2, line 4: expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found the text \"hello\"")]
    public void Parse_NotObjects_SaysWhatWasFound(string text, string expected)
    {
        var result = DesignInput.Parse(text);

        Assert.False(result.Succeeded);
        Assert.Equal(expected, result.Error!.ToString());
    }
}
