namespace Greengage.Protocol.Actions;

/// <summary>What the server knows about one catalogued action before any handler runs.</summary>
/// <param name="Name">The action name as sent on the wire (case-sensitive).</param>
/// <param name="Keys">The key classes that may call it. Development keys may also call every production action.</param>
/// <param name="Create">The default <c>createDisposition</c>.</param>
/// <param name="Scope">Whether the action acts on one user, on the app, or is answered without state.</param>
public sealed record ActionInfo(string Name, KeyClasses Keys, CreateDisposition Create, ActionScope Scope)
{
    /// <summary>True when a key of <paramref name="keyClass"/> may call this action.</summary>
    public bool Allows(KeyClasses keyClass) =>
        (Keys & keyClass) != 0
        || (keyClass == KeyClasses.Development && (Keys & KeyClasses.Production) != 0);
}

public enum ActionScope
{
    /// <summary>Reads or writes one user's state; runs inside that user's grain.</summary>
    User,
    /// <summary>Works on app-level content or jobs; no user grain.</summary>
    App,
}
