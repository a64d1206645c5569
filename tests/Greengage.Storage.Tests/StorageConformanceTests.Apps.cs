namespace Greengage.Storage.Tests;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task CreateAppAsync_NewApp_GetReturnsItWithAllKeys()
    {
        var app = NewApp("a");
        await Store.Apps.CreateAppAsync(app, Ct);

        var stored = await Store.Apps.GetAppAsync("a", Ct);

        Assert.NotNull(stored);
        Assert.Equal(app.AppId, stored.AppId);
        Assert.Equal(app.Name, stored.Name);
        Assert.Equal(app.Created, stored.Created);
        Assert.Equal(app.TokenSecret, stored.TokenSecret);
        Assert.Equal(app.Keys.OrderBy(k => k.Key), stored.Keys.OrderBy(k => k.Key));
    }

    [Fact]
    public async Task GetAppAsync_MissingApp_ReturnsNull()
    {
        Assert.Null(await Store.Apps.GetAppAsync("nope", Ct));
    }

    [Fact]
    public async Task CreateAppAsync_DuplicateAppId_ThrowsInvalidOperation()
    {
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.Apps.CreateAppAsync(NewApp("a", "other-"), Ct));
    }

    [Fact]
    public async Task ListAppsAsync_SeveralApps_ReturnsAllWithTheirKeys()
    {
        Assert.Empty(await Store.Apps.ListAppsAsync(Ct));
        await Store.Apps.CreateAppAsync(NewApp("b"), Ct);
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);

        var apps = await Store.Apps.ListAppsAsync(Ct);

        Assert.Equal(["a", "b"], apps.Select(a => a.AppId).Order(StringComparer.Ordinal));
        foreach (var app in apps)
        {
            Assert.Equal(NewApp(app.AppId).Keys.OrderBy(k => k.Key), app.Keys.OrderBy(k => k.Key));
        }
    }

    [Fact]
    public async Task ReplaceKeyAsync_ExistingApp_ReplacesThatKeyAndOldKeyIsGone()
    {
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);

        var updated = await Store.Apps.ReplaceKeyAsync("a", "production", "prod-new", Ct);

        Assert.NotNull(updated);
        Assert.Equal("prod-new", updated.Keys["production"]);
        Assert.DoesNotContain("prod-a", updated.Keys.Values);
        Assert.Equal("dev-a", updated.Keys["development"]);
        Assert.Equal(4, updated.Keys.Count);
        var reread = await Store.Apps.GetAppAsync("a", Ct);
        Assert.Equal(updated.Keys.OrderBy(k => k.Key), reread!.Keys.OrderBy(k => k.Key));

        // The old key no longer exists anywhere: another app may now take it.
        var other = NewApp("b") with { Keys = new Dictionary<string, string> { ["production"] = "prod-a" } };
        await Store.Apps.CreateAppAsync(other, Ct);
        Assert.Equal("prod-a", (await Store.Apps.GetAppAsync("b", Ct))!.Keys["production"]);
    }

    [Fact]
    public async Task ReplaceKeyAsync_MissingApp_ReturnsNull()
    {
        Assert.Null(await Store.Apps.ReplaceKeyAsync("nope", "production", "k", Ct));
    }
}
