using System.Collections.Concurrent;
using System.Collections.Frozen;
using Greengage.Engine.Storage;
using Greengage.Protocol.Actions;

namespace Greengage.Engine.Apps;

/// <summary>An app as the request path sees it: its keys by value, each with its class.</summary>
public sealed record AppEntry(string AppId, string Name, DateTimeOffset Created, string TokenSecret, IReadOnlyDictionary<KeyClasses, string> Keys)
{
    // Keys are 148-bit random strings: a hash lookup reveals nothing useful about a guess, and it is the hot path.
    private readonly FrozenDictionary<string, KeyClasses> _classByKey =
        Keys.ToFrozenDictionary(k => k.Value, k => k.Key, StringComparer.Ordinal);

    /// <summary>The class of <paramref name="clientKey"/> for this app, or <see cref="KeyClasses.None"/>.</summary>
    public KeyClasses ClassOf(string? clientKey) =>
        clientKey is null ? KeyClasses.None : _classByKey.GetValueOrDefault(clientKey);

    /// <summary>
    /// Names this process knows the app's registry admitted (names are never taken back, so a name found here needs no
    /// call to the registry). Filled as requests use names.
    /// </summary>
    public ConcurrentDictionary<AppName, byte> KnownNames { get; } = new();
}
