using System.Text.Json;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Decoding;

namespace PortMapper.Kubernetes.Api;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>No object changed; the server confirms the watch has seen everything up to <see cref="WatchEvent.ResourceVersion"/>.</summary>
    Bookmark,
}

/// <summary>One event of a watch. <see cref="Object"/> is null for bookmarks.</summary>
public sealed record WatchEvent(WatchEventType Type, IKubeObject? Object, string ResourceVersion);

internal static class WatchEventDecoder
{
    /// <summary>
    /// Decodes one frame of a watch stream. An ERROR event becomes an exception: 410 Expired as
    /// <see cref="ResourceVersionExpiredException"/>, anything else as <see cref="KubernetesApiException"/>.
    /// </summary>
    public static WatchEvent Decode(ReadOnlySpan<byte> frame, ResourceType resource, RequestTarget target, string? server)
    {
        var reader = new Utf8JsonReader(frame);
        string? type = null;
        int objectStart = -1, objectEnd = -1;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A watch event must be a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetString();
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                objectStart = (int)reader.TokenStartIndex;
                reader.Skip();
                objectEnd = (int)reader.BytesConsumed;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (objectStart < 0)
        {
            throw new JsonException($"The watch event of type {type ?? "(none)"} has no object.");
        }

        var obj = frame[objectStart..objectEnd];
        switch (type)
        {
            case "ADDED":
            case "MODIFIED":
            case "DELETED":
                var decoded = resource.Codec!.Decode(obj);
                var eventType = type == "ADDED" ? WatchEventType.Added : type == "MODIFIED" ? WatchEventType.Modified : WatchEventType.Deleted;
                return new WatchEvent(eventType, decoded, decoded.Metadata.ResourceVersion ?? "");
            case "BOOKMARK":
                return new WatchEvent(WatchEventType.Bookmark, null, ResourceCodecs.ResourceVersionOf(obj) ?? "");
            case "ERROR":
                var status = ResourceCodecs.DecodeStatus(obj, 500) ?? new ApiStatus(500, "InternalError", "The watch sent an ERROR event without a Status.");
                throw status.Code == 410
                    ? new ResourceVersionExpiredException(status, target, server)
                    : new KubernetesApiException(status, target, server);
            default:
                throw new JsonException($"Unknown watch event type \"{type}\".");
        }
    }
}
