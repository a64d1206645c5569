using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Jobs;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Content;

/// <summary>The server with backfills starting at once (no wait after a publish).</summary>
public sealed class ImmediateBackfillFactory : GreengageFactory
{
    public ImmediateBackfillFactory() => Settings["Greengage:Content:BackfillDelay"] = "00:00:00";
}

/// <summary>
/// Jobs over an app's users (spec 6.4, ARCHITECTURE decisions 5 and 6): counting an audience from stored state, and
/// backfilling the per-user counts of event-parameter tuples that a newly published audience names.
/// </summary>
public sealed class AudienceJobsTests(ImmediateBackfillFactory factory) : IClassFixture<ImmediateBackfillFactory>
{
    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("Jobs " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    private Task<(HttpStatusCode Status, JsonNode? Body)> Admin(HttpMethod method, string path, object? body = null) =>
        AdminCalls.SendAsync(factory.CreateClient(), method, path, body);

    private async Task<JsonArray> Multi(StoredApp app, IEnumerable<object> items)
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys["production"], [.. items]);
        Assert.All(reply.Response, r => Assert.True((bool)r!["success"]!, r!.ToJsonString()));
        return reply.Response;
    }

    private async Task<JsonNode> FinishedJob(string id)
    {
        await factory.Services.GetRequiredService<JobRegistry>().Find(id)!.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        var (status, job) = await Admin(HttpMethod.Get, $"/admin/v1/jobs/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        return job!;
    }

    [Fact]
    public async Task Count_PagesThroughStoredUsers_AndCountsTheMembers()
    {
        var app = NewApp();
        // 1,234 users over several pages: every third one gold.
        for (var batch = 0; batch < 1234; batch += 200)
        {
            await Multi(app, Enumerable.Range(batch, Math.Min(200, 1234 - batch)).Select(i => (object)new
            {
                action = "start", userId = $"user{i:D5}", deviceId = $"d{i}", userAttributes = new { plan = i % 3 == 0 ? "gold" : "silver" },
            }));
        }
        var (created, audience) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences", new { name = "Gold", segment = """{plan = "gold"}""" });
        Assert.Equal(HttpStatusCode.Created, created);

        var (accepted, started) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences/{audience!["id"]}/count");
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        var job = await FinishedJob((string)started!["id"]!);

        Assert.Equal("succeeded", (string?)job["state"]);
        Assert.Equal(1234, (long)job["scanned"]!);
        Assert.Equal(412, (long)job["matched"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences/999/count")).Status);
        Assert.Contains((await Admin(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/jobs")).Body!.AsArray(), j => (string?)j!["id"] == (string?)job["id"]);
    }

    [Fact]
    public async Task ParameterAudience_BackfillsEarlierEvents_CountsLiveOnesOnce_AndTargetsTests()
    {
        var app = NewApp();
        // Before the audience exists: a bought two swords, b one sword and a shield, c nothing.
        await Multi(app,
        [
            new { action = "start", userId = "a", deviceId = "da" },
            new { action = "track", userId = "a", deviceId = "da", @event = "Purchase", @params = new { item = "sword" } },
            new { action = "track", userId = "a", deviceId = "da", @event = "Purchase", @params = new { item = "sword" } },
            new { action = "start", userId = "b", deviceId = "db" },
            new { action = "track", userId = "b", deviceId = "db", @event = "Purchase", @params = new { item = "sword" } },
            new { action = "track", userId = "b", deviceId = "db", @event = "Purchase", @params = new { item = "shield" } },
            new { action = "start", userId = "c", deviceId = "dc" },
        ]);

        var backfill = factory.Services.GetRequiredService<ParamBackfill>();
        var (_, audience) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences", new
        {
            name = "Sword collectors",
            rule = new { subject = "event", name = "Purchase", param = new { name = "item", value = "sword" }, op = "atLeast", value = 2 },
        });
        var job = backfill.Last!;
        Assert.Equal(app.AppId, job.AppId);
        await job.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((JobStates.Succeeded, 3L, 2L, 2L), (job.State, job.Scanned, job.Matched, job.Changed));

        var test = (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests", new
        {
            name = "Sword sale",
            audienceId = (long)audience!["id"]!,
            variants = new object[] { new { name = "Control", percent = 0 }, new { name = "Sale", percent = 100, vars = new Dictionary<string, object> { ["sale"] = true } } },
        })).Body!;
        await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/start");
        async Task<int> Variants(string user) => (await Multi(app, [new { action = "start", userId = user, deviceId = "d" + user }]))[0]!["variants"]!.AsArray().Count;

        Assert.Equal(1, await Variants("a"));
        Assert.Equal(0, await Variants("b"));
        // b's second sword is counted live; a backfill run again finds nothing new: b is in, once.
        await Multi(app, [new { action = "track", userId = "b", deviceId = "db", @event = "Purchase", @params = new { item = "sword" } }]);
        var again = backfill.Start(app.AppId, ["Purchase\u001fitem\u001fsword"]);
        await again.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((JobStates.Succeeded, 0L), (again.State, again.Changed));
        Assert.Equal(1, await Variants("b"));
        Assert.Equal(0, await Variants("c"));

        var (count, started) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences/{audience["id"]}/count");
        Assert.Equal(HttpStatusCode.Accepted, count);
        Assert.Equal(2, (long)(await FinishedJob((string)started!["id"]!))["matched"]!);
    }
}
