using System.Text.Json;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Components;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests.Targeting;

/// <summary>Every subject and operator of the targeting language (spec 6.4), through its JSON form.</summary>
public sealed class RuleTests
{
    private static readonly long Now = DateTimeOffset.Parse("2026-06-15T12:00:00Z").ToUnixTimeMilliseconds();
    private const long Day = 86_400_000;

    /// <summary>A user with a bit of everything: attributes, events, states, a device, a locale, a traffic source.</summary>
    private static UserState Alice()
    {
        var state = new UserState();
        state.Profile.CreatedMs = Now - 40 * Day;
        state.Profile.LastActiveMs = Now - 2 * Day;
        state.Profile.TotalSessions = 12;
        state.Profile.TimeSpentInApp = 3600;
        state.Profile.Attributes["plan"] = J("\"Gold\"");
        state.Profile.Attributes["age"] = J("34");
        state.Profile.Attributes["score"] = J("\"17.5\"");
        state.Profile.Attributes["vip"] = J("true");
        state.Profile.Attributes["nickname"] = J("\"\"");
        state.Profile.Attributes["birthday"] = J("\"1992-03-01\"");
        state.Profile.Attributes["signedUp"] = J("1767225600");
        state.Profile.Locale = new LocaleInfo { Locale = "en_US", Country = "US", Region = "CA", City = "San Francisco" };
        state.Aggregates.Events["Purchase"] = new EventAggregate { Count = 3, Value = 29.97, FirstTimeMs = Now - 30 * Day, LastTimeMs = Now - 3 * Day };
        state.Aggregates.Events["Level up"] = new EventAggregate { Count = 7, FirstTimeMs = Now - 35 * Day, LastTimeMs = Now - Day };
        state.Aggregates.States["Shop"] = new StateAggregate { Count = 2, FirstTimeMs = Now - 20 * Day, LastTimeMs = Now - 10 * Day };
        state.ParamCounts.Counts["Purchase\u001fitem\u001fsword"] = new ParamAggregate { Count = 2, FirstTimeMs = Now - 30 * Day, LastTimeMs = Now - 3 * Day };
        state.Devices.Devices["phone"] = new DeviceEntry
        {
            AppVersion = "2.10.1", SystemName = "iOS", SystemVersion = "17.4", DeviceModel = "iPhone15,2", LastSeenMs = Now - 2 * Day, IosPushToken = "tok",
        };
        state.Devices.Devices["browser"] = new DeviceEntry { AppVersion = "1.0", SystemName = "Web", BrowserName = "Chrome", LastSeenMs = Now - 5 * Day };
        state.Source.Source = new TrafficSource { PublisherName = "Facebook", PublisherSubCampaign = "summer-sale" };
        return state;
    }

    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static bool Matches(string rule, UserState? state = null, string userId = "alice", string? deviceId = "phone") =>
        RuleCompiler.Standalone.Compile(RuleJson.Parse(rule))(new TargetingSubject(state ?? Alice(), userId, deviceId, Now));

