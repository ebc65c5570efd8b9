using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Kubernetes.Decoding;

/// <summary>
/// Decodes a kind through the manifest reader (<see cref="ModelReader"/>) instead of a source-generated wire type:
/// for kinds that are few per cluster (NetworkPolicy, ClusterNetworkPolicy), where one reader for manifests and the
/// live cluster matters more than decode speed, and the reader's API-server messages and defaulting come free.
/// List items carry no kind or apiVersion on the wire; the codec puts them back before reading.
/// </summary>
internal sealed class ManifestCodec(string apiVersion, string kind) : ResourceCodec
{
    public override IKubeObject Decode(ReadOnlySpan<byte> json) => Read(JsonNode.Parse(json) as JsonObject ?? throw new JsonException($"expected a {kind} object"));

    public override DecodedList DecodeList(ReadOnlySpan<byte> json) => ToList(JsonNode.Parse(json) as JsonObject);

    public override async ValueTask<DecodedList> DecodeListAsync(Stream json, CancellationToken cancellationToken) =>
        ToList(await JsonNode.ParseAsync(json, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject);

    private DecodedList ToList(JsonObject? list)
    {
        var items = new List<IKubeObject>();
        foreach (var item in list?["items"] as JsonArray ?? [])
        {
            if (item is JsonObject o)
            {
                items.Add(Read(o));
            }
        }

        var meta = list?["metadata"] as JsonObject;
        var rv = meta?["resourceVersion"]?.GetValue<string>() ?? "";
        var cont = meta?["continue"]?.GetValue<string>();
        long? remaining = meta?["remainingItemCount"] is JsonValue r && r.TryGetValue<long>(out var n) ? n : null;
        return new DecodedList(items, rv, string.IsNullOrEmpty(cont) ? null : cont, remaining);
    }

    private IKubeObject Read(JsonObject obj)
    {
        obj["kind"] ??= kind;
        obj["apiVersion"] ??= apiVersion;
        // The API server has validated the object, so the reader's load issues (kept for manifests, to explain what
        // the server would refuse) have nothing to say here and are not kept.
        return new ModelReader([]).Read(obj) ?? throw new JsonException($"{apiVersion} {kind} is not modelled");
    }
}
