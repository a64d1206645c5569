using Greengage.Engine.Users.Components;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Messages;
using Greengage.Engine.Targeting;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>What <c>sendMessage</c> and <c>startCampaign</c> share: their parameters and the devices a send reaches.</summary>
internal static class SendParameters
{
    /// <summary>The send's <c>values</c> (a JSON object, for personalisation), or null.</summary>
    /// <exception cref="InvalidParameterException">Not an object, or larger than a message's own values may be.</exception>
    public static JsonObject? Values(ParameterSet p)
    {
        if (p.Object("values") is not { } values)
            return null;
        var text = values.GetRawText();
        if (Encoding.UTF8.GetByteCount(text) > MessageService.MaxValuesBytes)
            throw new InvalidParameterException($"'values' must be at most {MessageService.MaxValuesBytes} bytes of JSON");
        // Values name texts; deep trees have no use here, and the records that keep them are written with the
        // serialiser's default depth.
        if (TooDeep(values, MaxValuesDepth))
            throw new InvalidParameterException($"'values' must be nested at most {MaxValuesDepth} levels deep");
        return JsonNode.Parse(text)!.AsObject();
    }

    public const int MaxValuesDepth = 16;

    /// <summary>Whether the tree nests deeper than <paramref name="levels"/> (stops looking once it does).</summary>
    private static bool TooDeep(JsonElement value, int levels) => value.ValueKind switch
    {
        JsonValueKind.Object => levels == 0 || value.EnumerateObject().Any(p => TooDeep(p.Value, levels - 1)),
        JsonValueKind.Array => levels == 0 || value.EnumerateArray().Any(v => TooDeep(v, levels - 1)),
        _ => false,
    };

    public static bool Force(ParameterSet p) => p.Flag("force");

    /// <summary>
    /// The devices a send reaches: the request's <c>deviceId</c> when it names one of the user's devices, else all of
    /// them. Null when <c>deviceId</c> names a device the user does not have.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, DeviceEntry>>? Devices(UserActionContext context)
    {
        var devices = context.State.Devices.Devices;
        if (context.DeviceId is not { } device)
            return [.. devices];
        return devices.TryGetValue(device, out var entry) ? [KeyValuePair.Create(device, entry)] : null;
    }

    public static string UnknownDevice(string deviceId) => $"Device '{deviceId}' is not one of the user's devices.";

    public static TargetingSubject Subject(UserActionContext context) =>
        new(context.State, context.UserId, context.DeviceId, context.NowMs);
}
