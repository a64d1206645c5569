using System.Text.Json;
using Greengage.Engine.Storage;
using Greengage.Engine.Tracking;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Apps;

/// <summary>
/// The app-level names an item would use (spec 6.2 "names per app"): the event of <c>track</c> (message events are
/// the server's own and do not count), the state of <c>advance</c>, the parameters of both, and the attribute, event
/// and state names <c>start</c> and <c>setUserAttributes</c> write. Reads leniently: a malformed value yields no names
/// (its handler answers the error), and so does a name its handler would refuse.
/// </summary>
public static class ItemNames
{
    private static readonly string[] AttributeParameters =
        ["userAttributes", "userAttributeValuesToAdd", "userAttributeValuesToRemove", "userAttributeValuesToIncrement"];

    public static void Collect(string action, ParameterSet p, ProtocolLimits limits, List<AppName> into)
    {
        try
        {
            switch (action)
            {
                case "track":
                    if (!p.Has("messageId") && p.StringOrNull("event") is { } eventName && NameRules.Problem(eventName, "event", limits.MaxNameLength) is null)
                        into.Add(new AppName(NameKinds.Event, eventName));
                    Keys(p, "params", NameKinds.Parameter, limits, into);
                    break;
                case "advance":
                    if (p.StringOrNull("state") is { } state && NameRules.Problem(state, "state", limits.MaxNameLength) is null)
                        into.Add(new AppName(NameKinds.State, state));
                    Keys(p, "params", NameKinds.Parameter, limits, into);
                    break;
                case "start":
                    Keys(p, "userAttributes", NameKinds.Attribute, limits, into);
                    break;
                case "setUserAttributes":
                    foreach (var name in AttributeParameters)
                        Keys(p, name, NameKinds.Attribute, limits, into);
                    Keys(p, "events", NameKinds.Event, limits, into);
                    Keys(p, "states", NameKinds.State, limits, into);
                    break;
            }
        }
        catch (InvalidParameterException)
        {
            // The handler reads the same value and answers the error.
        }
    }

    private static void Keys(ParameterSet p, string parameter, string kind, ProtocolLimits limits, List<AppName> into)
    {
        if (p.Object(parameter) is not { ValueKind: JsonValueKind.Object } obj)
            return;
        foreach (var entry in obj.EnumerateObject())
        {
            var valid = kind is NameKinds.Event or NameKinds.State
                ? NameRules.Problem(entry.Name, kind, limits.MaxNameLength) is null
                : entry.Name.Length > 0 && entry.Name.Length <= limits.MaxNameLength;
            if (valid)
                into.Add(new AppName(kind, entry.Name));
        }
    }
}
