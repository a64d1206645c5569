using Greengage.Engine.Storage;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Users;

/// <summary>What a run did for one user, and what the grain still has to do for it.</summary>
/// <param name="Results">One per item handled here, in order: fewer than the run's items when <see cref="Forward"/> is set.</param>
/// <param name="Writes">To commit before answering; null when nothing changed (or when a <see cref="Handover"/> carries them).</param>
public sealed record ApplyOutcome(ActionResult[] Results, UserWriteSet? Writes)
{
    /// <summary>A login or register: the target absorbs this state and commits these writes with its own.</summary>
    public UserHandover? Handover { get; init; }

    /// <summary>The items after <see cref="Results"/>, which belong to another user now.</summary>
    public UserForward? Forward { get; init; }
}

/// <summary>An anonymous user's state on its way to the user it logged in or registered as.</summary>
/// <param name="State">The source's serialised state, as it was before it moved.</param>
/// <param name="SourceWrites">The source's writes (its move record among them): committed with the target's, or not at all.</param>
public sealed record UserHandover(string FromUserId, string ToUserId, byte[] State, long TimeMs, UserWriteSet SourceWrites);

/// <summary>Items to run as <paramref name="UserId"/>, in order, with their original positions.</summary>
public sealed record UserForward(string UserId, IReadOnlyList<UserBatchItem> Items);
