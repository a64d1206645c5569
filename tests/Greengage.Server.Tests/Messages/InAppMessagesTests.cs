using System.Net;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Messages;

/// <summary>
/// In-app messages end to end (spec 5.2, 6.6): written through the admin API, activated, and carried by <c>start</c> and
/// <c>getVars</c> to the users their audience holds, as the message config the SDKs read; hold-outs decided once; A/B
/// variants change a message for their users; message events named as Leanplum named them.
/// </summary>
public sealed class InAppMessagesTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("IAM " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    private Task<(HttpStatusCode Status, JsonNode? Body)> Admin(HttpMethod method, string path, object? body = null) =>
        AdminCalls.SendAsync(factory.CreateClient(), method, path, body);

    private async Task<JsonNode> Created(StoredApp app, string what, object body)
    {
        var (status, created) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/{what}", body);
        Assert.True(status == HttpStatusCode.Created, $"{status}: {created?.ToJsonString()}");
        return created!;
    }

    private async Task<long> ActiveMessage(StoredApp app, object body)
    {
        var message = await Created(app, "messages", body);
        var (status, activated) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{message["id"]}/activate");
        Assert.True(status == HttpStatusCode.OK, $"{status}: {activated?.ToJsonString()}");
        Assert.Equal("active", (string?)activated!["state"]);
        return (long)message["id"]!;
    }

    private async Task<JsonObject> Api(StoredApp app, JsonObject item, string key = "production") =>
        (await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[key], item))[0];

    private Task<JsonObject> Start(StoredApp app, string user, JsonObject? attributes = null) =>
        Api(app, new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = "dev-" + user, ["userAttributes"] = attributes ?? [] });

    [Fact]
    public async Task Start_CarriesAnActiveInAppMessage_AsTheConfigOfSpec66()
    {
        var app = NewApp();
        var id = await ActiveMessage(app, new
        {
            name = "Welcome",
            channel = "in-app",
            template = "Confirm",
            values = new JsonObject { ["Title"] = "Hi", ["Message"] = "Welcome aboard" },
            priority = 5,
            whenTriggers = new object[] { new { subject = "event", noun = "Level up", verb = "triggersWithParameter", objects = new[] { "level", "2" } } },
            unlessTriggers = new object[] { new { subject = "userAttribute", noun = "plan", verb = "changesTo", objects = new[] { "gold", "silver" } } },
            limits = new object[] { new { subject = "times", noun = "2", verb = "limitUser" }, new { subject = "times", noun = "1", verb = "limitDay", objects = new[] { "3" } } },
            startTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
            endTime = DateTimeOffset.FromUnixTimeMilliseconds(4_000_000_000_000),
        });

        var start = await Start(app, "u1");
        var message = start["messages"]![id.ToString()]!;
        Assert.Equal("Confirm", (string?)message["action"]);
        Assert.Equal("Confirm", (string?)message["vars"]!["__name__"]);
        Assert.Equal("Welcome aboard", (string?)message["vars"]!["Message"]);
        Assert.Equal("Yes", (string?)message["vars"]!["Accept text"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"verb":"OR","children":[{"subject":"event","noun":"Level up","verb":"triggersWithParameter","objects":["level","2"]}]}"""), message["whenTriggers"]), message["whenTriggers"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"verb":"OR","children":[{"subject":"userAttribute","noun":"plan","verb":"changesTo","objects":["gold","silver"]}]}"""), message["unlessTriggers"]), message["unlessTriggers"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"verb":"AND","children":[{"subject":"times","noun":"2","verb":"limitUser"},{"subject":"times","noun":"1","verb":"limitDay","objects":["3"]}]}"""), message["whenLimits"]), message["whenLimits"]!.ToJsonString());
        Assert.Equal(5, (int)message["priority"]!);
        Assert.Equal(1_700_000_000_000, (long)message["startTime"]!);
        Assert.Equal(4_000_000_000_000, (long)message["endTime"]!);
        Assert.Null(message["parentCampaignId"]);
        Assert.True(message.AsObject().ContainsKey("parentCampaignId"));
        Assert.True((bool)message["hasImpressionCriteria"]!);

        var refresh = await Api(app, new JsonObject { ["action"] = "getVars", ["userId"] = "u1", ["deviceId"] = "dev-u1" });
        Assert.True(JsonNode.DeepEquals(message, refresh["messages"]![id.ToString()]));
    }
}
