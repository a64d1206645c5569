using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Delivery;
using Greengage.Delivery.Credentials;
using Greengage.Engine.Apps;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary>
/// <c>/admin/v1/apps/{appId}/delivery/{kind}</c> (<c>fcm</c>, <c>apns</c>, <c>webpush</c>, <c>smtp</c>,
/// <c>webhook</c>): each app's provider credentials (docs/delivery.md). PUT checks and stores them; GET shows what is
/// configured without any secret (no private key, password or secret header value); DELETE removes them.
/// </summary>
internal static class DeliveryApi
{
    public static RouteGroupBuilder MapDeliveryApi(this RouteGroupBuilder admin)
    {
        var delivery = admin.MapGroup("/apps/{appId}/delivery").WithTags("Delivery");
        delivery.MapGet("/", ListAsync).WithName("ListDeliveryCredentials")
            .WithSummary("Shows which providers the app has credentials for, without secrets.");
        delivery.MapGet("/{kind}", GetAsync).WithName("ShowDeliveryCredentials")
            .WithSummary("Shows one provider's credentials without secrets (key ids, project id, sender, ...).");
        delivery.MapPut("/{kind}", SetAsync).WithName("SetDeliveryCredentials")
            .WithSummary("Checks and stores a provider's credentials: fcm (service account JSON), apns (.p8 key, key id, team id, bundle id), webpush (VAPID key pair), smtp (relay), webhook (secret headers).");
        delivery.MapDelete("/{kind}", DeleteAsync).WithName("DeleteDeliveryCredentials")
            .WithSummary("Removes a provider's credentials: its sends fail as not configured.");
        return admin;
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(string appId, AppDirectory apps, DeliveryCredentialStore store, HttpContext http)
    {
        if (apps.Find(appId) is null)
            return ContentProblems.AppNotFound(appId);
        var configured = await store.ListAsync(appId, http.RequestAborted);
        return TypedResults.Ok(new JsonObject { ["providers"] = new JsonArray([.. configured.Select(View)]) });
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> GetAsync(string appId, string kind, AppDirectory apps, DeliveryCredentialStore store, HttpContext http)
    {
        if (Invalid(appId, kind, apps) is { } problem)
            return problem;
        return await store.GetAsync(appId, kind, http.RequestAborted) is { } stored
            ? TypedResults.Ok(View(stored))
            : NotConfigured(appId, kind);
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> SetAsync(string appId, string kind, AppDirectory apps, DeliveryCredentialStore store, HttpContext http)
    {
        if (Invalid(appId, kind, apps) is { } problem)
            return problem;
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid credentials", detail: "The body is not JSON.");
        }
        DeliveryCredentials credentials;
        try
        {
            credentials = CredentialParser.Parse(kind, body);
        }
        catch (CredentialException e)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid credentials", detail: e.Message);
        }
        return TypedResults.Ok(View(await store.SetAsync(appId, credentials, http.RequestAborted)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string appId, string kind, AppDirectory apps, DeliveryCredentialStore store, HttpContext http)
    {
        if (Invalid(appId, kind, apps) is { } problem)
            return problem;
        return await store.DeleteAsync(appId, kind, http.RequestAborted) ? TypedResults.NoContent() : NotConfigured(appId, kind);
    }

    private static JsonObject View(StoredCredentials stored)
    {
        var view = stored.Credentials.Redacted();
        view["updated"] = stored.Updated.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return view;
    }

    private static ProblemHttpResult? Invalid(string appId, string kind, AppDirectory apps)
    {
        if (apps.Find(appId) is null)
            return ContentProblems.AppNotFound(appId);
        return DeliveryKinds.IsKnown(kind)
            ? null
            : TypedResults.Problem(statusCode: 404, title: "Unknown delivery provider", detail: $"'{kind}' is not a delivery provider; use one of {string.Join(", ", DeliveryKinds.All)}.");
    }

    private static ProblemHttpResult NotConfigured(string appId, string kind) =>
        TypedResults.Problem(statusCode: 404, title: "Not configured", detail: $"App '{appId}' has no {kind} credentials.");
}
