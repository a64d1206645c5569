using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Http;
using Greengage.Delivery.Push;
using Greengage.Engine.Messages;
using Microsoft.Extensions.Logging;

namespace Greengage.Delivery.Webhooks;

/// <summary>The names of the webhook message values (docs/delivery.md).</summary>
public static class WebhookValues
{
    /// <summary>The URL; placeholders in it are filled URL-encoded.</summary>
    public const string Url = "URL";

    /// <summary>GET, POST (default), PUT, PATCH or DELETE.</summary>
    public const string Method = "Method";

    /// <summary>An object of header names and (templated) values.</summary>
    public const string Headers = "Headers";

    /// <summary>The body: text (templated), or an object sent as JSON (its texts templated).</summary>
    public const string Body = "Body";

    /// <summary>The body's media type (default <c>application/json</c> for an object or text that parses as JSON, else <c>text/plain</c>).</summary>
    public const string ContentType = "Content type";
}

/// <summary>
/// A webhook: an HTTP call built from the message's templated URL, method, headers and body, personalised for the
/// user, plus the app's secret headers (<see cref="WebhookCredentials"/>, which win over the message's). 2xx is sent;
/// 408, 429 and 5xx transient (with <c>Retry-After</c>); any other status permanent; redirects are not followed. A
/// destination that is not a public address is refused (a permanent failure) unless the options allow it
/// (<see cref="WebhookDestinations"/>).
/// </summary>
public sealed partial class WebhookProvider : DeliveryProvider
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private readonly DeliveryCredentialStore _credentials;
    private readonly HttpClient _http;

    public WebhookProvider(WebhookOptions options, DeliveryCredentialStore credentials, TimeProvider time, ILogger<WebhookProvider> logger)
        : this(options, credentials, time, logger, new WebhookDestinations(options))
    {
    }

    internal WebhookProvider(WebhookOptions options, DeliveryCredentialStore credentials, TimeProvider time, ILogger logger, WebhookDestinations destinations)
        : base(options, time, logger)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        _credentials = credentials;
        _http = HttpOutcomes.Client(destinations.Handler());
    }

    public override string Kind => DeliveryKinds.Webhook;

    protected override async Task<DeliveryResult> SendCoreAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var values = context.Values;
        var urlTemplate = PushContent.TextOf(request.Values[WebhookValues.Url]);
        if (urlTemplate is null)
            return DeliveryResult.Permanent($"The webhook has no '{WebhookValues.Url}'.");
        var url = RenderUrl(urlTemplate, request.Personalization);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return DeliveryResult.Permanent($"The webhook URL '{url}' is not an absolute http or https URL.");
        var method = (PushContent.TextOf(values[WebhookValues.Method]) ?? "POST").ToUpperInvariant();
        if (!Methods.Contains(method, StringComparer.Ordinal))
            return DeliveryResult.Permanent($"The webhook method '{method}' is not one of {string.Join(", ", Methods)}.");

        using var send = new HttpRequestMessage(new HttpMethod(method), uri);
        if (Body(values) is { } body && method != "GET")
            send.Content = body;
        if (values[WebhookValues.Headers] is JsonObject headers)
        {
            foreach (var (name, value) in headers)
            {
                if (PushContent.TextOf(value) is { } text && !Set(send, name, text))
                    return DeliveryResult.Permanent($"The webhook header '{name}' cannot be sent.");
            }
        }
        if (await _credentials.GetAsync<WebhookCredentials>(request.AppId, Kind, cancellationToken) is var (secrets, _))
        {
            foreach (var (name, value) in secrets.Headers)
                Set(send, name, value);
        }

        try
        {
            using var response = await _http.SendAsync(send, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
                return DeliveryResult.Sent(response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null, status);
            return HttpOutcomes.Failure(response, "The webhook", Time);
        }
        catch (HttpRequestException e) when (WebhookDestinations.RefusalOf(e) is { } refusal)
        {
            return DeliveryResult.Permanent(refusal);
        }
    }

    /// <summary>The URL with each placeholder filled for the user and URL-encoded (a value never changes the URL's shape).</summary>
    internal static string RenderUrl(string template, PersonalizationContext personalization) =>
        Placeholder().Replace(template, m => Uri.EscapeDataString(Personalization.RenderText(m.Value, personalization)));

    private static HttpContent? Body(JsonObject values)
    {
        var node = values[WebhookValues.Body];
        var type = PushContent.TextOf(values[WebhookValues.ContentType]);
        string text;
        switch (node)
        {
            case null:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                text = v.GetValue<string>();
                type ??= LooksLikeJson(text) ? "application/json" : "text/plain";
                break;
            default:
                text = node.ToJsonString();
                type ??= "application/json";
                break;
        }
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = MediaTypeHeaderValue.TryParse(type, out var parsed) ? parsed : new MediaTypeHeaderValue("text/plain");
        if (content.Headers.ContentType.CharSet is null && content.Headers.ContentType.MediaType!.StartsWith("text/", StringComparison.Ordinal))
            content.Headers.ContentType.CharSet = "utf-8";
        return content;
    }

    private static bool Set(HttpRequestMessage message, string name, string value)
    {
        if (value.Any(c => c is '\r' or '\n'))
            return false;
        if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
        {
            if (message.Content is null || !MediaTypeHeaderValue.TryParse(value, out var type))
                return message.Content is null;
            message.Content.Headers.ContentType = type;
            return true;
        }
        message.Headers.Remove(name);
        if (message.Headers.TryAddWithoutValidation(name, value))
            return true;
        if (message.Content is null)
            return false;
        message.Content.Headers.Remove(name);
        return message.Content.Headers.TryAddWithoutValidation(name, value);
    }

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.Length == 0 || (trimmed[0] != '{' && trimmed[0] != '['))
            return false;
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Placeholder();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _http.Dispose();
        base.Dispose(disposing);
    }
}
