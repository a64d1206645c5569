using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Messages;

/// <summary>Admin and <c>/api</c> calls the message tests share: an app, messages drafted and activated, raw bodies.</summary>
public sealed class MessagingCalls(GreengageFactory factory)
{
    public StoredApp NewApp(string prefix = "Msg") =>
        factory.Services.GetRequiredService<AppService>().CreateAsync(prefix + " " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    public Task<(HttpStatusCode Status, JsonNode? Body)> Admin(HttpMethod method, string path, object? body = null) =>
        AdminCalls.SendAsync(factory.CreateClient(), method, path, body);

    /// <summary>Sends <paramref name="body"/> as it is (bad JSON included); answers the status, the content type and the body.</summary>
    public async Task<(HttpStatusCode Status, string? MediaType, JsonNode? Body)> Raw(HttpMethod method, string path, string? body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GreengageFactory.AdminToken);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await factory.CreateClient().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, json);
    }

    public async Task<JsonNode> Created(StoredApp app, string what, object body)
    {
        var (status, created) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/{what}", body);
        Assert.True(status == HttpStatusCode.Created, $"{status}: {created?.ToJsonString()}");
        return created!;
    }

    public async Task<JsonNode> Ok(HttpMethod method, string path, object? body = null)
    {
        var (status, answer) = await Admin(method, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {status}: {answer?.ToJsonString()}");
        return answer!;
    }

    public async Task<long> ActiveMessage(StoredApp app, object body)
    {
        var message = await Created(app, "messages", body);
        var activated = await Ok(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{message["id"]}/activate");
        Assert.Equal("active", (string?)activated["state"]);
        return (long)message["id"]!;
    }

    public async Task<JsonObject> Api(StoredApp app, object item, string key = "production") =>
        (await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[key], item))[0];

    public Task<JsonObject> Start(StoredApp app, string user) =>
        Api(app, new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = "dev-" + user });
}
