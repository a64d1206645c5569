using Greengage.Protocol.Actions;

namespace Greengage.Engine.Apps;

/// <summary>An app as the request path sees it: its keys by value, each with its class.</summary>
public sealed record AppEntry(string AppId, string Name, DateTimeOffset Created, string TokenSecret, IReadOnlyDictionary<KeyClasses, string> Keys)
{
    /// <summary>The class of <paramref name="clientKey"/> for this app, or <see cref="KeyClasses.None"/>.</summary>
    public KeyClasses ClassOf(string? clientKey)
    {
        if (string.IsNullOrEmpty(clientKey))
            return KeyClasses.None;
        foreach (var (cls, key) in Keys)
        {
            if (FixedTimeEquals(key, clientKey))
                return cls;
        }
        return KeyClasses.None;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
