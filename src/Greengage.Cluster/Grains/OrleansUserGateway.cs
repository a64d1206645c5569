using Greengage.Engine.Commit;
using Greengage.Engine.Users;
using Greengage.Protocol.Responses;
using Orleans.Concurrency;

namespace Greengage.Cluster.Grains;

/// <summary>
/// Sends each run of user actions to that user's grain. When a grain answers that the rest of the run belongs to
/// another user (a <c>newUserId</c> move, or the alias of a user that moved), the rest goes there, up to
/// <see cref="MaxMoves"/> times per run.
/// </summary>
public sealed class OrleansUserGateway(IGrainFactory grains) : IUserGateway
{
    /// <summary>More moves than this in one run means the aliases form a loop.</summary>
    public const int MaxMoves = 8;

    public const string MoveLoopMessage = "The user id moves of this request form a loop; request skipped.";

    // GetGrain<IUserGrain>(key) resolves the grain and interface types from the CLR type on every call (2% of the
    // server's CPU for single-action requests); they are resolved once here.
    private (GrainType Grain, GrainInterfaceType Interface)? _types;

    public async Task<ActionResult[]> ApplyAsync(UserBatch batch, CancellationToken cancellationToken)
    {
        var results = new ActionResult[batch.Items.Count];
        var done = 0;
        for (var moves = 0; ; moves++)
        {
            var key = UserGrainKey.Of(batch.AppId, batch.UserId);
            var types = _types ??= TypesOf(grains.GetGrain<IUserGrain>(key));
            var grain = (IUserGrain)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
            var reply = (await grain.Apply(new Immutable<UserBatch>(batch))).Value;
            var handled = reply.Results ?? throw new StorageUnavailableException(reply.Unavailable ?? "Unavailable.", reply.RetryAfterSeconds);
            if (done == 0 && reply.Forward is null)
                return handled;
            handled.CopyTo(results, done);
            done += handled.Length;
            if (reply.Forward is not { } forward)
                return results;
            if (moves == MaxMoves)
            {
                Array.Fill(results, ActionResult.Fail(400, MoveLoopMessage), done, results.Length - done);
                return results;
            }
            batch = batch with { UserId = forward.UserId, Items = forward.Items };
        }
    }

    private static (GrainType, GrainInterfaceType) TypesOf(IUserGrain grain)
    {
        var reference = (GrainReference)grain;
        return (reference.GrainId.Type, reference.InterfaceType);
    }
}
