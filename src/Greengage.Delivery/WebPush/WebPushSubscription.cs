using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Delivery.Http;

namespace Greengage.Delivery.WebPush;

/// <summary>A browser's push subscription (the Push API's <c>PushSubscription.toJSON()</c>): where to post, and the
/// keys to encrypt for.</summary>
public sealed record WebPushSubscription(Uri Endpoint, byte[] P256dh, byte[] Auth)
{
    /// <summary>The subscription in <paramref name="json"/>, or null when it lacks an https (or http) endpoint, a
    /// 65-byte <c>p256dh</c> or a 16-byte <c>auth</c>.</summary>
    public static WebPushSubscription? TryParse(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject o)
                return null;
            var endpoint = o["endpoint"] is JsonValue e && e.GetValueKind() == JsonValueKind.String ? e.GetValue<string>() : null;
            var keys = o["keys"] as JsonObject;
            var p256dh = Base64UrlText.TryDecode(keys?["p256dh"] is JsonValue p && p.GetValueKind() == JsonValueKind.String ? p.GetValue<string>() : null);
            var auth = Base64UrlText.TryDecode(keys?["auth"] is JsonValue a && a.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : null);
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || p256dh is not { Length: 65 } || p256dh[0] != 0x04 || auth is not { Length: 16 })
                return null;
            return new WebPushSubscription(uri, p256dh, auth);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The VAPID audience: the endpoint's origin.</summary>
    public string Audience => Endpoint.GetLeftPart(UriPartial.Authority);
}
