using System.Text.Json;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests.Profile;

/// <summary><c>setUserAttributes</c>: attribute values and operations (spec 4.2, 6.3).</summary>
public sealed class SetUserAttributesTests
{
    private static Dictionary<string, object?> Attrs(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    private static string[] ListOf(ProfileUser user, string name) =>
        user.State.Profile.Attributes[name].EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public void SetUserAttributes_TypedValues_AreKeptWithTheirTypes()
    {
        var user = new ProfileUser();
        var result = user.Do("setUserAttributes", new
        {
            userAttributes = Attrs(("age", 41), ("ratio", 0.5), ("vip", true), ("plan", "gold"), ("since", "2026-01-02T03:04:05Z"),
                ("tags", new object?[] { "a", 1, true, "a", null }), ("nested", new { x = 1 })),
        });

        Assert.True(result.Success);
        var a = user.State.Profile.Attributes;
        Assert.Equal(41, a["age"].GetInt64());
        Assert.Equal(0.5, a["ratio"].GetDouble());
        Assert.Equal(JsonValueKind.True, a["vip"].ValueKind);
        Assert.Equal("gold", a["plan"].GetString());
        Assert.Equal("2026-01-02T03:04:05Z", a["since"].GetString());
        Assert.Equal(["a", "1", "true"], ListOf(user, "tags"));
        Assert.Equal(1, a["nested"].GetProperty("x").GetInt32());
    }

    [Fact]
    public void SetUserAttributes_NullValue_ClearsTheAttribute()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("plan", "gold"), ("keep", 1)) });
        user.Do("setUserAttributes", new { userAttributes = Attrs(("plan", null)) });

        Assert.False(user.State.Profile.Attributes.ContainsKey("plan"));
        Assert.True(user.State.Profile.Attributes.ContainsKey("keep"));
    }

    [Fact]
    public void SetUserAttributes_ValuesToAdd_AreUnitedAsASet()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("interests", new[] { "Hiking", "Chess" })) });
        var result = user.Do("setUserAttributes", new { userAttributeValuesToAdd = Attrs(("interests", new[] { "Books", "Chess" })) });

        Assert.Null(result.Warning);
        Assert.Equal(["Hiking", "Chess", "Books"], ListOf(user, "interests"));
    }

    [Fact]
    public void SetUserAttributes_ValueToAddToMissingAttribute_CreatesTheList()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributeValuesToAdd = "{\"colors\":\"red\"}" });

        Assert.Equal(["red"], ListOf(user, "colors"));
    }

    [Fact]
    public void SetUserAttributes_ValuesToRemove_LeaveTheOthers()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("interests", new[] { "Hiking", "Chess", "Books" })) });
        user.Do("setUserAttributes", new { userAttributeValuesToRemove = Attrs(("interests", new[] { "Chess", "Golf" })) });
        user.Do("setUserAttributes", new { userAttributeValuesToRemove = Attrs(("interests", "Hiking")) });

        Assert.Equal(["Books"], ListOf(user, "interests"));
    }

    [Fact]
    public void SetUserAttributes_RemoveFromMissingAttribute_ChangesNothing()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("plan", "gold")) });
        var rows = user.RowCount;
        var result = user.Do("setUserAttributes", new { userAttributeValuesToRemove = Attrs(("interests", "Chess")) });

        Assert.Null(result.Warning);
        Assert.Equal(rows, user.RowCount);
        Assert.False(user.State.Profile.Attributes.ContainsKey("interests"));
    }

    [Fact]
    public void SetUserAttributes_AddToSingleValue_IsSkippedWithAWarning()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("plan", "gold")) });
        var result = user.Do("setUserAttributes", new { userAttributeValuesToAdd = Attrs(("plan", "silver"), ("tags", "x")) });

        Assert.True(result.Success);
        Assert.Contains("'plan'", result.Warning);
        Assert.Equal("gold", user.State.Profile.Attributes["plan"].GetString());
        Assert.Equal(["x"], ListOf(user, "tags"));
    }

    [Fact]
    public void SetUserAttributes_Increment_AddsToAnIntegerAndCountsMissingAsZero()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("score", 10)) });
        var result = user.Do("setUserAttributes", new { userAttributeValuesToIncrement = Attrs(("score", 5), ("visits", "2"), ("debt", -3)) });

        Assert.Null(result.Warning);
        Assert.Equal(15, user.State.Profile.Attributes["score"].GetInt64());
        Assert.Equal(2, user.State.Profile.Attributes["visits"].GetInt64());
        Assert.Equal(-3, user.State.Profile.Attributes["debt"].GetInt64());
    }

    [Fact]
    public void SetUserAttributes_IncrementWhenEitherSideIsNotAnInteger_IsSkippedWithAWarningAndTheRestApplies()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("plan", "gold"), ("ratio", 0.5), ("n", 1)) });
        var result = user.Do("setUserAttributes", new
        {
            userAttributeValuesToIncrement = Attrs(("plan", 1), ("ratio", 1), ("n", 1.5), ("ok", 1)),
        });

        Assert.True(result.Success);
        Assert.Equal(200, result.Status);
        Assert.Contains("Increment of 'plan' skipped", result.Warning);
        Assert.Contains("Increment of 'ratio' skipped", result.Warning);
        Assert.Contains("Increment of 'n' skipped", result.Warning);
        Assert.Equal("gold", user.State.Profile.Attributes["plan"].GetString());
        Assert.Equal(0.5, user.State.Profile.Attributes["ratio"].GetDouble());
        Assert.Equal(1, user.State.Profile.Attributes["n"].GetInt64());
        Assert.Equal(1, user.State.Profile.Attributes["ok"].GetInt64());
    }

    [Fact]
    public void SetUserAttributes_SetThenIncrementInOneRequest_IncrementSeesTheNewValue()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("n", 100)) });
        user.Do("setUserAttributes", new { userAttributes = Attrs(("n", 1)), userAttributeValuesToIncrement = Attrs(("n", 1)) });

        Assert.Equal(2, user.State.Profile.Attributes["n"].GetInt64());
    }

    [Fact]
    public void SetUserAttributes_UnsubscribeChannels_AcceptAStringOrAnArrayAndAreASet()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { unsubscribeChannelsToAdd = "Email" });
        user.Do("setUserAttributes", new { unsubscribeChannelsToAdd = new[] { "push notification", "Email", "Webhook" } });
        user.Do("setUserAttributes", new { unsubscribeChannelsToRemove = "[\"Webhook\"]" });

        Assert.Equal(["Email", "Push Notification"], user.State.Profile.UnsubscribeChannels);
    }

    [Fact]
    public void SetUserAttributes_UnknownChannel_FailsAndRecordsNothing()
    {
        var user = new ProfileUser();
        var result = user.Do("setUserAttributes", new { userAttributes = Attrs(("plan", "gold")), unsubscribeChannelsToAdd = "Fax" });

        Assert.Equal(400, result.Status);
        Assert.Contains("unknown channel 'Fax'", result.Error);
        Assert.Equal(0, user.RowCount);
        Assert.False(user.State.Exists);
    }

    [Fact]
    public void SetUserAttributes_UnsubscribeCategories_AddAndRemoveIds()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { unsubscribeCategoriesToAdd = new object[] { 101, "102", 103 } });
        user.Do("setUserAttributes", new { unsubscribeCategoriesToRemove = new[] { 102 } });

        Assert.Equal(["101", "103"], user.State.Profile.UnsubscribeCategories);
    }

    [Fact]
    public void SetUserAttributes_LocaleAndLocation_AreMergedFieldByField()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { locale = "en_US", country = "US", city = "Boston", timezone = "America/New_York", timezoneOffsetSeconds = -18000 });
        user.Do("setUserAttributes", new { city = "Cambridge", region = "MA", location = "42.373600,-71.109700", locationAccuracyType = "gps", country = "(detect)" });

        var locale = user.State.Profile.Locale!;
        Assert.Equal("en_US", locale.Locale);
        Assert.Equal("US", locale.Country);
        Assert.Equal("MA", locale.Region);
        Assert.Equal("Cambridge", locale.City);
        Assert.Equal("42.373600,-71.109700", locale.Location);
        Assert.Equal("America/New_York", locale.Timezone);
        Assert.Equal(-18000, locale.TimezoneOffsetSeconds);
        Assert.Equal("GPS", user.State.Profile.LocationAccuracyType);
    }

    [Theory]
    [InlineData("north")]
    [InlineData("91,0")]
    [InlineData("1,2,3")]
    public void SetUserAttributes_MalformedLocation_FailsWithA400(string location)
    {
        var user = new ProfileUser();
        var result = user.Do("setUserAttributes", new { location });

        Assert.Equal(400, result.Status);
        Assert.Contains("'location'", result.Error);
        Assert.Equal(0, user.RowCount);
    }

    [Fact]
    public void SetUserAttributes_LifetimeCounters_AreOverwritten()
    {
        var user = new ProfileUser();
        user.Do("start", new { deviceId = "d1" });
        user.Do("setUserAttributes", new { created = 1_500_000_000.5, lastActive = "1600000000", totalSessions = 42, timeSpentInApp = 3600.25 });

        var profile = user.State.Profile;
        Assert.Equal(1_500_000_000_500, profile.CreatedMs);
        Assert.Equal(1_600_000_000_000, profile.LastActiveMs);
        Assert.Equal(42, profile.TotalSessions);
        Assert.Equal(3600.25, profile.TimeSpentInApp);
    }

    [Fact]
    public void SetUserAttributes_NegativeTotalSessions_FailsAndLeavesTheAttributesAlone()
    {
        var user = new ProfileUser();
        var result = user.Do("setUserAttributes", new { userAttributes = Attrs(("plan", "gold")), totalSessions = -1 });

        Assert.Equal(400, result.Status);
        Assert.Empty(user.State.Profile.Attributes);
    }

    [Fact]
    public void SetUserAttributes_Devices_AreUpsertedById()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { devices = new object[] { new { deviceId = "d1", systemName = "iOS", iosPushToken = "t1" }, new { deviceId = "d2", appVersion = "2.0" } } });
        user.Do("setUserAttributes", new { devices = "[{\"deviceId\":\"d1\",\"systemVersion\":\"18.1\"}]" });

        var devices = user.State.Devices.Devices;
        Assert.Equal(2, devices.Count);
        Assert.Equal("iOS", devices["d1"].SystemName);
        Assert.Equal("18.1", devices["d1"].SystemVersion);
        Assert.Equal("t1", devices["d1"].IosPushToken);
        Assert.Equal("2.0", devices["d2"].AppVersion);
    }

    [Fact]
    public void SetUserAttributes_DeviceWithoutId_FailsWithA400()
    {
        var user = new ProfileUser();
        var result = user.Do("setUserAttributes", new { devices = new object[] { new { systemName = "iOS" } } });

        Assert.Equal(400, result.Status);
        Assert.Contains("deviceId", result.Error);
    }

    [Fact]
    public void SetUserAttributes_EventsAndStates_OverwriteAndIncrementTheLifetimeStats()
    {
        var user = new ProfileUser();
        user.Do("track", new { @event = "Buy", value = 5 });
        user.Do("setUserAttributes", new
        {
            events = new Dictionary<string, object>
            {
                ["Buy"] = new { count = 10, valueIncrement = 2.5 },
                ["Imported"] = new { count = 3, value = 9, firstTime = 1_000_000_000, lastTime = 1_100_000_000 },
            },
            states = new Dictionary<string, object> { ["Level 1"] = new { countIncrement = 4, firstTime = 1_000_000_000 } },
        }, at: TimeSpan.FromMinutes(1));
        user.Do("setUserAttributes", new { events = "{\"Buy\":{\"countIncrement\":1}}" }, at: TimeSpan.FromMinutes(2));

        var buy = user.State.Aggregates.Events["Buy"];
        Assert.Equal(11, buy.Count);
        Assert.Equal(7.5, buy.Value);
        var imported = user.State.Aggregates.Events["Imported"];
        Assert.Equal((3L, 9.0, 1_000_000_000_000L, 1_100_000_000_000L), (imported.Count, imported.Value, imported.FirstTimeMs, imported.LastTimeMs));
        var level = user.State.Aggregates.States["Level 1"];
        Assert.Equal(4, level.Count);
        Assert.Equal(1_000_000_000_000L, level.FirstTimeMs);
        Assert.Equal(TestBatches.T0.AddMinutes(1).ToUnixTimeMilliseconds(), level.LastTimeMs);
    }

    [Fact]
    public void SetUserAttributes_UnknownAggregateField_FailsWithA400()
    {
        var user = new ProfileUser();
        var result = user.Do("setUserAttributes", new { events = new Dictionary<string, object> { ["Buy"] = new { counts = 1 } } });

        Assert.Equal(400, result.Status);
        Assert.Contains("Unknown field 'counts' in 'events.Buy'", result.Error);
    }

    [Fact]
    public void SetUserAttributes_DevMode_ChangesTheProfileButNotTheAggregates()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new
        {
            userAttributes = Attrs(("plan", "gold")),
            events = new Dictionary<string, object> { ["Buy"] = new { count = 10 } },
            states = new Dictionary<string, object> { ["S"] = new { count = 1 } },
        }, devMode: true);

        Assert.Equal("gold", user.State.Profile.Attributes["plan"].GetString());
        Assert.Empty(user.State.Aggregates.Events);
        Assert.Empty(user.State.Aggregates.States);
        Assert.Contains(AggregatesSet.Kind, user.Kinds);
    }

    [Fact]
    public void SetUserAttributes_EmptyObjectTextForANewUser_CreatesTheUser()
    {
        var user = new ProfileUser();
        var result = user.Do("setUserAttributes", new { userAttributes = "{}", newUserId = "" });

        Assert.True(result.Success);
        Assert.True(user.State.Exists);
        Assert.Empty(user.State.Profile.Attributes);
    }

    [Fact]
    public void SetUserAttributes_NothingToChangeForAKnownUser_RecordsNothing()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("plan", "gold")) });
        var rows = user.RowCount;
        user.Do("setUserAttributes", new { userAttributes = "{}", userAttributeValuesToAdd = "" });

        Assert.Equal(rows, user.RowCount);
    }

    [Fact]
    public void SetUserAttributes_EveryOperation_ReplaysToTheSameState()
    {
        var user = new ProfileUser();
        user.Do("start", new { deviceId = "d1" });
        user.Do("setUserAttributes", new
        {
            userAttributes = Attrs(("interests", new[] { "Hiking" }), ("score", 1)),
            userAttributeValuesToAdd = Attrs(("interests", "Chess")),
            userAttributeValuesToIncrement = Attrs(("score", 2)),
            unsubscribeChannelsToAdd = "Email",
            unsubscribeCategoriesToAdd = new[] { 7 },
            city = "Oslo",
            locationAccuracyType = "cell",
            totalSessions = 9,
            devices = new object[] { new { deviceId = "d2", systemName = "Android" } },
            events = new Dictionary<string, object> { ["E"] = new { count = 2 } },
        }, at: TimeSpan.FromSeconds(30));
        user.Do("setUserAttributes", new { userAttributeValuesToRemove = Attrs(("interests", "Hiking")) }, at: TimeSpan.FromSeconds(40));

        Assert.Equal(user.Serialized(), user.Replayed());
    }

    [Fact]
    public void SetUserAttributes_ValueIncrementBeyondDoubleRange_LeavesTheValueAndTheStateWritable()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { events = "{\"Buy\":{\"value\":1e308}}" });
        user.Do("setUserAttributes", new { events = "{\"Buy\":{\"valueIncrement\":1e308}}" });

        Assert.Equal(1e308, user.State.Aggregates.Events["Buy"].Value);
        Assert.Equal(user.Serialized(), user.Replayed());
    }

    [Fact]
    public void SetUserAttributes_IncrementOverflow_IsSkippedWithAWarning()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new { userAttributes = Attrs(("n", long.MaxValue)) });
        var result = user.Do("setUserAttributes", new { userAttributeValuesToIncrement = Attrs(("n", 1)) });

        Assert.Contains("Increment of 'n' skipped", result.Warning);
        Assert.Equal(long.MaxValue, user.State.Profile.Attributes["n"].GetInt64());
    }
}
