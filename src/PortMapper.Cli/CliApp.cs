using System.CommandLine;
using PortMapper.Core.Model;
using PortMapper.Cli.Output;

namespace PortMapper.Cli;

public enum ReportFormat
{
    Text,
    Json,
    Sarif,
}

public enum FailOn
{
    Error,
    Warning,
    Never,
}

/// <summary>
/// `portmapper analyze`: PortMapper's engine over manifest files for CI pipelines. Exit codes: 0 when no finding reaches
/// --fail-on, 1 when one does, 2 for a command line that cannot be used or input that cannot be read.
/// </summary>
public static class CliApp
{
    public const int Passed = 0;
    public const int FindingsFound = 1;
    public const int UsageError = 2;

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("files-or-dirs")
        {
            Description = "Manifest files or directories (*.yaml, *.yml, *.json, recursively); '-' reads standard input, e.g. `helm template . | portmapper analyze -`.",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<ReportFormat>("--format")
        {
            Description = "Output format: text (for people), json (stable, for scripts) or sarif (SARIF 2.1.0, for code scanning).",
            DefaultValueFactory = _ => ReportFormat.Text,
        };
        var failOn = new Option<FailOn>("--fail-on")
        {
            Description = "Exit with 1 when a finding of this severity or worse is found: error, warning or never.",
            DefaultValueFactory = _ => FailOn.Error,
        };
        var nodePortRange = new Option<string>("--node-port-range")
        {
            Description = $"The API server's --service-node-port-range (default: {NodePortRange.Default}).",
            HelpName = "first-last",
        };
        var chartDir = new Option<string>("--chart-dir")
        {
            Description = "With `helm template` output on standard input: the chart's directory, so that findings point at its template files (e.g. charts/shop).",
            HelpName = "dir",
        };
        var analyze = new Command("analyze", "Find broken Service, Ingress and Pod port wiring in manifests, without a cluster.")
        {
            paths, format, failOn, nodePortRange, chartDir,
        };
        var root = new RootCommand("PortMapper for CI pipelines: analyse Kubernetes manifests offline.") { analyze };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"portmapper: {error.Message}");
            }

            stderr.WriteLine("Run `portmapper analyze --help` to see the options.");
            return UsageError;
        }

        if (parse.Action is not null)
        {
            // --help or --version.
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        }

        var rangeText = parse.GetValue(nodePortRange);
        var range = NodePortRange.Default;
        if (rangeText is not null && !NodePortRange.TryParse(rangeText, out range))
        {
            stderr.WriteLine($"portmapper: --node-port-range: '{rangeText}' is not a port range; write it as first-last with 1 <= first <= last <= 65535, e.g. {NodePortRange.Default}.");
            return UsageError;
        }

        var report = ManifestAnalysis.Run(parse.GetValue(paths)!, stdin, range, parse.GetValue(chartDir));
        if (!report.Unreadable.IsEmpty)
        {
            foreach (var problem in report.Unreadable)
            {
                stderr.WriteLine($"portmapper: cannot read {problem}");
            }

            return UsageError;
        }

        var writer = parse.GetValue(format) switch
        {
            ReportFormat.Json => (Action<AnalysisReport, TextWriter>)JsonReport.Write,
            ReportFormat.Sarif => SarifReport.Write,
            _ => TextReport.Write,
        };
        writer(report, stdout);
        if (report.ObjectCount == 0)
        {
            stderr.WriteLine("portmapper: warning: no Kubernetes objects PortMapper analyses (Service, Ingress, Pod, workloads...) were found in the input.");
        }

        return report.Fails(parse.GetValue(failOn)) ? FindingsFound : Passed;
    }
}
