using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>
/// A minimal HTTP CONNECT proxy on 127.0.0.1 (what proxy-url points at in corporate networks): it opens a tunnel
/// to the requested host and counts the tunnels, so a test can tell that traffic went through it.
/// </summary>
public sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private int _tunnels;

    public ConnectProxy()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int Tunnels => Volatile.Read(ref _tunnels);

    public List<string> Targets { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => TunnelAsync(client));
        }
    }

    private async Task TunnelAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var header = new StringBuilder();
            var one = new byte[1];
            while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one, _stop.Token) == 0)
                {
                    return;
                }

                header.Append((char)one[0]);
            }

            var requestLine = header.ToString().Split("\r\n")[0].Split(' ');
            if (requestLine is not ["CONNECT", var target, _])
            {
                await stream.WriteAsync("HTTP/1.1 405 Method Not Allowed\r\n\r\n"u8.ToArray(), _stop.Token);
                return;
            }

            lock (Targets)
            {
                Targets.Add(target);
            }

            var colon = target.LastIndexOf(':');
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), _stop.Token);
            Interlocked.Increment(ref _tunnels);
            await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), _stop.Token);
            var up = upstream.GetStream();
            try
            {
                await Task.WhenAny(stream.CopyToAsync(up, _stop.Token), up.CopyToAsync(stream, _stop.Token));
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // Either side hung up.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
