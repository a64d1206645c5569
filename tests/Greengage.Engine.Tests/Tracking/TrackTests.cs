using System.Text.Json;
using Greengage.Engine.Tracking;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using static Greengage.Engine.Tests.TestBatches;
using static Greengage.Engine.Tests.Tracking.TrackingTestKit;

namespace Greengage.Engine.Tests.Tracking;

public sealed class TrackTests
{
    private static readonly TimeSpan ThirtyDays = TimeSpan.FromDays(30);

    [Fact]
    public void Track_ClientTimeThirtyDaysMinusOneSecondOld_KeepsTheClientTime()
    {
        var p = NewProcessor();
        var eventTime = T0 - ThirtyDays + TimeSpan.FromSeconds(1);
        var (results, writes) = p.Apply(Batch("u1", T0, Item(0, "track", new { @event = "Old", time = Seconds(eventTime) })));

        Assert.True(results[0].Success);
        Assert.Null(results[0].Warning);
        Assert.Equal(Ms(eventTime), Assert.IsType<EventTracked>(Records(writes).Single()).TimeMs);
        Assert.Equal(Ms(eventTime), p.State.Aggregates.Events["Old"].FirstTimeMs);
    }

    [Fact]
    public void Track_ClientTimeThirtyDaysPlusOneSecondOld_IsRewrittenToArrivalWithWarningAndOffline()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        var arrival = T0.AddSeconds(10);
        var eventTime = arrival - ThirtyDays - TimeSpan.FromSeconds(1);
        var (results, writes) = p.Apply(Batch("u1", arrival, Item(0, "track", new { @event = "Old", time = Seconds(eventTime) })));

