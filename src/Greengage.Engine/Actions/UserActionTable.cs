using System.Collections.Frozen;

namespace Greengage.Engine.Actions;

/// <summary>The handlers of user actions, by action name (Garnet's command table: one readable list).</summary>
public sealed class UserActionTable(IEnumerable<IUserAction> handlers)
{
    private readonly FrozenDictionary<string, IUserAction> _byName =
        handlers.ToFrozenDictionary(h => h.Name, StringComparer.Ordinal);

    public IUserAction? Find(string action) => _byName.GetValueOrDefault(action);

    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>Every user action this server implements.</summary>
    public static UserActionTable Default { get; } = new(
    [
        new User.Start(),
        new User.Stop(),
        new User.PauseSession(),
        new User.ResumeSession(),
        new User.Heartbeat(),
        new User.Track(),
        new User.SetUserAttributes(),
        new User.ExportUser(),
    ]);
}
