using Greengage.Engine.Commit;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Durability;

/// <summary>Item 7(b): snapshot writes are coalesced — far fewer than the actions that change the user.</summary>
public sealed class SnapshotCoalescingTests
{
    [Fact]
    public async Task Track_ThousandActionsForOneUser_WriteAHandfulOfSnapshots()
    {
        using var factory = new GreengageFactory();
        factory.Settings["Greengage:Snapshots:EveryRecords"] = "100";
        var http = factory.CreateClient();
        var counters = factory.Services.GetRequiredService<GroupCommitWriter>().Counters;
        var user = "coalesce-" + Guid.NewGuid().ToString("N");
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, new { action = "start", userId = user, deviceId = user });
        var rowsBefore = counters.LogRows;
        var snapshotsBefore = counters.SnapshotWrites;

        for (var batch = 0; batch < 20; batch++)
        {
            var items = Enumerable.Range(0, 50).Select(i => (object)new { action = "track", userId = user, deviceId = user, @event = "E" }).ToArray();
            var reply = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, items);
            Assert.All(reply.Response, r => Assert.True((bool)r!["success"]!));
        }

        Assert.Equal(1000, counters.LogRows - rowsBefore);
        var snapshots = counters.SnapshotWrites - snapshotsBefore;
        Assert.InRange(snapshots, 9, 11);
    }
}
