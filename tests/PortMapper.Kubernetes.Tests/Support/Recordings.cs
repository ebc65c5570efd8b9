namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>The real kube-apiserver answers in tests/fixtures/k8s-recordings (copied next to the tests).</summary>
public static class Recordings
{
    public static string Dir { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "k8s-recordings");

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Dir, name));

    public static string Text(string name) => File.ReadAllText(Path.Combine(Dir, name));

    /// <summary>The header names of a recorded answer (the status line dropped).</summary>
    public static IReadOnlyList<string> HeaderNames(string name) =>
        File.ReadAllLines(Path.Combine(Dir, name + ".headers.txt")).Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).ToList();

    public static int StatusCode(string name) =>
        int.Parse(File.ReadLines(Path.Combine(Dir, name + ".headers.txt")).First().Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
}
