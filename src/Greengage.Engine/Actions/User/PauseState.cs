using Greengage.Engine.Tracking;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>pauseState</c>: stops the current state's clock, not the session's (spec 4.1).</summary>
public sealed class PauseState(TrackingOptions? options = null) : IUserAction
{
    private readonly TrackingOptions _options = options ?? new TrackingOptions();

    public string Name => "pauseState";

    public ActionResult Handle(UserActionContext context)
    {
        if (!context.State.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        var (timeMs, daysAgo) = PastEvents.Resolve(context.TimeMs, context.NowMs, _options.PastEventDays);
        if (context.State.States.Live is { Paused: false } current)
            context.Emit(new StatePaused { TimeMs = Math.Max(timeMs, current.LastMs), Name = current.Name });
        return daysAgo is { } days ? ActionResult.Warn(PastEvents.Warning(days)) : ActionResult.Ok();
    }
}
