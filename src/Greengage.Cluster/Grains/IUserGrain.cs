using Greengage.Engine.Users;
using Orleans.Concurrency;

namespace Greengage.Cluster.Grains;

/// <summary>One user of one app (ARCHITECTURE decision 2). Keyed <c>{appId}/{userId}</c>.</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Applies a run of actions in order and answers after their writes are durable.</summary>
    Task<Immutable<UserReply>> Apply(Immutable<UserBatch> batch);

    /// <summary>
    /// Takes in an anonymous user's state (login or register) and commits it together with the source's move record.
    /// Interleaves with a running <see cref="Apply"/> so that two users moving into each other cannot wait on each
    /// other: a grain that is itself handing its state over refuses at once (the client retries).
    /// </summary>
    [AlwaysInterleave]
    Task<Immutable<AbsorbReply>> Absorb(Immutable<UserHandover> handover, DateTimeOffset arrival);
}
