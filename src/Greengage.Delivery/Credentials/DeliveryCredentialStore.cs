using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Storage;

namespace Greengage.Delivery.Credentials;

/// <summary>Credentials as the store holds them, with a revision that changes on every write (providers key what they
/// derive from credentials, such as access tokens, by it).</summary>
public sealed record StoredCredentials(DeliveryCredentials Credentials, string Revision, DateTimeOffset Updated);

/// <summary>
/// Each app's provider credentials, kept durably as content documents of kind <see cref="ContentKind"/> (key: the
/// provider kind) in the app's content store, beside its messages: they are backed up, moved and erased with the app.
/// Content snapshots ignore the kind, so credentials never reach an SDK answer. Reads are cached per app for
/// <see cref="DeliveryOptions.CredentialCacheDuration"/>; a write or delete through this store is seen at once.
/// </summary>
public sealed class DeliveryCredentialStore(IContentStore store, TimeProvider time, TimeSpan cacheDuration)
{
    /// <summary>The content kind credentials are stored under. Its documents hold secrets: never list them in an answer.</summary>
    public const string ContentKind = "delivery-credentials";

    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, Task<Dictionary<string, StoredCredentials>> Load)> _cache = new(StringComparer.Ordinal);

    public DeliveryCredentialStore(IContentStore store, TimeProvider time, DeliveryOptions options)
        : this(store, time, options.CredentialCacheDuration)
    {
    }

    /// <summary>The app's credentials for <paramref name="kind"/>, or null when none are set.</summary>
    public async Task<StoredCredentials?> GetAsync(string appId, string kind, CancellationToken cancellationToken)
    {
        var all = await LoadAsync(appId).WaitAsync(cancellationToken);
        return all.GetValueOrDefault(kind);
    }

    /// <summary>The app's credentials of type <typeparamref name="T"/>, or null when none are set.</summary>
    public async Task<(T Credentials, string Revision)?> GetAsync<T>(string appId, string kind, CancellationToken cancellationToken)
        where T : DeliveryCredentials =>
        await GetAsync(appId, kind, cancellationToken) is { Credentials: T typed } stored ? (typed, stored.Revision) : null;

    /// <summary>Every provider the app has credentials for.</summary>
    public async Task<IReadOnlyList<StoredCredentials>> ListAsync(string appId, CancellationToken cancellationToken) =>
        [.. (await LoadAsync(appId).WaitAsync(cancellationToken)).Values.OrderBy(c => c.Credentials.Kind, StringComparer.Ordinal)];

    /// <summary>Sets (or replaces) the app's credentials for their provider. They are expected checked
    /// (<see cref="CredentialParser"/>).</summary>
    public async Task<StoredCredentials> SetAsync(string appId, DeliveryCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var now = time.GetUtcNow();
        var stored = new StoredCredentials(credentials, Guid.NewGuid().ToString("N"), now);
        var body = new JsonObject
        {
            ["revision"] = stored.Revision,
            ["credentials"] = JsonSerializer.SerializeToNode(credentials, credentials.GetType()),
        };
        try
        {
            await store.WriteContentAsync(appId, [new ContentDocument(ContentKind, credentials.Kind, JsonSerializer.SerializeToUtf8Bytes(body), now.ToUnixTimeMilliseconds())], [], cancellationToken);
        }
        finally
        {
            _cache.TryRemove(appId, out _);
        }
        return stored;
    }

    /// <summary>Removes the app's credentials for <paramref name="kind"/>; false when there were none.</summary>
    public async Task<bool> DeleteAsync(string appId, string kind, CancellationToken cancellationToken)
    {
        _cache.TryRemove(appId, out _);
        if (await GetAsync(appId, kind, cancellationToken) is null)
            return false;
        try
        {
            await store.WriteContentAsync(appId, [], [(ContentKind, kind)], cancellationToken);
        }
        finally
        {
            _cache.TryRemove(appId, out _);
        }
        return true;
    }

    // One read per app shared by every caller until it expires; callers stop waiting on their own cancellation.
    private Task<Dictionary<string, StoredCredentials>> LoadAsync(string appId)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(appId, out var cached) && cached.Until > now && !cached.Load.IsFaulted && !cached.Load.IsCanceled)
            return cached.Load;
        var load = ReadAsync(appId, CancellationToken.None);
        _cache[appId] = (now + cacheDuration, load);
        return load;
    }

    private async Task<Dictionary<string, StoredCredentials>> ReadAsync(string appId, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, StoredCredentials>(StringComparer.Ordinal);
        foreach (var document in await store.ListContentAsync(appId, cancellationToken))
        {
            if (document.Kind != ContentKind)
                continue;
            var body = JsonNode.Parse(document.Body) as JsonObject;
            var credentials = Deserialize(document.Key, body?["credentials"]);
            if (credentials is not null)
                result[document.Key] = new StoredCredentials(credentials, (string?)body?["revision"] ?? document.UpdatedMs.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds(document.UpdatedMs));
        }
        return result;
    }

    private static DeliveryCredentials? Deserialize(string kind, JsonNode? node) => kind switch
    {
        DeliveryKinds.Fcm => node.Deserialize<FcmCredentials>(),
        DeliveryKinds.Apns => node.Deserialize<ApnsCredentials>(),
        DeliveryKinds.WebPush => node.Deserialize<WebPushCredentials>(),
        DeliveryKinds.Smtp => node.Deserialize<SmtpCredentials>(),
        DeliveryKinds.Webhook => node.Deserialize<WebhookCredentials>(),
        _ => null,
    };
}
