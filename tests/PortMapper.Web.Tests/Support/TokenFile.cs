namespace PortMapper.Web.Tests.Support;

/// <summary>A temporary --apply-token-file holding a random token; deleted on dispose.</summary>
internal sealed class TokenFile : IDisposable
{
    private TokenFile(string path, string token)
    {
        Path = path;
        Token = token;
    }

    public string Path { get; }

    public string Token { get; }

    public static TokenFile Create(string? token = null)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"portmapper-token-{Guid.NewGuid():N}");
        token ??= "pmtok-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(path, token + "\n");
        return new TokenFile(path, token);
    }

    public void Dispose() => File.Delete(Path);
}
