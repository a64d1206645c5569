using Greengage.Engine.Users;
using Greengage.Protocol.Responses;

namespace Greengage.Cluster.Grains;

/// <summary>
/// A grain's answer: one result per item it handled, or why the writes could not be made durable. With
/// <paramref name="Forward"/>, the items after <paramref name="Results"/> belong to another user (a user id move).
/// </summary>
public sealed record UserReply(ActionResult[]? Results, string? Unavailable = null, int RetryAfterSeconds = 1, UserForward? Forward = null);

/// <summary>The target's answer to a handover.</summary>
/// <param name="RedirectTo">Set when the target itself moved: hand the state to this user instead.</param>
/// <param name="Unavailable">Why nothing was committed (a retry may succeed), or null.</param>
public sealed record AbsorbReply(bool Committed, string? RedirectTo = null, string? Unavailable = null, int RetryAfterSeconds = 1);
