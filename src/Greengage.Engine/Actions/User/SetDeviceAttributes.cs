using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>setDeviceAttributes</c> (spec 4.2): updates one device of the user (<c>deviceId</c> required): app and system
/// versions, browser, device name and model, push tokens and iOS notification settings. The fields may also come in a
/// nested <c>deviceAttributes</c> object (top-level fields win). A new device beyond the per-user cap drops the least
/// recently seen one.
/// </summary>
public sealed class SetDeviceAttributes(ProfileOptions? options = null) : IUserAction
{
    private readonly ProfileOptions _options = options ?? new ProfileOptions();

    public string Name => "setDeviceAttributes";

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var deviceId = p.RequiredString(WireNames.DeviceId);
        if (p.Object("deviceAttributes") is { } nested)
            p = p.WithFallback(DeviceParameters.ParametersOf(nested, p.MaxJsonDepth), DeviceParameters.FieldNames);
        if (!DeviceParameters.FieldNames.Any(p.Has))
            throw new InvalidParameterException($"At least one device attribute must be provided ({string.Join(", ", DeviceParameters.FieldNames)}).");
        var update = DeviceParameters.ReadUpdate(p, deviceId);

        var drop = context.State.Devices.Evictions([deviceId], _options.MaxDevicesPerUser);
        context.Emit(new DevicesSet { TimeMs = context.TimeMs, Set = [update], Drop = drop });
        return ActionResult.Ok();
    }
}
