using System.Text.Json.Nodes;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>exportUser</c>: the user's profile, aggregates and devices (spec 4.6).</summary>
public sealed class ExportUser : IUserAction
{
    public string Name => "exportUser";

    public ActionResult Handle(UserActionContext context)
    {
        var state = context.State;
        if (!state.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        var profile = state.Profile;
        var fields = new JsonObject
        {
            ["userId"] = context.UserId,
            ["userAttributes"] = ToNode(profile.Attributes),
            ["events"] = new JsonObject(state.Aggregates.Events.Select(e => KeyValuePair.Create<string, JsonNode?>(e.Key, new JsonObject
            {
                ["count"] = e.Value.Count,
                ["value"] = e.Value.Value,
                ["firstTime"] = Seconds(e.Value.FirstTimeMs),
                ["lastTime"] = Seconds(e.Value.LastTimeMs),
            }))),
            ["states"] = new JsonObject(),
            ["created"] = Seconds(profile.CreatedMs),
            ["lastActive"] = Seconds(profile.LastActiveMs),
            ["totalSessions"] = profile.TotalSessions,
            ["timeSpentInApp"] = profile.TimeSpentInApp,
            ["locale"] = profile.Locale?.Locale,
            ["country"] = profile.Locale?.Country,
            ["region"] = profile.Locale?.Region,
            ["city"] = profile.Locale?.City,
            ["location"] = profile.Locale?.Location,
            ["timezone"] = profile.Locale?.Timezone,
            ["timezoneOffsetSeconds"] = profile.Locale?.TimezoneOffsetSeconds,
            ["userBucket"] = UserBucket.Of(context.UserId),
            ["unsubscribeChannels"] = new JsonArray(),
            ["unsubscribeCategories"] = new JsonArray(),
            ["devices"] = new JsonArray(state.Devices.Devices.Select(d =>
            {
                var node = System.Text.Json.JsonSerializer.SerializeToNode(d.Value)!.AsObject();
                node.Insert(0, "deviceId", d.Key);
                return (JsonNode?)node;
            }).ToArray()),
        };
        return ActionResult.Ok(fields);
    }

    // JsonValue.Create refuses objects and arrays; an attribute may hold either (a list, a nested value).
    private static JsonObject ToNode(Dictionary<string, System.Text.Json.JsonElement> values) =>
        new(values.Select(v => KeyValuePair.Create(v.Key, System.Text.Json.JsonSerializer.SerializeToNode(v.Value))));

    private static double? Seconds(long? ms) => ms / 1000.0;
}
