using System.Text;
using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

/// <summary>Content documents: written, replaced, deleted in one transaction, listed per app in kind and key order.</summary>
public abstract partial class StorageConformanceTests
{
    private static ContentDocument Doc(string kind, string key, string json, long at = 1) => new(kind, key, Encoding.UTF8.GetBytes(json), at);

    [Fact]
    public async Task Content_Written_IsListedPerAppInKindAndKeyOrder()
    {
        await Store.Content.WriteContentAsync(App, [Doc("live-var", "b", "2"), Doc("code-defaults", "1.0", "{}"), Doc("live-var", "a", "1")], [], Ct);
        await Store.Content.WriteContentAsync("other-app", [Doc("live-var", "z", "9")], [], Ct);

        var documents = await Store.Content.ListContentAsync(App, Ct);

        Assert.Equal([("code-defaults", "1.0"), ("live-var", "a"), ("live-var", "b")], documents.Select(d => (d.Kind, d.Key)));
        Assert.Equal("1", Encoding.UTF8.GetString(documents[1].Body));
    }

    [Fact]
    public async Task Content_PutAgain_Replaces_AndDeletesApplyInTheSameWrite()
    {
        await Store.Content.WriteContentAsync(App, [Doc("live-var", "a", "1"), Doc("live-var", "b", "2")], [], Ct);

        await Store.Content.WriteContentAsync(App, [Doc("live-var", "a", "\"x\"", at: 5)], [("live-var", "b"), ("live-var", "missing")], Ct);

        var only = Assert.Single(await Store.Content.ListContentAsync(App, Ct));
        Assert.Equal(("a", "\"x\"", 5L), (only.Key, Encoding.UTF8.GetString(only.Body), only.UpdatedMs));
        Assert.Empty(await Store.Content.ListContentAsync("unknown-app", Ct));
    }
}
