using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.TestDevices;

/// <summary>The calls the test device tests make: <c>registerDevice</c>, <c>start</c>, and the admin listing.</summary>
internal static class TestDeviceCalls
{
    /// <summary>A fresh app of the in-process server, so that its list of test devices starts empty.</summary>
    public static Task<StoredApp> NewAppAsync(GreengageFactory factory) =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("Test devices", CancellationToken.None);

    /// <summary><c>registerDevice</c> as Android sends it in development mode: a form, the development key, <c>devMode</c>.</summary>
    public static Task<ApiClient.Reply> RegisterAsync(HttpClient http, StoredApp app, string? deviceId, string? email, string keyClass = KeyClassNames.Development)
    {
        var fields = new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = app.Keys[keyClass], ["action"] = "registerDevice", ["client"] = "android",
            ["sdkVersion"] = "7.0.0", ["reqId"] = "reg-1",
        };
        if (keyClass == KeyClassNames.Development)
            fields["devMode"] = "true";
        if (deviceId is not null)
            fields["deviceId"] = deviceId;
        if (email is not null)
            fields["email"] = email;
        return ApiClient.FormAsync(http, fields);
    }

    /// <summary><c>start</c> with the production key for a new user on <paramref name="deviceId"/>; its response element.</summary>
    public static async Task<JsonObject> StartAsync(HttpClient http, StoredApp app, string deviceId, string action = "start")
    {
        var reply = await ApiClient.MultiAsync(http, app.AppId, app.Keys[KeyClassNames.Production],
            new { action, userId = "user-" + Guid.NewGuid().ToString("N"), deviceId });
        var element = reply[0];
        Assert.True((bool)element["success"]!, element.ToJsonString());
        return element;
    }

    public static HttpRequestMessage Admin(string path, string? token = GreengageFactory.AdminToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>GET <c>/admin/v1/apps/{appId}/test-devices</c>; asserts 200 and returns the page.</summary>
    public static async Task<JsonObject> ListAsync(HttpClient http, string appId, string query = "", string token = GreengageFactory.AdminToken)
    {
        using var response = await http.SendAsync(Admin($"/admin/v1/apps/{appId}/test-devices{query}", token));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static IReadOnlyList<string> DeviceIds(JsonObject page) =>
        page["items"]!.AsArray().Select(d => (string)d!["deviceId"]!).ToList();
}
