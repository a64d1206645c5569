using Greengage.Engine.Actions;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests.Sessions;

/// <summary>The session deadline stored for the idle-session sweep: never later than the real one, not rewritten on every action.</summary>
public sealed class SessionDeadlineTests
{
    private readonly UserProcessor _user = new("app_test", "u1", UserActionTable.Default, new SnapshotPolicy(), new ProtocolLimits());

    private long? At(TimeSpan at, string action, object? parameters = null)
    {
        var (_, writes) = _user.Apply(Batch("u1", T0 + at, Item(0, action, parameters ?? new { deviceId = "d1" })));
        if (writes is null)
            return null;
        _user.Committed(writes);
        return writes.SessionDeadlineMs;
    }

    private static long Ms(TimeSpan at) => (T0 + at).ToUnixTimeMilliseconds();

    [Fact]
    public void Deadline_WrittenOnlyWhenTheRealOneMovesEarlierOrTheStoredOnePassed()
    {
        Assert.Equal(Ms(TimeSpan.FromHours(2)), At(TimeSpan.Zero, "start"));
        // Activity leaves the stored deadline: earlier than the real one, which is safe.
        Assert.Null(At(TimeSpan.FromMinutes(5), "track", new { @event = "E" }));
        Assert.Null(At(TimeSpan.FromMinutes(20), "track", new { @event = "E" }));
        // A pause brings the real deadline forward: it must be written.
        Assert.Equal(Ms(TimeSpan.FromMinutes(21) + TimeSpan.FromMinutes(30)), At(TimeSpan.FromMinutes(21), "pauseSession"));
        // A stop leaves it (the sweep clears it when it passes), and so does a new session or pause after it.
        Assert.Null(At(TimeSpan.FromMinutes(22), "stop"));
        Assert.Null(At(TimeSpan.FromMinutes(23), "track", new { @event = "E" }));
        Assert.Null(At(TimeSpan.FromMinutes(24), "start"));
        Assert.Null(At(TimeSpan.FromMinutes(25), "pauseSession"));
        Assert.Null(At(TimeSpan.FromMinutes(26), "resumeSession"));
        // Once the stored deadline has passed, the next commit stores the real one.
        Assert.Equal(Ms(TimeSpan.FromMinutes(52) + TimeSpan.FromHours(2)), At(TimeSpan.FromMinutes(52), "track", new { @event = "E" }));
    }

    [Fact]
    public void StaleDeadline_AfterAStop_IsClearedByTheSweepsVisit()
    {
        At(TimeSpan.Zero, "start");
        Assert.Null(At(TimeSpan.FromMinutes(1), "stop"));
        Assert.Equal(0, At(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1), Actions.User.SweepSession.ActionName, new { }));
        // Nothing stored any more: later activity without a session writes none.
        Assert.Null(At(TimeSpan.FromHours(3), "track", new { @event = "E" }));
    }

    [Fact]
    public void LoadedUser_WithoutASession_TheSweepsVisitClearsWhatAStopLeft()
    {
        At(TimeSpan.Zero, "start");
        At(TimeSpan.FromMinutes(1), "stop");
        var loaded = new UserProcessor("app_test", "u1", UserActionTable.Default, new SnapshotPolicy(), new ProtocolLimits());
        loaded.Load(new Engine.Storage.StoredUser(new Engine.Storage.UserSnapshot(1, _user.Seq, _user.State.Serialize()), []), Ms(TimeSpan.FromMinutes(2)));
        // Taken as nothing stored, so a read writes nothing; the sweep's visit (it came because something is) clears it.
        Assert.Null(loaded.Apply(Batch("u1", T0 + TimeSpan.FromMinutes(2), Item(0, "getVars", new { deviceId = "d1" }))).Writes);
        var (_, writes) = loaded.Apply(Batch("u1", T0 + TimeSpan.FromMinutes(2), Item(0, Actions.User.SweepSession.ActionName, new { })));
        Assert.Equal(0, writes?.SessionDeadlineMs);
    }

    [Fact]
    public void Login_MovedUsersDeadline_IsClearedWithTheMove()
    {
        var world = new Identity.UserWorld();
        world.Do("d1", "start", new { deviceId = "d1" });
        Assert.Equal(Ms(TimeSpan.FromHours(2)), world.StoredDeadline("d1"));
        world.Do("d1", "setUserAttributes", new { deviceId = "d1", newUserId = "alice" }, TimeSpan.FromMinutes(1));
        // The alias never opens a session again, so the sweep would visit it for nothing.
        Assert.Equal(0, world.StoredDeadline("d1"));
        // The session went on as alice's, from its last activity (the start).
        Assert.Equal(Ms(TimeSpan.FromHours(2)), world.StoredDeadline("alice"));
    }

    [Fact]
    public void Sweep_AfterTheDeadline_ClosesTheSessionAndClearsIt()
    {
        At(TimeSpan.Zero, "start");
        At(TimeSpan.FromMinutes(1), "track", new { @event = "E" });
        var cleared = At(TimeSpan.FromHours(3), Actions.User.SweepSession.ActionName, new { });
        Assert.Equal(0, cleared);
        Assert.Null(_user.State.Sessions.Open);
        Assert.Equal(60, _user.State.Profile.TimeSpentInApp);
    }
}
