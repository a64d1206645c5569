using System.Text;
using Greengage.Engine.Actions;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;
using Greengage.Server.Tests.Infrastructure;
using Greengage.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Profile;

/// <summary><c>deleteUser</c> with <c>fullErasure</c> erases the user's stored activity, through the real server and store.</summary>
public sealed class ErasureTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private const string NotFound = "User not found; request skipped.";

    private static string NewUser() => "erasure-" + Guid.NewGuid().ToString("N");

    private Task<ApiClient.Reply> Prod(HttpClient http, params object[] items) =>
        ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, items);

    private Task<ApiClient.Reply> Dev(HttpClient http, params object[] items) =>
        ApiClient.MultiAsync(http, factory.AppId, factory.DevelopmentKey, items);

    private async Task<System.Text.Json.Nodes.JsonObject> Export(HttpClient http, string user) =>
        (await ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = user,
        }))[0];

    private Task<IReadOnlyList<LogRow>> Log(string user) =>
        factory.Services.GetRequiredService<IActivityLogReader>().ReadUserAsync(factory.AppId, user, default);

    [Fact]
    public async Task DeleteUser_FullErasure_ErasesTheLogAndTheUserStartsFromZero()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Prod(http,
            new { action = "start", userId = user, deviceId = "d1", userAttributes = new { plan = "gold" } },
            new { action = "track", userId = user, deviceId = "d1", @event = "E", value = 2 },
            new { action = "track", userId = user, deviceId = "d1", @event = "E" });
        Assert.Equal(2L, (long)(await Export(http, user))["events"]!["E"]!["count"]!);
        var before = await Log(user);
        Assert.True(before.Count >= 3);

        var reply = await Dev(http, new { action = "deleteUser", userId = user, fullErasure = true });

        Assert.True((bool)reply[0]["success"]!);
        Assert.Empty(await Log(user));
        var ingested = await factory.Services.GetRequiredService<IActivityLogReader>().ReadAfterAsync(0, int.MaxValue, default);
        Assert.DoesNotContain(ingested, r => r.UserId == user);
        Assert.Equal(NotFound, (string?)(await Export(http, user))["warning"]!["message"]);

        var again = await Prod(http, new { action = "track", userId = user, deviceId = "d1", @event = "E" });

        Assert.True((bool)again[0]["success"]!);
        var e = await Export(http, user);
        Assert.Null(e["warning"]);
        Assert.Equal(1L, (long)e["events"]!["E"]!["count"]!);
        Assert.Empty(e["userAttributes"]!.AsObject());
        var after = await Log(user);
        Assert.NotEmpty(after);
        Assert.All(after, r => Assert.True(r.Seq > before[^1].Seq, $"seq {r.Seq} was used before the erasure"));
        Assert.DoesNotContain(after, r => r.Kind == UserDeleted.Kind);
    }

    [Fact]
    public async Task DeleteUser_FullErasure_TheStoreLoadsTheSameNonExistingUser()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Prod(http, new { action = "track", userId = user, @event = "E" }, new { action = "track", userId = user, @event = "F" });
        await Dev(http, new { action = "block", userId = user });
        await Dev(http, new { action = "deleteUser", userId = user, fullErasure = "true" });

        // What is stored, read past the grain (a second store on the same file is refused: the server's store is the
        // database's only writer, and rows waiting for the per-user index live in its memory).
        var fresh = factory.Services.GetRequiredService<SqliteStore>();
        var stored = await fresh.LoadAsync(factory.AppId, user, default);

        Assert.NotNull(stored.Snapshot);
        Assert.Empty(stored.Tail);
        var processor = NewProcessor(factory.Services, factory.AppId, user);
        processor.Load(stored, 0);
        Assert.False(processor.State.Exists);
        Assert.True(processor.State.Block.Blocked);
        Assert.Empty(processor.State.Aggregates.Events);
        Assert.Empty(await fresh.ReadUserAsync(factory.AppId, user, default));
    }

    /// <summary>
    /// The engine against a real <see cref="SqliteStore"/>: the erasing write set commits, and a new processor loading
    /// from a store opened afresh on the same file gets exactly the state the first one holds in memory.
    /// </summary>
    [Fact]
    public async Task UserProcessor_FullErasureCommittedToSqlite_ReloadsFromAFreshStoreAsTheSameEmptyUser()
    {
        var directory = Path.Combine(Path.GetTempPath(), "greengage-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var options = new SqliteStorageOptions { DataDirectory = directory };
            var arrival = DateTimeOffset.UtcNow;
            var processor = NewProcessor(factory.Services, "app", "u");
            await using (var store = new SqliteStore(options, TimeProvider.System))
            {
                await store.MigrateAsync(default);
                await Apply(store, processor, arrival,
                    ("start", new { deviceId = "d1", userAttributes = new { plan = "gold" }, uuid = "b1", reqId = "r1" }),
                    ("track", new { deviceId = "d1", @event = "E", uuid = "b1", reqId = "r2" }));
                await Apply(store, processor, arrival.AddSeconds(1),
                    ("track", new { deviceId = "d1", @event = "E", uuid = "b2", reqId = "r1" }),
                    ("deleteUser", new { deviceId = "d1", fullErasure = true, uuid = "b2", reqId = "r2" }),
                    ("track", new { deviceId = "d1", @event = "After", uuid = "b2", reqId = "r3" }));
                Assert.False(processor.State.Aggregates.Events.ContainsKey("E"));
            }

            await using var fresh = new SqliteStore(options, TimeProvider.System);
            var reloaded = NewProcessor(factory.Services, "app", "u");
            reloaded.Load(await fresh.LoadAsync("app", "u", default), 0);

            Assert.Equal(Encoding.UTF8.GetString(processor.State.Serialize()), Encoding.UTF8.GetString(reloaded.State.Serialize()));
            Assert.Equal(processor.Seq, reloaded.Seq);
            Assert.Equal(["After"], reloaded.State.Aggregates.Events.Keys);
            var log = await fresh.ReadUserAsync("app", "u", default);
            Assert.Equal([EventTracked.Kind], log.Select(r => r.Kind));
            Assert.Equal(processor.Seq, log[0].Seq);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static UserProcessor NewProcessor(IServiceProvider services, string appId, string userId) => new(
        appId,
        userId,
        services.GetRequiredService<UserActionTable>(),
        services.GetRequiredService<SnapshotPolicy>(),
        services.GetRequiredService<ProtocolLimits>(),
        services.GetRequiredService<SessionTimeouts>());

    private static async Task Apply(SqliteStore store, UserProcessor processor, DateTimeOffset arrival, params (string Action, object Parameters)[] items)
    {
        var batch = new UserBatch(processor.AppId, processor.UserId, "secret", arrival, null,
            items.Select((item, i) => new UserBatchItem(i, item.Action, Parameters(item.Parameters), false)).ToArray());
        var (results, writes) = processor.Apply(batch);
        Assert.All(results, r => Assert.True(r.Success, r.Error ?? r.Warning));
        Assert.Equal(CommitOutcome.Committed, Assert.Single(await store.CommitAsync([writes!], default)));
        processor.Committed(writes!);
    }

    private static ParameterSet Parameters(object values)
    {
        var element = System.Text.Json.JsonSerializer.SerializeToElement(values);
        return new ParameterSet(element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));
    }
}
