using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Greengage.Engine.Actions.User;
using Greengage.Engine.Delivery;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Responses;
using Greengage.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// The outbox dispatcher over a real SQLite store (ARCHITECTURE decision 7): at least once (a dispatcher that dies
/// mid-send loses no send and repeats only what was in flight), retries with backoff and Retry-After, and final
/// failures kept with their reasons; every outcome reported to the user before the item leaves the queue.
/// </summary>
public sealed class OutboxDispatcherTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "greengage-outbox-" + Guid.NewGuid().ToString("N"));
    private SqliteStore _store = null!;
    private readonly Clock _clock = new(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly Reports _reports;

    public OutboxDispatcherTests() => _reports = new Reports(() => _store);

    public async Task InitializeAsync()
    {
        _store = new SqliteStore(new SqliteStorageOptions { DataDirectory = _directory }, TimeProvider.System);
        await _store.MigrateAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The user grains: each outcome report, by occurrence id; a send's outcome ends its item in the same commit, as a grain's does.</summary>
    private sealed class Reports(Func<SqliteStore> store) : IUserGateway
    {
        public ConcurrentQueue<(string Occurrence, string Outcome, string? Reason)> Received { get; } = new();

        /// <summary>Users whose grain refuses the report, as it refuses every write of a blocked user.</summary>
        public HashSet<string> Blocked { get; } = [];

        public async Task<ActionResult[]> ApplyAsync(UserBatch batch, CancellationToken cancellationToken)
        {
            var item = Assert.Single(batch.Items);
            Assert.Equal(DeliveryOutcome.ActionName, item.Action);
            if (Blocked.Contains(batch.UserId))
                return [ActionResult.Fail(451, "User is blocked; request refused.")];
            Received.Enqueue((item.Parameters.String("occurrence")!, item.Parameters.String("outcome")!, item.Parameters.String("reason")));
            if (item.Parameters.String("outcome") == DeliveryOutcome.Sent)
                await store().CommitAsync([new UserWriteSet(batch.AppId, batch.UserId, [], null, CompletedWork: [item.Parameters.Long("workItem")!.Value])], cancellationToken);
            return [ActionResult.Ok()];
        }
    }

    private sealed class Sender(Func<DeliverySend, CancellationToken, Task<SendReport>> send) : IDeliverySender
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public Task<SendReport> SendAsync(DeliverySend delivery, CancellationToken cancellationToken)
        {
            Calls.Enqueue(delivery.OccurrenceId);
            return send(delivery, cancellationToken);
        }
    }

    private OutboxDispatcher Dispatcher(IDeliverySender sender, OutboxOptions? options = null) =>
        new(_store, sender, _reports, _clock, options ?? new OutboxOptions { MaxInFlight = 8 }, NullLogger<OutboxDispatcher>.Instance);

    private async Task<List<string>> Enqueue(int count)
    {
        var sends = Enumerable.Range(0, count).Select(i => new DeliverySend("app", $"u{i}", "d", 7, MessageChannels.Push, $"occ-{i:D3}", DeliveryTargets.Fcm, $"token-{i}",
            new JsonObject { ["Message"] = "Hi" }, null, null, _clock.Now.ToUnixTimeMilliseconds())).ToList();
        await _store.CommitAsync([new UserWriteSet("app", "sender", [], null, Outbox: [.. sends.Select(s => s.ToWorkItem(_clock.Now))])], default);
        return [.. sends.Select(s => s.OccurrenceId)];
    }

    [Fact]
    public async Task ADispatcherDyingMidSend_LosesNoSend_AndTheNextRepeatsOnlyWhatWasInFlight()
    {
        var all = await Enqueue(30);
        var inFlight = all.Take(5).ToHashSet();
        var gate = new TaskCompletionSource();
        using var crash = new CancellationTokenSource();
        var first = new Sender(async (send, ct) =>
        {
            if (!inFlight.Contains(send.OccurrenceId))
                return new SendReport(SendVerdict.Sent);
            // In flight when the process dies: the provider may or may not have taken it.
            await gate.Task.WaitAsync(ct);
            return new SendReport(SendVerdict.Sent);
        });
        var dying = Dispatcher(first).RunOnceAsync(crash.Token);
        while (_reports.Received.Count < 25)
            await Task.Delay(10);
        await crash.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dying);

        // Before the lease runs out nobody takes them; after, the next dispatcher does.
        var second = new Sender((_, _) => Task.FromResult(new SendReport(SendVerdict.Sent)));
        Assert.Equal(0, await Dispatcher(second).RunOnceAsync(default));
        _clock.Now += new OutboxOptions().Lease;
        Assert.Equal(5, await Dispatcher(second).RunOnceAsync(default));

        var sent = first.Calls.Concat(second.Calls).ToList();
        Assert.Equal(all.Order(), sent.Distinct().Order());
        Assert.Equal(inFlight.Order(), sent.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).Order());
        Assert.Equal(all.Order(), _reports.Received.Select(r => r.Occurrence).Order());
        Assert.All(_reports.Received, r => Assert.Equal(DeliveryOutcome.Sent, r.Outcome));
        Assert.Equal(0, await Dispatcher(second).RunOnceAsync(default));
    }

    [Fact]
    public async Task TransientFailures_AreRetriedAfterRetryAfterOrTheBackoff_AndGiveUpAfterMaxAttempts()
    {
        var ids = await Enqueue(2);
        var (polite, hopeless) = (ids[0], ids[1]);
        var calls = new ConcurrentDictionary<string, int>();
        var sender = new Sender((send, _) =>
        {
            var call = calls.AddOrUpdate(send.OccurrenceId, 1, (_, n) => n + 1);
            return Task.FromResult(send.OccurrenceId != polite ? new SendReport(SendVerdict.Transient, "503 Service Unavailable")
                : call == 1 ? new SendReport(SendVerdict.Transient, "429 Too Many Requests", TimeSpan.FromSeconds(90))
                : new SendReport(SendVerdict.Sent));
        });
        var dispatcher = Dispatcher(sender, new OutboxOptions { MaxAttempts = 3, FirstBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromSeconds(25) });

        Assert.Equal(2, await dispatcher.RunOnceAsync(default));
        _clock.Now += TimeSpan.FromSeconds(60);
        // The hopeless one is due again (10-12 s backoff); the polite one waits its 90 s.
        Assert.Equal(1, await dispatcher.RunOnceAsync(default));
        _clock.Now += TimeSpan.FromSeconds(31);
        Assert.Equal(2, await dispatcher.RunOnceAsync(default));

        Assert.Equal([(polite, DeliveryOutcome.Sent, (string?)null)], _reports.Received.Where(r => r.Occurrence == polite));
        var gaveUp = Assert.Single(_reports.Received, r => r.Occurrence == hopeless);
        Assert.Equal((DeliveryOutcome.Failed, "Gave up after 3 attempts: 503 Service Unavailable"), (gaveUp.Outcome, gaveUp.Reason));
        var failed = Assert.Single(await _store.ListFailedAsync(DeliverySend.Queue, "app", 10, default));
        Assert.Equal((hopeless, 3, "Gave up after 3 attempts: 503 Service Unavailable"), (DeliverySend.FromPayload(failed.Payload).OccurrenceId, failed.Attempts, failed.Reason));
        _clock.Now += TimeSpan.FromDays(1);
        Assert.Equal(0, await dispatcher.RunOnceAsync(default));
    }

    [Fact]
    public async Task PermanentFailuresAndDeadTokens_AreReported_AndKeptWithTheirReasons()
    {
        var ids = await Enqueue(3);
        var sender = new Sender((send, _) => Task.FromResult(send.OccurrenceId == ids[0] ? new SendReport(SendVerdict.Permanent, "400 INVALID_ARGUMENT")
            : send.OccurrenceId == ids[1] ? new SendReport(SendVerdict.DeadToken, "404 UNREGISTERED")
            : new SendReport(SendVerdict.Sent)));

        Assert.Equal(3, await Dispatcher(sender).RunOnceAsync(default));

        var byOccurrence = _reports.Received.ToDictionary(r => r.Occurrence);
        Assert.Equal((DeliveryOutcome.Failed, "400 INVALID_ARGUMENT"), (byOccurrence[ids[0]].Outcome, byOccurrence[ids[0]].Reason));
        Assert.Equal((DeliveryOutcome.Bounced, "404 UNREGISTERED"), (byOccurrence[ids[1]].Outcome, byOccurrence[ids[1]].Reason));
        Assert.Equal(DeliveryOutcome.Sent, byOccurrence[ids[2]].Outcome);
        var failed = await _store.ListFailedAsync(DeliverySend.Queue, "app", 10, default);
        Assert.Equal(["400 INVALID_ARGUMENT", "404 UNREGISTERED"], failed.Select(f => f.Reason).Order());
        _clock.Now += TimeSpan.FromDays(1);
        Assert.Equal(0, await Dispatcher(sender).RunOnceAsync(default));
    }

    [Fact]
    public async Task ASendWhoseUserRefusesTheReport_Stands_AndItsItemEnds_NotSentAgain()
    {
        var ids = await Enqueue(2);
        _reports.Blocked.Add("u0");
        var sender = new Sender((_, _) => Task.FromResult(new SendReport(SendVerdict.Sent)));

        Assert.Equal(2, await Dispatcher(sender).RunOnceAsync(default));

        Assert.Equal([ids[1]], _reports.Received.Select(r => r.Occurrence));
        Assert.Empty(await _store.ListFailedAsync(DeliverySend.Queue, "app", 10, default));
        _clock.Now += TimeSpan.FromDays(1);
        Assert.Equal(0, await Dispatcher(sender).RunOnceAsync(default));
        Assert.Equal(ids.Order(), sender.Calls.Order());
    }
}
