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
}
