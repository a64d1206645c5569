using System.Collections.Frozen;

namespace Greengage.Engine.Actions;

/// <summary>The handlers of app-level actions, by action name.</summary>
public sealed class AppActionTable(IEnumerable<IAppAction> handlers)
{
    private readonly FrozenDictionary<string, IAppAction> _byName =
        handlers.ToFrozenDictionary(h => h.Name, StringComparer.Ordinal);

    public IAppAction? Find(string action) => _byName.GetValueOrDefault(action);

    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>
    /// This table with <paramref name="additions"/> added, or in place of the handlers of the same name. Handlers that
    /// need services (<see cref="App.RegisterDevice"/>) are added where the host builds its table.
    /// </summary>
    public AppActionTable With(IEnumerable<IAppAction> additions)
    {
        var byName = new Dictionary<string, IAppAction>(_byName, StringComparer.Ordinal);
        foreach (var handler in additions)
            byName[handler.Name] = handler;
        return new AppActionTable(byName.Values);
    }

    /// <summary>The app actions that need no services.</summary>
    public static AppActionTable Default { get; } = new(
    [
        new App.GetMigrateState(),
        new App.Log(),
        new App.LegacyNoOp("restart"),
        new App.LegacyNoOp("saveInterface"),
        new App.LegacyNoOp("saveInterfaceImage"),
        new App.LegacyNoOp("getViewControllerVersionsList"),
    ]);
}
