using PortMapper.Kubernetes.Config;
using PortMapper.Web.Hosting;

var commandLine = PortMapperCommandLine.Parse(args);
if (commandLine.Options is not { } options)
{
    return commandLine.Stop(Console.Out, Console.Error);
}

var app = PortMapperHost.Build(options);
try
{
    // Choose the cluster before serving, so a kubeconfig that cannot be used stops the app with a clear message.
    PortMapperHost.ConnectCluster(app);
}
catch (KubeconfigException e)
{
    await Console.Error.WriteLineAsync($"portmapper: {e.Message}");
    return PortMapperCommandLine.UsageExitCode;
}

await app.RunAsync();
return 0;

/// <summary>The entry point, public so that WebApplicationFactory can find it.</summary>
public partial class Program;
