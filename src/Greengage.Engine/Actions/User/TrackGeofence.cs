using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Tracking;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>trackGeofence</c>: a region enter or exit from Android or iOS (spec 4.1). The same parameters and rules as
/// <c>track</c>; the event name is stored as sent (<c>enter_region</c>, <c>exit_region</c>).
/// </summary>
public sealed class TrackGeofence(TrackingOptions? options = null, ContentDirectory? content = null) : IUserAction
{
    private readonly EventRecorder _recorder = new(options ?? new TrackingOptions(), content, new MessagesOptions());

    public string Name => "trackGeofence";

    public ActionResult Handle(UserActionContext context) => _recorder.Record(context);
}
