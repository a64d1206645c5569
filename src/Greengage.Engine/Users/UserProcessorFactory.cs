using Greengage.Engine.Actions;
using Greengage.Protocol.Requests;

namespace Greengage.Engine.Users;

/// <summary>Makes the <see cref="UserProcessor"/> of a user with the server's settings: for a grain, or for the
/// server's work applied in place.</summary>
public sealed class UserProcessorFactory(
    UserActionTable actions, SnapshotPolicy policy, ProtocolLimits limits, SessionTimeouts sessions, ProfileOptions profile)
{
    public SnapshotPolicy Policy => policy;

    public UserProcessor Create(string appId, string userId) => new(appId, userId, actions, policy, limits, sessions, profile);
}
