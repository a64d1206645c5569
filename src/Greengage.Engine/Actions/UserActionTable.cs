using System.Collections.Frozen;

namespace Greengage.Engine.Actions;

/// <summary>The handlers of user actions, by action name (Garnet's command table: one readable list).</summary>
public sealed class UserActionTable(IEnumerable<IUserAction> handlers, IUserRunObserver? observer = null)
{
    private readonly FrozenDictionary<string, IUserAction> _byName =
        handlers.ToFrozenDictionary(h => h.Name, StringComparer.Ordinal);

    public IUserAction? Find(string action) => _byName.GetValueOrDefault(action);

    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>What looks at a user before and after each run of actions (audience entry triggers), if anything.</summary>
    public IUserRunObserver? Observer { get; } = observer;

    /// <summary>This table with <paramref name="runObserver"/> watching every run.</summary>
    public UserActionTable Watched(IUserRunObserver runObserver) => new(_byName.Values, runObserver);

    /// <summary>This table with <paramref name="replacements"/> added, or in place of the handlers of the same name.</summary>
    public UserActionTable With(IEnumerable<IUserAction> replacements)
    {
        var byName = new Dictionary<string, IUserAction>(_byName, StringComparer.Ordinal);
        foreach (var handler in replacements)
            byName[handler.Name] = handler;
        return new UserActionTable(byName.Values, Observer);
    }

    /// <summary>Every user action this server implements.</summary>
    public static UserActionTable Default { get; } = new(
    [
        new User.Start(),
        new User.Stop(),
        new User.PauseSession(),
        new User.ResumeSession(),
        new User.Heartbeat(),
        new User.Track(),
        new User.TrackGeofence(),
        new User.Advance(),
        new User.PauseState(),
        new User.ResumeState(),
        new User.SetUserAttributes(),
        new User.SetDeviceAttributes(),
        new User.SetTrafficSourceInfo(),
        new User.Block(),
        new User.Unblock(),
        new User.DeleteUser(),
        new User.ExportUser(),
        new User.GetVars(),
        new User.GetNewsfeedMessages(),
        new User.MarkNewsfeedMessageAsRead(),
        new User.DeleteNewsfeedMessage(),
        new User.SendMessage(),
        new User.StartCampaign(),
        new User.SweepSession(),
    ]);
}
