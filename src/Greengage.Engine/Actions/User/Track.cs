using System.Text.Json;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Targeting;
using Greengage.Engine.Tracking;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>track</c>: one occurrence of an event (spec 4.1, 6.1, 6.2). <c>Purchase</c> is an event like any other (its
/// value is revenue). A <c>messageId</c> makes it a message event: without an <c>event</c> the impression
/// (<c>.m&lt;id&gt; View</c> for in-app and inbox, <c>.m&lt;id&gt;</c> for server-sent channels), with one
/// <c>.m&lt;id&gt; &lt;event&gt;</c> (spec 6.6, the names exports, audiences and triggers use).
/// </summary>
public sealed class Track(TrackingOptions? options = null, ContentDirectory? content = null, MessagesOptions? messages = null) : IUserAction
{
    private readonly EventRecorder _recorder = new(options ?? new TrackingOptions(), content, messages ?? new MessagesOptions());

    public string Name => "track";

    public ActionResult Handle(UserActionContext context) => _recorder.Record(context);
}

/// <summary>What <c>track</c> and <c>trackGeofence</c> share: reads an event, applies the session rules, records it.</summary>
internal sealed class EventRecorder(TrackingOptions options, ContentDirectory? content, MessagesOptions messages)
{
    private readonly CurrencyConverter _currencies = new(options);

    public ActionResult Record(UserActionContext context)
    {
        // Every parameter is read (and refused when bad) before anything is decided or recorded.
        var p = context.Parameters;
        var limits = context.Limits;
        var messageId = p.String("messageId");
        var eventName = p.String("event");
        if (messageId is null && eventName is null)
            return ActionResult.Fail(400, "'event' must be provided");
        var name = messageId is null ? eventName! : eventName is null ? Impression(context.Batch.AppId, messageId) : $".m{messageId} {eventName}";
        if (NameRules.Problem(name, "event", limits.MaxNameLength, messageEvent: messageId is not null) is { } problem)
            throw new InvalidParameterException(problem);
        var value = p.Double("value") ?? 0;
        var info = p.String("info");
        var parameters = EventParameters.Read(p, limits.MaxParamsPerEvent, limits.MaxNameLength);
        var currencyCode = p.String("currencyCode");
        var disposition = Dispositions.Read(p);
        string? currencyWarning = null;
        if (currencyCode is not null)
        {
            var (converted, code) = _currencies.Convert(value, currencyCode);
            parameters ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            parameters[EventParameters.LocalCurrency] = JsonSerializer.SerializeToElement(code);
            parameters[EventParameters.LocalPrice] = JsonSerializer.SerializeToElement(value);
            // Without a rate the purchase is still recorded (nothing is lost: the local price is kept), but its value
            // stays out of the app-currency sums rather than mixing currencies.
            if (converted is null)
                currencyWarning = $"No exchange rate from {code} to {_currencies.AppCurrency} is configured; value recorded as 0, localPrice kept.";
            value = converted ?? 0;
        }

        var open = context.State.Sessions.Open;
        if (disposition == Disposition.RequireActive && open is null)
            return ActionResult.Warn(Dispositions.IgnoredWarning, ignored: true);
        var (timeMs, daysAgo) = PastEvents.Resolve(context.TimeMs, context.NowMs, options.PastEventDays);
        var sessionId = open is not null && disposition != Disposition.Passive && daysAgo is null ? open.Id : null;
        if (sessionId is not null && !context.IsReplay && context.State.States.EventsIn(sessionId) >= options.MaxEventsPerSession)
            return ActionResult.Fail(400, $"Too many events in this session: at most {options.MaxEventsPerSession} events per session.");

        context.Emit(new EventTracked
        {
            TimeMs = timeMs,
            Name = name,
            Value = value,
            Info = info,
            Params = parameters,
            MessageId = messageId,
            SessionId = sessionId,
            IsOffline = sessionId is null,
            Counted = CountedParameters(context.Batch.AppId, name, parameters),
        });
        ServerTriggerSends.OnOccurrence(context, content, messages, "event", name, parameters);
        if (daysAgo is { } days)
            return ActionResult.Warn(PastEvents.Warning(days)).With("isOffline", true);
        var result = currencyWarning is null ? ActionResult.Ok() : ActionResult.Warn(currencyWarning);
        return sessionId is null ? result.With("isOffline", true) : result;
    }

    /// <summary>
    /// The name of a message event without an <c>event</c> (ARCHITECTURE's decisions): <c>.m&lt;id&gt;</c> (sent) for a
    /// server-sent channel (push, webhook, email), <c>.m&lt;id&gt; View</c> for in-app, inbox and unknown messages.
    /// </summary>
    private string Impression(string appId, string messageId)
    {
        var serverSent = content is not null
            && long.TryParse(messageId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            && content.For(appId).Messages.ById.TryGetValue(id, out var message)
            && message.Channel is MessageChannels.Push or MessageChannels.Webhook or MessageChannels.Email
            && !MessageSet.IsDeliveredAtStart(message);
        return serverSent ? $".m{messageId}" : $".m{messageId} View";
    }

    /// <summary>The event's parameters whose tuples published audiences count (ARCHITECTURE decision 6), or null.</summary>
    private List<string>? CountedParameters(string appId, string eventName, Dictionary<string, JsonElement>? parameters)
    {
        if (parameters is null || content is null || !content.For(appId).CountedParameters.TryGetValue(eventName, out var counted))
            return null;
        List<string>? names = null;
        foreach (var (name, values) in counted)
        {
            if (parameters.TryGetValue(name, out var value) && values.Contains(RuleValues.ParameterText(value)))
                (names ??= []).Add(name);
        }
        return names;
    }
}
