using System.Text.Json.Nodes;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Engine.Delivery;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// The server on a clock the test moves (the API, the schedule runner and the outbox dispatcher read it), with FCM
/// credentials pointing at a fake FCM on loopback; the test runs the schedule itself (<see cref="RunAtAsync"/>).
/// </summary>
public sealed class ScheduledFcmHarness : IAsyncDisposable
{
    public sealed class Factory : ClockedFactory
    {
        protected override bool DeliveryOnClock => true;
    }

    private ScheduledFcmHarness(FakeFcm fcm, Factory factory, JsonObject account) => (Fcm, Server, Account) = (fcm, factory, account);

    public FakeFcm Fcm { get; }

    public Factory Server { get; }

    /// <summary>The service account to upload (<c>PUT /admin/v1/apps/{id}/delivery/fcm</c>); its token URI is the fake's.</summary>
    public JsonObject Account { get; }

    /// <summary>Starts the fake; the server starts on first use, with <paramref name="settings"/> added.</summary>
    public static async Task<ScheduledFcmHarness> StartAsync(string name, params (string Key, string Value)[] settings)
    {
        var (account, key) = TestKeys.ServiceAccount("http://127.0.0.1:1/token", name);
        var fcm = await FakeFcm.StartAsync(key, (string)account["client_email"]!, name);
        account["token_uri"] = fcm.TokenUrl.ToString();
        var factory = new Factory();
        factory.Settings["Greengage:Delivery:Fcm:BaseUrl"] = fcm.BaseUrl.ToString();
        factory.Settings["Greengage:Delivery:Outbox:PollInterval"] = "00:00:00.050";
        // The test runs the schedule itself, at the times it sets.
        factory.Settings["Greengage:Delivery:Schedule:PollInterval"] = "01:00:00";
        foreach (var (setting, value) in settings)
            factory.Settings[setting] = value;
        return new ScheduledFcmHarness(fcm, factory, account);
    }

    /// <summary>Moves the clock to <paramref name="at"/> and runs the schedule once.</summary>
    public async Task RunAtAsync(DateTimeOffset at)
    {
        Server.Clock.Advance(at - Server.Clock.GetUtcNow());
        await Server.Services.GetRequiredService<ScheduleRunner>().RunOnceAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Fcm.DisposeAsync();
    }
}
