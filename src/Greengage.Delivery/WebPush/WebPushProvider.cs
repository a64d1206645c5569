using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Http;
using Greengage.Delivery.Push;
using Microsoft.Extensions.Logging;

namespace Greengage.Delivery.WebPush;

/// <summary>
/// Web Push (RFC 8030) to the subscription's endpoint: the JS SDK's notification JSON
/// (<see cref="PushPayloads.WebPayload"/>) encrypted per RFC 8291, with a VAPID token (RFC 8292,
/// <c>Authorization: vapid t=..., k=...</c>) from the app's key pair. 404 and 410 are dead subscriptions; 429 and 5xx
/// transient. Subscriptions made by the unmodified Leanplum JS SDK use Leanplum's VAPID public key, so push services
/// refuse any other sender (403): see docs/delivery.md.
/// </summary>
public sealed class WebPushProvider : DeliveryProvider
{
    private readonly WebPushOptions _options;
    private readonly DeliveryCredentialStore _credentials;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<(string App, string Revision, string Audience), (string Token, DateTimeOffset RenewAt)> _tokens = new();
    private readonly ConcurrentDictionary<(string App, string Revision), ECDsa> _keys = new();

    public WebPushProvider(WebPushOptions options, DeliveryCredentialStore credentials, TimeProvider time, ILogger<WebPushProvider> logger)
        : this(options, credentials, time, logger, HttpOutcomes.Handler())
    {
    }

    internal WebPushProvider(WebPushOptions options, DeliveryCredentialStore credentials, TimeProvider time, ILogger logger, HttpMessageHandler handler)
        : base(options, time, logger)
    {
        _options = options;
        _credentials = credentials;
        _http = HttpOutcomes.Client(handler);
    }

    public override string Kind => DeliveryKinds.WebPush;

    protected override async Task<DeliveryResult> SendCoreAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (await _credentials.GetAsync<WebPushCredentials>(request.AppId, Kind, cancellationToken) is not var (credentials, revision))
            return DeliveryResult.NotConfigured(Kind, request.AppId);
        if (WebPushSubscription.TryParse(((WebPushAddress)request.Address).Subscription) is not { } subscription)
            return DeliveryResult.DeadToken("The web push subscription lacks an endpoint, a 65-byte p256dh key or a 16-byte auth secret.");

        var content = PushContent.From(context.Values);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(PushPayloads.WebPayload(request.MessageId, content));
        if (plaintext.Length > WebPushEncryption.MaxPlaintext)
            return DeliveryResult.Permanent($"The web push payload is {plaintext.Length} bytes; at most {WebPushEncryption.MaxPlaintext} fit.");
        var ttl = content.TimeToLive ?? _options.DefaultTimeToLive;
        using var send = new HttpRequestMessage(HttpMethod.Post, subscription.Endpoint)
        {
            Content = new ByteArrayContent(WebPushEncryption.Encrypt(plaintext, subscription.P256dh, subscription.Auth)),
        };
        send.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        send.Content.Headers.ContentEncoding.Add("aes128gcm");
        send.Headers.TryAddWithoutValidation("TTL", ((long)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        send.Headers.TryAddWithoutValidation("Urgency", content.Silent || content.NormalPriority ? "normal" : "high");
        if (content.CollapseKey is { Length: <= 32 } topic && topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            send.Headers.TryAddWithoutValidation("Topic", topic);
        send.Headers.TryAddWithoutValidation("Authorization", $"vapid t={Token(request.AppId, revision, credentials, subscription.Audience)}, k={credentials.PublicKey}");

        using var response = await _http.SendAsync(send, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
            return DeliveryResult.Sent(response.Headers.Location?.ToString(), status);
        var snippet = await HttpOutcomes.ReadSnippetAsync(response, cancellationToken);
        var reason = $"The push service answered {status}{(snippet.Length == 0 ? "" : ": " + snippet)}";
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => DeliveryResult.DeadToken(reason, status),
            HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => DeliveryResult.Permanent(reason + " (the subscription was made for another VAPID key, or the app's key pair is wrong)", status),
            _ when HttpOutcomes.IsTransient(response.StatusCode) => DeliveryResult.Transient(reason, HttpOutcomes.RetryAfter(response, Time), status),
            _ => DeliveryResult.Permanent(reason, status),
        };
    }

    /// <summary>A VAPID JWT for the push service's origin (<c>aud</c>), <c>exp</c> <see cref="WebPushOptions.TokenLifetime"/>
    /// ahead, <c>sub</c> the app's contact; reused until half its life has passed.</summary>
    private string Token(string appId, string revision, WebPushCredentials credentials, string audience)
    {
        var now = Time.GetUtcNow();
        var key = (appId, revision, audience);
        if (_tokens.TryGetValue(key, out var cached) && now < cached.RenewAt)
            return cached.Token;
        var signer = _keys.GetOrAdd((appId, revision), _ => KeyMaterial.LoadVapid(credentials.PublicKey, credentials.PrivateKey));
        var token = Jwt.SignEs256(new JsonObject { ["typ"] = "JWT" }, new JsonObject
        {
            ["aud"] = audience,
            ["exp"] = (now + _options.TokenLifetime).ToUnixTimeSeconds(),
            ["sub"] = credentials.Subject,
        }, signer);
        _tokens[key] = (token, now + _options.TokenLifetime / 2);
        return token;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
            foreach (var key in _keys.Values)
                key.Dispose();
        }
        base.Dispose(disposing);
    }
}
