using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary>A message as written (docs/messages.md). Times are ISO-8601.</summary>
/// <param name="Channel"><c>in-app</c>, <c>push</c>, <c>inbox</c>, <c>webhook</c> or <c>email</c>.</param>
/// <param name="Template">The in-app template (built in, or declared by the app); other channels have their own.</param>
/// <param name="Values">The template's arguments.</param>
/// <param name="HoldOutPercent">Users held back (0-100), decided once per user.</param>
/// <param name="ApiSends">Whether <c>sendMessage</c> with a production key may send it.</param>
public sealed record MessageRequest(
    string? Name, string? Channel, string? Template, JsonObject? Values, long? AudienceId, JsonNode? Rule,
    DateTimeOffset? StartTime, DateTimeOffset? EndTime, int? Priority, double? HoldOutPercent,
    IReadOnlyList<MessageTrigger>? WhenTriggers, IReadOnlyList<MessageTrigger>? UnlessTriggers, IReadOnlyList<MessageLimit>? Limits,
    long? CampaignId, int? Countdown, bool? ApiSends, string? Category, long? InboxTtlSeconds,
    IReadOnlyList<MessageTrigger>? ServerTriggers = null, int? Delay = null, MessageCaps? Caps = null, bool? ExemptFromCaps = null,
    MessageSchedule? Schedule = null)
{
    public MessageInput ToInput() => new(
        Name ?? "", Channel ?? "", Template, (JsonObject?)Values?.DeepClone(), AudienceId, Rule?.DeepClone(),
        StartTime?.ToUnixTimeMilliseconds(), EndTime?.ToUnixTimeMilliseconds(), Priority, HoldOutPercent ?? 0,
        WhenTriggers, UnlessTriggers, Limits, CampaignId, Countdown, ApiSends ?? false, Category, InboxTtlSeconds, ServerTriggers, Delay, Caps, ExemptFromCaps ?? false, Schedule);
}

/// <summary>A message.</summary>
/// <param name="State"><c>draft</c>, <c>active</c>, <c>paused</c> or <c>finished</c>.</param>
/// <param name="Resumed">When it was last activated again after a pause (null if never): its scheduled sends whose time
/// passed more than 15 minutes before this, or before its campaign's, are not sent (docs/delivery.md).</param>
public sealed record MessageResponse(
    long Id, string Name, string Channel, string Template, JsonObject Values, string State, long? AudienceId, JsonNode? Rule,
    DateTimeOffset? StartTime, DateTimeOffset? EndTime, int Priority, double HoldOutPercent,
    IReadOnlyList<MessageTrigger> WhenTriggers, IReadOnlyList<MessageTrigger> UnlessTriggers, IReadOnlyList<MessageLimit> Limits,
    long? CampaignId, int? Countdown, bool ApiSends, string? Category, long? InboxTtlSeconds,
    DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? Published, DateTimeOffset? Finished,
    IReadOnlyList<MessageTrigger>? ServerTriggers = null, int? Delay = null, MessageCaps? Caps = null, bool ExemptFromCaps = false,
    MessageSchedule? Schedule = null, DateTimeOffset? Resumed = null)
{
    public static MessageResponse From(MessageDocument m) => new(
        m.Id, m.Name, m.Channel, m.Template, (JsonObject)m.Values.DeepClone(), m.State, m.AudienceId, m.Rule?.DeepClone(),
        Time(m.StartMs), Time(m.EndMs), m.Priority, m.HoldOutPercent, m.WhenTriggers, m.UnlessTriggers, m.Limits,
        m.CampaignId, m.CountdownSeconds, m.ApiSends, m.Category, m.InboxTtlSeconds,
        Time(m.CreatedMs)!.Value, Time(m.UpdatedMs)!.Value, Time(m.PublishedMs), Time(m.FinishedMs), m.ServerTriggers, m.DelaySeconds, m.Caps, m.ExemptFromCaps, m.Schedule,
        Time(m.ResumedMs));

    internal static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}

/// <summary>A run of a scheduled message: one occurrence sent to its audience, with its progress.</summary>
/// <param name="State"><c>running</c>, <c>finished</c> (every user looked at), <c>missed</c> (cut short by a pause,
/// and the occurrence's time had passed everywhere when the message was activated again) or <c>ended</c> (cut short,
/// and the message then finished, was deleted or passed its end); after the last two the users a run had not reached
/// were not sent it.</param>
/// <param name="Scanned">Users looked at so far.</param>
/// <param name="Asked">Users in the audience whose time had come, whose grains were asked to send.</param>
/// <param name="Waiting">Users in the audience whose local time was still ahead when the run reached them.</param>
public sealed record ScheduleRunResponse(long Occurrence, string State, long Scanned, long Asked, long Waiting, DateTimeOffset Started, DateTimeOffset? Finished)
{
    public static ScheduleRunResponse From(Greengage.Engine.Storage.ScheduleRun r) => new(r.Occurrence, r.State, r.Scanned, r.Matched, r.Deferred, r.Started, r.Finished);
}

