using System.Net;
using Greengage.Engine.Commit;
using Greengage.Engine.Users;
using Greengage.Protocol.Responses;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Durability;

/// <summary>When writes cannot be made durable (full queue, failing store) the answer is 503 with Retry-After, never a success.</summary>
public sealed class BackpressureTests
{
    private sealed class UnavailableGateway : IUserGateway
    {
        public Task<ActionResult[]> ApplyAsync(UserBatch batch, CancellationToken cancellationToken) =>
            throw new StorageUnavailableException("The write queue is full.", 3);
    }

    private sealed class UnavailableFactory : GreengageFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton<IUserGateway, UnavailableGateway>());
        }
    }

    [Fact]
    public async Task Api_WriteQueueFull_Answers503WithRetryAfterForEveryItem()
    {
        using var factory = new UnavailableFactory();
        var http = factory.CreateClient();
        var reply = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "track", userId = "u", @event = "E" },
            new { action = "track", userId = "u", @event = "F" },
            new { action = "getMigrateState", userId = "u" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
        Assert.Equal(TimeSpan.FromSeconds(3), reply.Message.Headers.RetryAfter?.Delta);
        Assert.Equal(3, reply.Response.Count);
        Assert.All(reply.Response, r => Assert.False((bool)r!["success"]!));
    }

    [Fact]
    public async Task GroupCommit_RealWriterQueueFull_RefusesWithStorageUnavailable()
    {
        using var factory = new GreengageFactory();
        factory.Settings["Greengage:Commit:QueueCapacity"] = "1";
        var writer = factory.Services.GetRequiredService<GroupCommitWriter>();
        // Many writes at once into a queue of one: some are refused at once, the rest commit; none is lost silently.
        var outcomes = new List<Task<Greengage.Engine.Storage.CommitOutcome>>();
        var refused = 0;
        for (var i = 0; i < 200; i++)
        {
            try
            {
                outcomes.Add(writer.CommitAsync(new Greengage.Engine.Storage.UserWriteSet("app_x", "bp" + i, [new(1, "event", 0, "{}"u8.ToArray())], null)));
            }
            catch (StorageUnavailableException e)
            {
                Assert.Equal(1, e.RetryAfterSeconds);
                refused++;
            }
        }
        await Task.WhenAll(outcomes);
        Assert.True(refused > 0);
        Assert.Equal(200, refused + outcomes.Count);
    }
}
