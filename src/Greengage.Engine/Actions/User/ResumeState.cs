using Greengage.Engine.Tracking;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>resumeState</c>: restarts the current state's clock after <c>pauseState</c> (spec 4.1).</summary>
public sealed class ResumeState(TrackingOptions? options = null) : IUserAction
{
    private readonly TrackingOptions _options = options ?? new TrackingOptions();

    public string Name => "resumeState";

    public ActionResult Handle(UserActionContext context)
    {
        if (!context.State.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        var (timeMs, daysAgo) = PastEvents.Resolve(context.TimeMs, context.NowMs, _options.PastEventDays);
        if (context.State.States.Live is { Paused: true } current)
            context.Emit(new StateResumed { TimeMs = Math.Max(timeMs, current.LastMs), Name = current.Name });
        return daysAgo is { } days ? ActionResult.Warn(PastEvents.Warning(days)) : ActionResult.Ok();
    }
}
