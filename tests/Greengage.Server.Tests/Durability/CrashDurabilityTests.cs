using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;

namespace Greengage.Server.Tests.Durability;

/// <summary>
/// Item 7(a): under concurrent load from several clients, the real server process is killed (SIGKILL) or stopped
/// (SIGTERM); after a restart every item that got a 2xx is present and counted exactly once. Items in flight at the
/// crash may or may not be there, but never twice.
/// </summary>
public sealed class CrashDurabilityTests
{
    private const int Clients = 8;
    private const int ItemsPerRequest = 5;
    private const int AckedRequestsBeforeStop = 400;

    [Fact]
    public async Task Sigkill_UnderConcurrentLoad_EveryAcknowledgedItemSurvivesOnce() =>
        await RunAsync(server => { server.Kill(); return Task.CompletedTask; });

    [Fact]
    public async Task Sigterm_UnderConcurrentLoad_EveryAcknowledgedItemSurvivesOnce() =>
        await RunAsync(async server => Assert.Equal(0, await server.StopGracefullyAsync()));

    /// <summary>
    /// With the default lag every row of this test still waits for the per-user index at the crash; with a lag of 50
    /// the writer merges all the time, so the crash lands in the middle of a merge cycle.
    /// </summary>
    [Fact]
    public async Task Sigkill_WhileTheLogIndexMerges_EveryAcknowledgedItemSurvivesOnce() =>
        await RunAsync(server => { server.Kill(); return Task.CompletedTask; }, "--Greengage:Storage:IndexLagRows=50", "--Greengage:Storage:IndexMergeShare=1");

    private static async Task RunAsync(Func<ServerProcess, Task> stop, params string[] extraArgs)
    {
        using var dir = new TemporaryDirectory("greengage-crash");
        // Frequent snapshots, so the restart replays across snapshot boundaries.
        // Every event name is unique (it identifies the item), so the app-wide name limit is lifted.
        string[] args = ["--Greengage:Snapshots:EveryRecords=7", "--Greengage:Limits:MaxEventNamesPerApp=100000000", .. extraArgs];
        AppCredentials app;
        var acked = new ConcurrentBag<(string User, string Event)>();
        var sent = new ConcurrentBag<(string User, string Event)>();

        await using (var server = await ServerProcess.StartAsync(dir.Path, args))
        {
            app = await server.ReadPrintedDemoAppAsync();
            var ackedRequests = 0;
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stopLoad = new CancellationTokenSource();

            async Task Client(int c)
            {
                using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
                var user = $"crash-user-{c}";
                for (var j = 0; !stopLoad.IsCancellationRequested; j++)
                {
                    var events = Enumerable.Range(0, ItemsPerRequest).Select(k => $"e-{c}-{j}-{k}").ToArray();
                    var body = JsonSerializer.Serialize(new
                    {
                        data = events.Select(e => new { action = "track", userId = user, deviceId = user, @event = e, value = 1 }),
                    });
                    foreach (var e in events)
                        sent.Add((user, e));
                    try
                    {
                        using var response = await http.PostAsync(
                            $"/api?appId={app.AppId}&clientKey={app.ProductionKey}&client=js&sdkVersion=1.9.0&action=multi",
                            new StringContent(body, Encoding.UTF8, "text/plain"));
                        if (response.StatusCode != HttpStatusCode.OK)
                            continue;
                        var elements = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!.AsArray();
                        if (elements.Count == ItemsPerRequest && elements.All(r => (bool)r!["success"]!))
                        {
                            foreach (var e in events)
                                acked.Add((user, e));
                            if (Interlocked.Increment(ref ackedRequests) >= AckedRequestsBeforeStop)
                                enough.TrySetResult();
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                    {
                        // The server went away mid-request: this item was never acknowledged.
                        if (server.HasExited)
                            return;
                    }
                }
            }

            var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(() => Client(c))).ToArray();
            await enough.Task.WaitAsync(TimeSpan.FromSeconds(120));
            // Stop while the clients are still sending: requests are in flight at this moment.
            await stop(server);
            stopLoad.Cancel();
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));
        }

        Assert.True(acked.Count >= AckedRequestsBeforeStop * ItemsPerRequest);
        await using var restarted = await ServerProcess.StartAsync(dir.Path, args);
        var sentByUser = sent.GroupBy(s => s.User).ToDictionary(g => g.Key, g => g.Select(s => s.Event).ToHashSet());
        foreach (var userGroup in acked.GroupBy(a => a.User))
        {
            var export = await restarted.ExportUserAsync(app, userGroup.Key);
            var events = export["events"]!.AsObject();
            foreach (var (_, e) in userGroup)
            {
                Assert.True(events.ContainsKey(e), $"acknowledged event {e} of {userGroup.Key} was lost");
                Assert.Equal(1L, (long)events[e]!["count"]!);
            }
            // Nothing is ever counted twice, and nothing appears that was not sent.
            foreach (var (name, agg) in events)
            {
                Assert.Equal(1L, (long)agg!["count"]!);
                Assert.Contains(name, sentByUser[userGroup.Key]);
            }
        }
    }
}
