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
    public void Deadline_FollowsTheSessionWithoutRewritingOnEveryAction()
    {
        Assert.Equal(Ms(TimeSpan.FromHours(2)), At(TimeSpan.Zero, "start"));
        // Activity within the slack leaves the stored deadline (earlier than the real one, which is safe).
        Assert.Null(At(TimeSpan.FromMinutes(5), "track", new { @event = "E" }));
        Assert.Equal(Ms(TimeSpan.FromMinutes(20) + TimeSpan.FromHours(2)), At(TimeSpan.FromMinutes(20), "track", new { @event = "E" }));
        // A pause brings the real deadline forward: it must be written.
        Assert.Equal(Ms(TimeSpan.FromMinutes(21) + TimeSpan.FromMinutes(30)), At(TimeSpan.FromMinutes(21), "pauseSession"));
        Assert.Equal(0, At(TimeSpan.FromMinutes(22), "stop"));
        // No session, nothing stored: nothing to write.
        Assert.Null(At(TimeSpan.FromMinutes(23), "track", new { @event = "E" }));
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
