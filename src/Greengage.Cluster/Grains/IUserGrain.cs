using Greengage.Engine.Users;
using Orleans.Concurrency;

namespace Greengage.Cluster.Grains;

/// <summary>One user of one app (ARCHITECTURE decision 2). Keyed <c>{appId}/{userId}</c>.</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Applies a run of actions in order and answers after their writes are durable.</summary>
    Task<Immutable<UserReply>> Apply(Immutable<UserBatch> batch);
}
