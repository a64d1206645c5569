using System.Net;
using System.Text.Json.Nodes;
using Greengage.Engine.Jobs;
using Greengage.Engine.Messages;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Messages;

/// <summary>
/// Message statistics, counted per message: <c>POST /admin/v1/apps/{appId}/messages/{id}/stats</c> starts a job over
/// stored users that sums each message event's occurrences and users, from events tracked through <c>/api</c>.
/// </summary>
public sealed class MessageStatsTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private readonly MessagingCalls _calls = new(factory);

    private async Task<JsonNode> FinishedJob(JsonNode started)
    {
        var id = (string)started["id"]!;
        await factory.Services.GetRequiredService<JobRegistry>().Find(id)!.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        return await _calls.Ok(HttpMethod.Get, $"/admin/v1/jobs/{id}");
    }

    [Fact]
    public async Task Stats_SumTheMessagesTrackedEvents_PerEventName_InOccurrencesAndUsers()
    {
        var app = _calls.NewApp("Stats");
        var welcome = await _calls.ActiveMessage(app, new { name = "Welcome", channel = "in-app", template = "Confirm" });
        var other = await _calls.ActiveMessage(app, new { name = "Other", channel = "in-app", template = "Alert" });
        async Task Track(string user, long message, string? @event = null, string key = "production", bool devMode = false)
        {
            var item = new JsonObject { ["action"] = "track", ["userId"] = user, ["deviceId"] = "dev-" + user, ["messageId"] = message.ToString() };
            if (@event is not null)
                item["event"] = @event;
            if (devMode)
                item["devMode"] = true;
            var answer = await _calls.Api(app, item, key);
            Assert.True((bool)answer["success"]!, answer.ToJsonString());
        }

        // a: viewed twice, accepted once; b: viewed, dismissed; c: only the other message; d: nothing.
        foreach (var user in new[] { "a", "b", "c", "d" })
            await _calls.Start(app, user);
        await Track("a", welcome);
        await Track("a", welcome);
        await Track("a", welcome, "Accept");
        await Track("b", welcome);
        await Track("b", welcome, "Cancel");
        await Track("c", other);
        // Development-mode traffic stays out of the counts, as it does from every per-user aggregate.
        await Track("e", welcome, "Accept", key: "development", devMode: true);

        var (accepted, started) = await _calls.Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{welcome}/stats");
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        Assert.Equal(MessageStats.Kind, (string?)started!["kind"]);
        Assert.Equal(welcome.ToString(), (string?)started["subject"]);
        var job = await FinishedJob(started);

        Assert.Equal("succeeded", (string?)job["state"]);
        Assert.Equal(2, (long)job["matched"]!);
        Assert.True((long)job["scanned"]! >= 4);
        var expected = new JsonObject
        {
            ["messageId"] = welcome,
            ["events"] = new JsonObject
            {
                [$".m{welcome} Accept"] = new JsonObject { ["occurrences"] = 1, ["users"] = 1 },
                [$".m{welcome} Cancel"] = new JsonObject { ["occurrences"] = 1, ["users"] = 1 },
                [$".m{welcome} View"] = new JsonObject { ["occurrences"] = 3, ["users"] = 2 },
            },
        };
        Assert.True(JsonNode.DeepEquals(expected, job["result"]), job["result"]?.ToJsonString());

        var otherJob = await FinishedJob((await _calls.Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{other}/stats")).Body!);
        Assert.Equal("{\"messageId\":" + other + ",\"events\":{\".m" + other + " View\":{\"occurrences\":1,\"users\":1}}}", otherJob["result"]!.ToJsonString());
    }

    [Fact]
    public async Task Stats_OfAMessageNobodySaw_AreEmpty_AndOfAnUnknownMessage_Answer404()
    {
        var app = _calls.NewApp("Stats");
        var draft = (long)(await _calls.Created(app, "messages", new { name = "Unseen", channel = "in-app", template = "Alert" }))["id"]!;
        await _calls.Start(app, "someone");

        var job = await FinishedJob((await _calls.Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{draft}/stats")).Body!);

        Assert.Equal((0L, "{}"), ((long)job["matched"]!, job["result"]!["events"]!.ToJsonString()));
        var (status, problem) = await _calls.Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/99999/stats");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("No message has the id 99999.", (string?)problem!["detail"]);
    }

    [Theory]
    [InlineData(".m12", true)]
    [InlineData(".m12 View", true)]
    [InlineData(".m12 Select Button 1", true)]
    [InlineData(".m123", false)]
    [InlineData(".m123 View", false)]
    [InlineData(".m1", false)]
    [InlineData("m12 View", false)]
    public void EventNames_BelongToTheirMessageOnly(string name, bool belongs) =>
        Assert.Equal(belongs, MessageStats.IsEventOf(name, ".m12"));
}
