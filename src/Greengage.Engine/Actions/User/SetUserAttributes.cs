using System.Text.Json;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>setUserAttributes</c> (spec 4.2, 6.3): attributes (set, clear, list add/remove, integer increments),
/// unsubscriptions, locale and location, devices, the lifetime counters and the event and state statistics.
/// Every parameter is read before anything is recorded. An operation that does not fit the attribute it names is
/// skipped and the answer carries a warning naming it (<c>success:true</c>); everything else in the request applies.
/// Data sent in development mode changes the profile like any other, but stays out of the aggregates.
/// <c>newUserId</c> (login, register, switch) is handled by <see cref="Users.UserProcessor"/> before this handler runs, which
/// then sees the item without it, as the new user.
/// </summary>
public sealed class SetUserAttributes(ProfileOptions? options = null, Content.ContentDirectory? content = null, Messages.MessagesOptions? messages = null) : IUserAction
{
    private readonly Messages.MessagesOptions _messages = messages ?? new Messages.MessagesOptions();
    /// <summary>The channel names of <c>unsubscribeChannelsToAdd</c> / <c>ToRemove</c>, as spelt in exports.</summary>
    public static readonly string[] Channels = ["Email", "Push Notification", "Webhook", "Newsfeed Message"];

    private static readonly string[] AggregateFields = ["count", "countIncrement", "value", "valueIncrement", "firstTime", "lastTime"];

    private readonly ProfileOptions _options = options ?? new ProfileOptions();

    public string Name => "setUserAttributes";

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var limits = context.Limits;
        var set = AttributeParameters.Read(p, "userAttributes", limits);
        var add = AttributeParameters.ReadLists(p, "userAttributeValuesToAdd", limits);
        var remove = AttributeParameters.ReadLists(p, "userAttributeValuesToRemove", limits);
        var increment = AttributeParameters.ReadRaw(p, "userAttributeValuesToIncrement", limits);
        var profile = ReadProfile(p);
        var subscriptions = ReadSubscriptions(p);
        var devices = ReadDevices(p, limits, _options.MaxDevicesPerUser);
        var events = ReadAggregates(p, "events", limits);
        var states = ReadAggregates(p, "states", limits);

        var warnings = new List<string>();
        var attributes = AttributeOperations.Resolve(context.State.Profile.Attributes, set, add, remove, increment, warnings);
        var existed = context.State.Exists;
        var recorded = false;

        void Emit(UserRecord record)
        {
            context.Emit(record);
            recorded = true;
        }

        if (attributes.Count > 0)
        {
            // What the changed attributes held before, only when an attribute trigger will compare them.
            Dictionary<string, System.Text.Json.JsonElement>? before = null;
            if (Messages.ServerTriggerSends.WatchesAttributes(context, content))
            {
                var held = context.State.Profile.Attributes;
                before = new(StringComparer.Ordinal);
                foreach (var name in attributes.Keys)
                {
                    if (held.TryGetValue(name, out var old))
                        before[name] = old;
                }
            }
            Emit(new AttributesSet { TimeMs = context.TimeMs, Values = attributes });
            if (before is not null)
                Messages.ServerTriggerSends.OnAttributes(context, content, _messages, attributes, before);
        }
        if (profile is not null)
            Emit(profile with { TimeMs = context.TimeMs });
        if (subscriptions is not null)
            Emit(subscriptions with { TimeMs = context.TimeMs });
        if (devices is not null)
        {
            var drop = context.State.Devices.Evictions(devices.Select(d => d.Id).ToHashSet(StringComparer.Ordinal), _options.MaxDevicesPerUser);
            Emit(new DevicesSet { TimeMs = context.TimeMs, Set = devices, Drop = drop });
        }
        if (events is not null || states is not null)
            Emit(new AggregatesSet { TimeMs = context.TimeMs, Events = events, States = states });
        // CreateIfNeeded: a call that changes nothing still creates a missing user (an empty set is the creation fact).
        if (!recorded && !existed)
            Emit(new AttributesSet { TimeMs = context.TimeMs, Values = [] });

