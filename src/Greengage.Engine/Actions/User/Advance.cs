using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Tracking;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>advance</c>: the user moves to a state (spec 4.1, 6.2). The previous state is left (its duration recorded,
/// pauses excluded) and the next one entered; <c>state=""</c> only leaves the current state.
/// </summary>
public sealed class Advance(TrackingOptions? options = null, ContentDirectory? content = null, MessagesOptions? messages = null) : IUserAction
{
    private readonly TrackingOptions _options = options ?? new TrackingOptions();
    private readonly MessagesOptions _messages = messages ?? new MessagesOptions();

    public string Name => "advance";

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var limits = context.Limits;
        // An empty string counts as absent for the typed readers, but here it means "leave without entering".
        if (!p.TryGetRaw("state", out var raw) || raw.ValueKind is System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined)
            return ActionResult.Fail(400, "'state' must be provided");
        var name = p.String("state");
        if (name is not null && NameRules.Problem(name, "state", limits.MaxNameLength) is { } problem)
            throw new InvalidParameterException(problem);
        var info = p.String("info");
        var parameters = EventParameters.Read(p, limits.MaxParamsPerEvent, limits.MaxNameLength);

        if (!context.State.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        var (timeMs, daysAgo) = PastEvents.Resolve(context.TimeMs, context.NowMs, _options.PastEventDays);
        var sessionId = context.State.Sessions.Open?.Id;
        if (name is not null && sessionId is not null && !context.IsReplay
            && context.State.States.StatesIn(sessionId) >= _options.MaxStatesPerSession)
            return ActionResult.Fail(400, $"Too many states in this session: at most {_options.MaxStatesPerSession} states per session.");

        var enterMs = timeMs;
        if (context.State.States.Current is { } current)
        {
            // A state whose session ended was left when the session ended; a live one is left now.
            var leftMs = current.Closed ? current.LastMs : Math.Max(timeMs, current.LastMs);
            context.Emit(new StateLeft { TimeMs = leftMs, Name = current.Name, DurationSeconds = current.ActiveAt(leftMs) / 1000.0 });
            if (!current.Closed)
                enterMs = leftMs;
        }
        if (name is not null)
        {
            context.Emit(new StateEntered { TimeMs = enterMs, Name = name, Info = info, Params = parameters, SessionId = sessionId });
            ServerTriggerSends.OnOccurrence(context, content, _messages, "state", name, parameters);
        }
        return daysAgo is { } days ? ActionResult.Warn(PastEvents.Warning(days)) : ActionResult.Ok();
    }
}
