using Greengage.Engine.Actions;
using Greengage.Engine.Actions.User;
using Greengage.Engine.Content;

namespace Greengage.Engine.Tracking;

/// <summary>The event and state handlers built with one set of <see cref="TrackingOptions"/>, for the action table.</summary>
public static class TrackingActions
{
    public static IUserAction[] Create(TrackingOptions options, ContentDirectory? content = null, Messages.MessagesOptions? messages = null) =>
    [
        new Track(options, content, messages),
        new TrackGeofence(options, content),
        new Advance(options, content, messages),
        new PauseState(options),
        new ResumeState(options),
    ];
}
