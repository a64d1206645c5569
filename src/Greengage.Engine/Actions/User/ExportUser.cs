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
            ["states"] = new JsonObject(state.Aggregates.States.Select(s => KeyValuePair.Create<string, JsonNode?>(s.Key, new JsonObject
            {
                ["count"] = s.Value.Count,
                ["firstTime"] = Seconds(s.Value.FirstTimeMs),
                ["lastTime"] = Seconds(s.Value.LastTimeMs),
            }))),
            ["created"] = Seconds(profile.CreatedMs),
            ["lastActive"] = Seconds(profile.LastActiveMs),
            ["totalSessions"] = profile.TotalSessions,
            ["timeSpentInApp"] = profile.TimeSpentInApp,
            ["locale"] = profile.Locale?.Locale,
            ["country"] = profile.Locale?.Country,
            ["region"] = profile.Locale?.Region,
            ["city"] = profile.Locale?.City,
            ["location"] = profile.Locale?.Location,
            ["locationAccuracyType"] = profile.LocationAccuracyType,
            ["timezone"] = profile.Locale?.Timezone,
            ["timezoneOffsetSeconds"] = profile.Locale?.TimezoneOffsetSeconds,
            ["userBucket"] = UserBucket.Of(context.UserId),
            ["sourcePublisherId"] = state.Source.Source?.PublisherId,
            ["sourcePublisher"] = state.Source.Source?.PublisherName,
            ["sourceSubPublisher"] = state.Source.Source?.PublisherSubPublisher,
            ["sourceSite"] = state.Source.Source?.PublisherSubSite,
            ["sourceCampaign"] = state.Source.Source?.PublisherSubCampaign,
            ["sourceAdGroup"] = state.Source.Source?.PublisherSubAdGroup,
            ["sourceAd"] = state.Source.Source?.PublisherSubAd,
            ["unsubscribeChannels"] = new JsonArray(profile.UnsubscribeChannels.Select(c => (JsonNode?)c).ToArray()),
            // Category names come with the messaging content (getUnsubscribeCategories); ids only for now.
            ["unsubscribeCategories"] = new JsonArray(profile.UnsubscribeCategories.Select(CategoryNode).ToArray()),
            ["devices"] = new JsonArray(state.Devices.Devices.Select(d => (JsonNode?)DeviceNode(d.Key, d.Value)).ToArray()),
        };
        return ActionResult.Ok(fields);
    }

    // JsonValue.Create refuses objects and arrays; an attribute may hold either (a list, a nested value).
    private static JsonObject ToNode(Dictionary<string, System.Text.Json.JsonElement> values) =>
        new(values.Select(v => KeyValuePair.Create(v.Key, System.Text.Json.JsonSerializer.SerializeToNode(v.Value))));

    private static double? Seconds(long? ms) => ms / 1000.0;

    /// <summary><c>{"id": ...}</c>: a numeric id as a number (as Leanplum's ids are), any other as text.</summary>
    private static JsonNode? CategoryNode(string id) => new JsonObject
    {
        ["id"] = long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : id,
    };

    /// <summary>A device with every field it has, named as clients send them; absent fields are left out.</summary>
    private static JsonObject DeviceNode(string id, Users.Components.DeviceEntry d)
    {
        var node = new JsonObject { ["deviceId"] = id };
        void Add(string name, JsonNode? value)
        {
            if (value is not null)
                node[name] = value;
        }
        Add("appVersion", d.AppVersion);
        Add("client", d.Client);
        Add("sdkVersion", d.SdkVersion);
        Add("systemName", d.SystemName);
        Add("systemVersion", d.SystemVersion);
        Add("browserName", d.BrowserName);
        Add("browserVersion", d.BrowserVersion);
        Add("deviceName", d.DeviceName);
        Add("deviceModel", d.DeviceModel);
        Add("iosPushToken", d.IosPushToken);
        Add("iosPushTypes", d.IosPushTypes);
        Add("iosPushCategories", d.IosPushCategories is { } categories ? new JsonArray(categories.Select(c => (JsonNode?)c).ToArray()) : null);
        Add("gcmRegistrationId", d.GcmRegistrationId);
        Add("huaweiPushRegId", d.HuaweiPushRegId);
        Add("webPushSubscription", d.WebPushSubscription);
        return node;
    }
}
