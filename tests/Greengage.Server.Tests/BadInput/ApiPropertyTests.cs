using CsCheck;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.BadInput;

/// <summary>
/// Property tests over generated requests. Each draws a fixed number of samples from a fixed seed, so a run is
/// reproducible; a failure names the sample's own seed (<c>gen.Generate(PCG.Parse(seed), null, out _)</c> rebuilds it).
/// </summary>
public sealed class ApiPropertyTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private const string RequestSeed = "0N0XIzNsQ0O2";
    private const string BatchSeed = "7vJq3LmX9bTa";
    private const int Samples = 300;

    private static readonly string[] BatchActions =
    [
        "start", "track", "setUserAttributes", "heartbeat", "stop", "pauseSession", "resumeSession", "exportUser",
        "getMigrateState", "log", "advance", "getVars", "notAnAction",
    ];

    [Fact]
    public async Task Api_RandomRequests_AlwaysAnswerEnvelopeBelow500()
    {
        var http = RawApi.Client(factory);
        var gen = new FuzzGen(factory.AppId, [factory.ProductionKey, factory.DevelopmentKey, factory.DataExportKey, factory.ContentReadOnlyKey],
            Enumerable.Range(0, 6).Select(i => $"fuzz-{i}-{Guid.NewGuid():N}").ToArray()).Request;

        await SampleAsync(gen, RequestSeed, Samples, async request =>
        {
            var reply = await RawApi.SendAsync(http, request.ToMessage());
            RawApi.AssertEnvelope(reply);
            for (var i = 0; i < reply.Response!.Count; i++)
            {
                if (!(bool)reply.Element(i)["success"]!)
                    RawApi.AssertFailedElement(reply, i);
            }
        });

        var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Multi_RandomBatchesOfItems_AnswerOneElementPerItemEchoingReqIdsInOrder()
    {
        var http = RawApi.Client(factory);
        var users = Enumerable.Range(0, 5).Select(i => $"batch-{i}-{Guid.NewGuid():N}").ToArray();

        var item =
            from action in Gen.OneOfConst(BatchActions)
            from user in Gen.OneOfConst(users)
            from extras in Gen.Select(Gen.OneOfConst("event", "value", "params", "userAttributes", "time", "devMode", "info", "locale", "background"),
                FuzzGen.Json(2)).Array[0, 3]
            from notAnObject in Gen.Int[0, 19]
            select (action, user, extras, notAnObject: notAnObject == 0);
        var batch =
            from items in item.Array[1, 40]
            from shape in Gen.OneOfConst("js", "android", "rest", "bare-array")
            select (items, shape);

        await SampleAsync(batch, BatchSeed, Samples, async sample =>
        {
            var reqIds = new string?[sample.items.Length];
            var elements = new List<string>();
            for (var i = 0; i < sample.items.Length; i++)
            {
                var (action, user, extras, notAnObject) = sample.items[i];
                if (notAnObject)
                {
                    elements.Add(i % 2 == 0 ? "42" : "\"" + action + "\"");
                    continue;
                }
                reqIds[i] = $"r{i}-{Guid.NewGuid():N}";
                var fields = new List<string>
                {
                    "\"action\":" + FuzzGen.Quote(action), "\"userId\":" + FuzzGen.Quote(user), "\"deviceId\":" + FuzzGen.Quote(user),
                    "\"reqId\":" + FuzzGen.Quote(reqIds[i]!),
                };
                fields.AddRange(extras.Select(e => FuzzGen.Quote(e.Item1) + ":" + e.Item2));
                if (action == "track" && extras.All(e => e.Item1 != "event"))
                    fields.Add("\"event\":\"Tick\"");
                elements.Add("{" + string.Join(",", fields) + "}");
            }

            var reply = await RawApi.SendAsync(http, BatchRequest(sample.shape, "[" + string.Join(",", elements) + "]"));

            RawApi.AssertEnvelope(reply);
            Assert.True(reply.Response!.Count == sample.items.Length, $"Expected {sample.items.Length} elements: {reply}");
            if (sample.items.Length > 1)
                Assert.True(reply.Code == 200, $"A multi of several items answers 200: {reply}");
            for (var i = 0; i < reqIds.Length; i++)
            {
                var element = reply.Element(i);
                Assert.True((string?)element["reqId"] == reqIds[i], $"Element {i} should echo '{reqIds[i]}': {reply}");
                if (!(bool)element["success"]!)
                    RawApi.AssertFailedElement(reply, i);
            }
        });
    }

    private HttpRequestMessage BatchRequest(string shape, string array)
    {
        var time = ApiClient.Now();
        return shape switch
        {
            "js" => RawApi.Post("/api?" + RawApi.Query(("appId", factory.AppId), ("client", "js"), ("clientKey", factory.ProductionKey),
                ("action", "multi"), ("time", time)), RawApi.Text("{\"data\":" + array + "}", "text/plain")),
            "android" => RawApi.Post("/api", RawApi.Form(("appId", factory.AppId), ("clientKey", factory.ProductionKey), ("client", "android"),
                ("action", "multi"), ("time", time), ("data", "{\"data\":" + array + "}"))),
            "rest" => RawApi.Post("/api", RawApi.Text(
                $"{{\"appId\":\"{factory.AppId}\",\"clientKey\":\"{factory.ProductionKey}\",\"action\":\"multi\",\"time\":\"{time}\",\"data\":{array}}}",
                "application/json")),
            _ => RawApi.Post("/api", RawApi.Form(("appId", factory.AppId), ("clientKey", factory.ProductionKey), ("action", "multi"),
                ("data", array))),
        };
    }

    /// <summary>Runs <paramref name="assert"/> on <paramref name="count"/> samples drawn in turn from one fixed seed.</summary>
    private static async Task SampleAsync<T>(Gen<T> gen, string seed, int count, Func<T, Task> assert)
    {
        var pcg = PCG.Parse(seed);
        for (var i = 0; i < count; i++)
        {
            var state = pcg.State;
            var sample = gen.Generate(pcg, null, out _);
            try
            {
                await assert(sample);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new Xunit.Sdk.XunitException(
                    $"Sample {i} (seed \"{pcg.ToString(state)}\") failed: {Describe(sample)}{Environment.NewLine}{e.Message}");
            }
        }
    }

    private static string Describe<T>(T sample)
    {
        var text = sample is FuzzRequest r ? r.ToString() : Check.Print(sample);
        return text.Length > 1500 ? text[..1500] + " ..." : text;
    }
}
