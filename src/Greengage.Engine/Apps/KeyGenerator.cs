using System.Security.Cryptography;

namespace Greengage.Engine.Apps;

/// <summary>Random identifiers and keys: 144 bits from the OS generator, URL-safe.</summary>
public static class KeyGenerator
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary><paramref name="prefix"/> followed by 25 base-62 characters (about 148 bits).</summary>
    public static string New(string prefix) => prefix + RandomNumberGenerator.GetString(Alphabet, 25);
}
