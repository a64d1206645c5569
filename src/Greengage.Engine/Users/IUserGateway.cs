using Greengage.Engine.Storage;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Users;

/// <summary>
/// Routes a run of actions to the one place that owns the user (an Orleans grain in the server) and returns one
/// result per item, after the writes are durable. Throws <see cref="Commit.StorageUnavailableException"/> when they
/// could not be made durable.
/// </summary>
public interface IUserGateway
{
    Task<ActionResult[]> ApplyAsync(UserBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// The same, for a run of the server's own work on a user a scan has just read (<paramref name="known"/>): a
    /// gateway may start from that instead of loading the user again. It may be stale: a decision on it must be fenced
    /// (log rows) or made again on the user as stored now.
    /// </summary>
    Task<ActionResult[]> ApplyAsync(UserBatch batch, KnownUser? known, CancellationToken cancellationToken) =>
        ApplyAsync(batch, cancellationToken);
}

/// <summary>A user as a page of stored users held it: what was read, and the state folded from it.</summary>
public sealed record KnownUser(StoredUser Stored, UserState State);
