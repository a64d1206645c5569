using System.Text.Json;
using Greengage.Engine.Users.Components;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Messages;

/// <summary>
/// <c>syncNewsfeed</c> in <c>start</c> and <c>getVars</c> (spec 4.4, 5.2): whether the device should download the inbox.
/// The SDKs send the inbox ids they hold as <c>newsfeedMessages</c>; the answer is true when those differ from the
/// user's current (unexpired) items, and, when the device sent none, true when the user has any item.
/// </summary>
public static class InboxSync
{
    public const string Parameter = "newsfeedMessages";

    /// <summary>The ids the device holds (an array, nested or as JSON text), or null when it sent none.</summary>
    /// <exception cref="InvalidParameterException">The parameter is not an array.</exception>
    public static JsonElement? DeviceIds(ParameterSet parameters) => parameters.Array(Parameter);

    /// <summary>Whether a device holding <paramref name="deviceIds"/> should download the inbox at <paramref name="nowMs"/>.</summary>
    public static bool Needed(InboxComponent inbox, JsonElement? deviceIds, long nowMs)
    {
        var items = inbox.Items;
        if (deviceIds is not { } held || held.GetArrayLength() == 0)
            return items.Exists(i => InboxDelivery.IsLive(i, nowMs));
        if (items.Count == 0)
            return true;
        var device = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in held.EnumerateArray())
        {
            if (Lenient.ToText(id) is { } text)
                device.Add(text);
        }
        var live = 0;
        foreach (var item in items)
        {
            if (!InboxDelivery.IsLive(item, nowMs))
                continue;
            if (!device.Contains(item.Id))
                return true;
            live++;
        }
        return live != device.Count;
    }
}
