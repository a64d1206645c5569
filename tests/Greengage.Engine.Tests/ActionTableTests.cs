using Greengage.Engine.Actions;
using Greengage.Protocol.Actions;

namespace Greengage.Engine.Tests;

/// <summary>The action tables against the catalogue (STYLE practice 2).</summary>
public sealed class ActionTableTests
{
    /// <summary>The actions the foundation serves (issue: "the pipe proven end to end").</summary>
    private static readonly string[] Foundation =
        ["start", "stop", "track", "setUserAttributes", "exportUser", "getMigrateState", "log", "heartbeat", "pauseSession", "resumeSession"];

    [Fact]
    public void Tables_EveryHandler_IsCataloguedWithItsScope()
    {
        // Internal actions (the idle-session sweep's visit) start with "__" and are unreachable from /api.
        foreach (var name in UserActionTable.Default.Names.Where(n => !n.StartsWith("__", StringComparison.Ordinal)))
            Assert.Equal(ActionScope.User, ActionCatalogue.Find(name)?.Scope);
        Assert.All(UserActionTable.Default.Names.Where(n => n.StartsWith("__", StringComparison.Ordinal)), n => Assert.Null(ActionCatalogue.Find(n)));
        foreach (var name in AppActionTable.Default.Names)
            Assert.Equal(ActionScope.App, ActionCatalogue.Find(name)?.Scope);
    }

    [Fact]
    public void Tables_FoundationActions_AllHaveHandlers()
    {
        var handled = UserActionTable.Default.Names.Concat(AppActionTable.Default.Names).ToHashSet(StringComparer.Ordinal);
        Assert.All(Foundation, a => Assert.Contains(a, handled));
    }
}
