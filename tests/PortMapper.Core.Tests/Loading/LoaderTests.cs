using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Loading;

public class LoaderTests
{
    [Fact]
    public void LoadText_MultiDocument_ReadsEveryObject()
    {
        var result = ManifestLoader.LoadFile(Path.Combine("samples", "seeds", "01-port-targetport-nodeport.yaml"));

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.Objects.Length);
        var nginx = Assert.Single(result.Objects.OfType<Service>(), s => s.Metadata.Name == "nginx-service");
        var port = Assert.Single(nginx.Ports);
        Assert.Equal((30080, 30001), (port.Port, port.NodePort!.Value));
        Assert.Equal(IntOrName.FromNumber(80), port.TargetPort);
    }
}
