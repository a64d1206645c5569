using System.Net;
using System.Text.Json.Nodes;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// A push end to end: <c>sendMessage</c> puts it in the outbox with the batch, the dispatcher sends it through the FCM
/// provider to a fake FCM on loopback (which verifies the service account's assertion), and the outcome comes back to
/// the user as the message's events; a dead token is forgotten and the failure listed.
/// </summary>
public sealed class PushSendTests : IAsyncLifetime
{
    private FakeFcm _fcm = null!;
    private GreengageFactory _factory = null!;
    private JsonObject _account = null!;

    public async Task InitializeAsync()
    {
        var (account, key) = TestKeys.ServiceAccount("http://127.0.0.1:1/token", "push-e2e");
        _fcm = await FakeFcm.StartAsync(key, (string)account["client_email"]!, "push-e2e");
        account["token_uri"] = _fcm.TokenUrl.ToString();
        _account = account;
        _factory = new GreengageFactory();
        _factory.Settings["Greengage:Delivery:Fcm:BaseUrl"] = _fcm.BaseUrl.ToString();
        _factory.Settings["Greengage:Delivery:Outbox:PollInterval"] = "00:00:00.050";
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _fcm.DisposeAsync();
    }

    private async Task<JsonObject> Api(StoredApp app, JsonObject item, string key = "development")
    {
        var reply = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys[key], item);
        Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());
        return reply[0];
    }

    [Fact]
    public async Task SendMessage_Push_ReachesFcm_IsRecordedAsSent_AndADeadTokenIsForgottenAndListed()
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("Push " + Guid.NewGuid().ToString("N")[..6], default);
        var admin = _factory.CreateClient();
        var (credentials, problem) = await AdminCalls.SendAsync(admin, HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/delivery/fcm", _account);
        Assert.True(credentials == HttpStatusCode.OK, problem?.ToJsonString());
        var (created, message) = await AdminCalls.SendAsync(admin, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "Welcome back",
            channel = "push",
            values = new JsonObject { ["Message"] = "Hi {{userAttribute['name']}}", ["Open action"] = new JsonObject { ["__name__"] = "Open URL", ["URL"] = "https://example.com/x" } },
        });
        Assert.True(created == HttpStatusCode.Created, message?.ToJsonString());
        var id = (long)message!["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await AdminCalls.SendAsync(admin, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate")).Status);
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "ada", ["deviceId"] = "phone", ["userAttributes"] = new JsonObject { ["name"] = "Ada" } }, "production");
        await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = "ada", ["deviceId"] = "phone", ["gcmRegistrationId"] = "fcm-token-ada" }, "production");

        var sent = await Api(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "ada", ["messageId"] = id });
        Assert.Equal(("sent", 1), ((string?)sent["result"], (int)sent["messagesSent"]!));
        await Eventually.TrueAsync(() => Task.FromResult(!_fcm.Messages.IsEmpty), "the push at the fake FCM");
        Assert.Empty(_fcm.Errors);
        var push = _fcm.Messages.Single();
        Assert.Equal("fcm-token-ada", (string?)push["message"]!["token"]);
        var data = push["message"]!["data"]!;
        Assert.Equal("Hi Ada", (string?)data["lp_message"]);
        Assert.Equal(id.ToString(), (string?)(data["_lpm"] ?? data["_lpu"] ?? data["_lpn"] ?? data["_lpv"]));

        async Task<JsonNode?> Events()
        {
            var export = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["dataExport"], new JsonObject { ["action"] = "exportUser", ["userId"] = "ada" });
            return export[0]["events"];
        }
        await Eventually.TrueAsync(async () => (await Events())?[$".m{id}"] is not null, $".m{id} recorded");
        Assert.Equal(1, (int)(await Events())![$".m{id}"]!["count"]!);

        // FCM says the token is gone: the send bounces, the device forgets the token, the failure is listed.
        _fcm.Script.Enqueue(FakeFcm.Error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."));
        await Api(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "ada", ["messageId"] = id });
        await Eventually.TrueAsync(async () => (await Events())?[$".m{id} Bounce"] is not null, $".m{id} Bounce recorded");
        var (listed, failures) = await AdminCalls.SendAsync(admin, HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/deliveries/failed");
        Assert.Equal(HttpStatusCode.OK, listed);
        var failure = Assert.Single(failures!.AsArray());
        Assert.Equal((id, "ada", "phone", "fcm"), ((long)failure!["messageId"]!, (string?)failure["userId"], (string?)failure["deviceId"], (string?)failure["provider"]));
        Assert.Contains("UNREGISTERED", (string?)failure["reason"], StringComparison.Ordinal);

        var again = await Api(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "ada", ["messageId"] = id });
        Assert.Equal(("not sent: no push token on the user's devices", 0), ((string?)again["result"], (int)again["messagesSent"]!));
    }
}
