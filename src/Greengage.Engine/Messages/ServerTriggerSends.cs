using System.Text.Json;
using Greengage.Engine.Actions;
using Greengage.Engine.Content;
using Greengage.Engine.Targeting;

namespace Greengage.Engine.Messages;

/// <summary>
/// Server-side triggers (issue: delivery), evaluated in the user's grain right after the fact that fires them is
/// recorded: an event (with a parameter), a state entered, an attribute that changed. Each matching active message is
/// sent as by hand (<see cref="MessageSends"/>: audience, unsubscriptions), its server sends put in the outbox with the
/// batch, not before the message's delay (a durable not-before, not a timer in memory).
/// </summary>
public static class ServerTriggerSends
{
    /// <summary>The subject of a trigger that fires when the user enters an audience (noun: the audience id, verb <c>enters</c>).</summary>
    public const string AudienceSubject = "audience";

    /// <summary>Audiences entered by a run (<see cref="AudienceEntrySends"/>): each one's messages.</summary>
    public static void OnAudiencesEntered(UserActionContext context, MessageSet set, MessagesOptions options, IEnumerable<string> audiences)
    {
        foreach (var audience in audiences)
        {
            if (set.ServerTriggered.TryGetValue((AudienceSubject, audience), out var candidates))
            {
                foreach (var (message, _) in candidates)
                    Send(context, message, options, set.Settings);
            }
        }
    }

    /// <summary>An event or a state entered, with its parameters.</summary>
    public static void OnOccurrence(UserActionContext context, ContentDirectory? content, MessagesOptions options, string subject, string name,
        IReadOnlyDictionary<string, JsonElement>? parameters)
    {
        if (content is null)
            return;
        var set = content.For(context.Batch.AppId).Messages;
        if (set.ServerTriggered.Count == 0 || !set.ServerTriggered.TryGetValue((subject, name), out var candidates))
            return;
        foreach (var (message, trigger) in candidates)
        {
            if (trigger.Verb == "triggersWithParameter" && !HasParameter(parameters, trigger.Objects![0], trigger.Objects[1]))
                continue;
            Send(context, message, options, set.Settings);
        }
    }

    /// <summary>Whether the app has attribute triggers at all (so a caller can skip remembering the values before a change).</summary>
    public static bool WatchesAttributes(UserActionContext context, ContentDirectory? content) =>
        content is not null && content.For(context.Batch.AppId).Messages.ServerTriggered.Keys.Any(k => k.Subject == "userAttribute");

    /// <summary>Attributes set: <paramref name="before"/> holds the values they had (absent: none).</summary>
    public static void OnAttributes(UserActionContext context, ContentDirectory? content, MessagesOptions options,
        IReadOnlyDictionary<string, JsonElement> set, IReadOnlyDictionary<string, JsonElement> before)
    {
        if (content is null)
            return;
        var messages = content.For(context.Batch.AppId).Messages;
        if (messages.ServerTriggered.Count == 0)
            return;
        foreach (var (attribute, value) in set)
        {
            if (!messages.ServerTriggered.TryGetValue(("userAttribute", attribute), out var candidates))
                continue;
            var now = Text(value);
            var was = before.TryGetValue(attribute, out var old) ? Text(old) : null;
            if (string.Equals(now, was, StringComparison.Ordinal))
                continue;
            foreach (var (message, trigger) in candidates)
            {
                var fires = trigger.Verb switch
                {
                    "changesTo" => trigger.Objects!.Any(o => Same(o, now)),
                    "changesFromTo" => Same(trigger.Objects![0], was) && Same(trigger.Objects[1], now),
                    _ => true,
                };
                if (fires)
                    Send(context, message, options, messages.Settings);
            }
        }
    }

    private static void Send(UserActionContext context, LiveMessage message, MessagesOptions options, MessagingSettings settings)
    {
        if (!message.Current(context.NowMs))
            return;
        var subject = new TargetingSubject(context.State, context.UserId, context.DeviceId, context.NowMs);
        var outcome = MessageSends.Send(context.Batch.AppId, message, subject, values: null, force: false, context.State.Devices.Devices,
            options.InboxMaxItems, context.NowMs, TimeSpan.FromSeconds(message.Document.DelaySeconds ?? 0), settings);
        foreach (var record in outcome.Records)
            context.Emit(record);
        foreach (var send in outcome.Sends ?? [])
            context.Enqueue(send);
    }

    private static bool HasParameter(IReadOnlyDictionary<string, JsonElement>? parameters, string name, string value) =>
        parameters is not null && parameters.TryGetValue(name, out var actual) && Same(value, Text(actual));

    /// <summary>As the SDKs compare trigger values: text, case-insensitive.</summary>
    private static bool Same(string? expected, string? actual) =>
        expected is null ? actual is null : actual is not null && string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase);

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}

/// <summary>
/// The <c>audience</c> server trigger: a user enters an audience when a run of their own actions makes them match it
/// (they did not before the run; a new user matches for the first time). Membership is looked at only for apps with
/// such triggers, and only when the run recorded something. Audiences a user enters without doing anything (a rule on
/// a relative date) are entered at their next activity.
/// </summary>
public sealed class AudienceEntrySends(ContentDirectory content, MessagesOptions options) : IUserRunObserver
{
    public object? Before(string appId, string userId, Users.UserState state, long nowMs)
    {
        var set = content.For(appId);
        var watched = set.Messages.EntryAudiences;
        if (watched.Count == 0)
            return null;
        var members = new HashSet<string>(StringComparer.Ordinal);
        if (state.Exists)
        {
            var subject = new TargetingSubject(state, userId, null, nowMs);
            foreach (var audience in watched)
            {
                if (set.Audiences.Contains(audience, subject))
                    members.Add(audience);
            }
        }
        return new Watched(set, members);
    }

    /// <summary>The content the run began with (a message published during the run does not count its members as entering) and who was in.</summary>
    private sealed record Watched(AppContent Content, HashSet<string> Members);

    public void After(object before, UserActionContext context)
    {
        var (set, members) = (Watched)before;
        if (!context.State.Exists || context.State.Identity.MovedTo is not null || context.State.Block.Blocked)
            return;
        // As before the run: device criteria read the most recently seen device.
        var subject = new TargetingSubject(context.State, context.UserId, null, context.NowMs);
        List<string>? entered = null;
        foreach (var audience in set.Messages.EntryAudiences)
        {
            if (!members.Contains(audience) && set.Audiences.Contains(audience, subject))
                (entered ??= []).Add(audience);
        }
        if (entered is not null)
            ServerTriggerSends.OnAudiencesEntered(context, set.Messages, options, entered);
    }
}
