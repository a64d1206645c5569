using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Greengage.Engine.Actions;
using Greengage.Engine.Actions.User;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;

namespace Greengage.Benchmarks;

/// <summary>
/// <c>start</c> of a returning user with remote content, the content issue's benchmark without HTTP, Orleans or disk:
/// parse, dispatch and answer, in memory (<see cref="InMemoryUserGateway"/>). The app has what
/// <c>bench/start-seed.sh</c> gives it: 200 variables in 4 groups declared for app version 1.0, 30 live values, and 10
/// running A/B tests of 2-4 variants, each non-control variant overriding 3 variables (everyone enters them here, so
/// users fall into up to 27,648 combinations of variants, far more than the views kept). Each call takes the next of
/// <see cref="Users"/> users, each of whom started once in the setup.
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class StartBenchmarks
{
    public const int Users = 20_000;

    private InMemoryEngine _engine = null!;
    private List<KeyValuePair<string, string>> _query = [];
    private byte[][] _forms = [];
    private int _next;

    /// <summary>The engine, for tests to check what was produced.</summary>
    public InMemoryEngine Engine => _engine;

    [GlobalSetup]
    public void Setup()
    {
        var content = new ContentDirectory(new FixedContent(Payloads.AppId, Documents()));
        content.LoadAsync([Payloads.AppId], CancellationToken.None).GetAwaiter().GetResult();
        _engine = InMemoryEngine.Create(UserActionTable.Default.With([new Start(content)]), content);
        _query =
        [
            new("appId", Payloads.AppId),
            new("client", "js"),
            new("clientKey", Payloads.ProductionKey),
            new("sdkVersion", Payloads.JsSdkVersion),
            new("action", "start"),
        ];
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _forms = new byte[Users][];
        for (var u = 0; u < Users; u++)
        {
            _forms[u] = Encoding.UTF8.GetBytes(
                $"userId={Payloads.UserId(u + 1)}&deviceId={Payloads.DeviceId(u + 1)}&appVersion=1.0&includeDefaults=false&country=DE&locale=de_DE&time={now}");
        }
        // Every user starts once, so that the measured starts are returning users' (a session to close, tests decided).
        for (var u = 0; u < Users; u++)
            Start().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Parse+dispatch start (200 vars, 10 A/B tests)")]
    public Task<ActionResult[]> Start()
    {
        // The server gives every request its public base URL (the answer's file URLs).
        var request = RequestParser.ParseForm(_query, _forms[_next], _engine.Limits) with { BaseUrl = "http://127.0.0.1:8080" };
        _next = (_next + 1) % Users;
        return _engine.Dispatcher.DispatchAsync(request, CancellationToken.None);
    }

    /// <summary>The seeded app's content documents.</summary>
    public static List<ContentDocument> Documents()
    {
        string[] groups = ["ui", "shop", "level", "feature"];
        var vars = new JsonObject();
        foreach (var group in groups)
        {
            var members = new JsonObject();
            for (var i = 1; i <= 50; i++)
            {
                members["v" + i.ToString(CultureInfo.InvariantCulture)] = group switch
                {
                    "ui" => JsonValue.Create("text " + i.ToString(CultureInfo.InvariantCulture)),
                    "shop" => JsonValue.Create(i * 10),
                    "level" => JsonValue.Create(i / 4.0),
                    _ => JsonValue.Create(i % 2 == 0),
                };
            }
            vars[group] = members;
        }
        var documents = new List<ContentDocument>
        {
            new(ContentKinds.CodeDefaults, "1.0", Encoding.UTF8.GetBytes(new JsonObject { ["vars"] = vars }.ToJsonString()), 1),
        };
        // 30 live values, spread over the groups; the tests override other variables (as the seed script does).
        for (var i = 0; i < 30; i++)
        {
            var group = groups[i % 4];
            var value = group switch
            {
                "ui" => "\"live " + i.ToString(CultureInfo.InvariantCulture) + "\"",
                "shop" => (1000 + i).ToString(CultureInfo.InvariantCulture),
                "level" => (i + 0.5).ToString(CultureInfo.InvariantCulture),
                _ => "true",
            };
            documents.Add(new ContentDocument(ContentKinds.LiveVariable, $"{group}.v{i / 4 + 1}", Encoding.UTF8.GetBytes(value), 1));
        }
        for (var t = 0; t < 10; t++)
        {
            var id = 1000 + t;
            var count = 2 + t % 3;
            var variants = new List<AbVariant>();
            for (var v = 0; v < count; v++)
            {
                var overrides = new JsonObject();
                for (var k = 0; v > 0 && k < 3; k++)
                    overrides[$"{groups[(t + k) % 4]}.v{20 + t * 3 + k}"] = JsonValue.Create($"t{t}v{v}");
                variants.Add(new AbVariant(id * 100L + v, v == 0 ? "Control" : "V" + v, 100.0 / count, overrides));
            }
            var test = new AbTestDocument(id, $"bench test {t}", AbTestStates.Running, null, null, true, variants, 0, 0, id, null, null);
            documents.Add(new ContentDocument(ContentKinds.AbTest, id.ToString(CultureInfo.InvariantCulture), test.ToJson(), 1));
        }
        return documents;
    }

    private sealed class FixedContent(string appId, IReadOnlyList<ContentDocument> documents) : IContentStore
    {
        public Task<IReadOnlyList<ContentDocument>> ListContentAsync(string app, CancellationToken cancellationToken) =>
            Task.FromResult(string.Equals(app, appId, StringComparison.Ordinal) ? documents : []);

        public Task WriteContentAsync(string app, IReadOnlyList<ContentDocument> puts, IReadOnlyList<(string Kind, string Key)> deletes, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
