using System.Net;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Actions;

/// <summary>Item 9: the first actions, end to end through HTTP, the grain and the store.</summary>
public sealed class FoundationActionsTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private static string NewUser() => "pipe-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Start_Answers_EveryFieldOfTheMinimalStartElement()
    {
        var user = NewUser();
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), factory.AppId, factory.ProductionKey,
            new { action = "start", userId = user, deviceId = "dev-" + user, reqId = "r-1" });
        var start = reply[0];
        Assert.True((bool)start["success"]!);
        Assert.Equal("r-1", (string?)start["reqId"]);
        foreach (var obj in new[] { "vars", "messages", "regions", "actionDefinitions", "fileAttributes", "varsFromCode" })
            Assert.Equal(System.Text.Json.JsonValueKind.Object, start[obj]!.GetValueKind());
        foreach (var arr in new[] { "variants", "localCaps", "interfaceRules", "interfaceEvents" })
            Assert.Equal(System.Text.Json.JsonValueKind.Array, start[arr]!.GetValueKind());
        Assert.False((bool)start["syncNewsfeed"]!);
        Assert.False((bool)start["isRegistered"]!);
        Assert.False(string.IsNullOrEmpty((string?)start["token"]));
    }

    [Fact]
    public async Task Start_SameDeviceTwiceAndAnotherUser_TokenIsStablePerDevice()
    {
        var http = factory.CreateClient();
        var device = "tok-" + Guid.NewGuid().ToString("N");
        async Task<string> TokenFor(string user) => (string)(await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "start", userId = user, deviceId = device }))[0]["token"]!;
        var first = await TokenFor(NewUser());
        Assert.Equal(first, await TokenFor(NewUser()));
        Assert.NotEqual(first, (string)(await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "start", userId = NewUser(), deviceId = "other-" + device }))[0]["token"]!);
    }

    [Fact]
    public async Task Session_StartHeartbeatPauseResumeStop_ClosesOneSession()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "start", userId = user, deviceId = user },
            new { action = "heartbeat", userId = user, deviceId = user },
            new { action = "pauseSession", userId = user, deviceId = user },
            new { action = "resumeSession", userId = user, deviceId = user },
            new { action = "stop", userId = user, deviceId = user });
        Assert.All(reply.Response, r => Assert.True((bool)r!["success"]!));
        var export = await Export(http, user);
        Assert.Equal(1L, (long)export["totalSessions"]!);
    }

    [Fact]
    public async Task SetUserAttributes_SetAndClear_ExportShowsTheResult()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "setUserAttributes", userId = user, userAttributes = "{\"plan\":\"gold\",\"age\":41,\"old\":true}" },
            new { action = "setUserAttributes", userId = user, userAttributes = new Dictionary<string, object?> { ["old"] = null } });
        var attributes = (await Export(http, user))["userAttributes"]!.AsObject();
        Assert.Equal("gold", (string?)attributes["plan"]);
        Assert.Equal(41, (int)attributes["age"]!);
        Assert.False(attributes.ContainsKey("old"));
    }

    [Fact]
    public async Task Track_OutsideASession_IsMarkedOfflineAndCounted()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "track", userId = user, @event = "Opened", value = 3 });
        Assert.True((bool)reply[0]["isOffline"]!);
        Assert.Equal(3.0, (double)(await Export(http, user))["events"]!["Opened"]!["value"]!);
    }

    [Fact]
    public async Task Track_NoEvent_FailsWithLeanplumsMessage()
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), factory.AppId, factory.ProductionKey,
            new { action = "track", userId = NewUser() });
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("'event' must be provided", (string?)reply[0]["error"]!["message"]);
    }

    [Fact]
    public async Task ExportUser_Missing_WarnsUserNotFound()
    {
        var reply = await ApiClient.FormAsync(factory.CreateClient(), new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = NewUser(),
        });
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal("User not found; request skipped.", (string?)reply[0]["warning"]!["message"]);
        Assert.False(reply[0].ContainsKey("userId"));
    }

    [Fact]
    public async Task GetVars_KnownAndUnknownUser_AnswerContentTheSdksCanRead()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, new { action = "start", userId = user, deviceId = user });
        var reply = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "getVars", userId = user, deviceId = user, includeDefaults = false, includeVariantDebugInfo = true },
            new { action = "getVars", userId = NewUser(), includeDefaults = false });
        foreach (var element in reply.Response)
        {
            Assert.True((bool)element!["success"]!);
            Assert.Equal(System.Text.Json.JsonValueKind.Object, element["vars"]!.GetValueKind());
            Assert.Equal(System.Text.Json.JsonValueKind.Object, element["messages"]!.GetValueKind());
            Assert.Equal(System.Text.Json.JsonValueKind.Array, element["variants"]!.GetValueKind());
        }
        Assert.NotNull(reply[0]["variantDebugInfo"]);
        Assert.Equal(1L, (long)(await Export(http, user))["totalSessions"]!);
    }

    [Fact]
    public async Task GetMigrateState_Answers_PlainLeanplumMode()
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), factory.AppId, factory.ProductionKey,
            new { action = "getMigrateState", userId = NewUser(), reqId = "m1" });
        Assert.Equal("lp", (string?)reply[0]["sdk"]);
        Assert.Equal("NONE", (string?)reply[0]["state"]);
        Assert.False(string.IsNullOrEmpty((string?)reply[0]["sha256"]));
        Assert.Equal("m1", (string?)reply[0]["reqId"]);
    }

    [Fact]
    public async Task Log_SdkLogAndCount_Succeed()
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), factory.AppId, factory.ProductionKey,
            new { action = "log", type = "sdkLog", message = "boom", versionName = "1.0" },
            new { action = "log", type = "sdkCount", name = "c", count = "3" });
        Assert.All(reply.Response, r => Assert.True((bool)r!["success"]!));
    }

    [Fact]
    public async Task Retry_AndroidBatchResentWithSameUuid_IsNotCountedTwice()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        object[] items =
        [
            new { action = "start", userId = user, deviceId = user, uuid = "batch-1", reqId = "a" },
            new { action = "track", userId = user, deviceId = user, @event = "Paid", value = 5, uuid = "batch-1", reqId = "b" },
        ];
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, items);
        var retry = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, items);
        Assert.All(retry.Response, r => Assert.True((bool)r!["success"]!));
        Assert.NotNull(retry[0]["vars"]);
        var export = await Export(http, user);
        Assert.Equal(1L, (long)export["events"]!["Paid"]!["count"]!);
        Assert.Equal(1L, (long)export["totalSessions"]!);
    }

    private async Task<System.Text.Json.Nodes.JsonObject> Export(HttpClient http, string user) =>
        (await ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = user,
        }))[0];
}
