using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace PortMapper.Kubernetes.Decoding;

/// <summary>
/// Shares the strings that repeat across thousands of objects (namespaces, node names, label keys and values,
/// protocols, port names) so that a 50k-pod cache holds each of them once. Bounded: once full it hands out fresh
/// strings, so a stream of unique values cannot grow it without limit.
/// </summary>
internal static class StringPool
{
    private const int MaxEntries = 200_000;
    private const int MaxLength = 128;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        Pool.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string? Intern(string? s)
    {
        if (s is null || s.Length > MaxLength)
        {
            return s;
        }

        if (Pool.TryGetValue(s, out var shared))
        {
            return shared;
        }

        return Pool.Count < MaxEntries ? Pool.GetOrAdd(s, s) : s;
    }

    /// <summary>Reads the current string token, looking it up by its UTF-8 bytes first so a known value allocates nothing.</summary>
    public static string? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxLength)
        {
            return Intern(reader.GetString());
        }

        Span<char> chars = stackalloc char[MaxLength];
        var n = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (Lookup.TryGetValue(chars[..n], out var shared))
        {
            return shared;
        }

        var s = new string(chars[..n]);
        return Pool.Count < MaxEntries ? Pool.GetOrAdd(s, s) : s;
    }
}
