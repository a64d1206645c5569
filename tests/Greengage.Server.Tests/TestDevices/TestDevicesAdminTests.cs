using System.Net;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;
using static Greengage.Server.Tests.TestDevices.TestDeviceCalls;

namespace Greengage.Server.Tests.TestDevices;

/// <summary><c>GET /admin/v1/apps/{appId}/test-devices</c>: bearer auth, the listing, paging, the OpenAPI document.</summary>
public sealed class TestDevicesAdminTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task ListTestDevices_AfterRegistrations_ShowsEachDeviceWithItsEmailAndRegisteredTime()
    {
        var app = await NewAppAsync(factory);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await RegisterAsync(_http, app, "device-b", "b@example.com");
        await RegisterAsync(_http, app, "device-a", "a@example.com");
        await RegisterAsync(_http, app, "device-a", "other@example.com");
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        var page = await ListAsync(_http, app.AppId);

        Assert.Null((string?)page["nextCursor"]);
        var items = page["items"]!.AsArray();
        Assert.Equal(["device-a", "device-b"], DeviceIds(page));
        Assert.Equal(["a@example.com", "b@example.com"], items.Select(d => (string)d!["email"]!));
        Assert.All(items, d => Assert.InRange(DateTimeOffset.Parse((string)d!["registered"]!, System.Globalization.CultureInfo.InvariantCulture), before, after));
    }

    [Fact]
    public async Task ListTestDevices_WithLimit_PagesThroughEveryDeviceWithTheCursor()
    {
        var app = await NewAppAsync(factory);
        foreach (var device in new[] { "d-1", "d-2", "d-3" })
            await RegisterAsync(_http, app, device, "dev@example.com");

        var first = await ListAsync(_http, app.AppId, "?limit=2");
        var second = await ListAsync(_http, app.AppId, "?limit=2&cursor=" + Uri.EscapeDataString((string)first["nextCursor"]!));

        Assert.Equal(["d-1", "d-2"], DeviceIds(first));
        Assert.Equal(["d-3"], DeviceIds(second));
        Assert.Null((string?)second["nextCursor"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task ListTestDevices_WithoutValidToken_Answers401ProblemDetails(string? token)
    {
        using var response = await _http.SendAsync(TestDeviceCalls.Admin($"/admin/v1/apps/{factory.AppId}/test-devices", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/admin/v1/apps/app_doesNotExist/test-devices", HttpStatusCode.NotFound)]
    [InlineData("/admin/v1/apps/{app}/test-devices?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("/admin/v1/apps/{app}/test-devices?limit=1001", HttpStatusCode.BadRequest)]
    public async Task ListTestDevices_UnknownAppOrBadLimit_AnswersProblemDetails(string path, HttpStatusCode status)
    {
        using var response = await _http.SendAsync(TestDeviceCalls.Admin(path.Replace("{app}", factory.AppId, StringComparison.Ordinal)));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!);
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheTestDevicesPath()
    {
        var response = await _http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();
        Assert.NotNull(paths["/admin/v1/apps/{appId}/test-devices"]?["get"]);
    }
}
