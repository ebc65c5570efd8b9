using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Cli;

/// <summary>
/// Where a finding points: a manifest file and, when known, the line its object starts on. For `helm template` output
/// read from standard input, <paramref name="Template"/> is the chart file named by the "# Source:" comment.
/// </summary>
public sealed record FindingLocation(string File, int? Line, string? Template = null);

/// <summary>A diagnostic and where it is in the input.</summary>
public sealed record Finding(Diagnostic Diagnostic, FindingLocation? Location);

/// <summary>Everything one `analyze` run found.</summary>
/// <param name="Skipped">Objects of kinds PortMapper does not analyse (ConfigMap, CRDs...), listed in the summary.</param>
public sealed record AnalysisReport(ImmutableArray<Finding> Findings, int ObjectCount, ImmutableArray<SkippedObject> Skipped, ImmutableArray<string> Files, ImmutableArray<string> Unreadable)
{
    public int Count(Severity severity) => Findings.Count(f => f.Diagnostic.Severity == severity);

    public bool Fails(FailOn threshold) => threshold switch
    {
        FailOn.Error => Count(Severity.Error) > 0,
        FailOn.Warning => Count(Severity.Error) + Count(Severity.Warning) > 0,
        _ => false,
    };
}

/// <summary>
/// The web app's --manifests path, without the web app: load, build the simulated cluster the manifests describe
/// (scheduling, endpoints, node ports), analyse it, and add the findings about the manifests themselves.
/// </summary>
public static class ManifestAnalysis
{
    /// <summary>How standard input is named in messages and reports.</summary>
    public const string StdinName = "<stdin>";

    /// <param name="chartDir">Where the chart rendered on standard input lives, so that "shop/templates/x.yaml" becomes "charts/shop/templates/x.yaml".</param>
    public static AnalysisReport Run(IReadOnlyList<string> paths, TextReader stdin, NodePortRange nodePortRange, string? chartDir = null)
    {
        var loaded = LoadResult.Empty;
        string? stdinText = null;
        var unreadable = ImmutableArray.CreateBuilder<string>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                stdinText ??= stdin.ReadToEnd();
                loaded = loaded.Merge(ManifestLoader.LoadText(stdinText, StdinName));
                continue;
            }

            var result = ManifestLoader.LoadPaths([path]);
            // A path that is missing or cannot be read is a usage problem, not a finding about manifests.
            var cannotRead = result.Errors.Where(e => e.DocumentIndex is null && e.Line is null).ToList();
            unreadable.AddRange(cannotRead.Select(e => e.ToString()));
            loaded = loaded.Merge(result with { Errors = [.. result.Errors.Except(cannotRead)] });
        }

        var cluster = DemoCluster.FromManifests(loaded, new DemoClusterOptions { NodePortRange = nodePortRange, DisplayName = "manifests" });
        var analysis = ClusterAnalyzer.Analyze(cluster.Snapshot, cluster.StartupFindings);
        var locate = new Locator(loaded, cluster.Snapshot, stdinText, chartDir);
        var findings = analysis.Diagnostics
            .Select(d => new Finding(d, locate.Find(d)))
            .OrderBy(f => f.Location?.File ?? "\uffff", StringComparer.Ordinal)
            .ThenBy(f => f.Location?.Line ?? 0)
            .ThenBy(f => f.Diagnostic.Object.Kind, StringComparer.Ordinal)
            .ThenBy(f => f.Diagnostic.Object.Namespace, StringComparer.Ordinal)
            .ThenBy(f => f.Diagnostic.Object.Name, StringComparer.Ordinal)
            .ThenBy(f => f.Diagnostic.Code, StringComparer.Ordinal)
            .ThenBy(f => f.Diagnostic.Field, StringComparer.Ordinal)
            .ThenBy(f => f.Diagnostic.Message, StringComparer.Ordinal)
            .ToImmutableArray();
        var files = loaded.Objects.Select(o => o.Metadata.Source?.File).Concat(loaded.Errors.Select(e => e.File)).Concat(loaded.Skipped.Select(s => s.Source.File))
            .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
        return new AnalysisReport(findings, loaded.Objects.Length, loaded.Skipped, files, unreadable.ToImmutable());
    }

    /// <summary>Finds the manifest behind a diagnostic: the object itself, the workload that owns a simulated pod, or the file that failed to load.</summary>
    private sealed class Locator(LoadResult loaded, ClusterSnapshot snapshot, string? stdinText, string? chartDir)
    {
        private readonly Dictionary<ObjectRef, SourceLocation> _sources = loaded.Objects
            .Where(o => o.Metadata.Source is not null)
            .GroupBy(o => o.Ref())
            .ToDictionary(g => g.Key, g => g.First().Metadata.Source!);

        public FindingLocation? Find(Diagnostic diagnostic)
        {
            var o = diagnostic.Object;
            if (o.Kind == "File")
            {
                var error = loaded.Errors.FirstOrDefault(e => e.File == o.Name);
                return new FindingLocation(o.Name, error?.Line);
            }

            if (_sources.TryGetValue(o, out var source) || (Owner(o) is { } owner && _sources.TryGetValue(owner, out source)))
            {
                return new FindingLocation(source.File, source.Line, source.File == StdinName ? HelmTemplate(source.Line) : null);
            }

            return null;
        }

        /// <summary>The "# Source: chart/templates/x.yaml" comment Helm writes at the top of each rendered document.</summary>
        private string? HelmTemplate(int line)
        {
            var lines = _stdinLines ??= (stdinText ?? "").Split('\n');
            for (var i = Math.Min(line, lines.Length) - 1; i >= 0; i--)
            {
                var text = lines[i].Trim();
                if (text.StartsWith("# Source: ", StringComparison.Ordinal))
                {
                    var template = text["# Source: ".Length..].Trim();
                    var slash = template.IndexOf('/', StringComparison.Ordinal);
                    return chartDir is null || slash < 0 ? template : $"{chartDir.Replace('\\', '/').TrimEnd('/')}/{template[(slash + 1)..]}";
                }

                if (text.StartsWith("---", StringComparison.Ordinal) && i < line - 1)
                {
                    return null;
                }
            }

            return null;
        }

        private string[]? _stdinLines;

        private ObjectRef? Owner(ObjectRef pod)
        {
            if (pod.Kind != "Pod" || !snapshot.Pods.TryGetValue(new ObjectKey(pod.Namespace, pod.Name), out var model))
            {
                return null;
            }

            return model.Metadata.OwnerReferences.FirstOrDefault(r => r.Controller) is { } owner ? new ObjectRef(owner.Kind, pod.Namespace, owner.Name) : null;
        }
    }
}
