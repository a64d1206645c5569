using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Http;

namespace Greengage.Delivery.Fcm;

/// <summary>
/// OAuth2 access tokens for FCM from a service account (RFC 7523 JWT bearer grant): an RS256 assertion signed with the
/// account's key, posted to the token URL; the token is kept per app until shortly before it expires, and fetched by
/// one caller at a time.
/// </summary>
internal sealed class FcmAccessTokens(HttpClient http, FcmOptions options, TimeProvider time) : IDisposable
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The token URL used for these credentials: configured, else the account's <c>token_uri</c>, else Google's.</summary>
    public Uri TokenUrl(FcmCredentials credentials) =>
        options.TokenUrl ?? (credentials.TokenUri is { } uri ? new Uri(uri) : FcmOptions.DefaultTokenUrl);

    /// <summary>An access token, or the result to answer when none can be had.</summary>
    public async Task<(string? Token, DeliveryResult? Failure)> GetAsync(string appId, string revision, FcmCredentials credentials, CancellationToken cancellationToken)
    {
        var entry = _entries.AddOrUpdate(appId, _ => new Entry(revision), (_, old) => old.Revision == revision ? old : Replace(old, revision));
        await entry.Lock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (entry.Token is { } cached && now < entry.RefreshAt)
                return (cached, null);
            entry.Key ??= KeyMaterial.LoadRsa(credentials.PrivateKey, "The service account's 'private_key'");
            return await FetchAsync(entry, credentials, now, cancellationToken);
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    /// <summary>Forgets the app's token (FCM refused it): the next send fetches a new one.</summary>
    public void Invalidate(string appId)
    {
        if (_entries.TryGetValue(appId, out var entry))
            entry.RefreshAt = DateTimeOffset.MinValue;
    }

    private async Task<(string?, DeliveryResult?)> FetchAsync(Entry entry, FcmCredentials credentials, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tokenUrl = TokenUrl(credentials);
        var header = new JsonObject { ["typ"] = "JWT" };
        if (credentials.PrivateKeyId is { } kid)
            header["kid"] = kid;
        var issued = now.ToUnixTimeSeconds();
        var assertion = Jwt.SignRs256(header, new JsonObject
        {
            ["iss"] = credentials.ClientEmail,
            ["scope"] = Scope,
            ["aud"] = tokenUrl.ToString(),
            ["iat"] = issued,
            ["exp"] = issued + 3600,
        }, entry.Key!);
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl)
        {
            Content = new FormUrlEncodedContent([
                KeyValuePair.Create("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                KeyValuePair.Create("assertion", assertion),
            ]),
        };
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await HttpOutcomes.ReadSnippetAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            var error = ErrorText(body);
            return (null, HttpOutcomes.IsTransient(response.StatusCode)
                ? DeliveryResult.Transient($"The FCM token endpoint answered {status}{error}.", HttpOutcomes.RetryAfter(response, time), status)
                : DeliveryResult.Permanent($"The FCM token endpoint refused the service account ({status}{error}); check the credentials.", status));
        }
        string? token = null;
        long expiresIn = 3600;
        try
        {
            var json = JsonNode.Parse(body);
            token = (string?)json?["access_token"];
            expiresIn = json?["expires_in"] is JsonValue v && v.TryGetValue(out long seconds) ? seconds : 3600;
        }
        catch (JsonException)
        {
        }
        if (string.IsNullOrEmpty(token))
            return (null, DeliveryResult.Transient("The FCM token endpoint answered without an access_token.", null, (int)HttpStatusCode.OK));
        var lifetime = TimeSpan.FromSeconds(Math.Max(expiresIn, 1));
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 2));
        entry.Token = token;
        entry.RefreshAt = now + lifetime - margin;
        return (token, null);
    }

    private static string ErrorText(string body)
    {
        try
        {
            var json = JsonNode.Parse(body);
            var error = json?["error"] is JsonValue e ? (string?)e : null;
            var description = (string?)json?["error_description"];
            return error is null ? "" : description is null ? $": {error}" : $": {error}, {description}";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return "";
        }
    }

    private static Entry Replace(Entry old, string revision)
    {
        old.Key?.Dispose();
        return new Entry(revision);
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Key?.Dispose();
            entry.Lock.Dispose();
        }
    }

    private sealed class Entry(string revision)
    {
        public string Revision { get; } = revision;
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public RSA? Key { get; set; }
        public string? Token { get; set; }
        public DateTimeOffset RefreshAt { get; set; } = DateTimeOffset.MinValue;
    }
}
