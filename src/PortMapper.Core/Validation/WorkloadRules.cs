using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// Deployment, ReplicaSet, StatefulSet, DaemonSet and Job: the selector rules that decide whether the workload's
/// pods are its own, then the pod template's spec (<see cref="PodSpecRules"/>).
/// </summary>
internal static class WorkloadRules
{
    private const string TemplatePath = "spec.template";

    public static void Validate(JsonObject obj, string kind, FindingList f)
    {
        var spec = JsonFields.Object(obj, "spec", "spec", f);
        var template = JsonFields.Object(spec, "template", TemplatePath, f);
        var templateLabels = JsonFields.StringMap(JsonFields.Object(template, "metadata", $"{TemplatePath}.metadata", f), "labels", $"{TemplatePath}.metadata.labels", f);
        var selectorNode = JsonFields.Object(spec, "selector", "spec.selector", f);
        var selector = selectorNode is null ? null : ReadSelector(selectorNode, f);

        switch (kind)
        {
            case "Deployment" or "ReplicaSet" or "StatefulSet":
                if (selector is null)
                {
                    f.Required("spec.selector");
                }
                else if (selector.IsEmpty)
                {
                    f.Invalid("spec.selector", selector.GoString, $"empty selector is invalid for {(kind == "StatefulSet" ? "statefulset" : "deployment")}");
                }

                CheckTemplateLabels(selector, templateLabels, f);
                break;
            case "DaemonSet":
                CheckTemplateLabels(selector, templateLabels, f);
                if (selector is { IsEmpty: true })
                {
                    f.Invalid("spec.selector", selector.GoString, "empty selector is invalid for daemonset");
                }

                break;
        }

        var templateSpec = JsonFields.Object(template, "spec", $"{TemplatePath}.spec", f);
        if (kind == "StatefulSet")
        {
            // The API server does not validate a StatefulSet's pod template (ValidatePodTemplateSpecForStatefulSet
            // leaves it out): the StatefulSet is accepted and its controller's pods are refused. So: warnings.
            var templateFindings = new FindingList();
            PodSpecRules.Validate(templateSpec, $"{TemplatePath}.spec", isPod: false, templateFindings);
            f.AddAll(templateFindings, ValidationSeverity.Warning);
        }
        else
        {
            PodSpecRules.Validate(templateSpec, $"{TemplatePath}.spec", isPod: false, f);
        }
    }

    /// <summary>
    /// A missing selector selects nothing (LabelSelectorAsSelector(nil)), so the template never matches; an empty one
    /// selects everything and is not compared.
    /// </summary>
    private static void CheckTemplateLabels(Selector? selector, ImmutableDictionary<string, string>? templateLabels, FindingList f)
    {
        if (selector is { IsEmpty: true } or { Known: false })
        {
            return;
        }

        if (selector is null || !selector.Model.Matches(templateLabels ?? ImmutableDictionary<string, string>.Empty))
        {
            f.Invalid($"{TemplatePath}.metadata.labels", GoValues.StringMap(templateLabels), "`selector` does not match template `labels`");
        }
    }

    private static Selector ReadSelector(JsonObject node, FindingList f)
    {
        var matchLabels = JsonFields.StringMap(node, "matchLabels", "spec.selector.matchLabels", f);
        var expressionItems = JsonFields.ObjectList(node, "matchExpressions", "spec.selector.matchExpressions", f);
        var expressions = (expressionItems ?? []).Select(e => new LabelSelectorRequirement(
            JsonFields.String(e.Item, "key", $"{e.Path}.key", f) ?? "",
            JsonFields.String(e.Item, "operator", $"{e.Path}.operator", f) ?? "",
            JsonFields.StringList(e.Item, "values", $"{e.Path}.values", f) ?? [])).ToImmutableArray();


        // Only printed for an empty selector, so both parts are either absent (nil) or empty.
        var goString =
            $"v1.LabelSelector{{MatchLabels:{(matchLabels is null ? "map[string]string(nil)" : "map[string]string{}")}, " +
            $"MatchExpressions:{(expressionItems is null ? "[]v1.LabelSelectorRequirement(nil)" : "[]v1.LabelSelectorRequirement{}")}}}";
        return new Selector(
            new LabelSelector(matchLabels ?? ImmutableDictionary<string, string>.Empty, expressions),
            (matchLabels?.Count ?? 0) + expressions.Length == 0,
            expressions.All(e => e.Operator is "In" or "NotIn" or "Exists" or "DoesNotExist"),
            goString);
    }

    /// <param name="Known">False when an operator is not one the server knows: it then reports the selector itself.</param>
    /// <param name="GoString">How the server prints the selector in the "empty selector" message (only ever printed when empty).</param>
    private sealed record Selector(LabelSelector Model, bool IsEmpty, bool Known, string GoString);
}
