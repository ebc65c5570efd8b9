using System.Buffers;
using System.Text.Json;

namespace PortMapper.Kubernetes.Api;

/// <summary>
/// Splits a watch stream into its top-level JSON values. The API server writes one event per line, but the framing
/// here does not depend on newlines: a value is complete when the reader can skip over it, so pretty-printed
/// streams (curl user agents) frame just as well. Each frame is handed out as soon as its last byte arrives.
/// </summary>
internal sealed class JsonFrameReader(Stream stream) : IDisposable
{
    private const int ReadSize = 16 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ReadSize * 4);
    private int _start;
    private int _end;

    /// <summary>The next complete value, or null at the end of the stream. Valid until the next call.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryFrame(out var frame))
            {
                return frame;
            }

            Compact();
            var n = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (_buffer.AsSpan(_start, _end - _start).Trim(" \t\r\n"u8).Length > 0)
                {
                    throw new IOException("The watch stream ended in the middle of an event.");
                }

                return null;
            }

            _end += n;
        }
    }

    private bool TryFrame(out ReadOnlyMemory<byte> frame)
    {
        frame = default;
        var pending = _buffer.AsSpan(_start, _end - _start);
        var reader = new Utf8JsonReader(pending, isFinalBlock: false, state: default);
        if (!reader.Read())
        {
            // Only whitespace so far; keep it out of the next read's way.
            _start += (int)reader.BytesConsumed;
            return false;
        }

        var begin = (int)reader.TokenStartIndex;
        if (!reader.TrySkip())
        {
            return false;
        }

        var length = (int)reader.BytesConsumed - begin;
        frame = _buffer.AsMemory(_start + begin, length);
        _start += (int)reader.BytesConsumed;
        return true;
    }

    private void Compact()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _end < ReadSize)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
