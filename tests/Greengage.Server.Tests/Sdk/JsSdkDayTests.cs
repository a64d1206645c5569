using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;
using Xunit.Abstractions;

namespace Greengage.Server.Tests.Sdk;

/// <summary>
/// "A day in a user's life" through the real, unmodified Leanplum JavaScript SDK 1.9.0 (tests/js-sdk/harness.mjs
/// <c>--scenario day</c>, see tests/js-sdk/scenario-day.mjs) against the real server process, production mode, batching
/// cooldown 0, one user, two sessions in the same page:
/// <list type="bullet">
/// <item>session 1: start(attributes) → advanceTo("Home") → track("Open") → trackPurchase(4.99, "USD", {item:"gem"})
/// → advanceTo("Shop", "info", {from:"home"}) → setUserAttributes({plan:"gold", visits:1}) → pauseSession →
/// resumeSession → stop;</item>
/// <item>session 2: start → [setUserId(login)] → track("Open") → advanceTo("Home") → setUserAttributes({visits:2,
/// plan:null}) → trackPurchase(1.00) → stop.</item>
/// </list>
/// Every item of every answer must say success:true, and <c>exportUser</c> must show the whole day. Run anonymously
/// with a login, the whole anonymous day moves into a user that existed before (spec 6.3 login): its own values win,
/// the counts add up, and the device's old id answers as the user it logged in as.
/// </summary>
public sealed class JsSdkDayTests(JsSdkFixture fixture, ITestOutputHelper output) : IClassFixture<JsSdkFixture>
{
    /// <summary>The actions of each request, in order: batched calls leave with the next urgent one.</summary>
    private static readonly string[][] ExpectedRequests =
    [
        ["start"],
        ["advance", "track", "track", "advance", "setUserAttributes", "pauseSession"],
        ["resumeSession"],
        ["stop"],
        ["start"],
        ["track", "advance", "setUserAttributes", "track", "stop"],
    ];

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task ADayInAUsersLife_EveryCallSucceeds_AndExportUserShowsTheWholeDay(bool named, bool login)
    {
        var userId = named ? "js-day-" + Guid.NewGuid().ToString("N") : null;
        var loginId = login ? "js-login-" + Guid.NewGuid().ToString("N") : null;
        if (loginId is not null)
            await CreateKnownUserAsync(loginId);
        var run = await RunDayAsync(userId, loginId);
        var result = AssertHarnessSucceeded(run, login);

        var deviceId = Text(result["deviceId"]);
        Assert.Matches("^[A-Za-z0-9]{16}$", deviceId ?? "");
        // Anonymous: the SDK's userId is its deviceId (js-sdk-wire.md §6); after a login, the id it logged in as.
        var expectedUserId = loginId ?? userId ?? deviceId!;
        Assert.Equal(expectedUserId, Text(result["userId"]));

        var user = await fixture.Server.ExportUserAsync(fixture.App, expectedUserId);
        output.WriteLine("exportUser: " + user.ToJsonString());
        var context = $"exportUser: {user.ToJsonString()}\n{run}";
        Assert.True(user["success"]?.GetValue<bool>() == true, $"exportUser failed. {context}");
        Assert.Equal(expectedUserId, Text(user["userId"]));

        // Two sessions, both closed by stop; only closed sessions add foreground time.
        Assert.True(Number(user["totalSessions"]) == 2, $"totalSessions should be 2. {context}");
        var spent = Number(user["timeSpentInApp"]) ?? 0;
        Assert.True(spent > 0, $"timeSpentInApp should be positive, is {spent}. {context}");
        var created = Number(user["created"]) ?? throw new Xunit.Sdk.XunitException($"No created. {context}");
        var lastActive = Number(user["lastActive"]) ?? throw new Xunit.Sdk.XunitException($"No lastActive. {context}");
        Assert.True(created <= lastActive, $"created {created} is after lastActive {lastActive}. {context}");

        // Events: Open twice (value 0), Purchase twice with 4.99 USD (the app currency) + 1.00.
        var open = Aggregate(user, "events", "Open", context);
        Assert.Equal(2, Number(open["count"]));
        var purchase = Aggregate(user, "events", "Purchase", context);
        Assert.Equal(2, Number(purchase["count"]));
        Assert.Equal(5.99, Number(purchase["value"]) ?? double.NaN, 9);

        // States: Home entered in both sessions, Shop once.
        var home = Aggregate(user, "states", "Home", context);
        Assert.Equal(2, Number(home["count"]));
        var shop = Aggregate(user, "states", "Shop", context);
        Assert.Equal(1, Number(shop["count"]));
        Assert.True(Number(home["lastTime"]) >= Number(shop["firstTime"]),
            $"Home was entered again in session 2, after Shop in session 1. {context}");

        // Attributes: the start ones, visits overwritten by session 2, plan set in session 1 and cleared by null.
        var attributes = user["userAttributes"]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"No userAttributes. {context}");
        Assert.Equal("js-day", Text(attributes["signupSource"]));
        // After a login the known user's own values win over the anonymous ones, and its history is kept.
        Assert.Equal(login ? 99 : 30, Number(attributes["age"]));
        if (login)
        {
            Assert.Equal("vip", Text(attributes["tier"]));
            Assert.Equal(1, Number(Aggregate(user, "events", "Earlier", context)["count"]));
            var viaOldId = await fixture.Server.ExportUserAsync(fixture.App, deviceId!);
            Assert.True(Text(viaOldId["userId"]) == loginId, $"The anonymous id should answer as {loginId}: {viaOldId.ToJsonString()}");
        }
        Assert.Equal(2, Number(attributes["visits"]));
        Assert.False(attributes.ContainsKey("plan"), $"'plan' was cleared by null in session 2. {context}");

