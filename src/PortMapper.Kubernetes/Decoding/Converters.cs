using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using PortMapper.Core.Model;

namespace PortMapper.Kubernetes.Decoding;

/// <summary>A string that repeats across objects (namespace, node name, protocol...): read through the pool.</summary>
internal sealed class PooledStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : StringPool.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>Kubernetes' IntOrString, for ports: a JSON number or a JSON string, kept as written.</summary>
internal sealed class IntOrNameConverter : JsonConverter<IntOrName?>
{
    public override bool HandleNull => true;

    public override IntOrName? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => IntOrName.FromNumber(reader.GetInt32()),
        // The API server keeps a numeric string as a String IntOrString; kube-proxy then looks it up as a port name.
        JsonTokenType.String => IntOrName.FromName(StringPool.Read(ref reader)!),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"expected a port number or name, found {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, IntOrName? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case { Name: { } name }:
                writer.WriteStringValue(name);
                break;
            case { Number: { } number }:
                writer.WriteNumberValue(number);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}

/// <summary>Labels and selectors: a string map built straight into the model's immutable dictionary.</summary>
internal class StringMapConverter : JsonConverter<ImmutableDictionary<string, string>>
{
    public static ImmutableDictionary<string, string> Empty { get; } = ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer);

    public override ImmutableDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected a map of strings, found {reader.TokenType}");
        }

        ImmutableDictionary<string, string>.Builder? builder = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = StringPool.Read(ref reader)!;
            reader.Read();
            if (Skip(key))
            {
                reader.Skip();
                continue;
            }

            builder ??= Empty.ToBuilder();
            builder[key] = reader.TokenType == JsonTokenType.Null ? "" : StringPool.Read(ref reader)!;
        }

        return builder?.ToImmutable() ?? Empty;
    }

    protected virtual bool Skip(string key) => false;

    public override void Write(Utf8JsonWriter writer, ImmutableDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (k, v) in value)
        {
            writer.WriteString(k, v);
        }

        writer.WriteEndObject();
    }
}

/// <summary>
/// Annotations without kubectl's last-applied-configuration: that one is a full copy of the object, often the
/// largest string in it, and nothing in PortMapper reads it.
/// </summary>
internal sealed class AnnotationsConverter : StringMapConverter
{
    public const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    protected override bool Skip(string key) => key == LastApplied;
}
