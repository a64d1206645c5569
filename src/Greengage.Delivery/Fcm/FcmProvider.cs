using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Http;
using Greengage.Delivery.Push;
using Microsoft.Extensions.Logging;

namespace Greengage.Delivery.Fcm;

/// <summary>
/// Firebase Cloud Messaging HTTP v1: <c>POST {BaseUrl}/v1/projects/{projectId}/messages:send</c> with a bearer token
/// from the app's service account, carrying a data message with the Leanplum Android keys
/// (<see cref="PushPayloads.AndroidData"/>). <c>UNREGISTERED</c> (or 404) is a dead token; 401 drops the cached access
/// token and is transient; 429 and 5xx are transient with their <c>Retry-After</c>.
/// </summary>
public sealed class FcmProvider : DeliveryProvider
{
    private readonly FcmOptions _options;
    private readonly DeliveryCredentialStore _credentials;
    private readonly HttpClient _http;
    private readonly FcmAccessTokens _tokens;

    public FcmProvider(FcmOptions options, DeliveryCredentialStore credentials, TimeProvider time, ILogger<FcmProvider> logger)
        : this(options, credentials, time, logger, HttpOutcomes.Handler())
    {
    }

    internal FcmProvider(FcmOptions options, DeliveryCredentialStore credentials, TimeProvider time, ILogger logger, HttpMessageHandler handler)
        : base(options, time, logger)
    {
        _options = options;
        _credentials = credentials;
        _http = HttpOutcomes.Client(handler);
        _tokens = new FcmAccessTokens(_http, options, time);
    }

    public override string Kind => DeliveryKinds.Fcm;

    protected override async Task<DeliveryResult> SendCoreAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (await _credentials.GetAsync<FcmCredentials>(request.AppId, Kind, cancellationToken) is not var (credentials, revision))
            return DeliveryResult.NotConfigured(Kind, request.AppId);
        var (token, failure) = await _tokens.GetAsync(request.AppId, revision, credentials, cancellationToken);
        if (failure is not null)
            return failure;

        var content = PushContent.From(context.Values);
        var address = (FcmAddress)request.Address;
        var body = new ByteArrayContent(Body(address.RegistrationToken, request, context.SentAt, content));
        body.Headers.ContentType = JsonType;
        using var send = new HttpRequestMessage(HttpMethod.Post, SendUrl(credentials.ProjectId)) { Content = body };
        send.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(send, cancellationToken);
        var answer = await HttpOutcomes.ReadSnippetAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
            return DeliveryResult.Sent(Field(answer, "name"), status);

        var (code, message) = Error(answer);
        var reason = $"FCM answered {status}{(code is null ? "" : " " + code)}{(message is null ? "" : ": " + message)}";
        if (code == "UNREGISTERED" || response.StatusCode == HttpStatusCode.NotFound)
            return DeliveryResult.DeadToken(reason, status);
        if (response.StatusCode == HttpStatusCode.BadRequest && message?.Contains("registration token", StringComparison.OrdinalIgnoreCase) == true)
            return DeliveryResult.DeadToken(reason, status);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            _tokens.Invalidate(request.AppId);
            return DeliveryResult.Transient(reason + " (a new access token is fetched for the next try)", null, status);
        }
        return HttpOutcomes.IsTransient(response.StatusCode)
            ? DeliveryResult.Transient(reason, HttpOutcomes.RetryAfter(response, Time), status)
            : DeliveryResult.Permanent(reason, status);
    }

    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _sendUrls = new(StringComparer.Ordinal);

    private Uri SendUrl(string projectId) =>
        _sendUrls.GetOrAdd(projectId, id => new Uri(_options.BaseUrl, $"/v1/projects/{Uri.EscapeDataString(id)}/messages:send"));

    /// <summary>The <c>messages:send</c> body (UTF-8 JSON, written straight to bytes): the data message, priority
    /// (silent and <c>normal</c> pushes are <c>NORMAL</c>), time to live and collapse key.</summary>
    internal static byte[] Body(string registrationToken, DeliveryRequest request, DateTimeOffset sentAt, PushContent content)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("message");
            json.WriteString("token", registrationToken);
            json.WriteStartObject("data");
            foreach (var (key, value) in PushPayloads.AndroidData(request.MessageId, request.OccurrenceId, sentAt, content))
                json.WriteString(key, value);
            json.WriteEndObject();
            json.WriteStartObject("android");
            json.WriteString("priority", content.Silent || content.NormalPriority ? "NORMAL" : "HIGH");
            if (content.TimeToLive is { } ttl)
                json.WriteString("ttl", $"{(long)ttl.TotalSeconds}s");
            if (content.CollapseKey is { } collapse)
                json.WriteString("collapse_key", collapse);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string? Field(string body, string name)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject o && o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>FCM's error: the <c>errorCode</c> of its details (<c>UNREGISTERED</c>, <c>QUOTA_EXCEEDED</c>, ...), else
    /// its <c>status</c>; and its message.</summary>
    private static (string? Code, string? Message) Error(string body)
    {
        try
        {
            if (JsonNode.Parse(body)?["error"] is not JsonObject error)
                return (null, null);
            var code = (error["details"] as JsonArray)?.Select(d => d?["errorCode"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null)
                .FirstOrDefault(c => c is not null);
            return (code ?? (error["status"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null),
                error["message"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : null);
        }
        catch (JsonException)
        {
            return (null, null);
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