        // The device: a JS 1.9.0 browser.
        var devices = user["devices"]?.AsArray() ?? throw new Xunit.Sdk.XunitException($"No devices. {context}");
        var device = devices.Select(d => d?.AsObject()).SingleOrDefault(d => Text(d?["deviceId"]) == deviceId)
            ?? throw new Xunit.Sdk.XunitException($"Device {deviceId} is not among the exported devices. {context}");
        Assert.Equal("js", Text(device["client"]));
        Assert.Equal(JsSdkFixture.SdkVersion, Text(device["sdkVersion"]));
    }

    /// <summary>Exit code 0; every request a 200 multi whose answer has one success:true per item; the expected batching.</summary>
    private static JsonObject AssertHarnessSucceeded(HarnessRun run, bool login)
    {
        var expectedRequests = ExpectedRequests.Select(r => r.ToList()).ToList();
        if (login)
            expectedRequests[5].Insert(0, "setUserAttributes");
        Assert.True(run.ExitCode == 0, $"The harness failed.\n{run}");
        var result = run.Result ?? throw new Xunit.Sdk.XunitException($"The harness printed no JSON line.\n{run}");
        Assert.True(result["ok"]?.GetValue<bool>() == true, $"The harness reported a failure.\n{run}");
        Assert.Equal("day", Text(result["scenario"]));
        Assert.Equal(JsSdkFixture.SdkVersion, Text(result["sdkVersion"]));

        var requests = result["requests"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(
            expectedRequests.Select(r => string.Join(',', r)).ToArray(),
            requests.Select(r => string.Join(',', r["actions"]!.AsArray().Select(a => Text(a)))).ToArray());
        foreach (var request in requests)
        {
            var actions = request["actions"]!.AsArray();
            Assert.True(Number(request["status"]) == 200, $"HTTP {request["status"]}: {request.ToJsonString()}\n{run}");
            Assert.Equal("multi", Text(request["action"]));
            Assert.Equal("*", Text(request["cors"]));
            var success = request["success"]?.AsArray() ?? throw new Xunit.Sdk.XunitException($"An answer without a response array: {request.ToJsonString()}\n{run}");
            Assert.True(success.Count == actions.Count, $"{actions.Count} items but {success.Count} answers: {request.ToJsonString()}\n{run}");
            Assert.True(success.All(s => s?.GetValue<bool>() == true), $"An item did not answer success:true: {request.ToJsonString()}\n{run}");
        }

        var calls = result["calls"]!.AsArray().Select(c => c!.AsObject()).ToList();
        Assert.Equal(expectedRequests.Sum(r => r.Count), calls.Count);
        Assert.All(calls, c => Assert.True(c["success"]?.GetValue<bool>() == true, $"{c.ToJsonString()}\n{run}"));

        // Each start's own outcome (the SDK's `start` event) and each stop's answer seen by the SDK.
        Assert.Equal("[true,true]", result["startEvents"]?.ToJsonString());
        Assert.True(result["firstStartCallback"]?["success"]?.GetValue<bool>() == true, $"The start callback did not report success.\n{run}");
        Assert.Equal("[true,true]", result["sessionClearedByStop"]?.ToJsonString());
        return result;
    }

    private static JsonObject Aggregate(JsonObject user, string kind, string name, string context)
    {
        var node = user[kind]?[name]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"{kind}['{name}'] is missing. {context}");
        foreach (var field in new[] { "count", "firstTime", "lastTime" })
            Assert.True(Number(node[field]) is not null, $"{kind}['{name}'] has no numeric {field}. {context}");
        Assert.True(Number(node["firstTime"]) <= Number(node["lastTime"]), $"{kind}['{name}'] firstTime after lastTime. {context}");
        return node;
    }

    /// <summary>A user the day logs in to: known before, with an attribute the anonymous day also sets, and history.</summary>
    private async Task CreateKnownUserAsync(string loginId)
    {
        foreach (var fields in new[]
        {
            new Dictionary<string, string> { ["action"] = "setUserAttributes", ["userAttributes"] = """{"tier":"vip","age":99}""" },
            new Dictionary<string, string> { ["action"] = "track", ["event"] = "Earlier" },
        })
        {
            fields["appId"] = fixture.App.AppId;
            fields["clientKey"] = fixture.App.ProductionKey;
            fields["userId"] = loginId;
            fields["deviceId"] = loginId + "-phone";
            var (status, element) = await fixture.Server.CallAsync(fields);
            Assert.True(status == System.Net.HttpStatusCode.OK && element["success"]?.GetValue<bool>() == true, element.ToJsonString());
        }
    }

    /// <summary>Runs <c>node harness.mjs --scenario day</c> against the fixture's server; <paramref name="userId"/> null is anonymous.</summary>
    private async Task<HarnessRun> RunDayAsync(string? userId, string? loginId)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = fixture.JsSdkDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[] { "harness.mjs", "--scenario", "day", "--api", fixture.Server.ApiUrl, "--app", fixture.App.AppId, "--key", fixture.App.ProductionKey })
            start.ArgumentList.Add(arg);
        if (userId is not null)
        {
            start.ArgumentList.Add("--user");
            start.ArgumentList.Add(userId);
        }
        if (loginId is not null)
        {
            start.ArgumentList.Add("--login");
            start.ArgumentList.Add(loginId);
        }
        start.ArgumentList.Add("--timeout");
        start.ArgumentList.Add(((int)JsSdkFixture.HarnessTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));

        using var process = new System.Diagnostics.Process { StartInfo = start };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(JsSdkFixture.HarnessKillTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"node harness.mjs --scenario day did not finish within {JsSdkFixture.HarnessKillTimeout.TotalSeconds:0} s and was killed.\n"
                + $"stdout:\n{await stdoutTask}\nstderr:\n{await stderrTask}\n{fixture.Server.Describe()}");
        }
        var stdout = await stdoutTask;
        var stderr = await stderrTask;
        clock.Stop();

        JsonObject? result = null;
        var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (lastLine is not null)
        {
            try
            {
                result = JsonNode.Parse(lastLine) as JsonObject;
            }
            catch (JsonException)
            {
                // Reported through the null result and the output.
            }
        }
        var run = new HarnessRun(process.ExitCode, result, stdout, stderr, clock.Elapsed);
        output.WriteLine($"harness --scenario day ({userId ?? "anonymous"}): exit code {run.ExitCode} in {run.Elapsed.TotalMilliseconds:0} ms");
        output.WriteLine(stdout.TrimEnd());
        if (stderr.Length > 0)
            output.WriteLine("stderr: " + stderr.TrimEnd());
        return run;
    }

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString();

    private static double? Number(JsonNode? node) => node?.GetValueKind() == JsonValueKind.Number ? node.GetValue<double>() : null;
}
