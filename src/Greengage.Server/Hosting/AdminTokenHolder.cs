using System.Security.Cryptography;
using System.Text;
using Greengage.Engine.Apps;

namespace Greengage.Server.Hosting;

/// <summary>The admin bearer token: from configuration, or generated once and kept in the data directory.</summary>
public sealed class AdminTokenHolder
{
    public const string FileName = "admin-token";

    public string? Token { get; set; }

    public bool Matches(string presented) =>
        Token is { } t && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(t), Encoding.UTF8.GetBytes(presented));

    public static (string Token, bool Generated) LoadOrCreate(GreengageOptions options)
    {
        if (!string.IsNullOrEmpty(options.AdminToken))
            return (options.AdminToken, false);
        var path = Path.Combine(options.DataDirectory, FileName);
        if (File.Exists(path))
            return (File.ReadAllText(path).Trim(), false);
        var token = KeyGenerator.New("adm_");
        File.WriteAllText(path, token);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (token, true);
    }
}
