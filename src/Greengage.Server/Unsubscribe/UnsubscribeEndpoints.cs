using System.Globalization;
using System.Net;
using System.Text.Json;
using Greengage.Delivery.Email;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Users;
using Greengage.Protocol.Values;

namespace Greengage.Server.Unsubscribe;

/// <summary>
/// The unsubscribe link of emails (<c>List-Unsubscribe</c>; <see cref="UnsubscribeLinks"/> signs it): GET shows a page
/// with a button (mail scanners fetch links, so a GET changes nothing); POST (the button, or a mail client's one-click
/// <c>List-Unsubscribe=One-Click</c>, RFC 8058) unsubscribes the user from email, and from the message's category when
/// it has one, through the user's grain like <c>setUserAttributes</c>. A link whose signature does not verify is refused.
/// </summary>
internal static class UnsubscribeEndpoints
{
    public static IEndpointRouteBuilder MapUnsubscribe(this IEndpointRouteBuilder app)
    {
        app.MapGet(UnsubscribeLinks.Path, (HttpContext http, UnsubscribeLinks links) =>
            Verified(http, links) is null
                ? Page(400, "This unsubscribe link is not valid.", null)
                : Page(200, "Stop receiving these emails?", http.Request.QueryString.Value));
        app.MapPost(UnsubscribeLinks.Path, async (HttpContext http, UnsubscribeLinks links, AppDirectory apps, ContentDirectory content, IUserGateway users, TimeProvider time) =>
        {
            if (Verified(http, links) is not var (appId, userId, messageId) || apps.Find(appId) is null)
                return Page(400, "This unsubscribe link is not valid.", null);
            var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
            {
                ["unsubscribeChannelsToAdd"] = JsonSerializer.SerializeToElement(new[] { "Email" }),
            };
            if (content.For(appId).Messages.ById.TryGetValue(messageId, out var message) && message.Category is { } category)
                values["unsubscribeCategoriesToAdd"] = JsonSerializer.SerializeToElement(new[] { category });
            var batch = new UserBatch(appId, userId, "", time.GetUtcNow(), null,
                [new UserBatchItem(0, "setUserAttributes", new ParameterSet(values), false)]);
            var results = await users.ApplyAsync(batch, http.RequestAborted);
            return results.Length == 1 && results[0].Success
                ? Page(200, "You are unsubscribed: no more of these emails.", null)
                : Page(503, "Unsubscribing failed; please try the link again later.", null);
        }).DisableAntiforgery();
        return app;
    }

    private static (string App, string User, long Message)? Verified(HttpContext http, UnsubscribeLinks links)
    {
        var q = http.Request.Query;
        string? app = q["app"], user = q["user"], sig = q["sig"];
        if (app is null || user is null || !long.TryParse(q["message"], NumberStyles.None, CultureInfo.InvariantCulture, out var message))
            return null;
        return links.Verify(app, user, message, sig) ? (app, user, message) : null;
    }

    private static IResult Page(int status, string text, string? postTo)
    {
        var form = postTo is null ? "" :
            $"<form method=\"post\" action=\"{WebUtility.HtmlEncode(UnsubscribeLinks.Path + postTo)}\"><button type=\"submit\">Unsubscribe</button></form>";
        var html = $"<!doctype html><html><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head><body><p>{WebUtility.HtmlEncode(text)}</p>{form}</body></html>";
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
