namespace Greengage.Protocol.Actions;

/// <summary>Whether an action creates a missing user (spec section 4 conventions).</summary>
public enum CreateDisposition
{
    /// <summary>The action does not touch a user profile.</summary>
    NotApplicable,
    CreateIfNeeded,
    CreateNever,
}