        Assert.True(results[0].Success);
        Assert.Equal("Past event detected (30 days ago). Rewriting timestamp.", results[0].Warning);
        Assert.True((bool)results[0].Fields!["isOffline"]!);
        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.Equal(Ms(arrival), e.TimeMs);
        Assert.True(e.IsOffline);
        Assert.Null(e.SessionId);
    }

    [Fact]
    public void Track_ClientTimeExactlyThirtyDaysOld_KeepsTheClientTime()
    {
        var (results, writes) = NewProcessor().Apply(Batch("u1", T0, Item(0, "track", new { @event = "Old", time = Seconds(T0 - ThirtyDays) })));

        Assert.Null(results[0].Warning);
        Assert.Equal(Ms(T0 - ThirtyDays), Records(writes).Single().TimeMs);
    }

    [Fact]
    public void Track_ConfiguredPastEventDays_UsesThatWindow()
    {
        var p = NewProcessor(new TrackingOptions { PastEventDays = 7 });
        var (results, writes) = p.Apply(Batch("u1", T0,
            Item(0, "track", new { @event = "Six", time = Seconds(T0.AddDays(-6)) }),
            Item(1, "track", new { @event = "Eight", time = Seconds(T0.AddDays(-8)) })));

        Assert.Null(results[0].Warning);
        Assert.Equal("Past event detected (8 days ago). Rewriting timestamp.", results[1].Warning);
        var records = Records(writes).Cast<EventTracked>().ToList();
        Assert.Equal(Ms(T0.AddDays(-6)), records[0].TimeMs);
        Assert.Equal(Ms(T0), records[1].TimeMs);
    }

    [Fact]
    public void Track_EnvelopeTime_CorrectsTheClientClockSkew()
    {
        // The client's clock is one hour fast: it sent the batch at T0+1h by its clock, the event a minute earlier.
        var p = NewProcessor();
        var clientSend = Seconds(T0.AddHours(1));
        var (results, writes) = p.Apply(BatchWithEnvelope(T0, clientSend,
            Item(0, "track", new { @event = "Skewed", time = clientSend - 60 })));

        Assert.True(results[0].Success);
        Assert.Null(results[0].Warning);
        Assert.Equal(Ms(T0.AddMinutes(-1)), Records(writes).Single().TimeMs);
    }

    [Fact]
    public void Track_SlowClientClockWithEnvelopeTime_CorrectedTimeDecidesThePastEventRule()
    {
        // The client's clock is two days slow: by its clock the event is 31 days old, in truth 29 days.
        var p = NewProcessor();
        var clientSend = Seconds(T0.AddDays(-2));
        var (results, writes) = p.Apply(BatchWithEnvelope(T0, clientSend,
            Item(0, "track", new { @event = "Backlog", time = clientSend - TimeSpan.FromDays(29).TotalSeconds })));

        Assert.True(results[0].Success);
        Assert.Null(results[0].Warning);
        Assert.Equal(Ms(T0.AddDays(-29)), Records(writes).Single().TimeMs);
    }

    [Fact]
    public void Track_RequireActiveWithoutSession_IsIgnoredWithWarningAndRecordsNothing()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", T0, Item(0, "setUserAttributes", new { userAttributes = "{\"a\":1}" })));
        var (results, writes) = p.Apply(Batch("u1", T0.AddSeconds(1), Item(0, "track", new { @event = "E", disposition = "requireActive" })));

        Assert.True(results[0].Success);
        Assert.True(results[0].Ignored);
        Assert.Equal(Dispositions.IgnoredWarning, results[0].Warning);
        Assert.Empty(Records(writes));
        Assert.False(p.State.Aggregates.Events.ContainsKey("E"));
    }

    [Fact]
    public void Track_RequireActiveWithOpenSession_IsRecordedInTheSession()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        var (results, writes) = p.Apply(Batch("u1", T0.AddSeconds(5), Item(0, "track", new { @event = "E", disposition = "requireActive" })));

        Assert.True(results[0].Success);
        Assert.False(results[0].Ignored);
        Assert.Null(results[0].Fields);
        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.Equal(p.State.Sessions.Open!.Id, e.SessionId);
        Assert.False(e.IsOffline);
        Assert.Equal(1, p.State.Aggregates.Events["E"].Count);
    }

    [Fact]
    public void Track_PassiveInOpenSession_DoesNotTouchLastActiveAndIsOffline()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        var (results, writes) = p.Apply(Batch("u1", T0.AddMinutes(1), Item(0, "track", new { @event = "Sent", disposition = "passive" })));

        Assert.True((bool)results[0].Fields!["isOffline"]!);
        Assert.Equal(Ms(T0), p.State.Profile.LastActiveMs);
        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.True(e.IsOffline);
        Assert.Null(e.SessionId);
        Assert.Equal(1, p.State.Aggregates.Events["Sent"].Count);
    }

    [Fact]
    public void Track_ActiveInOpenSession_MarksTheUserActive()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        var (results, _) = p.Apply(Batch("u1", T0.AddMinutes(1), Item(0, "track", new { @event = "Tap" })));

        Assert.Null(results[0].Fields);
        Assert.Equal(Ms(T0.AddMinutes(1)), p.State.Profile.LastActiveMs);
    }

    [Fact]
    public void Track_AllowOfflineTrue_IsPassive()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        var (results, writes) = p.Apply(Batch("u1", T0.AddMinutes(1), Item(0, "track", new { @event = "Sent", allowOffline = "true" })));

        Assert.True((bool)results[0].Fields!["isOffline"]!);
        Assert.Equal(Ms(T0), p.State.Profile.LastActiveMs);
        Assert.True(Assert.IsType<EventTracked>(Records(writes).Single()).IsOffline);
    }

    [Fact]
    public void Track_NoOpenSession_IsRecordedOfflineWithTheFlag()
    {
        var p = NewProcessor();
        var (results, writes) = p.Apply(Batch("u1", T0, Item(0, "track", new { @event = "E" })));

        Assert.True((bool)results[0].Fields!["isOffline"]!);
        Assert.True(Assert.IsType<EventTracked>(Records(writes).Single()).IsOffline);
    }

    [Fact]
    public void Track_UnknownDisposition_FailsWith400AndRecordsNothing()
    {
        var (results, writes) = NewProcessor().Apply(Batch("u1", Item(0, "track", new { @event = "E", disposition = "sometimes" })));

        Assert.Equal(400, results[0].Status);
        Assert.Contains("disposition", results[0].Error, StringComparison.Ordinal);
        Assert.Empty(Records(writes));
    }

    [Fact]
    public void Track_CurrencyCode_ConvertsTheValueAndKeepsLocalCurrencyAndPrice()
    {
        var p = NewProcessor(new TrackingOptions { CurrencyRates = { ["EUR"] = 1.08m } });
        var (results, writes) = p.Apply(Batch("u1", Item(0, "track", new { @event = "Purchase", value = 9.99, currencyCode = "eur", @params = new { item = "sword" } })));

        Assert.True(results[0].Success);
        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.Equal(10.7892, e.Value);
        Assert.Equal("EUR", e.Params!["localCurrency"].GetString());
        Assert.Equal(9.99, e.Params["localPrice"].GetDouble());
        Assert.Equal("sword", e.Params["item"].GetString());
        Assert.Equal(10.7892, p.State.Aggregates.Events["Purchase"].Value);
    }

    [Fact]
    public void Track_CurrencyCodeIsTheAppCurrency_KeepsTheValue()
    {
        var p = NewProcessor(new TrackingOptions { AppCurrency = "GBP" });
        var (_, writes) = p.Apply(Batch("u1", Item(0, "track", new { @event = "Purchase", value = 5, currencyCode = "GBP" })));

        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.Equal(5, e.Value);
        Assert.Equal("GBP", e.Params!["localCurrency"].GetString());
    }

    [Fact]
    public void Track_CurrencyWithoutARate_IsRecordedWithZeroValueAndTheLocalPriceAndWarns()
    {
        var p = NewProcessor(new TrackingOptions { CurrencyRates = { ["EUR"] = 1.08m } });
        var (results, writes) = p.Apply(Batch("u1", Item(0, "track", new { @event = "Purchase", value = 7.5, currencyCode = "xyz" })));

        Assert.True(results[0].Success);
        Assert.Equal("No exchange rate from XYZ to USD is configured; value recorded as 0, localPrice kept.", results[0].Warning);
        var recorded = Assert.IsType<Greengage.Engine.Users.Records.EventTracked>(Assert.Single(Records(writes)));
        Assert.Equal(0, recorded.Value);
        Assert.Equal("XYZ", recorded.Params!["localCurrency"].GetString());
        Assert.Equal(7.5, recorded.Params!["localPrice"].GetDouble());
    }

    [Theory]
    [InlineData("EURO", "Invalid value for 'currencyCode': expected an ISO 4217 code such as USD, got 'EURO'.")]
    [InlineData("1$", "Invalid value for 'currencyCode': expected an ISO 4217 code such as USD, got '1$'.")]
    public void Track_UnknownCurrencyCode_FailsWithAClear400(string code, string message)
    {
        var p = NewProcessor(new TrackingOptions { CurrencyRates = { ["EUR"] = 1.08m } });
        var (results, writes) = p.Apply(Batch("u1", Item(0, "track", new { @event = "Purchase", value = 1, currencyCode = code })));

        Assert.Equal(400, results[0].Status);
        Assert.Equal(message, results[0].Error);
        Assert.Empty(Records(writes));
    }

    [Fact]
    public void Track_PurchaseWithoutCurrency_IsAPlainEventWithRevenueValue()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", Item(0, "track", new { @event = "Purchase", value = 4.5 }), Item(1, "track", new { @event = "Purchase", value = 0.5 })));

        Assert.Equal(2, p.State.Aggregates.Events["Purchase"].Count);
        Assert.Equal(5.0, p.State.Aggregates.Events["Purchase"].Value);
    }

    [Fact]
    public void Track_MessageIdWithoutEvent_IsStoredAsTheMessageView()
    {
        var p = NewProcessor();
        var (results, writes) = p.Apply(Batch("u1", Item(0, "track", new { messageId = "123" })));

        Assert.True(results[0].Success);
        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.Equal(".m123 View", e.Name);
        Assert.Equal("123", e.MessageId);
    }

    [Fact]
    public void Track_MessageIdWithEvent_IsStoredAsThatMessageEvent()
    {
        var (_, writes) = NewProcessor().Apply(Batch("u1", Item(0, "track", new { messageId = "123", @event = "Accept" })));

        Assert.Equal(".m123 Accept", Assert.IsType<EventTracked>(Records(writes).Single()).Name);
    }

    [Theory]
    [InlineData(".hidden", "must not start with '.' or '-'")]
    [InlineData("-minus", "must not start with '.' or '-'")]
    [InlineData("path/", "must not end with '/'")]
    [InlineData("a,b", "must not contain")]
    [InlineData("a|b", "must not contain")]
    [InlineData("a\"b", "must not contain")]
    [InlineData("a{b", "must not contain")]
    [InlineData("a\tb", "must not contain")]
    [InlineData("a\nb", "must not contain")]
    [InlineData("42", "must not be numeric")]
    [InlineData("3.5", "must not be numeric")]
    [InlineData(".m12 View", "must not start with '.' or '-'")]
    public void Track_InvalidEventName_FailsWith400NamingTheRule(string name, string rule)
    {
        var (results, writes) = NewProcessor().Apply(Batch("u1", Item(0, "track", new { @event = name })));

        Assert.Equal(400, results[0].Status);
        Assert.Contains(rule, results[0].Error, StringComparison.Ordinal);
        Assert.StartsWith("Invalid event name", results[0].Error, StringComparison.Ordinal);
        Assert.Empty(Records(writes));
    }

    [Theory]
    [InlineData("Purchase")]
    [InlineData("Level 2 / Boss")]
    [InlineData("a.b-c")]
    [InlineData("v2")]
    [InlineData("NaN")]
    public void Track_ValidEventName_IsRecorded(string name)
    {
        var p = NewProcessor();
        var (results, _) = p.Apply(Batch("u1", Item(0, "track", new { @event = name })));

        Assert.True(results[0].Success);
        Assert.True(p.State.Aggregates.Events.ContainsKey(name));
    }

    [Theory]
    [InlineData(12, true)]
    [InlineData(13, false)]
    public void Track_EventNameLength_IsCheckedAgainstMaxNameLength(int length, bool accepted)
    {
        var (results, _) = NewProcessor(limits: new ProtocolLimits { MaxNameLength = 12 })
            .Apply(Batch("u1", Item(0, "track", new { @event = new string('e', length) })));

        Assert.Equal(accepted, results[0].Success);
        if (!accepted)
            Assert.Equal("Event names must be 1 to 12 characters long.", results[0].Error);
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void Track_ParamsCount_IsCheckedAgainstMaxParamsPerEvent(int count, bool accepted)
    {
        var parameters = Enumerable.Range(0, count).ToDictionary(i => "p" + i, i => (object)i);
        var (results, _) = NewProcessor(limits: new ProtocolLimits { MaxParamsPerEvent = 2 })
            .Apply(Batch("u1", Item(0, "track", new { @event = "E", @params = parameters })));

        Assert.Equal(accepted, results[0].Success);
        if (!accepted)
            Assert.Equal("'params' may hold at most 2 parameters.", results[0].Error);
    }

    [Fact]
    public void Track_CurrencyParamsOnAFullParamSet_DoNotCountAgainstTheLimit()
    {
        var parameters = Enumerable.Range(0, 2).ToDictionary(i => "p" + i, i => (object)i);
        var (results, writes) = NewProcessor(limits: new ProtocolLimits { MaxParamsPerEvent = 2 })
            .Apply(Batch("u1", Item(0, "track", new { @event = "Purchase", value = 1, currencyCode = "USD", @params = parameters })));

        Assert.True(results[0].Success);
        Assert.Equal(4, Assert.IsType<EventTracked>(Records(writes).Single()).Params!.Count);
    }

    [Fact]
    public void Track_NestedParamValue_FailsWith400()
    {
        var (results, writes) = NewProcessor().Apply(Batch("u1", Item(0, "track", new { @event = "E", @params = new { nested = new { a = 1 } } })));

        Assert.Equal(400, results[0].Status);
        Assert.Equal("Invalid value for 'params.nested': expected text or a number", results[0].Error);
        Assert.Empty(Records(writes));
    }

    [Fact]
    public void Track_InfoAndParams_AreRecorded()
    {
        var (_, writes) = NewProcessor().Apply(Batch("u1", Item(0, "track", new { @event = "E", info = "free text", @params = "{\"level\":3,\"mode\":\"hard\"}" })));

        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.Equal("free text", e.Info);
        Assert.Equal(3, e.Params!["level"].GetInt32());
        Assert.Equal("hard", e.Params["mode"].GetString());
    }

    [Fact]
    public void Track_MoreEventsThanTheSessionLimit_FailsWith400UntilTheNextSession()
    {
        var p = NewProcessor(new TrackingOptions { MaxEventsPerSession = 3 });
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        var (results, _) = p.Apply(Batch("u1", T0.AddSeconds(1),
            Item(0, "track", new { @event = "E" }), Item(1, "track", new { @event = "E" }),
            Item(2, "track", new { @event = "E" }), Item(3, "track", new { @event = "E" })));

        Assert.All(results.Take(3), r => Assert.True(r.Success));
        Assert.Equal(400, results[3].Status);
        Assert.Equal("Too many events in this session: at most 3 events per session.", results[3].Error);
        Assert.Equal(3, p.State.Aggregates.Events["E"].Count);

        // Outside the session limit: a passive event and a new session's events are accepted.
        var (later, _) = p.Apply(Batch("u1", T0.AddSeconds(2),
            Item(0, "track", new { @event = "E", disposition = "passive" }),
            Item(1, "start", new { deviceId = "d1" }),
            Item(2, "track", new { @event = "E" })));
        Assert.All(later, r => Assert.True(r.Success));
        Assert.Equal(5, p.State.Aggregates.Events["E"].Count);
    }

    [Fact]
    public void TrackGeofence_RegionEvent_IsRecordedLikeTrack()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        var (results, writes) = p.Apply(Batch("u1", T0.AddSeconds(3),
            Item(0, "trackGeofence", new { @event = "enter_region", @params = new { region = "Home" } })));

        Assert.True(results[0].Success);
        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.Equal("enter_region", e.Name);
        Assert.Equal(p.State.Sessions.Open!.Id, e.SessionId);
        Assert.Equal(1, p.State.Aggregates.Events["enter_region"].Count);
    }

    [Fact]
    public void TrackGeofence_NoEvent_FailsLikeTrack()
    {
        var (results, _) = NewProcessor().Apply(Batch("u1", Item(0, "trackGeofence", new { })));
        Assert.Equal("'event' must be provided", results[0].Error);
    }

    [Fact]
    public void Track_DevMode_IsRecordedButKeptOutOfAggregates()
    {
        var p = NewProcessor();
        var (_, writes) = p.Apply(Batch("u1", Item(0, "track", new { @event = "E", value = 3 }, devMode: true)));

        Assert.True(Records(writes).Single().IsDeveloper);
        Assert.Empty(p.State.Aggregates.Events);
    }

    [Fact]
    public void Track_Retried_IsNotCountedAgainstTheSessionLimitTwice()
    {
        var p = NewProcessor(new TrackingOptions { MaxEventsPerSession = 1 });
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        var item = Item(0, "track", new { @event = "E", deviceId = "d1", uuid = "b1", reqId = "r1" });
        p.Apply(Batch("u1", T0.AddSeconds(1), item));
        var (retry, writes) = p.Apply(Batch("u1", T0.AddSeconds(2), item));

        Assert.True(retry[0].Success);
        Assert.Empty(Records(writes));
        Assert.Equal(1, p.State.Aggregates.Events["E"].Count);
    }

    [Fact]
    public void Track_EventRecords_RoundTripThroughJson()
    {
        var (_, writes) = NewProcessor(new TrackingOptions { CurrencyRates = { ["JPY"] = 0.0067m } })
            .Apply(Batch("u1", Item(0, "track", new { @event = "Purchase", value = 1000, currencyCode = "JPY" })));

        var e = Assert.IsType<EventTracked>(Records(writes).Single());
        Assert.Equal(6.7, e.Value);
        Assert.Equal(JsonValueKind.Number, e.Params!["localPrice"].ValueKind);
    }
}
