using System.Collections.Frozen;
using Greengage.Engine.Actions.User;
using Greengage.Protocol.Actions;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Users;

/// <summary>
/// What the processor checks before an action's handler runs, so that a refused item records nothing at all:
/// a blocked user (HTTP 451) and <c>createDisposition</c> (spec 4 conventions, 6.1).
/// </summary>
public static class UserAccess
{
    public const string CreateDispositionParameter = "createDisposition";

    /// <summary>The answer to every write for a blocked user (spec 3: HTTP 451 for a user put under <c>block</c>).</summary>
    public const string BlockedMessage = "User is blocked; request refused.";

    /// <summary>
    /// Actions that still answer for a blocked user: reads, the administrator's own controls (a block is lifted with
    /// <c>unblock</c>, and an erasure request is honoured whatever the user's state), and the idle-session sweep.
    /// </summary>
    public static readonly FrozenSet<string> AllowedWhileBlocked =
        new[] { "exportUser", "block", "unblock", "deleteUser", SweepSession.ActionName }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The answer for an item that must not reach its handler, or null to run it. A blocked user's writes answer 451;
    /// with <c>CreateNever</c> (the action's default, or the request's <c>createDisposition</c>) a missing user is
    /// skipped with Leanplum's warning. A user known only as blocked (blocked, then deleted) counts as present, so that
    /// it can still be unblocked.
    /// </summary>
    /// <exception cref="InvalidParameterException"><c>createDisposition</c> is neither value.</exception>
    public static ActionResult? Refuse(UserState state, UserBatchItem item)
    {
        if (state.Block.Blocked && !AllowedWhileBlocked.Contains(item.Action))
            return ActionResult.Fail(451, BlockedMessage);
        // Content reads answer content whether or not the user exists (they create nothing either way); so does the
        // inbox download (an unknown user's inbox is empty, and the device must learn that).
        if (DispositionOf(item) == CreateDisposition.CreateNever && !state.Exists && !state.Block.Blocked
            && !string.Equals(item.Action, GetVars.ActionName, StringComparison.Ordinal)
            && !string.Equals(item.Action, GetNewsfeedMessages.ActionName, StringComparison.Ordinal))
            return ActionResult.Warn(KnownErrors.UserNotFound);
        return null;
    }

    /// <summary>The request's <c>createDisposition</c> (<c>CreateIfNeeded</c> or <c>CreateNever</c>, any case), else the action's default.</summary>
    public static CreateDisposition DispositionOf(UserBatchItem item)
    {
        var sent = item.Parameters.String(CreateDispositionParameter);
        if (sent is null)
            return ActionCatalogue.Find(item.Action)?.Create ?? CreateDisposition.CreateIfNeeded;
        if (string.Equals(sent, nameof(CreateDisposition.CreateIfNeeded), StringComparison.OrdinalIgnoreCase))
            return CreateDisposition.CreateIfNeeded;
        if (string.Equals(sent, nameof(CreateDisposition.CreateNever), StringComparison.OrdinalIgnoreCase))
            return CreateDisposition.CreateNever;
        throw new InvalidParameterException($"Invalid value for '{CreateDispositionParameter}': expected CreateIfNeeded or CreateNever");
    }
}
