using System.Collections.Immutable;
using System.Text;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// What kube-proxy in nftables mode writes into its table on one node for one Service, plus the base
/// chains, sets and maps every node has. <see cref="Rules"/> lists every statement of kube-proxy's
/// transaction in order: <see cref="KubeProxyRule.Table"/> is "ip kube-proxy" or "ip6 kube-proxy",
/// <see cref="KubeProxyRule.Chain"/> the chain, set or map the statement adds to, and
/// <see cref="KubeProxyRule.Text"/> the statement itself (<c>add rule ip kube-proxy … </c>).
/// </summary>
public sealed record NftablesRuleSet(ObjectKey Service, string NodeName, string Family)
{
    internal ImmutableArray<NftStatement> Statements { get; init; } = [];

    /// <summary>Every statement, in kube-proxy's transaction order; boilerplate first.</summary>
    public ImmutableArray<KubeProxyRule> Rules => [.. Statements.Select(s => s.Rule)];

    /// <summary>The statements that belong to this Service (everything but the shared base).</summary>
    public ImmutableArray<KubeProxyRule> ServiceRules => [.. Rules.Where(r => !r.IsBoilerplate)];

    public ImmutableArray<string> Notes { get; init; } = [];

    /// <summary>Why kube-proxy writes nothing for this Service (ExternalName, headless, no cluster IP); null otherwise.</summary>
    public string? NoRulesReason { get; init; }

    /// <summary>"ip kube-proxy" or "ip6 kube-proxy".</summary>
    public string TableName => $"{Family} {NftablesNames.Table}";

    internal ImmutableArray<IpText.Cidr> ServiceCidrs { get; init; } = [];

    internal TraceContext Context { get; init; } = TraceContext.Empty;

    /// <summary>The chains this Service adds (service-, local-, external-, firewall-, endpoint-), in order.</summary>
    public ImmutableArray<string> ServiceChains =>
        [.. Statements.Where(s => s.Kind == NftKind.Chain && !s.Rule.IsBoilerplate).Select(s => s.Object)];

    /// <summary>The statements as kube-proxy's transaction (and <c>nft -f</c> input): one <c>add …</c> line each.</summary>
    public string ToTransaction()
    {
        var text = new StringBuilder();
        AppendHeader(text);
        foreach (var statement in Statements)
        {
            text.Append(statement.Rule.Text).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// The table as <c>nft list table ip kube-proxy</c> prints it: sets and maps with their elements, then the
    /// chains with their rules, holding only this Service's elements and the shared base.
    /// </summary>
    public string ToNftList()
    {
        var text = new StringBuilder();
        AppendHeader(text);
        if (NoRulesReason is not null)
        {
            return text.ToString();
        }

        text.Append("table ").Append(TableName).Append(" {\n");
        text.Append("\tcomment \"rules for kube-proxy\"\n");
        var elements = Statements.Where(s => s.Kind == NftKind.Element).ToLookup(s => s.Object);
        foreach (var set in Statements.Where(s => s.Kind is NftKind.Set or NftKind.Map))
        {
            text.Append('\t').Append(set.Kind == NftKind.Set ? "set " : "map ").Append(set.Object).Append(" {\n");
            foreach (var part in set.Body.Split(" ; ", StringSplitOptions.RemoveEmptyEntries))
            {
                text.Append("\t\t").Append(part.Trim()).Append('\n');
            }

            var members = elements[set.Object].Select(e => e.Body).ToList();
            if (members.Count > 0)
            {
                text.Append("\t\telements = { ").Append(string.Join(",\n\t\t\t     ", members)).Append(" }\n");
            }

            text.Append("\t}\n");
        }

        var rules = Statements.Where(s => s.Kind == NftKind.Rule).ToLookup(s => s.Object);
        foreach (var chain in Statements.Where(s => s.Kind == NftKind.Chain && s.BaseRole != "table"))
        {
            text.Append("\n\tchain ").Append(chain.Object).Append(" {\n");
            if (chain.Body.Length > 0)
            {
                var body = chain.Body;
                text.Append("\t\t").Append(body.StartsWith("type ", StringComparison.Ordinal) ? HookLine(body) : body).Append('\n');
            }

            foreach (var rule in rules[chain.Object])
            {
                text.Append("\t\t").Append(rule.Body).Append('\n');
            }

            text.Append("\t}\n");
        }

        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>"type nat hook prerouting priority -100" as nft lists it: a named priority and the default policy.</summary>
    private static string HookLine(string spec)
    {
        var parts = spec.Split(' ');
        var priority = int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture);
        var named = (parts[1], priority) switch
        {
            ("nat", -100) => "dstnat",
            ("nat", 100) => "srcnat",
            ("filter", 0) => "filter",
            ("filter", -110) => "dstnat - 10",
            _ => priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return $"{string.Join(' ', parts[..^1])} {named}; policy accept;";
    }

    private void AppendHeader(StringBuilder text)
    {
        text.Append("# What kube-proxy programs in nftables mode (table ").Append(TableName).Append(") for Service ")
            .Append(Service).Append(" on node ").Append(NodeName).Append('\n');
        text.Append("# (reconstructed by PortMapper; only this Service's chains and elements and the shared base).\n");
        if (NoRulesReason is not null)
        {
            text.Append("# ").Append(NoRulesReason).Append('\n');
        }
    }

    /// <summary>Follows a new connection through these statements: every path it can take and how each ends.</summary>
    public KubeProxyTrace Trace(KubeProxyRequest request) => new NftTraceWalker(this, request).Run();
}
