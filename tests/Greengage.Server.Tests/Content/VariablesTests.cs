using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Content;

/// <summary>
/// Variables end to end (spec 4.3, 5.2): setVars declares code defaults, the admin API sets live values, and start and
/// getVars serve diffs (lists as "[i]" keys), full values, varsFromCode and a verifiable varsSignature.
/// </summary>
public sealed class VariablesTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("Vars " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    private async Task<HttpResponseMessage> Admin(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GreengageFactory.AdminToken);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return await factory.CreateClient().SendAsync(request);
    }

    private async Task<JsonObject> Api(StoredApp app, string keyClass, object item) =>
        (await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[keyClass], item))[0];

    private static readonly object Declared = new
    {
        action = "setVars",
        appVersion = "1.0",
        vars = new { title = "Welcome", shop = new { discount = 0, open = true }, levels = new[] { 10, 20, 30 } },
        kinds = new Dictionary<string, string> { ["title"] = "string", ["shop"] = "group", ["shop.discount"] = "integer", ["shop.open"] = "bool", ["levels"] = "list" },
    };

    [Fact]
    public async Task LiveValues_AreServedAsDiffsAgainstTheCodeDefaults()
    {
        var app = NewApp();
        Assert.True((bool)(await Api(app, "development", Declared))["success"]!);
        Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/shop.discount", new { value = 15 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/levels", new { value = new[] { 10, 25, 30, 40 } })).StatusCode);

        var start = await Api(app, "production", new { action = "start", userId = "u1", deviceId = "d1", appVersion = "1.0", includeDefaults = false });

        // Keys in any order (the diff follows the live values); the signature covers the text as sent.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"shop":{"discount":15},"levels":{"[1]":25,"[3]":40}}"""), start["vars"]), start["vars"]!.ToJsonString());
        Assert.Equal("Welcome", (string?)start["varsFromCode"]!["title"]);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(app.TokenSecret), Encoding.UTF8.GetBytes("vars\n" + start["vars"]!.ToJsonString()));
        Assert.Equal(Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_'), (string?)start["varsSignature"]);
        Assert.NotEqual(start["varsSignature"]!.ToJsonString(), (await Api(app, "production", new { action = "getVars", userId = "u1", deviceId = "d1", includeDefaults = true }))["varsSignature"]!.ToJsonString());

        var full = await Api(app, "production", new { action = "getVars", userId = "u1", deviceId = "d1", includeDefaults = true });
        Assert.Equal("""{"title":"Welcome","shop":{"discount":15,"open":true},"levels":[10,25,30,40]}""", full["vars"]!.ToJsonString());
    }

    [Fact]
    public async Task WithoutCodeDefaults_VarsCarryTheFullLiveValues_AndChangesApplyAtOnce()
    {
        var app = NewApp();
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/banner.text", new { value = "Sale!" });
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/items", new { value = new[] { "a", "b" } });

        var first = await Api(app, "production", new { action = "start", userId = "u1", deviceId = "d1", includeDefaults = false });
        Assert.Equal("""{"banner":{"text":"Sale!"},"items":{"[0]":"a","[1]":"b"}}""", first["vars"]!.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await Admin(HttpMethod.Delete, $"/admin/v1/apps/{app.AppId}/variables/items")).StatusCode);
        var second = await Api(app, "production", new { action = "getVars", userId = "u1", deviceId = "d1", includeDefaults = false });
        Assert.Equal("""{"banner":{"text":"Sale!"}}""", second["vars"]!.ToJsonString());
    }

    [Fact]
    public async Task Admin_ListsCodeDefaultsAndLiveValues_AndRefusesValuesOfTheWrongKind()
    {
        var app = NewApp();
        await Api(app, "development", Declared);
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/title", new { value = "Hej" });

        var wrong = await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/shop.discount", new { value = "lots" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/a..b", new { value = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(HttpMethod.Put, "/admin/v1/apps/no-such-app/variables/x", new { value = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(HttpMethod.Delete, $"/admin/v1/apps/{app.AppId}/variables/never-set")).StatusCode);

        var list = JsonNode.Parse(await (await Admin(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/variables")).Content.ReadAsStringAsync())!;
        var defaults = Assert.Single(list["codeDefaults"]!.AsArray());
        Assert.Equal("1.0", (string?)defaults!["appVersion"]);
        Assert.Equal("integer", (string?)defaults["kinds"]!["shop.discount"]);
        Assert.Equal("""{"title":"Hej"}""", list["live"]!.ToJsonString());
    }

    [Fact]
    public async Task SetVarsAndDeleteVars_NeedTheDevelopmentKey_AndValidate()
    {
        var app = NewApp();
        var production = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys["production"], Declared);
        Assert.False((bool)production[0]["success"]!);
        var badKind = await Api(app, "development", new { action = "setVars", vars = new { a = 1 }, kinds = new { a = "number" } });
        Assert.StartsWith("Invalid kind for 'a'", (string?)badKind["error"]!["message"], StringComparison.Ordinal);
        Assert.False((bool)(await Api(app, "development", new { action = "setVars" }))["success"]!);

        await Api(app, "development", Declared);
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/title", new { value = "Hej" });
        var deleted = await Api(app, "development", new { action = "deleteVars", vars = new[] { "title", "shop.open", "nothing" } });

        Assert.Equal("""["title","shop.open"]""", deleted["variablesRemoved"]!.ToJsonString());
        var start = await Api(app, "production", new { action = "start", userId = "u1", deviceId = "d1", appVersion = "1.0", includeDefaults = false });
        Assert.Equal("""{"shop":{"discount":0},"levels":[10,20,30]}""", start["varsFromCode"]!.ToJsonString());
        Assert.Equal("{}", start["vars"]!.ToJsonString());
    }

    [Fact]
    public async Task SetVars_OverTheSizeLimit_IsRefused()
    {
        using var small = new GreengageFactory();
        small.Settings["Greengage:Limits:MaxVariablesBytes"] = "100";
        var app = await small.Services.GetRequiredService<AppService>().CreateAsync("Small", CancellationToken.None);

        var reply = await ApiClient.MultiAsync(small.CreateClient(), app.AppId, app.Keys["development"],
            new { action = "setVars", vars = new { text = new string('x', 200) } });

        Assert.Equal("The variables declared must total at most 100 bytes.", (string?)reply[0]["error"]!["message"]);
    }
}
