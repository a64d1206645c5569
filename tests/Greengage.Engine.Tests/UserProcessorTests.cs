using Greengage.Engine.Actions;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests;

public sealed class UserProcessorTests
{
    private static UserProcessor NewProcessor(int snapshotEvery = 200) =>
        new("app_test", "u1", UserActionTable.Default, new SnapshotPolicy { EveryRecords = snapshotEvery }, new ProtocolLimits());

    [Fact]
    public void Apply_StartThenTrack_CountsEventAndSession()
    {
        var p = NewProcessor();
        var (results, writes) = p.Apply(Batch("u1",
            Item(0, "start", new { deviceId = "d1", userAttributes = "{\"plan\":\"gold\"}" }),
            Item(1, "track", new { deviceId = "d1", @event = "Buy", value = "2.5" }),
            Item(2, "track", new { deviceId = "d1", @event = "Buy", value = 1 })));

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(3, writes!.Rows.Count);
        Assert.Equal([1L, 2L, 3L], writes.Rows.Select(r => r.Seq));
        Assert.Equal(2, p.State.Aggregates.Events["Buy"].Count);
        Assert.Equal(3.5, p.State.Aggregates.Events["Buy"].Value);
        Assert.Equal(1, p.State.Profile.TotalSessions);
        Assert.Equal("gold", p.State.Profile.Attributes["plan"].GetString());
    }

    [Fact]
    public void Apply_RetriedItemsSameUuidAndReqId_AreNotAppliedTwice()
    {
        var p = NewProcessor();
        var items = new[]
        {
            Item(0, "start", new { deviceId = "d1", uuid = "b1", reqId = "r1" }),
            Item(1, "track", new { deviceId = "d1", @event = "E", uuid = "b1", reqId = "r2" }),
        };
        p.Committed(p.Apply(Batch("u1", items)).Writes!);
        var (results, writes) = p.Apply(Batch("u1", T0.AddSeconds(5), items));

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Null(writes);
        Assert.Equal(1, p.State.Aggregates.Events["E"].Count);
        Assert.Equal(1, p.State.Profile.TotalSessions);
        Assert.NotNull(results[0].Fields!["vars"]);
    }

    [Fact]
    public void Apply_SameReqIdNewUuid_IsANewRequest()
    {
        var p = NewProcessor();
        p.Apply(Batch("u1", Item(0, "track", new { deviceId = "d1", @event = "E", uuid = "b1", reqId = "r1" })));
        p.Apply(Batch("u1", Item(0, "track", new { deviceId = "d1", @event = "E", uuid = "b2", reqId = "r1" })));
        Assert.Equal(2, p.State.Aggregates.Events["E"].Count);
    }

    [Fact]
    public void Apply_Start_TokenIsStablePerDeviceAcrossUsers()
    {
        var a = NewProcessor().Apply(Batch("u1", Item(0, "start", new { deviceId = "d1" }))).Results[0];
        var b = NewProcessor().Apply(Batch("u2", Item(0, "start", new { deviceId = "d1" }))).Results[0];
        var c = NewProcessor().Apply(Batch("u1", Item(0, "start", new { deviceId = "d2" }))).Results[0];
        Assert.Equal((string?)a.Fields!["token"], (string?)b.Fields!["token"]);
        Assert.NotEqual((string?)a.Fields!["token"], (string?)c.Fields!["token"]);
    }

    [Theory]
    [InlineData("d1")]
    [InlineData("appareil-é-ü-\u4e2d")]
    [InlineData("a-device-id-longer-than-the-stack-buffer-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public void Apply_Start_TokenIsTheDevicesHmacUnderTheAppSecret_Base64Url(string device)
    {
        var result = NewProcessor().Apply(Batch("u1", Item(0, "start", new { deviceId = device }))).Results[0];

        // Tokens already handed out must stay valid: the first 18 bytes of HMAC-SHA256(secret, device), base64url.
        var mac = System.Security.Cryptography.HMACSHA256.HashData("secret"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(device));
        Assert.Equal(Convert.ToBase64String(mac, 0, 18).Replace('+', '-').Replace('/', '_'), (string?)result.Fields!["token"]);
    }

    [Fact]
    public void Apply_BadParameter_FailsThatItemOnlyAndRecordsNothingForIt()
    {
        var p = NewProcessor();
        var (results, writes) = p.Apply(Batch("u1",
            Item(0, "track", new { @event = "Good" }),
            Item(1, "track", new { @event = "Bad", value = "abc" }),
            Item(2, "track", new { @event = "Good" })));
        Assert.True(results[0].Success);
        Assert.False(results[1].Success);
        Assert.Equal(400, results[1].Status);
        Assert.True(results[2].Success);
        Assert.Equal(2, writes!.Rows.Count);
        Assert.False(p.State.Aggregates.Events.ContainsKey("Bad"));
    }

    [Fact]
    public void Apply_StopForUnknownUser_WarnsAndWritesNothing()
    {
        var (results, writes) = NewProcessor().Apply(Batch("u1", Item(0, "stop", new { })));
        Assert.True(results[0].Success);
        Assert.Equal("User not found; request skipped.", results[0].Warning);
        Assert.Null(writes);
    }

    [Fact]
    public void Apply_ManyRecords_SnapshotsAreCoalesced()
    {
        var p = NewProcessor(snapshotEvery: 100);
        var snapshots = 0;
        for (var i = 0; i < 1000; i++)
        {
            var (_, writes) = p.Apply(Batch("u1", Item(0, "track", new { @event = "E" })));
            if (writes!.Snapshot is not null)
            {
                snapshots++;
                p.Committed(writes);
            }
        }
        Assert.Equal(10, snapshots);
    }

    [Fact]
    public void Load_SnapshotPlusTail_RebuildsTheSameState()
    {
        var p = NewProcessor(snapshotEvery: 3);
        var rows = new List<LogRow>();
        SnapshotWrite? snapshot = null;
        for (var i = 0; i < 5; i++)
        {
            var (_, writes) = p.Apply(Batch("u1", T0.AddMinutes(i), Item(0, i == 0 ? "start" : "track", new { @event = "E", value = i, deviceId = "d" })));
            rows.AddRange(writes!.Rows.Select(r => new LogRow(0, "app_test", "u1", r.Seq, r.Kind, r.TimeMs, r.Body)));
            if (writes.Snapshot is { } s)
            {
                snapshot = s;
                p.Committed(writes);
            }
        }
        Assert.NotNull(snapshot);
        var reloaded = NewProcessor();
        reloaded.Load(new StoredUser(new UserSnapshot(1, snapshot!.Seq, snapshot.State), rows.Where(r => r.Seq > snapshot.Seq).ToList()), 0);

        Assert.Equal(p.Seq, reloaded.Seq);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(p.State.Serialize()), System.Text.Encoding.UTF8.GetString(reloaded.State.Serialize()));
    }

    [Fact]
    public void Apply_DevMode_IsMarkedAndKeptOutOfAggregates()
    {
        var p = NewProcessor();
        var (_, writes) = p.Apply(Batch("u1", Item(0, "track", new { @event = "E" }, devMode: true)));
        Assert.Contains("\"dm\":true", System.Text.Encoding.UTF8.GetString(writes!.Rows[0].Body), StringComparison.Ordinal);
        Assert.False(p.State.Aggregates.Events.ContainsKey("E"));
    }
}
