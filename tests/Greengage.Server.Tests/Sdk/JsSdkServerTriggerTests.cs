using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Server.Tests.Processes;
using Xunit.Abstractions;

namespace Greengage.Server.Tests.Sdk;

/// <summary>
/// A server-side trigger fired by the real Leanplum JS SDK 1.9.0 (the harness's default session scenario tracks
/// <c>Level Complete</c> with <c>level: 3</c>): the event, recorded in the user's grain, puts a webhook send in the
/// outbox with the batch, and the dispatcher of the real server process calls the webhook receiver on loopback.
/// A trigger whose parameter does not match sends nothing.
/// </summary>
public sealed class JsSdkServerTriggerTests(JsSdkFixture fixture, ITestOutputHelper output) : IClassFixture<JsSdkFixture>
{
    private async Task Webhook(AppCredentials app, string name, Uri receiver, string level)
    {
        var message = await fixture.AdminAsync(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name,
            channel = "webhook",
            values = new JsonObject
            {
                ["URL"] = new Uri(receiver, "/hooks/" + name + "?user={{userId}}").ToString(),
                ["Method"] = "POST",
                ["Body"] = "{\"user\":\"{{userId}}\",\"plan\":\"{{userAttribute['plan']}}\"}",
            },
            serverTriggers = new object[] { new { subject = "event", noun = "Level Complete", verb = "triggersWithParameter", objects = new[] { "level", level } } },
        });
        await fixture.AdminAsync(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{message["id"]}/activate");
    }

    [Fact]
    public async Task TrackFromTheSdk_FiresAServerTriggeredWebhook()
    {
        await using var receiver = await FakeHttpServer.StartAsync();
        var app = await fixture.Server.CreateAppAsync(JsSdkFixture.AdminToken, "JS SDK server trigger " + Guid.NewGuid().ToString("N")[..6]);
        await Webhook(app, "level3", receiver.BaseUrl, "3");
        await Webhook(app, "level4", receiver.BaseUrl, "4");
        var user = "js-trigger-" + Guid.NewGuid().ToString("N")[..8];

        var run = await fixture.RunHarnessAsync(user, app);
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, $"The harness failed.\n{run}\n{fixture.Server.Describe()}");

        for (var i = 0; i < 200 && receiver.Requests.IsEmpty; i++)
            await Task.Delay(50);
        var call = Assert.Single(receiver.Requests);
        Assert.Equal(("POST", "/hooks/level3", "?user=" + user), (call.Method, call.Path, call.Query));
        // The harness's setUserAttributes (plan: pro) leaves after the track, in a later request than the event.
        var body = JsonNode.Parse(Encoding.UTF8.GetString(call.Body))!;
        Assert.Equal(user, (string?)body["user"]);
        await Task.Delay(500);
        Assert.Single(receiver.Requests);
    }
}
