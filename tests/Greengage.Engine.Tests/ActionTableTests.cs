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
        foreach (var name in UserActionTable.Default.Names)
            Assert.Equal(ActionScope.User, ActionCatalogue.Find(name)?.Scope);
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
