using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

/// <summary>The device-to-user index: device-only requests find the user that last used the device.</summary>
public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task FindUserByDeviceAsync_LinkedThenRelinked_FollowsTheLastUser()
    {
        await CommitOneAsync(Set(App, "alice", [1]) with { LinkedDevices = ["phone", "tablet"] });
        Assert.Equal("alice", await Store.Users.FindUserByDeviceAsync(App, "phone", Ct));
        Assert.Equal("alice", await Store.Users.FindUserByDeviceAsync(App, "tablet", Ct));

        await CommitOneAsync(Set(App, "bob", [1]) with { LinkedDevices = ["phone"] });

        Assert.Equal("bob", await Store.Users.FindUserByDeviceAsync(App, "phone", Ct));
        Assert.Equal("alice", await Store.Users.FindUserByDeviceAsync(App, "tablet", Ct));
        Assert.Null(await Store.Users.FindUserByDeviceAsync(App, "watch", Ct));
        Assert.Null(await Store.Users.FindUserByDeviceAsync("other-app", "phone", Ct));
    }

    [Fact]
    public async Task FindUserByDeviceAsync_FencedSet_LinksNothing()
    {
        await CommitOneAsync(Set(App, "alice", [1, 2]));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "alice", [2]) with { LinkedDevices = ["phone"] }));
        Assert.Null(await Store.Users.FindUserByDeviceAsync(App, "phone", Ct));
    }
}
