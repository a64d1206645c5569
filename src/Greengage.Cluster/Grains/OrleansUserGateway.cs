using Greengage.Engine.Commit;
using Greengage.Engine.Users;
using Greengage.Protocol.Responses;
using Orleans.Concurrency;

namespace Greengage.Cluster.Grains;

/// <summary>Sends each run of user actions to that user's grain.</summary>
public sealed class OrleansUserGateway(IGrainFactory grains) : IUserGateway
{
    // GetGrain<IUserGrain>(key) resolves the grain and interface types from the CLR type on every call (2% of the
    // server's CPU for single-action requests); they are resolved once here.
    private (GrainType Grain, GrainInterfaceType Interface)? _types;

    public async Task<ActionResult[]> ApplyAsync(UserBatch batch, CancellationToken cancellationToken)
    {
        var key = UserGrainKey.Of(batch.AppId, batch.UserId);
        var types = _types ??= TypesOf(grains.GetGrain<IUserGrain>(key));
        var grain = (IUserGrain)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
        var reply = (await grain.Apply(new Immutable<UserBatch>(batch))).Value;
        return reply.Results ?? throw new StorageUnavailableException(reply.Unavailable ?? "Unavailable.", reply.RetryAfterSeconds);
    }

    private static (GrainType, GrainInterfaceType) TypesOf(IUserGrain grain)
    {
        var reference = (GrainReference)grain;
        return (reference.GrainId.Type, reference.InterfaceType);
    }
}
