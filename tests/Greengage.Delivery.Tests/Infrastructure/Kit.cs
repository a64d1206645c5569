using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Delivery.Credentials;
using Greengage.Engine.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Greengage.Delivery.Tests.Infrastructure;

/// <summary>What provider tests share: a credential store over memory, a fake clock that starts now (the fakes check
/// token times against the real clock), a log capture, and requests.</summary>
public sealed class Kit
{
    public const string AppId = "app_delivery_test";

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
    public MemoryContentStore Content { get; } = new();
    public LogCapture Logs { get; } = new();
    public DeliveryCredentialStore Credentials { get; }

    public Kit() => Credentials = new DeliveryCredentialStore(Content, Time, TimeSpan.FromSeconds(30));

    public Task SetAsync(string kind, JsonNode body) => Credentials.SetAsync(AppId, CredentialParser.Parse(kind, body), CancellationToken.None);

    public static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    public static PersonalizationContext User(string userId = "user-1", string name = "Ada") => new(
        userId, "device-1",
        new Dictionary<string, JsonElement> { ["name"] = JsonSerializer.SerializeToElement(name) },
        new JsonObject { ["coupon"] = "SPRING-10" });

    public static DeliveryRequest Request(DeliveryAddress address, JsonObject values, string occurrenceId = "occ-1", long messageId = 42, PersonalizationContext? user = null) =>
        new(AppId, messageId, occurrenceId, address, values, user ?? User()) { SentAt = SentAt };

    public static JsonObject OpenUrl(string url) => new() { ["__name__"] = "Open URL", ["URL"] = url };

    /// <summary>A push message's values: text personalised, title, image, open action, Android channel, custom data.</summary>
    public static JsonObject PushValues() => new()
    {
        ["Message"] = "Hello {{userAttribute['name']}}",
        ["Title"] = "Greengage",
        ["Image"] = "https://img.test/a.png",
        ["Open action"] = OpenUrl("https://example.test/deep"),
        ["Android channel"] = "news",
        ["Data"] = new JsonObject { ["campaign"] = "spring" },
    };

    public static void AssertJson(JsonNode expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\n  actual {actual?.ToJsonString()}");
}