/// <summary>A campaign as written: its entry trigger (for its in-app messages without their own) and end.</summary>
public sealed record CampaignRequest(string? Name, MessageTrigger? EntryTrigger, DateTimeOffset? EndTime)
{
    public CampaignInput ToInput() => new(Name ?? "", EntryTrigger, EndTime?.ToUnixTimeMilliseconds());
}

/// <summary>A campaign, with the ids of the messages that name it.</summary>
/// <param name="Resumed">When it was last activated again after a pause (null if never): its messages' scheduled sends
/// whose time passed more than 15 minutes before this are not sent (docs/delivery.md).</param>
public sealed record CampaignResponse(long Id, string Name, string State, MessageTrigger? EntryTrigger, DateTimeOffset? EndTime, IReadOnlyList<long> Messages,
    DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? Resumed = null)
{
    public static CampaignResponse From(CampaignDocument c, MessageSet set) => new(c.Id, c.Name, c.State, c.EntryTrigger, MessageResponse.Time(c.EndMs),
        set.Messages.Where(m => m.CampaignId == c.Id).Select(m => m.Id).ToList(), MessageResponse.Time(c.CreatedMs)!.Value, MessageResponse.Time(c.UpdatedMs)!.Value,
        MessageResponse.Time(c.ResumedMs));
}

