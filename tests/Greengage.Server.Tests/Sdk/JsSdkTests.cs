using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;
using Xunit.Abstractions;

namespace Greengage.Server.Tests.Sdk;

/// <summary>
/// The real, unmodified Leanplum JavaScript SDK 1.9.0 (tests/js-sdk/harness.mjs under Node) against the real server
/// process: every call must succeed on the wire, and its effects must show in <c>exportUser</c>.
/// The harness scenario is start(attributes) → track(event, value, params) → setUserAttributes → pauseSession →
/// resumeSession → stop, with the SDK's batching cooldown at 0.
/// </summary>
public sealed class JsSdkTests(JsSdkFixture fixture, ITestOutputHelper output) : IClassFixture<JsSdkFixture>
{
    private static readonly string[] Calls = ["start", "track", "setUserAttributes", "pauseSession", "resumeSession", "stop"];

    [Fact]
    public async Task NamedUser_FullSession_EveryCallSucceeds_AndExportUserShowsIt()
    {
        var userId = "js-sdk-" + Guid.NewGuid().ToString("N");
        var run = await RunAsync(userId);
        var result = AssertHarnessSucceeded(run);
        Assert.Equal(userId, Text(result["userId"]));

        var user = await ExportAsync(userId, run);
        Assert.Equal(userId, Text(user["userId"]));
        AssertUserCarriesScenario(user, result, run);
    }

    [Fact]
    public async Task AnonymousUser_UserIdIsTheDeviceId_AndTheDeviceIsAJs190Device()
    {
        var run = await RunAsync(userId: null);
        var result = AssertHarnessSucceeded(run);
        var deviceId = Text(result["deviceId"]);
        Assert.False(string.IsNullOrEmpty(deviceId), $"The SDK kept no device id.\n{run}");
        Assert.Matches("^[A-Za-z0-9]{16}$", deviceId);
        Assert.Equal(deviceId, Text(result["userId"]));

        var user = await ExportAsync(deviceId!, run);
        Assert.Equal(deviceId, Text(user["userId"]));
        AssertUserCarriesScenario(user, result, run);

        var devices = user["devices"]?.AsArray() ?? throw new Xunit.Sdk.XunitException($"exportUser has no devices: {user.ToJsonString()}");
        var device = devices.Select(d => d?.AsObject()).SingleOrDefault(d => Text(d?["deviceId"]) == deviceId)
            ?? throw new Xunit.Sdk.XunitException($"Device {deviceId} is not among the exported devices: {devices.ToJsonString()}");
        Assert.Equal("js", Text(device["client"]));
        Assert.Equal(JsSdkFixture.SdkVersion, Text(device["sdkVersion"]));
        Assert.Equal("Chrome", Text(device["browserName"]));
        Assert.Equal("Web Browser", Text(device["deviceModel"]));
    }

