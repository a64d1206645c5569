using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// One user's part of a scheduled send (not an API action: the schedule runner sends it, <see cref="ScheduleRules"/>):
/// occurrence <c>occurrence</c> of message <c>messageId</c>, decided in the user's grain on what it holds now (the
/// audience, unsubscriptions, caps, quiet hours), at most once per occurrence, and not when the user's time passed
/// while the message was not live (<see cref="ScheduleRules.Missed"/>). Answers <c>result</c> as <c>sendMessage</c>
/// does; while the message is paused it decides nothing (<see cref="PausedResult"/>).
/// </summary>
public sealed class ScheduledSend(ContentDirectory? content = null, MessagesOptions? options = null) : IUserAction
{
    public const string ActionName = "__scheduledSend";

    /// <summary>The answer for a paused message: nothing decided, a waiting row is kept (the runner defers it).</summary>
    public const string PausedResult = "not sent: the message is paused";

    private readonly MessagesOptions _options = options ?? new MessagesOptions();

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var messageId = p.Long("messageId") ?? throw new InvalidParameterException("'messageId' must be provided");
        var occurrence = p.Long("occurrence") ?? throw new InvalidParameterException("'occurrence' must be provided");
        var set = (content?.For(context.Batch.AppId) ?? AppContent.Empty).Messages;
        // A paused message keeps the user waiting (the runner looks again later): nothing is decided, the row stays.
        if (set.Paused(messageId, context.NowMs))
            return Result(PausedResult);
        // A user who waited for their local time as a row: the row ends with this decision, in the same commit.
        if (p.Long("workItem") is { } waited)
            context.Complete(waited);
        if (!context.State.Exists || context.State.Identity.MovedTo is not null)
            return Result("not sent: no such user");
        if (!set.Live.TryGetValue(messageId, out var live) || live.Document.Schedule is not { } schedule || !live.Current(context.NowMs))
            return Result("not sent: the message is not scheduled now");
        if (context.State.Messages.GotOccurrence(live.IdText, occurrence))
            return Result("not sent: already sent");
        if (ScheduleRules.Missed(ScheduleRules.InstantFor(schedule, occurrence, context.State), ScheduleRules.LiveSince(live)))
            return Result("not sent: the time passed while the message was not live");
        // Sent late (a run taken up after the next occurrence began, a waiting row retried): not once the user's next
        // occurrence's time has come, so that they get that one and not both.
        if (ScheduleRules.Superseded(schedule, occurrence, context.State, DateTimeOffset.FromUnixTimeMilliseconds(context.NowMs)))
            return Result("not sent: superseded by the next occurrence");

        var subject = new TargetingSubject(context.State, context.UserId, null, context.NowMs);
        var outcome = MessageSends.Send(context.Batch.AppId, live, subject, values: null, force: false, context.State.Devices.Devices,
            _options.InboxMaxItems, context.NowMs, settings: set.Settings);
        foreach (var record in outcome.Records)
            context.Emit(record is MessageSent sent ? sent with { Occurrence = occurrence } : record);
        foreach (var send in outcome.Sends ?? [])
            context.Enqueue(send);
        return Result(outcome.Result);
    }

    private static ActionResult Result(string result) => ActionResult.Ok(new JsonObject { ["result"] = result });

    /// <summary>The item's parameters; <paramref name="workItem"/>: the waiting row this send ends, if any.</summary>
    public static ParameterSet Parameters(long messageId, long occurrence, long? workItem = null)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["messageId"] = JsonSerializer.SerializeToElement(messageId.ToString(CultureInfo.InvariantCulture)),
            ["occurrence"] = JsonSerializer.SerializeToElement(occurrence.ToString(CultureInfo.InvariantCulture)),
        };
        if (workItem is { } id)
            values["workItem"] = JsonSerializer.SerializeToElement(id.ToString(CultureInfo.InvariantCulture));
        return new ParameterSet(values);
    }
}
