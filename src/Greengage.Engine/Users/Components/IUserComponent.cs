using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// One part of a user's state (ARCHITECTURE decision 3). Each component folds the records it cares about and knows
/// how to absorb the same component of another user (login merges an anonymous profile into a known one).
/// New capabilities add components; they do not touch the others.
/// </summary>
public interface IUserComponent<TSelf> where TSelf : IUserComponent<TSelf>
{
    void Apply(UserRecord record);

    /// <summary>Absorbs <paramref name="source"/> (the anonymous user) into this one (the user logged in to).</summary>
    void MergeFrom(TSelf source);
}
