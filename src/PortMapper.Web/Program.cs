using PortMapper.Web.Hosting;

var commandLine = PortMapperCommandLine.Parse(args);
if (commandLine.Options is not { } options)
{
    return commandLine.Stop(Console.Out, Console.Error);
}

var app = PortMapperHost.Build(options);
await app.RunAsync();
return 0;

/// <summary>The entry point, public so that WebApplicationFactory can find it.</summary>
public partial class Program;
