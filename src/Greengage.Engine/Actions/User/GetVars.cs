using Greengage.Engine.Content;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>getVars</c> (spec 4.3; the SDKs' <c>forceContentUpdate</c>): the same content as <c>start</c>, with no session
/// change; only new A/B test assignments are recorded. The app version is the one the device last reported.
/// </summary>
public sealed class GetVars(ContentDirectory? content = null) : IUserAction
{
    public const string ActionName = "getVars";

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var includeDefaults = p.Flag("includeDefaults", whenAbsent: true);
        var debug = p.Flag("includeVariantDebugInfo");
        _ = p.Array("newsfeedMessages");
        var appVersion = context.DeviceId is { } device && context.State.Devices.Devices.TryGetValue(device, out var entry) ? entry.AppVersion : null;
        var appContent = content?.For(context.Batch.AppId) ?? AppContent.Empty;
        return ActionResult.Ok(Start.Answer(context, appContent, sessionId: null, includeDefaults, appVersion, debug));
    }
}