    [Theory]
    [InlineData("""{"subject":"attribute","name":"plan","op":"is","value":"gold"}""", true)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"is","value":"silver"}""", false)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"isNot","value":"silver"}""", true)]
    [InlineData("""{"subject":"attribute","name":"missing","op":"isNot","value":"silver"}""", true)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"isAny","values":["silver","gold"]}""", true)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"isAny","values":["silver","bronze"]}""", false)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"isSet"}""", true)]
    [InlineData("""{"subject":"attribute","name":"missing","op":"isSet"}""", false)]
    [InlineData("""{"subject":"attribute","name":"missing","op":"isNotSet"}""", true)]
    [InlineData("""{"subject":"attribute","name":"nickname","op":"isEmpty"}""", true)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"isEmpty"}""", false)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"contains","value":"OL"}""", true)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"notContains","value":"ol"}""", false)]
    [InlineData("""{"subject":"attribute","name":"missing","op":"notContains","value":"ol"}""", true)]
    [InlineData("""{"subject":"attribute","name":"age","op":"greaterThan","value":33}""", true)]
    [InlineData("""{"subject":"attribute","name":"age","op":"greaterThan","value":34}""", false)]
    [InlineData("""{"subject":"attribute","name":"age","op":"lessThan","value":"35"}""", true)]
    [InlineData("""{"subject":"attribute","name":"age","op":"atLeast","value":34}""", true)]
    [InlineData("""{"subject":"attribute","name":"age","op":"atMost","value":33}""", false)]
    [InlineData("""{"subject":"attribute","name":"age","op":"between","values":[30,34]}""", true)]
    [InlineData("""{"subject":"attribute","name":"age","op":"between","values":[35,40]}""", false)]
    [InlineData("""{"subject":"attribute","name":"score","op":"greaterThan","value":17}""", true)]
    [InlineData("""{"subject":"attribute","name":"age","op":"is","value":"34"}""", true)]
    [InlineData("""{"subject":"attribute","name":"vip","op":"is","value":true}""", true)]
    [InlineData("""{"subject":"attribute","name":"vip","op":"is","value":"true"}""", true)]
    [InlineData("""{"subject":"attribute","name":"plan","op":"greaterThan","value":3}""", false)]
    public void Attribute_EveryOperator(string rule, bool expected) => Assert.Equal(expected, Matches(rule));

    [Theory]
    [InlineData("""{"subject":"attribute","name":"birthday","op":"before","value":"1993-01-01"}""", true)]
    [InlineData("""{"subject":"attribute","name":"birthday","op":"after","value":"1993-01-01"}""", false)]
    [InlineData("""{"subject":"attribute","name":"birthday","op":"notAfter","value":"1992-03-01"}""", true)]
    [InlineData("""{"subject":"attribute","name":"birthday","op":"notBefore","value":"1992-03-01T00:00:00Z"}""", true)]
    [InlineData("""{"subject":"attribute","name":"birthday","op":"between","values":["1992-01-01","1992-12-31"]}""", true)]
    [InlineData("""{"subject":"attribute","name":"signedUp","op":"after","value":"2025-12-31"}""", true)]
    [InlineData("""{"subject":"attribute","name":"signedUp","op":"before","value":"-P30D"}""", true)]
    [InlineData("""{"subject":"attribute","name":"signedUp","op":"after","value":"-P30D"}""", false)]
    public void Attribute_DatesAbsoluteAndRelative(string rule, bool expected) => Assert.Equal(expected, Matches(rule));

    [Theory]
    [InlineData("""{"subject":"event","name":"Purchase","op":"isSet"}""", true)]
    [InlineData("""{"subject":"event","name":"Refund","op":"isSet"}""", false)]
    [InlineData("""{"subject":"event","name":"Refund","op":"isNotSet"}""", true)]
    [InlineData("""{"subject":"event","name":"Refund","op":"lessThan","value":1}""", true)]
    [InlineData("""{"subject":"event","name":"Purchase","op":"atLeast","value":3}""", true)]
    [InlineData("""{"subject":"event","name":"Purchase","op":"greaterThan","value":3}""", false)]
    [InlineData("""{"subject":"event","name":"Purchase","measure":"value","op":"greaterThan","value":29.9}""", true)]
    [InlineData("""{"subject":"event","name":"Purchase","measure":"firstTime","op":"before","value":"-P29D"}""", true)]
    [InlineData("""{"subject":"event","name":"Purchase","measure":"lastTime","op":"after","value":"-P7D"}""", true)]
    [InlineData("""{"subject":"event","name":"Purchase","measure":"lastTime","op":"after","value":"-P2D"}""", false)]
    [InlineData("""{"subject":"event","name":"Refund","measure":"lastTime","op":"before","value":"-P2D"}""", false)]
    [InlineData("""{"subject":"event","name":"Purchase","param":{"name":"item","value":"sword"},"op":"atLeast","value":2}""", true)]
    [InlineData("""{"subject":"event","name":"Purchase","param":{"name":"item","value":"shield"},"op":"isSet"}""", false)]
    [InlineData("""{"subject":"event","name":"Purchase","param":{"name":"item","value":"sword"},"measure":"lastTime","op":"between","values":["-P4D","-P2D"]}""", true)]
    [InlineData("""{"subject":"state","name":"Shop","op":"is","value":2}""", true)]
    [InlineData("""{"subject":"state","name":"Shop","measure":"firstTime","op":"notAfter","value":"-P20D"}""", true)]
    [InlineData("""{"subject":"state","name":"Checkout","op":"isNotSet"}""", true)]
    public void Behaviour_OccurrencesCountsParametersAndTimes(string rule, bool expected) => Assert.Equal(expected, Matches(rule));

    [Theory]
    [InlineData("""{"subject":"sessions","op":"atLeast","value":10}""", true)]
    [InlineData("""{"subject":"timeInApp","op":"greaterThan","value":3600}""", false)]
    [InlineData("""{"subject":"lifetimeValue","op":"between","values":[20,30]}""", true)]
    [InlineData("""{"subject":"firstRun","op":"before","value":"-P30D"}""", true)]
    [InlineData("""{"subject":"firstRun","op":"after","value":"2026-05-01"}""", true)]
    [InlineData("""{"subject":"lastActive","op":"after","value":"-P1D"}""", false)]
    [InlineData("""{"subject":"lastActive","op":"notBefore","value":"-P3D"}""", true)]
    public void Lifetime_SessionsTimeValueAndDates(string rule, bool expected) => Assert.Equal(expected, Matches(rule));

    [Theory]
    [InlineData("""{"subject":"appVersion","op":"is","value":"2.10.1"}""", true)]
    [InlineData("""{"subject":"appVersion","op":"greaterThan","value":"2.9"}""", true)]
    [InlineData("""{"subject":"appVersion","op":"lessThan","value":"2.10"}""", false)]
    [InlineData("""{"subject":"appVersion","op":"between","values":["2.0","3"]}""", true)]
    [InlineData("""{"subject":"os","op":"is","value":"ios"}""", true)]
    [InlineData("""{"subject":"osVersion","op":"atLeast","value":"17"}""", true)]
    [InlineData("""{"subject":"deviceModel","op":"contains","value":"iPhone"}""", true)]
    [InlineData("""{"subject":"browser","op":"isNotSet"}""", true)]
    [InlineData("""{"subject":"locale","op":"is","value":"en_US"}""", true)]
    [InlineData("""{"subject":"country","op":"isAny","values":["DE","US"]}""", true)]
    [InlineData("""{"subject":"region","op":"is","value":"CA"}""", true)]
    [InlineData("""{"subject":"city","op":"notContains","value":"Francisco"}""", false)]
    [InlineData("""{"subject":"pushEnabled","op":"is","value":true}""", true)]
    [InlineData("""{"subject":"trafficSource","name":"publisherName","op":"is","value":"facebook"}""", true)]
    [InlineData("""{"subject":"trafficSource","name":"publisherSubCampaign","op":"contains","value":"sale"}""", true)]
    [InlineData("""{"subject":"trafficSource","name":"publisherSubAd","op":"isSet"}""", false)]
    [InlineData("""{"subject":"userId","op":"is","value":"ALICE"}""", true)]
    public void DeviceLocationAndIdentity(string rule, bool expected) => Assert.Equal(expected, Matches(rule));

    [Fact]
    public void DeviceCriteria_ReadTheRequestsDevice_ElseTheOneSeenLast()
    {
        Assert.True(Matches("""{"subject":"browser","op":"is","value":"Chrome"}""", deviceId: "browser"));
        Assert.False(Matches("""{"subject":"browser","op":"is","value":"Chrome"}""", deviceId: null));
        Assert.True(Matches("""{"subject":"os","op":"is","value":"iOS"}""", deviceId: null));
    }

    [Fact]
    public void UserBucket_IsStablePerUserAndComparesAsANumber()
    {
        var bucket = Greengage.Engine.Actions.User.UserBucket.Of("alice");
        Assert.True(Matches($$"""{"subject":"userBucket","op":"is","value":{{bucket}}}"""));
        Assert.True(Matches($$"""{"subject":"userBucket","op":"between","values":[{{bucket}},{{bucket + 1}}]}"""));
        Assert.False(Matches($$"""{"subject":"userBucket","op":"lessThan","value":{{bucket}}}"""));
    }

    [Fact]
    public void PushEnabled_FalseWithoutAnyToken()
    {
        var state = Alice();
        state.Devices.Devices["phone"].IosPushToken = null;
        Assert.True(Matches("""{"subject":"pushEnabled","op":"is","value":false}""", state));
    }

    [Theory]
    [InlineData("""{"and":[{"subject":"country","op":"is","value":"US"},{"subject":"sessions","op":"atLeast","value":5}]}""", true)]
    [InlineData("""{"and":[{"subject":"country","op":"is","value":"US"},{"subject":"sessions","op":"atLeast","value":50}]}""", false)]
    [InlineData("""{"or":[{"subject":"country","op":"is","value":"DE"},{"subject":"sessions","op":"atLeast","value":5}]}""", true)]
    [InlineData("""{"not":{"subject":"country","op":"is","value":"US"}}""", false)]
    [InlineData("""{"and":[]}""", true)]
    [InlineData("""{"or":[]}""", false)]
    public void Combinators_AndOrNot(string rule, bool expected) => Assert.Equal(expected, Matches(rule));

    [Fact]
    public void AudienceMembership_RefersToAnotherAudience_AndIsEvaluatedOncePerSubject()
    {
        var set = AudienceSet.Compile(
        [
            new AudienceDefinition("1", "Americans", RuleJson.Parse("""{"subject":"country","op":"is","value":"US"}""")),
            new AudienceDefinition("2", "Rich Americans", RuleJson.Parse("""{"and":[{"subject":"audience","name":"1","op":"is"},{"subject":"lifetimeValue","op":"atLeast","value":10}]}""")),
            new AudienceDefinition("3", "Others", RuleJson.Parse("""{"subject":"audience","name":"1","op":"isNot"}""")),
        ]);
        var subject = new TargetingSubject(Alice(), "alice", "phone", Now);

        Assert.True(set.Contains("2", subject));
        Assert.False(set.Contains("3", subject));
        Assert.False(set.Contains("404", subject));
        var counting = set.Compiler.Compile(RuleJson.Parse("""{"subject":"audience","name":"1","op":"is"}"""));
        Assert.True(counting(subject));
    }

    [Fact]
    public void AudienceSet_Cycle_IsRefusedNamingThePath()
    {
        var e = Assert.Throws<RuleException>(() => AudienceSet.Compile(
        [
            new AudienceDefinition("1", "A", RuleJson.Parse("""{"subject":"audience","name":"2","op":"is"}""")),
            new AudienceDefinition("2", "B", RuleJson.Parse("""{"subject":"audience","name":"1","op":"is"}""")),
        ]));
        Assert.Contains("A -> B -> A", e.Message);
    }

    [Theory]
    [InlineData("""{"subject":"planet","op":"is","value":1}""", "unknown subject 'planet'")]
    [InlineData("""{"subject":"attribute","op":"is","value":1}""", "'name' must be provided")]
    [InlineData("""{"subject":"country","name":"x","op":"is","value":1}""", "takes no 'name'")]
    [InlineData("""{"subject":"country","op":"like","value":1}""", "unknown op 'like'")]
    [InlineData("""{"subject":"country","op":"is"}""", "takes at least 1 value")]
    [InlineData("""{"subject":"sessions","op":"between","value":1}""", "takes 2 value")]
    [InlineData("""{"subject":"firstRun","op":"after","value":"yesterday"}""", "is not a date")]
    [InlineData("""{"subject":"sessions","op":"greaterThan","value":"many"}""", "is not a number")]
    [InlineData("""{"subject":"country","op":"greaterThan","value":"US"}""", "this subject is text")]
    [InlineData("""{"subject":"sessions","op":"after","value":"-P1D"}""", "this subject is not a date")]
    [InlineData("""{"subject":"state","name":"Shop","measure":"value","op":"is","value":1}""", "states have no value")]
    [InlineData("""{"subject":"audience","name":"9","op":"is"}""", "no audience with id '9'")]
    [InlineData("""{"and":{"subject":"country","op":"is","value":"US"}}""", "expected an array of rules")]
    [InlineData("""{"and":[],"or":[]}""", "stands alone")]
    [InlineData("""[1]""", "expected an object")]
    [InlineData("""{"subject":"country","op":"is","value":"US","extra":1}""", "unknown key 'extra'")]
    public void BadRules_AreRefusedWithAClearMessage(string rule, string message)
    {
        var e = Assert.Throws<RuleException>(() => RuleCompiler.Standalone.Compile(RuleJson.Parse(rule)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void DeepNesting_IsRefused()
    {
        var rule = string.Concat(Enumerable.Repeat("""{"not":""", 40)) + """{"subject":"country","op":"isSet"}""" + new string('}', 40);
        Assert.Contains("nest at most", Assert.Throws<RuleException>(() => RuleJson.Parse(rule)).Message);
    }

    [Fact]
    public void JsonForm_RoundTrips()
    {
        const string rule = """{"and":[{"subject":"event","name":"Purchase","measure":"lastTime","param":{"name":"item","value":"sword"},"op":"after","value":"-P7D"},{"not":{"subject":"attribute","name":"plan","op":"isAny","values":["a","b"]}}]}""";
        Assert.Equal(rule, RuleJson.Write(RuleJson.Parse(rule)).ToJsonString());
    }

    [Fact]
    public void ParameterCounts_FoldFromTheTupleNamesTheEventRecordCarries()
    {
        var state = new UserState();
        var parameters = new Dictionary<string, JsonElement> { ["item"] = J("\"sword\""), ["price"] = J("5") };
        state.Apply(new EventTracked { TimeMs = Now - Day, Name = "Purchase", Params = parameters, Counted = ["item", "price"] });
        state.Apply(new EventTracked { TimeMs = Now, Name = "Purchase", Params = parameters, Counted = ["item"] });
        state.Apply(new EventTracked { TimeMs = Now, Name = "Purchase", Params = parameters });

        Assert.Equal(2, state.ParamCounts.Counts["Purchase\u001fitem\u001fsword"].Count);
        Assert.Equal(1, state.ParamCounts.Counts["Purchase\u001fprice\u001f5"].Count);
        Assert.True(Matches("""{"subject":"event","name":"Purchase","param":{"name":"price","value":5},"op":"is","value":1}""", state));
        Assert.True(Matches("""{"subject":"event","name":"Purchase","param":{"name":"price","value":"5"},"op":"is","value":1}""", state));

        // A backfill adds what was not counted live; a second one replaces the first (nothing counts twice).
        var backfill = new ParamCountsBackfilled { TimeMs = Now, Counts = new() { ["Purchase\u001fitem\u001fsword"] = new BackfilledCount(3, Now - 9 * Day, Now - 8 * Day) } };
        state.Apply(backfill);
        state.Apply(backfill);
        Assert.Equal((5L, Now - 9 * Day, (long?)Now), state.ParamCounts.Get("Purchase\u001fitem\u001fsword"));
        state.Apply(backfill with { Counts = new() { ["Purchase\u001fitem\u001fsword"] = new BackfilledCount(0, 0, 0) } });
        Assert.Equal((2L, Now - Day, (long?)Now), state.ParamCounts.Get("Purchase\u001fitem\u001fsword"));
    }
}
