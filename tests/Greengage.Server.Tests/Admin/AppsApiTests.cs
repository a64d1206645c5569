using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Greengage.Server.Tests.Fixtures;
using Greengage.Server.Tests.Infrastructure;
using static Greengage.Server.Tests.Fixtures.ApiCalls;

namespace Greengage.Server.Tests.Admin;

/// <summary>CONTRACTS.md <c>/admin/v1</c>: bearer auth, apps, key rotation, the OpenAPI document.</summary>
public sealed partial class AppsApiTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private static readonly string[] KeyClassNames = ["production", "development", "dataExport", "contentReadOnly"];

    private readonly HttpClient _http = factory.CreateClient();

    [GeneratedRegex("^[a-z]+_[A-Za-z0-9]{25,}$")]
    private static partial Regex KeyShape();

    private static HttpRequestMessage Admin(HttpMethod method, string path, object? body = null, string? token = GreengageFactory.AdminToken)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return request;
    }

    private async Task<(HttpResponseMessage Response, JsonObject? Json)> SendAsync(HttpRequestMessage request)
    {
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject());
    }

    private async Task<JsonObject> CreateAppAsync(string name)
    {
        var (response, json) = await SendAsync(Admin(HttpMethod.Post, "/admin/v1/apps", new { name }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return json!;
    }

    private Task<ApiClient.Reply> CallAsync(string appId, string key, string action) =>
        FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = appId, ["clientKey"] = key, ["action"] = action, ["userId"] = NewUser("rotate"),
        });

    private static void AssertProblem(HttpResponseMessage response, JsonObject? json, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(json);
        Assert.Equal((int)status, (int)json["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)json["title"]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("")]
    public async Task Admin_WithoutValidToken_Answers401ProblemDetails(string? token)
    {
        foreach (var request in new[]
        {
            Admin(HttpMethod.Get, "/admin/v1/apps", token: token),
            Admin(HttpMethod.Post, "/admin/v1/apps", new { name = "Nope" }, token),
            Admin(HttpMethod.Get, $"/admin/v1/apps/{factory.AppId}", token: token),
            Admin(HttpMethod.Post, $"/admin/v1/apps/{factory.AppId}/keys/production/rotate", token: token),
        })
        {
            var (response, json) = await SendAsync(request);
            AssertProblem(response, json, HttpStatusCode.Unauthorized);
            Assert.DoesNotContain(factory.ProductionKey, json!.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Admin_NonBearerScheme_Answers401()
    {
        var request = Admin(HttpMethod.Get, "/admin/v1/apps", token: null);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", GreengageFactory.AdminToken);

        var (response, json) = await SendAsync(request);

        AssertProblem(response, json, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateApp_WithName_Answers201WithIdAndFourStrongDistinctKeys()
    {
        var (response, json) = await SendAsync(Admin(HttpMethod.Post, "/admin/v1/apps", new { name = "Shop" }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var appId = (string?)json!["appId"];
        Assert.NotNull(appId);
        Assert.StartsWith("app_", appId, StringComparison.Ordinal);
        Assert.Equal("Shop", (string?)json["name"]);
        Assert.EndsWith($"/admin/v1/apps/{appId}", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        var keys = json["keys"]!.AsObject();
        Assert.Equal(KeyClassNames.Order(), keys.Select(k => k.Key).Order());
        foreach (var (_, key) in keys)
            Assert.Matches(KeyShape(), (string?)key);
        Assert.StartsWith("prod_", (string?)keys["production"], StringComparison.Ordinal);
        Assert.StartsWith("dev_", (string?)keys["development"], StringComparison.Ordinal);
        var all = keys.Select(k => (string)k.Value!).Append(appId).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());

        // The new app works on /api at once.
        var reply = await CallAsync(appId, (string)keys["production"]!, "getMigrateState");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task CreateApp_BlankName_Answers400ProblemDetails(string name)
    {
        var (response, json) = await SendAsync(Admin(HttpMethod.Post, "/admin/v1/apps", new { name }));

        AssertProblem(response, json, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ListApps_WithLimit_PagesThroughEveryAppWithTheCursor()
    {
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
            created.Add((string)(await CreateAppAsync($"Paged {i}"))["appId"]!);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var path = "/admin/v1/apps?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var (response, json) = await SendAsync(Admin(HttpMethod.Get, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var items = json!["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(a => (string)a!["appId"]!));
            Assert.All(items, a => Assert.NotNull(a!["keys"]!["production"]));
            cursor = (string?)json["nextCursor"];
            if (cursor is not null)
                Assert.Equal(2, items.Count);
            pages++;
            Assert.True(pages < 100, "the cursor never ended");
        }
        while (cursor is not null);

        Assert.True(pages >= 2);
        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        Assert.All(created, id => Assert.Contains(id, seen));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    public async Task ListApps_LimitOutOfRange_Answers400(string limit)
    {
        var (response, json) = await SendAsync(Admin(HttpMethod.Get, $"/admin/v1/apps?limit={limit}"));

        AssertProblem(response, json, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GetApp_Known_ShowsItsKeys()
    {
        var app = await CreateAppAsync("Shown");

        var (response, json) = await SendAsync(Admin(HttpMethod.Get, $"/admin/v1/apps/{app["appId"]}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((string?)app["appId"], (string?)json!["appId"]);
        Assert.True(JsonNode.DeepEquals(app["keys"], json["keys"]));
    }

    [Fact]
    public async Task GetApp_Unknown_Answers404ProblemDetails()
    {
        var (response, json) = await SendAsync(Admin(HttpMethod.Get, "/admin/v1/apps/app_doesNotExist"));

        AssertProblem(response, json, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("production", "getMigrateState")]
    [InlineData("development", "getMigrateState")]
    [InlineData("dataExport", "exportUser")]
    [InlineData("contentReadOnly", "getMessages")]
    public async Task RotateKey_EachClass_NewKeyWorksAndOldKeyIsRefused(string keyClass, string action)
    {
        var app = await CreateAppAsync("Rotated " + keyClass);
        var appId = (string)app["appId"]!;
        var oldKeys = app["keys"]!.AsObject();
        var oldKey = (string)oldKeys[keyClass]!;
        Assert.NotEqual("Invalid access key", ErrorOf((await CallAsync(appId, oldKey, action))[0]));

        var (response, json) = await SendAsync(Admin(HttpMethod.Post, $"/admin/v1/apps/{appId}/keys/{keyClass}/rotate"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var newKeys = json!["keys"]!.AsObject();
        var newKey = (string)newKeys[keyClass]!;
        Assert.NotEqual(oldKey, newKey);
        Assert.Matches(KeyShape(), newKey);
        foreach (var other in KeyClassNames.Where(k => k != keyClass))
            Assert.Equal((string?)oldKeys[other], (string?)newKeys[other]);

        var refused = await CallAsync(appId, oldKey, action);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("Invalid access key", ErrorOf(refused[0]));
        var accepted = await CallAsync(appId, newKey, action);
        Assert.NotEqual("Invalid access key", ErrorOf(accepted[0]));
        Assert.NotEqual(HttpStatusCode.Forbidden, accepted.Status);

        // The rotation is what the app now shows.
        var (_, shown) = await SendAsync(Admin(HttpMethod.Get, $"/admin/v1/apps/{appId}"));
        Assert.Equal(newKey, (string?)shown!["keys"]![keyClass]);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("Production")]
    [InlineData("contentReadWrite")]
    public async Task RotateKey_UnknownClass_Answers400ProblemDetails(string keyClass)
    {
        var (response, json) = await SendAsync(Admin(HttpMethod.Post, $"/admin/v1/apps/{factory.AppId}/keys/{keyClass}/rotate"));

        AssertProblem(response, json, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RotateKey_UnknownApp_Answers404ProblemDetails()
    {
        var (response, json) = await SendAsync(Admin(HttpMethod.Post, "/admin/v1/apps/app_doesNotExist/keys/production/rotate"));

        AssertProblem(response, json, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheAppsPaths()
    {
        var response = await _http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/admin/v1/apps"), string.Join(", ", paths.Select(p => p.Key)));
        Assert.NotNull(paths["/admin/v1/apps"]!["get"]);
        Assert.NotNull(paths["/admin/v1/apps"]!["post"]);
        Assert.NotNull(paths["/admin/v1/apps/{appId}"]?["get"]);
        Assert.NotNull(paths["/admin/v1/apps/{appId}/keys/{keyClass}/rotate"]?["post"]);
        Assert.False(paths.ContainsKey("/api"));
    }
}
