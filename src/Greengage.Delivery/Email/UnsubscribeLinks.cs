using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Greengage.Delivery.Http;

namespace Greengage.Delivery.Email;

/// <summary>
/// Per-user unsubscribe URLs for email (<c>List-Unsubscribe</c> and the link in the body):
/// <c>{PublicBaseUrl}/unsubscribe?app=..&amp;user=..&amp;message=..&amp;sig=..</c>, signed with HMAC-SHA256 under a
/// server key so that nobody can unsubscribe another user by editing the URL. The endpoint that serves the URL checks
/// it with <see cref="Verify"/>. Without <c>Greengage:PublicBaseUrl</c> there is no absolute URL to hand out, and
/// <see cref="For"/> answers null.
/// </summary>
public sealed class UnsubscribeLinks
{
    public const string Path = "/unsubscribe";

    private readonly string? _base;
    private readonly byte[] _key;

    public UnsubscribeLinks(Uri? publicBaseUrl, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 16)
            throw new ArgumentException("The unsubscribe signing key must be at least 16 bytes.", nameof(key));
        _base = publicBaseUrl?.ToString().TrimEnd('/');
        _key = key;
    }

    /// <summary>The user's unsubscribe URL for a message, or null when no public base URL is configured.</summary>
    public string? For(string appId, string userId, long messageId) => _base is null
        ? null
        : $"{_base}{Path}?app={Uri.EscapeDataString(appId)}&user={Uri.EscapeDataString(userId)}&message={messageId.ToString(CultureInfo.InvariantCulture)}&sig={Signature(appId, userId, messageId)}";

    /// <summary>Whether <paramref name="signature"/> is the one this server gave the link (constant-time compare).</summary>
    public bool Verify(string appId, string userId, long messageId, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(appId, userId, messageId)), Encoding.ASCII.GetBytes(signature));

    /// <summary>The signing key kept at <paramref name="path"/>, made (32 random bytes, owner-only) on first use.</summary>
    public static byte[] LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length >= 16)
                return existing;
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(path, key);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }

    private string Signature(string appId, string userId, long messageId)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{appId}\n{userId}\n{messageId.ToString(CultureInfo.InvariantCulture)}"));
        return Base64UrlText.Encode(mac.AsSpan(0, 16));
    }
}
