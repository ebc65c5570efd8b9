using System.Text.Json.Nodes;

namespace PortMapper.Core.Loading;

public static class JsonNumbers
{
    /// <summary>
    /// Reads a whole number from a JSON value however it was created: parsed JSON converts freely, but a value
    /// built from a CLR primitive only answers to its own type.
    /// </summary>
    public static bool TryGetInteger(JsonValue v, out long value)
    {
        if (v.TryGetValue<int>(out var i))
        {
            value = i;
            return true;
        }

        if (v.TryGetValue<long>(out value))
        {
            return true;
        }

        if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue)
        {
            value = (long)d;
            return true;
        }

        value = 0;
        return false;
    }
}
