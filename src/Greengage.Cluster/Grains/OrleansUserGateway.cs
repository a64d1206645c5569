using Greengage.Engine.Commit;
using Greengage.Engine.Users;
using Greengage.Protocol.Responses;
using Orleans.Concurrency;

namespace Greengage.Cluster.Grains;

/// <summary>Sends each run of user actions to that user's grain.</summary>
public sealed class OrleansUserGateway(IGrainFactory grains) : IUserGateway
{
    public async Task<ActionResult[]> ApplyAsync(UserBatch batch, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IUserGrain>(UserGrainKey.Of(batch.AppId, batch.UserId));
        var reply = (await grain.Apply(new Immutable<UserBatch>(batch))).Value;
        return reply.Results ?? throw new StorageUnavailableException(reply.Unavailable ?? "Unavailable.", reply.RetryAfterSeconds);
    }
}
