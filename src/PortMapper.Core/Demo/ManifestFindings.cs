using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Core.Demo;

/// <summary>Diagnostics about manifests themselves, for objects analysed as written.</summary>
public static class ManifestFindings
{
    public static ImmutableArray<Diagnostic> From(LoadResult manifests)
    {
        var result = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var error in manifests.Errors)
        {
            result.Add(new Diagnostic
            {
                Code = Codes.UnreadableField,
                Severity = Severity.Error,
                Object = new ObjectRef("File", "", error.File),
                Message = $"Could not read {error}; nothing from that document is shown.",
                Fix = "Fix the file as the message says (a YAML linter shows the exact spot), then restart PortMapper with it.",
            });
        }

        result.AddRange(manifests.Issues.Select(i => i.ToDiagnostic()));

        for (var i = 0; i < manifests.Raw.Length; i++)
        {
            var findings = ManifestValidator.Validate(manifests.Raw[i]).Where(f => f.Severity == ValidationSeverity.Error).ToList();
            if (findings.Count == 0 || manifests.Issues.Any(x => x.Object == manifests.Objects[i].Ref()))
            {
                continue;
            }

            var source = manifests.Objects[i].Metadata.Source;
            foreach (var f in findings)
            {
                result.Add(new Diagnostic
                {
                    Code = Codes.RejectedByApiServer,
                    Severity = Severity.Error,
                    Object = manifests.Objects[i].Ref(),
                    Field = f.Field,
                    Message = $"The API server would refuse {manifests.Objects[i].Ref()}: {f.Message}" + (source is null ? "" : $" (in {source})"),
                    Fix = "Correct the field as the message says; PortMapper analyses the object as written meanwhile.",
                });
            }
        }

        return result.ToImmutable();
    }
}
