using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;

namespace Greengage.Server.Tests.Identity;

/// <summary>
/// Logins under load, then SIGKILL: after a restart every acknowledged event is found exactly once through the old
/// id, whether the move committed or not (a move is one transaction: merge and alias together, or neither).
/// </summary>
public sealed class MoveCrashTests
{
    private const int Clients = 12;

    [Fact]
    public async Task Sigkill_WhileUsersLogIn_EveryAcknowledgedEventSurvivesOnce()
    {
        using var dir = new TemporaryDirectory("greengage-move-crash");
        // Every event name is unique (it identifies the item), so the app-wide name limit is lifted.
        string[] args = ["--Greengage:Snapshots:EveryRecords=5", "--Greengage:Limits:MaxEventNamesPerApp=100000000"];
        AppCredentials app;
        var acked = new ConcurrentBag<(string Anonymous, string Event)>();
        var moved = 0;

        await using (var server = await ServerProcess.StartAsync(dir.Path, args))
        {
            app = await server.ReadPrintedDemoAppAsync();
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stopLoad = new CancellationTokenSource();

            async Task Client(int c)
            {
                using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
                for (var generation = 0; !stopLoad.IsCancellationRequested; generation++)
                {
                    // A fresh install: anonymous for a few batches, then it logs in (every third client into a shared user).
                    var anonymous = $"anon-{c}-{generation}";
                    var target = c % 3 == 0 ? "shared-user" : $"user-{c}-{generation}";
                    for (var j = 0; j < 6 && !stopLoad.IsCancellationRequested; j++)
                    {
                        var events = new[] { $"e-{c}-{generation}-{j}-a", $"e-{c}-{generation}-{j}-b" };
                        var items = new List<object>(events.Select(e => new { action = "track", userId = anonymous, deviceId = anonymous, @event = e }));
                        if (j == 3)
                            items.Insert(1, new { action = "setUserAttributes", userId = anonymous, deviceId = anonymous, newUserId = target });
                        try
                        {
                            using var response = await http.PostAsync(
                                $"/api?appId={app.AppId}&clientKey={app.ProductionKey}&client=js&sdkVersion=1.9.0&action=multi",
                                new StringContent(JsonSerializer.Serialize(new { data = items }), Encoding.UTF8, "text/plain"));
                            if (response.StatusCode != HttpStatusCode.OK)
                                continue;
                            var elements = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!.AsArray();
                            if (elements.Count == items.Count && elements.All(r => (bool)r!["success"]!))
                            {
                                foreach (var e in events)
                                    acked.Add((anonymous, e));
                                if (j == 3 && Interlocked.Increment(ref moved) >= 60)
                                    enough.TrySetResult();
                            }
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                        {
                            if (server.HasExited)
                                return;
                        }
                    }
                }
            }

            var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(() => Client(c))).ToArray();
            await enough.Task.WaitAsync(TimeSpan.FromSeconds(120));
            server.Kill();
            stopLoad.Cancel();
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));
        }

        await using var restarted = await ServerProcess.StartAsync(dir.Path, args);
        var exports = new Dictionary<string, JsonObject>();
        foreach (var group in acked.GroupBy(a => a.Anonymous))
        {
            // Through the alias when the move committed, the anonymous user itself when it did not.
            var export = await restarted.ExportUserAsync(app, group.Key);
            var events = export["events"]!.AsObject();
            foreach (var (_, e) in group)
            {
                Assert.True(events.ContainsKey(e), $"acknowledged event {e} of {group.Key} was lost");
                Assert.Equal(1L, (long)events[e]!["count"]!);
            }
            exports[(string)export["userId"]!] = export;
        }
        // The moves did happen (their old ids answer as the users they logged in as), and shared-user took in many.
        Assert.Contains("shared-user", exports.Keys);
        Assert.True(exports.Keys.Count(k => k.StartsWith("user-", StringComparison.Ordinal)) >= 20);
        foreach (var (user, export) in exports)
        {
            foreach (var (name, aggregate) in export["events"]!.AsObject())
                Assert.True((long)aggregate!["count"]! == 1, $"{name} of {user} counted {(long)aggregate["count"]!} times");
        }
    }
}
