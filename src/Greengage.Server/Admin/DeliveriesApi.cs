using Greengage.Engine.Apps;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary>A server send that will not be tried again, and why.</summary>
/// <param name="Provider"><c>fcm</c>, <c>apns</c>, <c>webpush</c>, <c>smtp</c> or <c>webhook</c>.</param>
/// <param name="Attempts">Tries made, the last included.</param>
public sealed record FailedDeliveryResponse(long Id, long MessageId, string UserId, string? DeviceId, string Channel, string Provider, string OccurrenceId,
    string Reason, int Attempts, DateTimeOffset FailedAt);

/// <summary><c>/admin/v1/apps/{appId}/deliveries/failed</c>: what the outbox gave up on (nothing is dropped silently).</summary>
internal static class DeliveriesApi
{
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapDeliveriesApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/apps/{appId}/deliveries/failed", ListFailedAsync).WithTags("Delivery").WithName("ListFailedDeliveries")
            .WithSummary("Lists the app's failed server sends (push, email, webhook), newest first, with their reasons.");
        return admin;
    }

    private static async Task<Results<Ok<List<FailedDeliveryResponse>>, ProblemHttpResult>> ListFailedAsync(
        string appId, int? limit, AppDirectory apps, IWorkQueue queue, HttpContext http)
    {
        if (apps.Find(appId) is null)
            return ContentProblems.AppNotFound(appId);
        if (limit is < 1 or > MaxLimit)
            return TypedResults.Problem(statusCode: 400, title: "Invalid limit", detail: $"limit is 1 to {MaxLimit}.");
        var failed = await queue.ListFailedAsync(DeliverySend.Queue, appId, limit ?? 100, http.RequestAborted);
        return TypedResults.Ok(failed.Select(f =>
        {
            var send = DeliverySend.FromPayload(f.Payload);
            return new FailedDeliveryResponse(f.Id, send.MessageId, send.UserId, send.DeviceId, send.Channel, send.Kind, send.OccurrenceId, f.Reason, f.Attempts, f.FailedAt);
        }).ToList());
    }
}
