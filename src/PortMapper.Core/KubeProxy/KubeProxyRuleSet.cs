using System.Collections.Immutable;
using System.Net;
using System.Text;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// The rules kube-proxy in iptables mode programs on one node for one Service, plus the shared
/// boilerplate that makes them reachable. <see cref="Rules"/> is in iptables-save order: the filter
/// table, then nat; within a table the built-in chains, KUBE-NODEPORTS, KUBE-SERVICES and then the other
/// chains by name; within a chain the order kube-proxy writes them in.
/// </summary>
public sealed record KubeProxyRuleSet(ObjectKey Service, string NodeName)
{
    public ImmutableArray<KubeProxyRule> Rules { get; init; } = [];

    /// <summary>Assumptions and simplifications that affect these particular rules.</summary>
    public ImmutableArray<string> Notes { get; init; } = [];

    /// <summary>Why kube-proxy writes nothing for this Service (ExternalName, headless, no cluster IP); null otherwise.</summary>
    public string? NoRulesReason { get; init; }

    internal TraceContext Context { get; init; } = TraceContext.Empty;

    private static readonly string[] BuiltInNat = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];
    private static readonly string[] BuiltInFilter = ["INPUT", "FORWARD", "OUTPUT"];

    internal static KubeProxyRuleSet WithoutRules(KubeProxyInput input, string reason) =>
        new(input.Service.Key(), input.Node.Name) { NoRulesReason = reason, Notes = [reason] };

    /// <summary>The chains of <paramref name="table"/> that hold a rule or are jumped to, in iptables-save order.</summary>
    public ImmutableArray<string> Chains(string table)
    {
        var inTable = Rules.Where(r => r.Table == table).ToList();
        var chains = new HashSet<string>(inTable.Select(r => r.Chain), StringComparer.Ordinal);
        chains.UnionWith(inTable.Select(r => r.Jump).OfType<string>().Where(j => j.StartsWith("KUBE-", StringComparison.Ordinal)));
        return chains.Order(ChainOrder(table)).ToImmutableArray();
    }

    /// <summary>
    /// The rules as an iptables-save fragment: <c>*filter</c> and <c>*nat</c> sections with their chain
    /// declarations, <c>-A</c> lines and <c>COMMIT</c>, under a header saying what this is.
    /// </summary>
    public string ToIptablesSave()
    {
        var text = new StringBuilder();
        text.Append("# Rules kube-proxy programs in iptables mode for Service ").Append(Service).Append(" on node ").Append(NodeName).Append('\n');
        text.Append("# (reconstructed by PortMapper; only this Service's rules and the shared jumps that reach them).\n");
        text.Append("# kube-proxy's nftables and IPVS modes, and eBPF data planes such as Cilium, program different structures.\n");
        if (NoRulesReason is not null)
        {
            text.Append("# ").Append(NoRulesReason).Append('\n');
            return text.ToString();
        }

        foreach (var table in new[] { "filter", "nat" })
        {
            var chains = Chains(table);
            if (chains.IsEmpty)
            {
                continue;
            }

            text.Append('*').Append(table).Append('\n');
            foreach (var chain in chains)
            {
                text.Append(':').Append(chain).Append(IsBuiltIn(table, chain) ? " ACCEPT" : " -").Append(" [0:0]\n");
            }

            foreach (var rule in Rules.Where(r => r.Table == table))
            {
                text.Append(rule.Text).Append('\n');
            }

            text.Append("COMMIT\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The rules a new connection to <paramref name="destinationIp"/>:<paramref name="destinationPort"/>
    /// passes through, in order, over every way it can go (each endpoint it may be sent to).
    /// </summary>
    /// <param name="fromExternal">True for a client outside the cluster, false for a pod.</param>
    public ImmutableArray<KubeProxyRule> RulesFor(string destinationIp, int destinationPort, string protocol, bool fromExternal) =>
        Trace(new KubeProxyRequest(destinationIp, destinationPort, protocol)
        {
            Source = fromExternal ? RequestSource.External : RequestSource.Pod,
        }).Rules;

    /// <summary>Follows a new connection through these rules: every path it can take and how each ends.</summary>
    public KubeProxyTrace Trace(KubeProxyRequest request) => new TraceWalker(this, request).Run();

    /// <summary>iptables-save order of rules from different chains: table, then chain (see <see cref="ChainOrder"/>).</summary>
    internal static IComparer<KubeProxyRule> SaveOrder { get; } = Comparer<KubeProxyRule>.Create((a, b) =>
    {
        var table = TableOrder(a.Table).CompareTo(TableOrder(b.Table));
        return table != 0 ? table : ChainOrder(a.Table).Compare(a.Chain, b.Chain);
    });

    private static int TableOrder(string table) => table == "filter" ? 0 : 1;

    internal static IComparer<string> ChainOrder(string table) =>
        Comparer<string>.Create((a, b) =>
        {
            var rank = Rank(table, a).CompareTo(Rank(table, b));
            return rank != 0 ? rank : string.CompareOrdinal(a, b);
        });

    private static int Rank(string table, string chain)
    {
        var builtIns = table == "nat" ? BuiltInNat : BuiltInFilter;
        var index = Array.IndexOf(builtIns, chain);
        if (index >= 0)
        {
            return index;
        }

        return chain switch
        {
            KubeProxyChains.NodePorts => 10,
            KubeProxyChains.Services => 11,
            _ => 12,
        };
    }

    private static bool IsBuiltIn(string table, string chain) => Array.IndexOf(table == "nat" ? BuiltInNat : BuiltInFilter, chain) >= 0;
}

/// <summary>What the trace needs to know about the node beyond the rules themselves.</summary>
internal sealed record TraceContext(bool V6, ImmutableArray<IPAddress> NodeAddresses, IPAddress? NodeIp, IpText.Cidr? PodCidr)
{
    public static TraceContext Empty { get; } = new(false, [], null, null);
}
