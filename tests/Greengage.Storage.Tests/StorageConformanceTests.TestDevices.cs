namespace Greengage.Storage.Tests;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task RegisterTestDeviceAsync_NewDevice_ReturnsTrueAndListShowsItExactly()
    {
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);
        var at = T0.AddMilliseconds(123);

        Assert.True(await Store.TestDevices.RegisterTestDeviceAsync("a", "device-1", "dev@example.com", at, Ct));

        var device = Assert.Single(await Store.TestDevices.ListTestDevicesAsync("a", Ct));
        Assert.Equal("a", device.AppId);
        Assert.Equal("device-1", device.DeviceId);
        Assert.Equal("dev@example.com", device.Email);
        Assert.Equal(at, device.RegisteredAt);
    }

    [Fact]
    public async Task RegisterTestDeviceAsync_SameDeviceAgain_ReturnsFalseAndKeepsTheFirstRegistration()
    {
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);
        await Store.TestDevices.RegisterTestDeviceAsync("a", "device-1", "first@example.com", T0, Ct);

        Assert.False(await Store.TestDevices.RegisterTestDeviceAsync("a", "device-1", "second@example.com", T0.AddHours(1), Ct));

        var device = Assert.Single(await Store.TestDevices.ListTestDevicesAsync("a", Ct));
        Assert.Equal("first@example.com", device.Email);
        Assert.Equal(T0, device.RegisteredAt);
    }

    [Fact]
    public async Task RegisterTestDeviceAsync_SameDeviceInTwoApps_RegistersItInEachOnItsOwn()
    {
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);
        await Store.Apps.CreateAppAsync(NewApp("b"), Ct);

        Assert.True(await Store.TestDevices.RegisterTestDeviceAsync("a", "shared", "a@example.com", T0, Ct));
        Assert.True(await Store.TestDevices.RegisterTestDeviceAsync("b", "shared", "b@example.com", T0, Ct));

        Assert.Equal("a@example.com", Assert.Single(await Store.TestDevices.ListTestDevicesAsync("a", Ct)).Email);
        Assert.Equal("b@example.com", Assert.Single(await Store.TestDevices.ListTestDevicesAsync("b", Ct)).Email);
    }

    [Fact]
    public async Task ListTestDevicesAsync_SeveralDevices_ListsOnlyThatAppsOrderedByDeviceId()
    {
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);
        await Store.Apps.CreateAppAsync(NewApp("b"), Ct);
        foreach (var device in new[] { "d-3", "d-1", "d-2" })
            await Store.TestDevices.RegisterTestDeviceAsync("a", device, "dev@example.com", T0, Ct);
        await Store.TestDevices.RegisterTestDeviceAsync("b", "d-0", "dev@example.com", T0, Ct);

        var listed = await Store.TestDevices.ListTestDevicesAsync("a", Ct);

        Assert.Equal(["d-1", "d-2", "d-3"], listed.Select(d => d.DeviceId));
        Assert.All(listed, d => Assert.Equal("a", d.AppId));
    }

    [Fact]
    public async Task ListTestDevicesAsync_AppWithoutDevicesOrUnknown_ReturnsEmpty()
    {
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);

        Assert.Empty(await Store.TestDevices.ListTestDevicesAsync("a", Ct));
        Assert.Empty(await Store.TestDevices.ListTestDevicesAsync("nope", Ct));
    }

    [Fact]
    public async Task RegisterTestDeviceAsync_UnknownApp_ThrowsInvalidOperationAndStoresNothing()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.TestDevices.RegisterTestDeviceAsync("nope", "device-1", "dev@example.com", T0, Ct));

        Assert.Empty(await Store.TestDevices.ListTestDevicesAsync("nope", Ct));
    }

    [Fact]
    public async Task RegisterTestDeviceAsync_ConcurrentSameDevice_ExactlyOneIsNew()
    {
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(
            () => Store.TestDevices.RegisterTestDeviceAsync("a", "device-1", $"dev{i}@example.com", T0.AddSeconds(i), Ct))));

        Assert.Single(outcomes, registered => registered);
        var device = Assert.Single(await Store.TestDevices.ListTestDevicesAsync("a", Ct));
        var winner = Array.IndexOf(outcomes, true);
        Assert.Equal($"dev{winner}@example.com", device.Email);
        Assert.Equal(T0.AddSeconds(winner), device.RegisteredAt);
    }
}
