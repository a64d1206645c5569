using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Durability;

/// <summary>The idle-session sweep closes the sessions of silent users through their grains, so exports see them.</summary>
public sealed class SessionSweepTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    [Fact]
    public async Task Sweep_ThreeHoursLater_ClosesTheSilentUsersSessionAtItsLastActivity()
    {
        var user = "sweep-" + Guid.NewGuid().ToString("N");
        var http = factory.CreateClient();
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "start", userId = user, deviceId = user },
            new { action = "track", userId = user, deviceId = user, @event = "E" });
        var sweeper = factory.Services.GetRequiredService<SessionSweeper>();
        var store = factory.Services.GetRequiredService<IUserStore>();
        var later = DateTimeOffset.UtcNow.AddHours(3);
        Assert.Contains(await store.DueSessionsAsync(later.ToUnixTimeMilliseconds(), 1000, default), d => d.UserId == user);

        Assert.True(await sweeper.SweepAsync(later, default) >= 1);

        var log = await factory.Services.GetRequiredService<IActivityLogReader>().ReadUserAsync(factory.AppId, user, default);
        var end = log[^1];
        Assert.Equal("session.end", end.Kind);
        Assert.Contains("\"why\":\"timeout\"", System.Text.Encoding.UTF8.GetString(end.Body), StringComparison.Ordinal);
        Assert.True(end.TimeMs < DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds(), "closed at its last activity, not at the sweep");
        Assert.DoesNotContain(await store.DueSessionsAsync(later.ToUnixTimeMilliseconds(), 1000, default), d => d.UserId == user);
    }
}
