using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;

namespace PortMapper.Kubernetes.Decoding;

/// <summary>One page of a list: the objects and where the list stands.</summary>
internal sealed record DecodedList(List<IKubeObject> Items, string ResourceVersion, string? Continue, long? RemainingItemCount);

/// <summary>Decodes one resource's objects and lists straight into the Core model.</summary>
internal abstract class ResourceCodec
{
    public abstract IKubeObject Decode(ReadOnlySpan<byte> json);

    public abstract DecodedList DecodeList(ReadOnlySpan<byte> json);

    public abstract ValueTask<DecodedList> DecodeListAsync(Stream json, CancellationToken cancellationToken);
}

internal sealed class ResourceCodec<TDto>(JsonTypeInfo<TDto> item, JsonTypeInfo<KubeListDto<TDto>> list, Func<TDto, IKubeObject> map) : ResourceCodec
    where TDto : class
{
    public override IKubeObject Decode(ReadOnlySpan<byte> json) =>
        map(JsonSerializer.Deserialize(json, item) ?? throw new JsonException("expected an object, found null"));

    public override DecodedList DecodeList(ReadOnlySpan<byte> json) => ToList(JsonSerializer.Deserialize(json, list));

    public override async ValueTask<DecodedList> DecodeListAsync(Stream json, CancellationToken cancellationToken) =>
        ToList(await JsonSerializer.DeserializeAsync(json, list, cancellationToken).ConfigureAwait(false));

    private DecodedList ToList(KubeListDto<TDto>? dto)
    {
        var items = new List<IKubeObject>(dto?.Items?.Count ?? 0);
        foreach (var i in dto?.Items ?? [])
        {
            items.Add(map(i));
        }

        var meta = dto?.Metadata;
        return new DecodedList(items, meta?.ResourceVersion ?? "", string.IsNullOrEmpty(meta?.Continue) ? null : meta.Continue, meta?.RemainingItemCount);
    }
}

internal static class ResourceCodecs
{
    private static KubeJsonContext Json => KubeJsonContext.Default;

    public static ResourceCodec Namespace { get; } = new ResourceCodec<NamespaceDto>(Json.NamespaceDto, Json.KubeListDtoNamespaceDto, ModelMapper.ToModel);

    public static ResourceCodec Node { get; } = new ResourceCodec<NodeDto>(Json.NodeDto, Json.KubeListDtoNodeDto, ModelMapper.ToModel);

    public static ResourceCodec Pod { get; } = new ResourceCodec<PodDto>(Json.PodDto, Json.KubeListDtoPodDto, ModelMapper.ToModel);

    public static ResourceCodec Service { get; } = new ResourceCodec<ServiceDto>(Json.ServiceDto, Json.KubeListDtoServiceDto, ModelMapper.ToModel);

    public static ResourceCodec EndpointSlice { get; } = new ResourceCodec<EndpointSliceDto>(Json.EndpointSliceDto, Json.KubeListDtoEndpointSliceDto, ModelMapper.ToModel);

    public static ResourceCodec Ingress { get; } = new ResourceCodec<IngressDto>(Json.IngressDto, Json.KubeListDtoIngressDto, ModelMapper.ToModel);

    public static ResourceCodec IngressClass { get; } = new ResourceCodec<IngressClassDto>(Json.IngressClassDto, Json.KubeListDtoIngressClassDto, ModelMapper.ToModel);

    /// <summary>The resourceVersion of any object (BOOKMARK events carry nothing else).</summary>
    public static string? ResourceVersionOf(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, Json.PartialObjectDto)?.Metadata?.ResourceVersion;

    /// <summary>Reads a metav1.Status; null when the body is not one.</summary>
    public static ApiStatus? DecodeStatus(ReadOnlySpan<byte> json, int httpCode)
    {
        StatusDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, Json.StatusDto);
        }
        catch (JsonException)
        {
            return null;
        }

        if (dto is null || dto.Kind != "Status")
        {
            return null;
        }

        return new ApiStatus(dto.Code is > 0 ? dto.Code.Value : httpCode, dto.Reason, dto.Message)
        {
            DetailsName = dto.Details?.Name,
            DetailsKind = dto.Details?.Kind,
            Causes = dto.Details?.Causes?.Select(c => new StatusCause(c.Reason, c.Message, c.Field)).ToImmutableArray() ?? [],
            RetryAfterSeconds = dto.Details?.RetryAfterSeconds,
        };
    }
}
