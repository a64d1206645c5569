using System.Net;
using System.Text.Json.Nodes;
using Greengage.Delivery.Email;
using Greengage.Engine.Apps;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>A server with a public base URL (emails carry unsubscribe links) and an idle dispatcher.</summary>
public sealed class UnsubscribeFactory : GreengageFactory
{
    public UnsubscribeFactory()
    {
        Settings["Greengage:PublicBaseUrl"] = "https://engage.example.test";
        Settings["Greengage:Delivery:Outbox:PollInterval"] = "01:00:00";
    }
}

/// <summary>
/// The unsubscribe link of emails: GET shows a page and changes nothing (mail scanners fetch links), POST (the button
/// or RFC 8058 one-click) unsubscribes the user from email and from the message's category, a forged link is refused,
/// and the next email to the user is not sent.
/// </summary>
public sealed class UnsubscribeTests(UnsubscribeFactory factory) : IClassFixture<UnsubscribeFactory>
{
    private async Task<JsonObject> Api(Engine.Storage.StoredApp app, JsonObject item, string key = "development")
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[key], item);
        Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());
        return reply[0];
    }

    [Fact]
    public async Task Link_GetShowsAPage_PostUnsubscribesFromEmailAndTheCategory_AForgedOneIsRefused()
    {
        var app = await factory.Services.GetRequiredService<AppService>().CreateAsync("Unsubscribe " + Guid.NewGuid().ToString("N")[..6], default);
        var http = factory.CreateClient();
        var (settings, problem) = await AdminCalls.SendAsync(http, HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/messaging", new
        {
            inAppCaps = Array.Empty<object>(), regions = Array.Empty<object>(),
            categories = new[] { new { id = "news", name = "News", description = "Weekly news" } },
        });
        Assert.True(settings == HttpStatusCode.OK, problem?.ToJsonString());
        var (created, message) = await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "Weekly",
            channel = "email",
            category = "news",
            values = new JsonObject { ["Subject"] = "News", ["Text body"] = "Hello" },
        });
        Assert.True(created == HttpStatusCode.Created, message?.ToJsonString());
        var id = (long)message!["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate")).Status);
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "reader", ["deviceId"] = "d", ["userAttributes"] = new JsonObject { ["email"] = "reader@example.test" } }, "production");
        Assert.Equal("sent", (string?)(await Api(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "reader", ["messageId"] = id }))["result"]);

        var link = new Uri(factory.Services.GetRequiredService<UnsubscribeLinks>().For(app.AppId, "reader", id)!);
        Assert.Equal("engage.example.test", link.Host);
        var local = link.PathAndQuery;

        var page = await http.GetAsync(local);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form method=\"post\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("sent", (string?)(await Api(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "reader", ["messageId"] = id }))["result"]);

        var forged = await http.PostAsync(local.Replace("user=reader", "user=someone-else", StringComparison.Ordinal), new FormUrlEncodedContent([KeyValuePair.Create("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var done = await http.PostAsync(local, new FormUrlEncodedContent([KeyValuePair.Create("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var export = await Api(app, new JsonObject { ["action"] = "exportUser", ["userId"] = "reader" }, "dataExport");
        Assert.Contains("Email", export["unsubscribeChannels"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("not sent: unsubscribed from category 'news'", (string?)(await Api(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "reader", ["messageId"] = id }))["result"]);
    }
}