    [Fact]
    public async Task ServerSetValues_ReachTheSdk_AsDiffsOverItsDefaults_ListsIncluded()
    {
        // An app of its own: live values would change what the other tests' SDK sees.
        var app = await fixture.Server.CreateAppAsync(JsSdkFixture.AdminToken, "JS SDK variables");
        foreach (var (name, value) in new (string, object)[] { ("welcomeMessage", "Hej"), ("colors", new[] { "red", "blue", "black" }), ("nested.enabled", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/{name}")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { value }),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", JsSdkFixture.AdminToken);
            using var response = await fixture.Server.Http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        var run = await RunAsync("js-vars-" + Guid.NewGuid().ToString("N"), app);
        var result = AssertHarnessSucceeded(run, expectedVariables: """{"welcomeMessage":"Hej","level":1,"colors":["red","blue","black"],"nested":{"enabled":false}}""");

        // The wire carried the list as "[i]" keys: a plain array would have broken the SDK's start.
        Assert.True(result["variablesChangedCalls"]?.GetValue<int>() >= 1, $"The SDK did not report changed variables.\n{run}");
    }

    [Fact]
    public async Task AbTestVariants_ReachTheSdk_WithTheirValues_AndStayTheSameOnEveryStart()
    {
        var app = await fixture.Server.CreateAppAsync(JsSdkFixture.AdminToken, "JS SDK A/B tests");
        async Task<System.Text.Json.Nodes.JsonNode> Admin(string path, object? body = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/{path}")
            {
                Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", JsSdkFixture.AdminToken);
            using var response = await fixture.Server.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return System.Text.Json.Nodes.JsonNode.Parse(text)!;
        }
        var test = await Admin("ab-tests", new
        {
            name = "Greeting",
            variants = new object[]
            {
                new { name = "Control", percent = 50 },
                new { name = "Hej", percent = 50, vars = new Dictionary<string, object> { ["welcomeMessage"] = "Hej", ["nested.enabled"] = false } },
            },
        });
        await Admin($"ab-tests/{test["id"]}/start");
        var hej = (long)test["variants"]![1]!["id"]!;

        // Users in both variants; each user's runs are separate SDK instances (new device each time).
        var variantsSeen = new HashSet<long>();
        for (var i = 0; variantsSeen.Count < 2 && i < 12; i++)
        {
            var user = $"js-ab-{i}-" + Guid.NewGuid().ToString("N")[..8];
            long? first = null;
            for (var run = 0; run < 2; run++)
            {
                var result = AssertHarnessSucceeded(await RunAsync(user, app), contentCheckedByCaller: true);
                var variant = (long)Assert.Single(result["variants"]!.AsArray())!["id"]!;
                first ??= variant;
                Assert.Equal(first, variant);
                var expected = variant == hej
                    ? """{"welcomeMessage":"Hej","level":1,"colors":["red","green"],"nested":{"enabled":false}}"""
                    : """{"welcomeMessage":"Hello","level":1,"colors":["red","green"],"nested":{"enabled":true}}""";
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result["variables"]), $"{result["variables"]!.ToJsonString()} is not {expected}");
            }
            variantsSeen.Add(first!.Value);
        }
        Assert.Equal(2, variantsSeen.Count);
    }

    private async Task<HarnessRun> RunAsync(string? userId, AppCredentials? app = null)
    {
        var run = await fixture.RunHarnessAsync(userId, app);
        output.WriteLine($"harness ({(userId is null ? "anonymous" : userId)}): exit code {run.ExitCode} in {run.Elapsed.TotalMilliseconds:0} ms");
        output.WriteLine(run.Stdout.TrimEnd());
        if (run.Stderr.Length > 0)
            output.WriteLine("stderr: " + run.Stderr.TrimEnd());
        return run;
    }

    /// <summary>Exit code 0, one JSON line, every call successful on the wire, the SDK's defaults untouched by the server.</summary>
    /// <param name="contentCheckedByCaller">The caller checks variables and variants itself (A/B tests).</param>
    private JsonObject AssertHarnessSucceeded(HarnessRun run, string? expectedVariables = null, bool contentCheckedByCaller = false)
    {
        Assert.True(run.ExitCode == 0, $"The harness failed.\n{run}\n{fixture.Server.Describe()}");
        var result = run.Result ?? throw new Xunit.Sdk.XunitException($"The harness printed no JSON line.\n{run}");
        Assert.True(result["ok"]?.GetValue<bool>() == true, $"The harness reported a failure.\n{run}");
        Assert.Equal(JsSdkFixture.SdkVersion, Text(result["sdkVersion"]));
        Assert.True(result["startCallback"]?["success"]?.GetValue<bool>() == true, $"The start callback did not report success.\n{run}");
        foreach (var call in Calls)
        {
            var outcome = result["calls"]?[call];
            Assert.True(outcome?["sent"]?.GetValue<bool>() == true, $"{call} was never sent.\n{run}");
            Assert.True(outcome?["success"]?.GetValue<bool>() == true, $"{call} did not succeed: {outcome?.ToJsonString()}\n{run}");
            Assert.Equal(200, outcome?["status"]?.GetValue<int>());
        }

        // With cooldown 0 the batched calls left with the next urgent one: four multis, in this order.
        var requests = result["requests"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(
            ["start", "track,setUserAttributes,pauseSession", "resumeSession", "stop"],
            requests.Select(r => string.Join(',', r["actions"]!.AsArray().Select(a => Text(a)))).ToArray());
        Assert.All(requests, r =>
        {
            Assert.Equal("multi", Text(r["action"]));
            Assert.Equal("*", Text(r["cors"]));
        });

        // Without live values the server answers no variable diffs, and the SDK shows its own defaults; with them, the
        // SDK shows them merged over its defaults.
        var expected = expectedVariables is null ? result["sent"]!["variableDefaults"] : JsonNode.Parse(expectedVariables);
        if (!contentCheckedByCaller)
        {
            Assert.True(JsonNode.DeepEquals(expected, result["variables"]),
                $"variables {result["variables"]?.ToJsonString()} differ from {expected?.ToJsonString()}\n{run}");
            Assert.Equal("[]", result["variants"]?.ToJsonString());
        }
        Assert.True(result["sessionClearedByStop"]?.GetValue<bool>() == true, $"The SDK did not see stop's answer.\n{run}");
        return result;
    }

    /// <summary>Both attribute sets, the one event with its value, one session, and that session closed by stop.</summary>
    private static void AssertUserCarriesScenario(JsonObject user, JsonObject result, HarnessRun run)
    {
        var sent = result["sent"]!;
        var attributes = user["userAttributes"]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"No userAttributes: {user.ToJsonString()}");
        foreach (var set in new[] { "startAttributes", "setAttributes" })
        {
            foreach (var (name, expected) in sent[set]!.AsObject())
            {
                Assert.True(attributes.ContainsKey(name), $"Attribute '{name}' ({set}) is missing: {attributes.ToJsonString()}");
                Assert.Equal(Scalar(expected), Scalar(attributes[name]));
            }
        }

        var eventName = Text(sent["event"])!;
        var ev = user["events"]?[eventName] ?? throw new Xunit.Sdk.XunitException($"Event '{eventName}' is missing: {user["events"]?.ToJsonString()}");
        Assert.Equal(1L, ev["count"]?.GetValue<long>());
        Assert.Equal(sent["value"]!.GetValue<double>(), ev["value"]!.GetValue<double>(), 9);

        Assert.True(user["totalSessions"]?.GetValue<long>() == 1, $"totalSessions: {user.ToJsonString()}\n{run}");
        // Only a closed session adds to timeSpentInApp; the harness's session had foreground time before pause and
        // after resume (a full round trip each), so stop must have closed it with a positive duration.
        var spent = user["timeSpentInApp"]?.GetValue<double>() ?? 0;
        Assert.True(spent > 0, $"The session was not closed by stop (timeSpentInApp {spent}): {user.ToJsonString()}");
    }

    private async Task<JsonObject> ExportAsync(string userId, HarnessRun run)
    {
        var user = await fixture.Server.ExportUserAsync(fixture.App, userId);
        output.WriteLine("exportUser: " + user.ToJsonString());
        Assert.True(user["success"]?.GetValue<bool>() == true, $"exportUser failed: {user.ToJsonString()}\n{run}");
        return user;
    }

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString();

    /// <summary>A scalar as text: strings as they are, numbers and booleans as JSON writes them.</summary>
    private static string? Scalar(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.Number => node.GetValue<double>().ToString("R", CultureInfo.InvariantCulture),
        null => null,
        _ => node.ToJsonString(),
    };
}
