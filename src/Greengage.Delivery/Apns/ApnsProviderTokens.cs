using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Http;

namespace Greengage.Delivery.Apns;

/// <summary>
/// APNs provider tokens: an ES256 JWT (<c>kid</c> = key id; <c>iss</c> = team id, <c>iat</c>) signed with the app's .p8
/// key, reused until <see cref="ApnsOptions.TokenRefresh"/> has passed (Apple refuses a token refreshed more often than
/// every 20 minutes or older than an hour), never signed per request.
/// </summary>
internal sealed class ApnsProviderTokens(TimeProvider time, TimeSpan refresh) : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public string Get(string appId, string revision, ApnsCredentials credentials)
    {
        var entry = _entries.AddOrUpdate(appId, _ => new Entry(revision), (_, old) => old.Revision == revision ? old : Replace(old, revision));
        lock (entry)
        {
            var now = time.GetUtcNow();
            if (entry.Token is { } token && now - entry.IssuedAt < refresh)
                return token;
            entry.Key ??= KeyMaterial.LoadP256(credentials.PrivateKey, "The APNs 'privateKey'");
            entry.Token = Jwt.SignEs256(new JsonObject { ["kid"] = credentials.KeyId }, new JsonObject
            {
                ["iss"] = credentials.TeamId,
                ["iat"] = now.ToUnixTimeSeconds(),
            }, entry.Key);
            entry.IssuedAt = now;
            return entry.Token;
        }
    }

    /// <summary>Forgets the app's token (APNs said it expired): the next send signs a new one.</summary>
    public void Invalidate(string appId)
    {
        if (_entries.TryGetValue(appId, out var entry))
        {
            lock (entry)
                entry.Token = null;
        }
    }

    private static Entry Replace(Entry old, string revision)
    {
        lock (old)
            old.Key?.Dispose();
        return new Entry(revision);
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values)
            entry.Key?.Dispose();
    }

    private sealed class Entry(string revision)
    {
        public string Revision { get; } = revision;
        public ECDsa? Key { get; set; }
        public string? Token { get; set; }
        public DateTimeOffset IssuedAt { get; set; }
    }
}
