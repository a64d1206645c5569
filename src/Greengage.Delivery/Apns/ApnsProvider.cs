using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Http;
using Greengage.Delivery.Push;
using Microsoft.Extensions.Logging;

namespace Greengage.Delivery.Apns;

/// <summary>
/// APNs over HTTP/2 with token authentication: <c>POST {BaseUrl}/3/device/{token}</c> (the sandbox URL for
/// credentials that say <c>sandbox</c>) with <c>authorization: bearer</c>, <c>apns-topic</c> (the bundle id),
/// <c>apns-push-type</c>, <c>apns-priority</c>, <c>apns-expiration</c>, <c>apns-id</c>, and the Leanplum iOS payload
/// (<see cref="PushPayloads.ApnsPayload"/>). 410 <c>Unregistered</c> and 400 <c>BadDeviceToken</c> are dead tokens;
/// <c>ExpiredProviderToken</c> re-signs and is transient; 429 and 5xx are transient.
/// </summary>
public sealed class ApnsProvider : DeliveryProvider
{
    private readonly ApnsOptions _options;
    private readonly DeliveryCredentialStore _credentials;
    private readonly HttpClient _http;
    private readonly ApnsProviderTokens _tokens;

    public ApnsProvider(ApnsOptions options, DeliveryCredentialStore credentials, TimeProvider time, ILogger<ApnsProvider> logger)
        : this(options, credentials, time, logger, HttpOutcomes.Handler())
    {
    }

    internal ApnsProvider(ApnsOptions options, DeliveryCredentialStore credentials, TimeProvider time, ILogger logger, HttpMessageHandler handler)
        : base(options, time, logger)
    {
        _options = options;
        _credentials = credentials;
        _http = HttpOutcomes.Client(handler);
        _tokens = new ApnsProviderTokens(time, options.TokenRefresh);
    }

    public override string Kind => DeliveryKinds.Apns;

    protected override async Task<DeliveryResult> SendCoreAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (await _credentials.GetAsync<ApnsCredentials>(request.AppId, Kind, cancellationToken) is not var (credentials, revision))
            return DeliveryResult.NotConfigured(Kind, request.AppId);
        var deviceToken = ((ApnsAddress)request.Address).DeviceToken.Trim();
        if (deviceToken.Length == 0 || !deviceToken.All(char.IsAsciiHexDigit))
            return DeliveryResult.DeadToken("The APNs device token is not hex.");

        var content = PushContent.From(context.Values);
        var apnsId = ApnsId(request.OccurrenceId);
        var baseUrl = credentials.IsSandbox ? _options.SandboxBaseUrl : _options.BaseUrl;
        using var send = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/3/device/" + deviceToken))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(PushPayloads.ApnsPayload(request.MessageId, request.OccurrenceId, context.SentAt, content))),
        };
        send.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var ttl = content.TimeToLive ?? _options.DefaultTimeToLive;
        send.Headers.TryAddWithoutValidation("authorization", "bearer " + _tokens.Get(request.AppId, revision, credentials));
        send.Headers.TryAddWithoutValidation("apns-topic", credentials.BundleId);
        send.Headers.TryAddWithoutValidation("apns-push-type", content.Silent ? "background" : "alert");
        send.Headers.TryAddWithoutValidation("apns-priority", content.Silent || content.NormalPriority ? "5" : "10");
        send.Headers.TryAddWithoutValidation("apns-expiration", ttl == TimeSpan.Zero ? "0" : (context.SentAt + ttl).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        send.Headers.TryAddWithoutValidation("apns-id", apnsId);
        if (content.CollapseKey is { Length: <= 64 } collapse)
            send.Headers.TryAddWithoutValidation("apns-collapse-id", collapse);

        using var response = await _http.SendAsync(send, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
            return DeliveryResult.Sent(response.Headers.TryGetValues("apns-id", out var ids) ? ids.FirstOrDefault() ?? apnsId : apnsId, status);

        var why = Reason(await HttpOutcomes.ReadSnippetAsync(response, cancellationToken));
        var reason = $"APNs answered {status}{(why is null ? "" : " " + why)}";
        switch (response.StatusCode, why)
        {
            case (HttpStatusCode.Gone, _):
            case (HttpStatusCode.BadRequest, "BadDeviceToken"):
                return DeliveryResult.DeadToken(reason, status);
            case (HttpStatusCode.Forbidden, "ExpiredProviderToken"):
                _tokens.Invalidate(request.AppId);
                return DeliveryResult.Transient(reason + " (a new provider token is signed for the next try)", null, status);
            case (HttpStatusCode.Forbidden, "InvalidProviderToken"):
                _tokens.Invalidate(request.AppId);
                return DeliveryResult.Permanent(reason + " (check the team id, key id and key)", status);
        }
        return HttpOutcomes.IsTransient(response.StatusCode)
            ? DeliveryResult.Transient(reason, HttpOutcomes.RetryAfter(response, Time), status)
            : DeliveryResult.Permanent(reason, status);
    }

    /// <summary>The <c>apns-id</c>: the occurrence id when it is a UUID, else a UUID derived from it, so a retry of one
    /// send carries the same id.</summary>
    internal static string ApnsId(string occurrenceId)
    {
        if (Guid.TryParse(occurrenceId, out var guid))
            return guid.ToString("D");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(occurrenceId));
        return new Guid(hash.AsSpan(0, 16)).ToString("D");
    }

    private static string? Reason(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["reason"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tokens.Dispose();
            _http.Dispose();
        }
        base.Dispose(disposing);
    }
}