/// <summary>
/// <c>/admin/v1/apps/{appId}/messages</c>, <c>/campaigns</c> and <c>/messaging</c>: messages (draft, activate, pause,
/// finish, delete), campaigns, and the app's messaging settings (in-app caps, regions, unsubscribe categories).
/// </summary>
internal static class MessagesApi
{
    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder admin)
    {
        var messages = admin.MapGroup("/apps/{appId}/messages").WithTags("Messages");
        messages.MapGet("/", (string appId, AppDirectory apps, ContentDirectory content) => apps.Find(appId) is null
                ? (Results<Ok<List<MessageResponse>>, ProblemHttpResult>)ContentProblems.AppNotFound(appId)
                : TypedResults.Ok(content.For(appId).Messages.Messages.Select(MessageResponse.From).ToList()))
            .WithName("ListMessages").WithSummary("Lists the app's messages.");
        messages.MapGet("/{id:long}", (string appId, long id, AppDirectory apps, ContentDirectory content) =>
            {
                if (apps.Find(appId) is null)
                    return (Results<Ok<MessageResponse>, ProblemHttpResult>)ContentProblems.AppNotFound(appId);
                return content.For(appId).Messages.ById.TryGetValue(id, out var m)
                    ? TypedResults.Ok(MessageResponse.From(m))
                    : ContentProblems.From(ContentException.NotFound("Message", id));
            })
            .WithName("ShowMessage").WithSummary("Shows one message.");
        messages.MapPost("/", (string appId, MessageRequest body, AppDirectory apps, MessageService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () =>
                {
                    var m = await service.CreateAsync(appId, body.ToInput(), http.RequestAborted);
                    return TypedResults.Created($"/admin/v1/apps/{appId}/messages/{m.Id}", MessageResponse.From(m));
                }))
            .WithName("CreateMessage").WithSummary("Drafts a message.");
        messages.MapPut("/{id:long}", (string appId, long id, MessageRequest body, AppDirectory apps, MessageService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(MessageResponse.From(await service.UpdateAsync(appId, id, body.ToInput(), http.RequestAborted)))))
            .WithName("UpdateMessage").WithSummary("Replaces a message (not a finished one).");
        messages.MapPost("/{id:long}/activate", (string appId, long id, AppDirectory apps, MessageService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(MessageResponse.From(await service.ActivateAsync(appId, id, http.RequestAborted)))))
            .WithName("ActivateMessage").WithSummary("Activates (publishes) a drafted or paused message.");
        messages.MapPost("/{id:long}/pause", (string appId, long id, AppDirectory apps, MessageService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(MessageResponse.From(await service.PauseAsync(appId, id, http.RequestAborted)))))
            .WithName("PauseMessage").WithSummary("Pauses an active message.");
        messages.MapPost("/{id:long}/finish", (string appId, long id, AppDirectory apps, MessageService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(MessageResponse.From(await service.FinishAsync(appId, id, http.RequestAborted)))))
            .WithName("FinishMessage").WithSummary("Finishes a message for good.");
        messages.MapDelete("/{id:long}", (string appId, long id, AppDirectory apps, MessageService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () =>
                {
                    await service.DeleteAsync(appId, id, http.RequestAborted);
                    return TypedResults.NoContent();
                }))
            .WithName("DeleteMessage").WithSummary("Deletes a drafted or finished message.");
        messages.MapPost("/{id:long}/stats", (string appId, long id, AppDirectory apps, MessageStats stats) =>
                ContentProblems.Run(appId, apps, () =>
                {
                    var job = stats.Start(appId, id);
                    return Task.FromResult(TypedResults.Accepted($"/admin/v1/jobs/{job.Id}", JobResponse.From(job)));
                }))
            .WithName("CountMessageStats")
            .WithSummary("Starts counting the message's events (sent, View, Accept, ...) over stored users: occurrences and users per event; follow the job.");
        messages.MapGet("/{id:long}/runs", async (string appId, long id, AppDirectory apps, ContentDirectory content, IScheduleRunStore runs, HttpContext http) =>
            {
                if (apps.Find(appId) is null)
                    return (Results<Ok<List<ScheduleRunResponse>>, ProblemHttpResult>)ContentProblems.AppNotFound(appId);
                if (!content.For(appId).Messages.ById.ContainsKey(id))
                    return ContentProblems.From(ContentException.NotFound("Message", id));
                var listed = await runs.ListRunsAsync(appId, id, 100, http.RequestAborted);
                return TypedResults.Ok(listed.Select(ScheduleRunResponse.From).ToList());
            })
            .WithName("ListScheduleRuns")
            .WithSummary("Lists the runs of a scheduled message, latest occurrence first: state, users looked at, asked to send, waiting for their local time.");

        var campaigns = admin.MapGroup("/apps/{appId}/campaigns").WithTags("Messages");
        campaigns.MapGet("/", (string appId, AppDirectory apps, ContentDirectory content) =>
            {
                if (apps.Find(appId) is null)
                    return (Results<Ok<List<CampaignResponse>>, ProblemHttpResult>)ContentProblems.AppNotFound(appId);
                var set = content.For(appId).Messages;
                return TypedResults.Ok(set.Campaigns.Select(c => CampaignResponse.From(c, set)).ToList());
            })
            .WithName("ListCampaigns").WithSummary("Lists the app's campaigns.");
        campaigns.MapPost("/", (string appId, CampaignRequest body, AppDirectory apps, MessageService service, ContentDirectory content, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () =>
                {
                    var c = await service.CreateCampaignAsync(appId, body.ToInput(), http.RequestAborted);
                    return TypedResults.Created($"/admin/v1/apps/{appId}/campaigns/{c.Id}", CampaignResponse.From(c, content.For(appId).Messages));
                }))
            .WithName("CreateCampaign").WithSummary("Drafts a campaign; messages join it by naming it.");
        campaigns.MapPut("/{id:long}", (string appId, long id, CampaignRequest body, AppDirectory apps, MessageService service, ContentDirectory content, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(CampaignResponse.From(await service.UpdateCampaignAsync(appId, id, body.ToInput(), http.RequestAborted), content.For(appId).Messages))))
            .WithName("UpdateCampaign").WithSummary("Replaces a campaign's name, entry trigger and end.");
        foreach (var (verb, state) in new[] { ("activate", MessageStates.Active), ("pause", MessageStates.Paused), ("finish", MessageStates.Finished) })
        {
            campaigns.MapPost($"/{{id:long}}/{verb}", (string appId, long id, AppDirectory apps, MessageService service, ContentDirectory content, HttpContext http) =>
                    ContentProblems.Run(appId, apps, async () => TypedResults.Ok(CampaignResponse.From(await service.SetCampaignStateAsync(appId, id, state, http.RequestAborted), content.For(appId).Messages))))
                .WithName($"{char.ToUpperInvariant(verb[0])}{verb[1..]}Campaign").WithSummary($"Moves the campaign to {state}; its messages follow it.");
        }
        campaigns.MapDelete("/{id:long}", (string appId, long id, AppDirectory apps, MessageService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () =>
                {
                    await service.DeleteCampaignAsync(appId, id, http.RequestAborted);
                    return TypedResults.NoContent();
                }))
            .WithName("DeleteCampaign").WithSummary("Deletes a campaign that no message names.");

        var settings = admin.MapGroup("/apps/{appId}/messaging").WithTags("Messages");
        settings.MapGet("/", (string appId, AppDirectory apps, ContentDirectory content) => apps.Find(appId) is null
                ? (Results<Ok<MessagingSettings>, ProblemHttpResult>)ContentProblems.AppNotFound(appId)
                : TypedResults.Ok(content.For(appId).Messages.Settings))
            .WithName("ShowMessagingSettings").WithSummary("Shows the app's in-app caps, geofence regions and unsubscribe categories.");
        settings.MapPut("/", (string appId, MessagingSettings body, AppDirectory apps, MessageService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(await service.SetSettingsAsync(appId,
                    new MessagingSettings(body.InAppCaps ?? [], body.Regions ?? [], body.Categories ?? []) { DeliveryCaps = body.DeliveryCaps, QuietHours = body.QuietHours },
                    http.RequestAborted))))
            .WithName("SetMessagingSettings").WithSummary("Replaces the app's in-app caps, geofence regions and unsubscribe categories.");
        return admin;
    }
}
