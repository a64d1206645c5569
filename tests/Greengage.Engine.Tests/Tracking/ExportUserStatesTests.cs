using System.Text.Json;
using Greengage.Engine.Users;
using static Greengage.Engine.Tests.TestBatches;
using static Greengage.Engine.Tests.Tracking.TrackingTestKit;

namespace Greengage.Engine.Tests.Tracking;

public sealed class ExportUserStatesTests
{
    [Fact]
    public void ExportUser_EventsAndStates_ShowsAggregatesWithTimesInSeconds()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        p.Apply(Batch("u1", T0.AddSeconds(1), Item(0, "advance", new { state = "Menu" }), Item(1, "track", new { @event = "Buy", value = 2.5 })));
        p.Apply(Batch("u1", T0.AddSeconds(3), Item(0, "advance", new { state = "Menu" }), Item(1, "track", new { @event = "Buy", value = 1 })));

        var export = p.Apply(Batch("u1", T0.AddSeconds(4), Item(0, "exportUser", new { }))).Results[0].Fields!;

        var buy = export["events"]!["Buy"]!;
        Assert.Equal(2L, (long)buy["count"]!);
        Assert.Equal(3.5, (double)buy["value"]!);
        Assert.Equal(Seconds(T0.AddSeconds(1)), (double)buy["firstTime"]!);
        Assert.Equal(Seconds(T0.AddSeconds(3)), (double)buy["lastTime"]!);
        var menu = export["states"]!["Menu"]!.AsObject();
        Assert.Equal(2L, (long)menu["count"]!);
        Assert.Equal(Seconds(T0.AddSeconds(1)), (double)menu["firstTime"]!);
        Assert.Equal(Seconds(T0.AddSeconds(3)), (double)menu["lastTime"]!);
        Assert.False(menu.ContainsKey("value"));
    }

    [Fact]
    public void Snapshot_StatesComponentShape_IsFrozen()
    {
        var state = new UserState();
        state.Apply(new Users.Records.StateEntered { TimeMs = 5, Name = "Menu", SessionId = "s" });
        var json = JsonDocument.Parse(state.Serialize()).RootElement;

        Assert.Equal("""{"current":{"name":"Menu","enter":5,"last":5,"active":0,"paused":false,"sessionPaused":false,"closed":false,"sid":"s"},"session":{"id":"s","events":0,"states":1}}""",
            json.GetProperty("states").GetRawText());
        Assert.Equal("""{"Menu":{"count":1,"firstTime":5,"lastTime":5}}""", json.GetProperty("aggregates").GetProperty("states").GetRawText());
    }
}
