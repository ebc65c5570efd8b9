using System.Text.Json.Nodes;
using PortMapper.Core.Loading;

namespace PortMapper.Core.Tests.Loading;

public class YamlWriterTests
{
    [Theory]
    [InlineData("01-port-targetport-nodeport.yaml")]
    [InlineData("02-service-types.yaml")]
    [InlineData("03-kube-proxy-nodeport.yaml")]
    [InlineData("04-external-access.yaml")]
    [InlineData("05-webapp-three-ways.yaml")]
    public void Write_EverySeedObject_ReadsBackIdentical(string file)
    {
        var loaded = ManifestLoader.LoadFile(Path.Combine("samples", "seeds", file));

        foreach (var raw in loaded.Raw)
        {
            var yaml = YamlWriter.Write(raw);
            var back = YamlToJson.Parse(yaml, "roundtrip")[0].Root;
            Assert.True(JsonNode.DeepEquals(raw, back), $"round trip changed the object:\n{yaml}");
        }
    }

    [Theory]
    [InlineData("80")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("1.5")]
    [InlineData("0x1F")]
    [InlineData("- item")]
    [InlineData("a: b")]
    [InlineData("#comment")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("line\nbreak")]
    [InlineData(" padded ")]
    [InlineData("")]
    [InlineData("*alias")]
    public void Write_StringsYamlWouldMisread_AreQuotedAndReadBackAsStrings(string value)
    {
        var obj = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["k"] = value } }, ["list"] = new JsonArray(value) };

        var yaml = YamlWriter.Write(obj);
        var back = YamlToJson.Parse(yaml, "roundtrip")[0].Root!;

        Assert.Equal(value, back["metadata"]!["labels"]!["k"]!.GetValue<string>());
        Assert.Equal(value, back["list"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Clean_ServerFilledFields_AreRemoved()
    {
        var obj = JsonNode.Parse("""{"kind":"Service","metadata":{"name":"a","uid":"u","resourceVersion":"1","managedFields":[],"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},"spec":{"type":"ClusterIP"},"status":{"loadBalancer":{}}}""")!.AsObject();

        var clean = YamlWriter.Clean(obj);

        Assert.Equal("""{"kind":"Service","metadata":{"name":"a"},"spec":{"type":"ClusterIP"}}""", clean.ToJsonString());
    }
}
