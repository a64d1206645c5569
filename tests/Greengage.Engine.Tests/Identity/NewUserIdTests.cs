using System.Text.Json.Nodes;
using Greengage.Engine.Users;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests.Identity;

/// <summary>
/// <c>newUserId</c> (spec 6.3): with no current user id (user id = device id) a login merges the anonymous user into
/// an existing one, a register renames it; with a user id it is a switch. Moves go one way with an alias
/// (ARCHITECTURE decision 3).
/// </summary>
public sealed class NewUserIdTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>An anonymous user on device <paramref name="device"/>: started at <paramref name="at"/>, two purchases, an attribute.</summary>
    private static void Anonymous(UserWorld world, string device, TimeSpan at, object? attributes = null)
    {
        world.Do(device, "start", new { deviceId = device, appVersion = "2.0", systemName = "Android", deviceModel = "Pixel" }, at);
        world.Do(device, "track", new { deviceId = device, @event = "Purchase", value = 5 }, at + S(10));
        world.Do(device, "track", new { deviceId = device, @event = "Purchase", value = 7 }, at + S(20));
        world.Do(device, "setUserAttributes", new { deviceId = device, userAttributes = attributes ?? new { plan = "free", color = "red" } }, at + S(30));
    }

    private static JsonObject Export(UserWorld world, string user, TimeSpan at) => world.Export(user, at) ?? throw new Xunit.Sdk.XunitException($"{user} is missing");

    [Fact]
    public void Register_AnonymousUserToNewId_RenamesWholeProfile()
    {
        var world = new UserWorld();
        Anonymous(world, "d1", S(0));

        var result = world.Do("d1", "setUserAttributes", new { deviceId = "d1", newUserId = "alice" }, S(40));

        Assert.True(result.Success);
        var alice = Export(world, "alice", S(41));
        Assert.Equal("alice", (string?)alice["userId"]);
        Assert.Equal("free", (string?)alice["userAttributes"]!["plan"]);
        Assert.Equal(2, (long)alice["events"]!["Purchase"]!["count"]!);
        Assert.Equal(12.0, (double)alice["events"]!["Purchase"]!["value"]!);
        Assert.Equal(1, (long)alice["totalSessions"]!);
        Assert.Equal("d1", (string?)alice["devices"]![0]!["deviceId"]);
        Assert.Equal("user.merged", world.Kinds("alice")[0]);
        Assert.DoesNotContain("\"login\"", world.Bodies("alice").First(), StringComparison.Ordinal); // a register
    }

    [Fact]
    public void Register_SessionGoesOnUnderTheNewId()
    {
        var world = new UserWorld();
        Anonymous(world, "d1", S(0));
        world.Do("d1", "setUserAttributes", new { deviceId = "d1", newUserId = "alice" }, S(40));

        // The device keeps using the session it started as d1, now as alice.
        world.Do("alice", "track", new { deviceId = "d1", @event = "Level" }, S(100));
        world.Do("alice", "stop", new { deviceId = "d1" }, S(130));

        var alice = Export(world, "alice", S(131));
        Assert.Equal(1, (long)alice["totalSessions"]!);
        Assert.Equal(130.0, (double)alice["timeSpentInApp"]!);
        Assert.DoesNotContain("session.start", world.Kinds("alice"));
        Assert.Contains("session.end", world.Kinds("alice"));
    }

    [Fact]
    public void Login_MergesAnonymousIntoExisting_TargetValuesWin_CountsAdd()
    {
        var world = new UserWorld();
        world.Do("alice", "start", new { deviceId = "phone" }, S(0));
        world.Do("alice", "track", new { deviceId = "phone", @event = "Purchase", value = 100 }, S(5));
        world.Do("alice", "setUserAttributes", new { deviceId = "phone", userAttributes = new { plan = "pro", name = "Alice" } }, S(6));
        world.Do("alice", "stop", new { deviceId = "phone" }, S(60));
        Anonymous(world, "tablet", S(1000));

        world.Do("tablet", "setUserAttributes", new { deviceId = "tablet", newUserId = "alice" }, S(1040));

        var alice = Export(world, "alice", S(1041));
        var attributes = alice["userAttributes"]!.AsObject();
        Assert.Equal("pro", (string?)attributes["plan"]);      // the target's value wins
        Assert.Equal("Alice", (string?)attributes["name"]);
        Assert.Equal("red", (string?)attributes["color"]);     // gaps are filled from the anonymous profile
        Assert.Equal(3, (long)alice["events"]!["Purchase"]!["count"]!);
        Assert.Equal(112.0, (double)alice["events"]!["Purchase"]!["value"]!);
        Assert.Equal(T0.AddSeconds(5).ToUnixTimeMilliseconds() / 1000.0, (double)alice["events"]!["Purchase"]!["firstTime"]!);
        Assert.Equal(2, (long)alice["totalSessions"]!);
        Assert.Equal(["phone", "tablet"], alice["devices"]!.AsArray().Select(d => (string)d!["deviceId"]!).Order());
        Assert.Equal(T0.ToUnixTimeMilliseconds() / 1000.0, (double)alice["created"]!);
        Assert.Contains("\"login\":true", world.Bodies("alice").Single(b => b.Contains("user.merged", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Login_RemovesTheAnonymousUser_AndLaterRequestsForItReachTheTarget()
    {
        var world = new UserWorld();
        world.Do("alice", "setUserAttributes", new { deviceId = "phone", userAttributes = new { plan = "pro" } }, S(0));
        Anonymous(world, "tablet", S(100));
        world.Do("tablet", "setUserAttributes", new { deviceId = "tablet", newUserId = "alice" }, S(140));

        // The anonymous state is gone: only the alias is left.
        var anonymous = world["tablet"].State;
        Assert.False(anonymous.Exists);
        Assert.Equal("alice", anonymous.Identity.MovedTo);
        Assert.Empty(anonymous.Aggregates.Events);
        Assert.Equal("user.moved", world.Kinds("tablet")[^1]);

        // A late request (an offline batch, a retry) for the old id lands on alice and does not recreate tablet.
        world.Do("tablet", "track", new { deviceId = "tablet", @event = "Purchase", value = 1 }, S(150));
        var export = Export(world, "tablet", S(151));
        Assert.Equal("alice", (string?)export["userId"]);
        Assert.Equal(3, (long)export["events"]!["Purchase"]!["count"]!);
        Assert.False(world["tablet"].State.Exists);
        Assert.Equal("user.moved", world.Kinds("tablet")[^1]);
    }

    [Fact]
    public void Login_BothSessionsOpen_TargetKeepsItsOwn_AnonymousEndsAtLastActivity()
    {
        var world = new UserWorld();
        world.Do("alice", "start", new { deviceId = "phone" }, S(0));
        world.Do("tablet", "start", new { deviceId = "tablet" }, S(100));
        world.Do("tablet", "track", new { deviceId = "tablet", @event = "E" }, S(130));

        world.Do("tablet", "setUserAttributes", new { deviceId = "tablet", newUserId = "alice" }, S(200));

        var alice = world["alice"].State;
        Assert.Equal(2, alice.Profile.TotalSessions);
        Assert.Equal(30.0, alice.Profile.TimeSpentInApp);      // the anonymous session: 100 s to its last activity at 130 s
        Assert.Equal(T0.ToUnixTimeMilliseconds(), alice.Sessions.Open!.StartMs);
    }

    [Fact]
    public void Login_ItemAttributesAndRestOfBatch_ApplyToTheNewUser()
    {
        var world = new UserWorld();
        world.Do("alice", "setUserAttributes", new { deviceId = "phone", userAttributes = new { plan = "pro" } }, S(0));

        var results = world.Send("d9", S(10),
            Item(0, "start", new { deviceId = "d9" }),
            Item(1, "setUserAttributes", new { deviceId = "d9", newUserId = "alice", userAttributes = new { age = 30 } }),
            Item(2, "track", new { deviceId = "d9", @event = "AfterLogin" }));

        Assert.All(results, r => Assert.True(r.Success));
        var alice = Export(world, "alice", S(11));
        Assert.Equal(30, (int)alice["userAttributes"]!["age"]!);
        Assert.Equal(1, (long)alice["events"]!["AfterLogin"]!["count"]!);
        Assert.Empty(world["d9"].State.Aggregates.Events);
    }

    [Fact]
    public void Switch_KnownUser_EndsSessionAndStartsOneForTheNewUser()
    {
        var world = new UserWorld();
        world.Do("alice", "start", new { deviceId = "shared", appVersion = "3.1", systemName = "iOS", deviceModel = "iPad" }, S(0));
        world.Do("alice", "track", new { deviceId = "shared", @event = "E" }, S(50));

        var results = world.Send("alice", S(90),
            Item(0, "setUserAttributes", new { deviceId = "shared", newUserId = "bob", userAttributes = new { role = "kid" } }),
            Item(1, "track", new { deviceId = "shared", @event = "Play" }));

        Assert.All(results, r => Assert.True(r.Success));
        // alice stays, with her session ended at the switch.
        var alice = world["alice"].State;
        Assert.True(alice.Exists);
        Assert.Null(alice.Sessions.Open);
        Assert.Null(alice.Identity.MovedTo);
        Assert.Equal(90.0, alice.Profile.TimeSpentInApp);
        Assert.Equal(["session.start", "event", "session.end", "user.switch"], world.Kinds("alice"));
        Assert.Contains("\"why\":\"switch\"", world.Bodies("alice").ElementAt(2), StringComparison.Ordinal);
        // bob is created, with a session on the same device, the item's attributes and the rest of the batch.
        var bob = Export(world, "bob", S(91));
        Assert.Equal("kid", (string?)bob["userAttributes"]!["role"]);
        Assert.Equal(1, (long)bob["totalSessions"]!);
        Assert.Equal(1, (long)bob["events"]!["Play"]!["count"]!);
        var device = bob["devices"]![0]!;
        Assert.Equal("shared", (string?)device["deviceId"]);
        Assert.Equal("iPad", (string?)device["deviceModel"]);
        Assert.Equal("3.1", (string?)device["appVersion"]);
        Assert.Null(world["alice"].State.Aggregates.Events.GetValueOrDefault("Play"));
    }

    [Fact]
    public void Switch_WithoutOpenSession_StartsNone()
    {
        var world = new UserWorld();
        world.Do("alice", "setUserAttributes", new { deviceId = "d", userAttributes = new { a = 1 } }, S(0));

        world.Do("alice", "setUserAttributes", new { deviceId = "d", newUserId = "bob" }, S(10));

        Assert.Equal(0, world["bob"].State.Profile.TotalSessions);
        Assert.Null(world["bob"].State.Sessions.Open);
        Assert.True(world["bob"].State.Exists);
        Assert.Null(world["alice"].State.Identity.MovedTo);
    }

    [Fact]
    public void RetriedBatch_WithLogin_IsNotCountedTwice()
    {
        var world = new UserWorld();
        world.Do("alice", "setUserAttributes", new { deviceId = "phone", userAttributes = new { plan = "pro" } }, S(0));
        UserBatchItem[] batch =
        [
            Item(0, "track", new { deviceId = "d1", @event = "Buy", value = 1, uuid = "b1", reqId = "r1" }),
            Item(1, "setUserAttributes", new { deviceId = "d1", newUserId = "alice", userAttributes = new { n = 1 }, uuid = "b1", reqId = "r2" }),
            Item(2, "track", new { deviceId = "d1", @event = "Buy", value = 1, uuid = "b1", reqId = "r3" }),
        ];

        world.Send("d1", S(10), batch);
        var again = world.Send("d1", S(20), batch);

        Assert.All(again, r => Assert.True(r.Success));
        var alice = world["alice"].State;
        Assert.Equal(2, alice.Aggregates.Events["Buy"].Count);
        Assert.Equal(1, world.Kinds("alice").Count(k => k == "user.merged"));
        Assert.Equal(1, world.Kinds("d1").Count(k => k == "user.moved"));
    }

    [Fact]
    public void EveryUser_ReplayedFromItsOwnLog_EqualsItsState()
    {
        var world = new UserWorld();
        world.Do("alice", "start", new { deviceId = "phone" }, S(0));
        world.Do("alice", "track", new { deviceId = "phone", @event = "Purchase", value = 100 }, S(5));
        Anonymous(world, "tablet", S(100));
        world.Do("tablet", "setUserAttributes", new { deviceId = "tablet", newUserId = "alice" }, S(140));
        world.Do("alice", "setUserAttributes", new { deviceId = "phone", newUserId = "bob" }, S(150));
        world.Do("tablet", "track", new { deviceId = "tablet", @event = "Late" }, S(160));

        foreach (var user in new[] { "alice", "tablet", "bob" })
            Assert.Equal(world.Serialized(user), world.Replayed(user));
    }

    [Fact]
    public void Login_DeviceCap_HoldsAfterTheMerge()
    {
        var world = new UserWorld(new ProfileOptions { MaxDevicesPerUser = 2 });
        world.Do("alice", "start", new { deviceId = "old" }, S(0));
        world.Do("alice", "start", new { deviceId = "newer" }, S(100));
        world.Do("d3", "start", new { deviceId = "d3" }, S(200));

        world.Do("d3", "setUserAttributes", new { deviceId = "d3", newUserId = "alice" }, S(300));

        Assert.Equal(["d3", "newer"], world["alice"].State.Devices.Devices.Keys.Order());
    }

    [Fact]
    public void NewUserId_TooLong_FailsTheItem_AndMovesNothing()
    {
        var world = new UserWorld();
        Anonymous(world, "d1", S(0));

        var result = world.Do("d1", "setUserAttributes", new { deviceId = "d1", newUserId = new string('x', 401) }, S(40));

        Assert.False(result.Success);
        Assert.Equal(400, result.Status);
        Assert.Null(world["d1"].State.Identity.MovedTo);
        Assert.Equal(2, world["d1"].State.Aggregates.Events["Purchase"].Count);
    }

    [Fact]
    public void NewUserId_BlockedUser_Answers451_AndMovesNothing()
    {
        var world = new UserWorld();
        Anonymous(world, "d1", S(0));
        world.Do("d1", "block", new { deviceId = "d1" }, S(35));

        var result = world.Do("d1", "setUserAttributes", new { deviceId = "d1", newUserId = "alice" }, S(40));

        Assert.Equal(451, result.Status);
        Assert.Null(world["d1"].State.Identity.MovedTo);
        Assert.DoesNotContain("alice", world.Known);
    }

    [Theory]
    [InlineData("")]
    [InlineData("d1")]
    public void NewUserId_EmptyOrSame_IsNoMove_AndTheRestApplies(string newUserId)
    {
        var world = new UserWorld();
        Anonymous(world, "d1", S(0));

        var result = world.Do("d1", "setUserAttributes", new { deviceId = "d1", newUserId, userAttributes = new { x = 1 } }, S(40));

        Assert.True(result.Success);
        Assert.Null(world["d1"].State.Identity.MovedTo);
        Assert.Equal(1, world["d1"].State.Profile.Attributes["x"].GetInt32());
        Assert.DoesNotContain("user.moved", world.Kinds("d1"));
    }

    [Fact]
    public void Login_ChainOfMoves_FollowsEveryAlias()
    {
        var world = new UserWorld();
        world.Do("d1", "track", new { deviceId = "d1", @event = "A" }, S(0));
        world.Do("d1", "setUserAttributes", new { deviceId = "d1", newUserId = "u1" }, S(1));
        // u1 was itself anonymous on another device id? No: a registered user switches, so chain through a second anonymous id.
        world.Do("d2", "track", new { deviceId = "d2", @event = "B" }, S(2));
        world.Do("d2", "setUserAttributes", new { deviceId = "d2", newUserId = "u1" }, S(3));

        world.Do("d1", "track", new { deviceId = "d1", @event = "C" }, S(4));
        world.Do("d2", "track", new { deviceId = "d2", @event = "C" }, S(5));

        var u1 = world["u1"].State;
        Assert.Equal(1, u1.Aggregates.Events["A"].Count);
        Assert.Equal(1, u1.Aggregates.Events["B"].Count);
        Assert.Equal(2, u1.Aggregates.Events["C"].Count);
    }
}
