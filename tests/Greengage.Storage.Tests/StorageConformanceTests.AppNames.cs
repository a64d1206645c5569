using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

/// <summary>The names each app has used: added once, listed per app, never mixed between apps.</summary>
public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task AppNames_Added_AreListedPerAppAndKind()
    {
        await Store.AppNames.AddAppNamesAsync(App, [new AppName("event", "Purchase"), new AppName("state", "Home"), new AppName("event", "Open")], T0, Ct);
        await Store.AppNames.AddAppNamesAsync("other-app", [new AppName("event", "Elsewhere")], T0, Ct);

        var names = await Store.AppNames.ListAppNamesAsync(App, Ct);

        Assert.Equal([new AppName("event", "Open"), new AppName("event", "Purchase"), new AppName("state", "Home")],
            names.OrderBy(n => n.Kind, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AppNames_AddedTwice_AreStoredOnce_AndKindsAreSeparate()
    {
        await Store.AppNames.AddAppNamesAsync(App, [new AppName("attribute", "plan")], T0, Ct);
        await Store.AppNames.AddAppNamesAsync(App, [new AppName("attribute", "plan"), new AppName("parameter", "plan")], T0.AddMinutes(1), Ct);

        var names = await Store.AppNames.ListAppNamesAsync(App, Ct);

        Assert.Equal(2, names.Count);
        Assert.Contains(new AppName("parameter", "plan"), names);
        Assert.Empty(await Store.AppNames.ListAppNamesAsync("unknown-app", Ct));
    }

    [Fact]
    public async Task AppNames_Unicode_RoundTripsExactly()
    {
        await Store.AppNames.AddAppNamesAsync(App, [new AppName("event", "Kauf 🛒 ü"), new AppName("event", "kauf 🛒 ü")], T0, Ct);

        var names = await Store.AppNames.ListAppNamesAsync(App, Ct);

        Assert.Equal(["Kauf 🛒 ü", "kauf 🛒 ü"], names.Select(n => n.Name).Order(StringComparer.Ordinal));
    }
}
