using System.Collections.Frozen;

namespace Greengage.Engine.Actions;

/// <summary>The handlers of app-level actions, by action name.</summary>
public sealed class AppActionTable(IEnumerable<IAppAction> handlers)
{
    private readonly FrozenDictionary<string, IAppAction> _byName =
        handlers.ToFrozenDictionary(h => h.Name, StringComparer.Ordinal);

    public IAppAction? Find(string action) => _byName.GetValueOrDefault(action);

    public IEnumerable<string> Names => _byName.Keys;

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