        return warnings.Count == 0 ? ActionResult.Ok() : ActionResult.Warn(string.Join(" ", warnings));
    }

    private static ProfileSet? ReadProfile(ParameterSet p)
    {
        var locale = DeviceParameters.ReadLocale(p);
        if (locale?.Location is { } location && !DeviceParameters.IsLocation(location))
            throw new InvalidParameterException("Invalid value for 'location': expected \"latitude,longitude\" in degrees");
        var accuracy = p.String("locationAccuracyType");
        if (accuracy is not null && accuracy.ToUpperInvariant() is "IP" or "CELL" or "GPS")
            accuracy = accuracy.ToUpperInvariant();
        var totalSessions = p.Long("totalSessions");
        if (totalSessions < 0)
            throw new InvalidParameterException("Invalid value for 'totalSessions': expected a count, 0 or more");
        var timeInApp = p.Double("timeSpentInApp");
        if (timeInApp < 0)
            throw new InvalidParameterException("Invalid value for 'timeSpentInApp': expected seconds, 0 or more");
        var set = new ProfileSet
        {
            Locale = locale,
            LocationAccuracyType = accuracy,
            CreatedMs = SecondsAsMs(p, "created"),
            LastActiveMs = SecondsAsMs(p, "lastActive"),
            TotalSessions = totalSessions,
            TimeSpentInApp = timeInApp,
        };
        return set == new ProfileSet() ? null : set;
    }

    private static SubscriptionsChanged? ReadSubscriptions(ParameterSet p)
    {
        var changed = new SubscriptionsChanged
        {
            ChannelsToAdd = ReadChannels(p, "unsubscribeChannelsToAdd"),
            ChannelsToRemove = ReadChannels(p, "unsubscribeChannelsToRemove"),
            CategoriesToAdd = ReadItems(p, "unsubscribeCategoriesToAdd"),
            CategoriesToRemove = ReadItems(p, "unsubscribeCategoriesToRemove"),
        };
        return changed == new SubscriptionsChanged() ? null : changed;
    }

    /// <summary>Channel names, as one name or an array of names (or its JSON text); unknown names are refused.</summary>
    private static List<string>? ReadChannels(ParameterSet p, string name)
    {
        if (ReadItems(p, name) is not { } items)
            return null;
        return items.Select(item => Array.Find(Channels, c => string.Equals(c, item.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidParameterException($"Invalid value for '{name}': unknown channel '{item}' (expected {string.Join(", ", Channels)})"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One value or an array of values (nested, or as JSON text), each as text; null when absent or empty.</summary>
    private static List<string>? ReadItems(ParameterSet p, string name)
    {
        if (!p.TryGet(name, out var raw))
            return null;
        IEnumerable<JsonElement> items = raw.ValueKind == JsonValueKind.String && raw.GetString()!.TrimStart().StartsWith('[')
            ? p.Array(name)!.Value.EnumerateArray()
            : raw.ValueKind == JsonValueKind.Array ? raw.EnumerateArray() : [raw];
        var list = new List<string>();
        foreach (var item in items)
        {
            if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                throw new InvalidParameterException($"Invalid value for '{name}': expected a name or an array of names");
            if (Lenient.ToText(item) is { Length: > 0 } text && !list.Contains(text))
                list.Add(text);
        }
        return list.Count == 0 ? null : list;
    }

    private static List<DeviceUpdate>? ReadDevices(ParameterSet p, ProtocolLimits limits, int cap)
    {
        if (p.Array("devices") is not { } array)
            return null;
        if (array.GetArrayLength() > cap)
            throw new InvalidParameterException($"'devices' may hold at most {cap} devices.");
        var devices = new List<DeviceUpdate>();
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw new InvalidParameterException("Invalid value for 'devices': expected an array of device objects");
            var device = DeviceParameters.ParametersOf(element, p.MaxJsonDepth);
            var id = device.String(WireNames.DeviceId)
                ?? throw new InvalidParameterException("Every device in 'devices' must have a 'deviceId'");
            if (id.Length > limits.MaxIdLength)
                throw new InvalidParameterException($"User and device ids must be at most {limits.MaxIdLength} characters long.");
            devices.Add(DeviceParameters.ReadUpdate(device, id));
        }
        return devices.Count == 0 ? null : devices;
    }

    /// <summary><c>events</c> / <c>states</c>: name to {count, countIncrement, value, valueIncrement, firstTime, lastTime}.</summary>
    private static Dictionary<string, AggregateOverride>? ReadAggregates(ParameterSet p, string name, ProtocolLimits limits)
    {
        if (p.Object(name) is not { } obj)
            return null;
        var result = new Dictionary<string, AggregateOverride>(StringComparer.Ordinal);
        foreach (var entry in obj.EnumerateObject())
        {
            if (entry.Name.Length == 0 || entry.Name.Length > limits.MaxNameLength)
                throw new InvalidParameterException($"Names in '{name}' must be 1 to {limits.MaxNameLength} characters long.");
            if (entry.Value.ValueKind != JsonValueKind.Object)
                throw new InvalidParameterException($"Invalid value for '{name}.{entry.Name}': expected an object of {string.Join(", ", AggregateFields)}");
            foreach (var field in entry.Value.EnumerateObject())
            {
                if (!AggregateFields.Contains(field.Name))
                    throw new InvalidParameterException($"Unknown field '{field.Name}' in '{name}.{entry.Name}' (expected {string.Join(", ", AggregateFields)})");
            }
            var f = DeviceParameters.ParametersOf(entry.Value, p.MaxJsonDepth);
            try
            {
                var count = f.Long("count");
                if (count < 0)
                    throw new InvalidParameterException("Invalid value for 'count': expected a count, 0 or more");
                var value = new AggregateOverride
                {
                    Count = count,
                    CountIncrement = f.Long("countIncrement"),
                    Value = f.Double("value"),
                    ValueIncrement = f.Double("valueIncrement"),
                    FirstTimeMs = SecondsAsMs(f, "firstTime"),
                    LastTimeMs = SecondsAsMs(f, "lastTime"),
                };
                if (value != new AggregateOverride())
                    result[entry.Name] = value;
            }
            catch (InvalidParameterException e)
            {
                throw new InvalidParameterException($"In '{name}.{entry.Name}': {e.Message}");
            }
        }
        return result.Count == 0 ? null : result;
    }

    /// <summary>A time sent in seconds since 1970 (fractions allowed), as Unix milliseconds.</summary>
    private static long? SecondsAsMs(ParameterSet p, string name)
    {
        if (p.Double(name) is not { } seconds)
            return null;
        // 1e13 s is far beyond any real date and keeps the product inside a long.
        if (seconds is < 0 or > 1e13)
            throw new InvalidParameterException($"Invalid value for '{name}': expected seconds since 1970");
        return (long)Math.Round(seconds * 1000);
    }
}
