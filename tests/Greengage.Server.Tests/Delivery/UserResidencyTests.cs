using Greengage.Cluster.Grains;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// The local leases of the server's work in place against activations (<see cref="UserResidency"/>): a lease waits for
/// another lease (two outcomes of one send coming back together), never for an activation, and never cuts in front of
/// an activation that waits.
/// </summary>
public sealed class UserResidencyTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task ALease_WaitsForAnotherLease_AndGetsTheUserWhenItEnds()
    {
        var residency = new UserResidency();
        Assert.True(residency.TryLease("app/u"));

        var second = residency.LeaseAsync("app/u", default).AsTask();
        await Task.Delay(Short);
        Assert.False(second.IsCompleted);

        residency.Release("app/u");
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(residency.TryLease("app/u")); // the second holds it now
        residency.Release("app/u");
        Assert.Equal(0, residency.Count);
    }

    [Fact]
    public async Task ALease_IsRefusedAtOnce_WhileTheUserHasAnActivation()
    {
        var residency = new UserResidency();
        await residency.EnterAsync("app/u", default);

        Assert.False(await residency.LeaseAsync("app/u", default).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        residency.Leave("app/u");
        Assert.True(await residency.LeaseAsync("app/u", default));
        residency.Release("app/u");
        Assert.Equal(0, residency.Count);
    }

    [Fact]
    public async Task AWaitingLease_GivesWay_ToAnActivationThatWaitedForTheSameLease()
    {
        var residency = new UserResidency();
        Assert.True(residency.TryLease("app/u"));
        // A lease waits for the one held; then an activation comes, and waits for it too.
        var lease = residency.LeaseAsync("app/u", default).AsTask();
        await Task.Delay(Short);
        var activation = residency.EnterAsync("app/u", default).AsTask();
        await Task.Delay(Short);
        Assert.False(lease.IsCompleted);
        Assert.False(activation.IsCompleted);

        // Asked for now, while the activation waits, a lease is refused at once.
        Assert.False(await residency.LeaseAsync("app/u", default).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));

        // When the held lease ends, the activation goes in and the waiting lease gives way.
        residency.Release("app/u");
        await activation.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(await lease.WaitAsync(TimeSpan.FromSeconds(5)));
        residency.Leave("app/u");
        Assert.Equal(0, residency.Count);
    }

    [Fact]
    public async Task AWaitingLease_Cancelled_LeavesNothingBehind()
    {
        var residency = new UserResidency();
        Assert.True(residency.TryLease("app/u"));
        using var cancel = new CancellationTokenSource();
        var lease = residency.LeaseAsync("app/u", cancel.Token).AsTask();
        await Task.Delay(Short);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lease);
        residency.Release("app/u");
        Assert.Equal(0, residency.Count);
    }
}
