using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Protocol.Actions;
using Greengage.Server.Tests.Fixtures;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Greengage.Server.Tests.Fixtures.ApiCalls;

namespace Greengage.Server.Tests.Envelope;

/// <summary>Spec 2: the four key classes for every catalogued action, and the three fatal error texts.</summary>
public sealed class KeyClassTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private const string InvalidKey = "Invalid access key";
    private const string DevModeRefused = "Development mode requested but not permitted.";

    private readonly HttpClient _http = factory.CreateClient();

    public static TheoryData<string, string> EveryActionAndKeyClass()
    {
        var data = new TheoryData<string, string>();
        foreach (var action in ActionCatalogue.Actions)
        {
            foreach (var keyClass in KeyClassNames.All)
                data.Add(action.Name, keyClass.Name);
        }
        return data;
    }

    private string KeyOf(string keyClass) => factory.App.Keys[keyClass];

    private string MultiUrl(string query) => $"/api?action=multi&time={WireTime.Js(WireTime.NowMs())}&{query}";

    private Task<ApiClient.Reply> TextMultiAsync(string query, JsonArray items) =>
        ApiClient.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, MultiUrl(query))
        {
            Content = new StringContent(new JsonObject { ["data"] = items }.ToJsonString(), Encoding.UTF8, "text/plain"),
        });

    [Theory]
    [MemberData(nameof(EveryActionAndKeyClass))]
    public async Task Action_KeyClass_IsRefusedExactlyWhenNotAllowed(string actionName, string keyClass)
    {
        var action = ActionCatalogue.Find(actionName)!;
        var allowed = action.Allows(KeyClassNames.Parse(keyClass)!.Value);
        var user = NewUser("keys");

        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = KeyOf(keyClass), ["action"] = actionName,
            ["userId"] = user, ["deviceId"] = user, ["reqId"] = "k-1",
        });

        var element = Assert.Single(reply.Response)!.AsObject();
        Assert.Equal("k-1", ReqIdOf(element));
        if (allowed)
        {
            Assert.NotEqual(InvalidKey, ErrorOf(element));
            Assert.NotEqual(HttpStatusCode.Forbidden, reply.Status);
            Assert.True((int)reply.Status < 500, $"{actionName} answered {(int)reply.Status}: {element.ToJsonString()}");
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
            Assert.False(SuccessOf(element));
            Assert.Equal(InvalidKey, ErrorOf(element));
        }
    }

    [Fact]
    public void Catalogue_EveryKeyClass_IsCoveredByTheTheory()
    {
        // Guards the theory above: the admin key classes and the protocol classes are the same four.
        Assert.Equal(
            [KeyClasses.Production, KeyClasses.Development, KeyClasses.DataExport, KeyClasses.ContentReadOnly],
            KeyClassNames.All.Select(k => k.Class));
        Assert.Equal(ActionCatalogue.Actions.Count * 4, EveryActionAndKeyClass().Count);
    }

    [Fact]
    public async Task Single_KeyOfAnotherApp_IsInvalidAccessKey()
    {
        var other = await factory.Services.GetRequiredService<AppService>().CreateAsync("Other app", CancellationToken.None);

        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = other.Keys[KeyClassNames.Production], ["action"] = "track",
            ["userId"] = NewUser("other-app"), ["event"] = "E",
        });

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(InvalidKey, ErrorOf(reply[0]));
    }

    [Fact]
    public async Task Single_UnknownAppId_IsAppNotFound()
    {
        var reply = await GetAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = "app_" + Guid.NewGuid().ToString("N"), ["clientKey"] = factory.ProductionKey, ["action"] = "getMigrateState",
        });

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("App not found", ErrorOf(reply[0]));
    }

    [Fact]
    public async Task Single_MissingKey_IsInvalidAccessKey()
    {
        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["action"] = "track", ["userId"] = NewUser("no-key"), ["event"] = "E",
        });

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(InvalidKey, ErrorOf(reply[0]));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("1")]
    public async Task Single_DevModeInQueryWithProductionKey_IsRefused(string devMode)
    {
        var reply = await GetAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "track",
            ["userId"] = NewUser("dev-query"), ["event"] = "E", ["devMode"] = devMode,
        });

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(DevModeRefused, ErrorOf(reply[0]));
    }

    [Theory]
    [InlineData("dataExport")]
    [InlineData("contentReadOnly")]
    public async Task Single_DevModeWithNonDevelopmentKey_IsRefused(string keyClass)
    {
        var reply = await GetAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = KeyOf(keyClass), ["action"] = "getMigrateState", ["devMode"] = "true",
        });

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(DevModeRefused, ErrorOf(reply[0]));
    }

    [Fact]
    public async Task Single_DevModeTrueWithDevelopmentKey_IsAccepted()
    {
        var reply = await GetAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DevelopmentKey, ["action"] = "track",
            ["userId"] = NewUser("dev-ok"), ["event"] = "E", ["devMode"] = "true",
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
    }

    [Fact]
    public async Task Multi_DevModeInQueryEnvelopeWithProductionKey_RefusesEveryItem()
    {
        // Spec 2: devMode with a production key is an envelope failure: every element carries it, with its 403.
        var user = NewUser("dev-envelope");
        var items = new JsonArray(
            new JsonObject { ["action"] = "start", ["userId"] = user, ["reqId"] = "d-0" },
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "E", ["reqId"] = "d-1" },
            new JsonObject { ["action"] = "stop", ["userId"] = user, ["reqId"] = "d-2" });

        var reply = await TextMultiAsync($"appId={factory.AppId}&clientKey={factory.ProductionKey}&devMode=true", items);

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(["d-0", "d-1", "d-2"], reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.Equal(DevModeRefused, ErrorOf(e!.AsObject())));
    }

    [Fact]
    public async Task Multi_DevModeInOneItemWithProductionKey_RefusesOnlyThatItem()
    {
        var user = NewUser("dev-item");
        var items = new JsonArray(
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Dev", ["devMode"] = "True", ["reqId"] = "m-0" },
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Prod", ["devMode"] = false, ["reqId"] = "m-1" },
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Dev", ["devMode"] = true, ["reqId"] = "m-2" });

        var reply = await TextMultiAsync($"appId={factory.AppId}&clientKey={factory.ProductionKey}", items);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["m-0", "m-1", "m-2"], reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.Equal(DevModeRefused, ErrorOf(reply[0]));
        Assert.True(SuccessOf(reply[1]));
        Assert.Equal(DevModeRefused, ErrorOf(reply[2]));
        var export = await ExportUserAsync(_http, factory, user);
        Assert.False(export["events"]!.AsObject().ContainsKey("Dev"));
        Assert.Equal(1L, (long)export["events"]!["Prod"]!["count"]!);
    }

    [Fact]
    public async Task Multi_PerItemKeysWithoutEnvelopeKey_EachItemSucceedsOrFailsOnItsOwn()
    {
        var other = await factory.Services.GetRequiredService<AppService>().CreateAsync("Third app", CancellationToken.None);
        var user = NewUser("item-keys");
        var items = new JsonArray(
            new JsonObject { ["clientKey"] = factory.ProductionKey, ["action"] = "track", ["userId"] = user, ["event"] = "Good", ["reqId"] = "p-0" },
            new JsonObject { ["clientKey"] = "prod_bad", ["action"] = "track", ["userId"] = user, ["event"] = "Bad", ["reqId"] = "p-1" },
            new JsonObject { ["clientKey"] = other.Keys[KeyClassNames.Production], ["action"] = "track", ["userId"] = user, ["event"] = "Bad", ["reqId"] = "p-2" },
            new JsonObject { ["clientKey"] = factory.DataExportKey, ["action"] = "track", ["userId"] = user, ["event"] = "Bad", ["reqId"] = "p-3" },
            new JsonObject { ["clientKey"] = factory.DevelopmentKey, ["action"] = "track", ["userId"] = user, ["event"] = "Good", ["reqId"] = "p-4" },
            new JsonObject { ["appId"] = "app_missing", ["clientKey"] = factory.ProductionKey, ["action"] = "track", ["userId"] = user, ["event"] = "Bad", ["reqId"] = "p-5" });

        var reply = await TextMultiAsync($"appId={factory.AppId}", items);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["p-0", "p-1", "p-2", "p-3", "p-4", "p-5"], reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.True(SuccessOf(reply[0]));
        Assert.Equal(InvalidKey, ErrorOf(reply[1]));
        Assert.Equal(InvalidKey, ErrorOf(reply[2]));
        Assert.Equal(InvalidKey, ErrorOf(reply[3]));
        Assert.True(SuccessOf(reply[4]));
        Assert.Equal("App not found", ErrorOf(reply[5]));
        var export = await ExportUserAsync(_http, factory, user);
        Assert.False(export["events"]!.AsObject().ContainsKey("Bad"));
        Assert.Equal(2L, (long)export["events"]!["Good"]!["count"]!);
    }

    [Fact]
    public async Task Multi_ItemKeyOverridesGoodEnvelopeKey_OnlyThatItemFails()
    {
        var user = NewUser("item-override");
        var items = new JsonArray(
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Good", ["reqId"] = "o-0" },
            new JsonObject { ["clientKey"] = "dev_wrong", ["action"] = "track", ["userId"] = user, ["event"] = "Bad", ["reqId"] = "o-1" });

        var reply = await TextMultiAsync($"appId={factory.AppId}&clientKey={factory.ProductionKey}", items);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(SuccessOf(reply[0]));
        Assert.Equal(InvalidKey, ErrorOf(reply[1]));
        Assert.Equal("o-1", ReqIdOf(reply[1]));
    }

    [Fact]
    public async Task Multi_UnknownActionItem_IsAClearPerItemError()
    {
        var user = NewUser("unknown-item");
        var items = new JsonArray(
            new JsonObject { ["action"] = "trackk", ["userId"] = user, ["event"] = "Typo", ["reqId"] = "u-0" },
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Fine", ["reqId"] = "u-1" });

        var reply = await TextMultiAsync($"appId={factory.AppId}&clientKey={factory.ProductionKey}", items);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.False(SuccessOf(reply[0]));
        Assert.Equal("Unknown action: 'trackk'.", ErrorOf(reply[0]));
        Assert.True(SuccessOf(reply[1]));
    }
}
