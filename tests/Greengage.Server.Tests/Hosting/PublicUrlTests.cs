using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Hosting;

/// <summary>The URLs the server hands out follow Greengage:PublicBaseUrl, else the forwarded headers of a trusted proxy.</summary>
public sealed class PublicUrlTests
{
    private static async Task<string> ApiUrlOfNewApp(GreengageFactory factory, Action<HttpRequestMessage>? decorate = null)
    {
        var http = factory.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/apps") { Content = JsonContent.Create(new { name = "urls" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GreengageFactory.AdminToken);
        decorate?.Invoke(request);
        var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["apiUrl"]!;
    }

    [Fact]
    public async Task ApiUrl_PublicBaseUrlSet_UsesIt()
    {
        using var factory = new GreengageFactory();
        factory.Settings["Greengage:PublicBaseUrl"] = "https://engage.example.com/";
        Assert.Equal("https://engage.example.com/api", await ApiUrlOfNewApp(factory));
    }

    [Fact]
    public async Task ApiUrl_ForwardedHeadersEnabled_FollowsTheProxy()
    {
        using var factory = new GreengageFactory();
        factory.Settings["Greengage:ForwardedHeaders:Enabled"] = "true";
        factory.Settings["Greengage:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        var url = await ApiUrlOfNewApp(factory, r =>
        {
            r.Headers.Add("X-Forwarded-Proto", "https");
            r.Headers.Add("X-Forwarded-Host", "proxy.example.com");
            r.Headers.Add("X-Forwarded-For", "203.0.113.9");
        });
        Assert.Equal("https://proxy.example.com/api", url);
    }

    [Fact]
    public async Task ApiUrl_ForwardedHeadersDisabled_IgnoresThem()
    {
        using var factory = new GreengageFactory();
        var url = await ApiUrlOfNewApp(factory, r => r.Headers.Add("X-Forwarded-Proto", "https"));
        Assert.StartsWith("http://", url, StringComparison.Ordinal);
    }
}
