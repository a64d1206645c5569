using System.Reflection;
using BenchmarkDotNet.Attributes;
using Greengage.Benchmarks;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;

namespace Greengage.Bench.Tests;

/// <summary>
/// Runs each BenchmarkDotNet benchmark once, directly (no BenchmarkDotNet runner): the setup, every
/// <c>[Benchmark]</c> method, and checks that what they measure is the real work (items parsed, actions accepted and
/// recorded), so a benchmark cannot silently measure an error path.
/// </summary>
public class BenchmarkMethodTests
{
    public static TheoryData<string> BenchmarkClasses() => new(BenchmarkClassNames());

    private static List<string> BenchmarkClassNames() =>
        typeof(ParseBenchmarks).Assembly.GetTypes().Where(IsBenchmarkClass).Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void The_benchmark_assembly_has_the_parse_and_dispatch_benchmarks()
    {
        var names = BenchmarkClassNames();
        Assert.Contains(typeof(ParseBenchmarks).FullName, names);
        Assert.Contains(typeof(DispatchBenchmarks).FullName, names);
        Assert.Contains(typeof(StartBenchmarks).FullName, names);
    }

    [Theory]
    [MemberData(nameof(BenchmarkClasses))]
    public async Task Every_benchmark_method_runs_once_and_returns_a_value(string typeName)
    {
        var type = typeof(ParseBenchmarks).Assembly.GetType(typeName, throwOnError: true)!;
        var instance = Activator.CreateInstance(type)!;
        await InvokeAll<GlobalSetupAttribute>(instance);
        var methods = type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null).ToList();
        Assert.NotEmpty(methods);
        foreach (var method in methods)
        {
            var result = await Invoke(method, instance);
            Assert.True(result is not null, $"{type.Name}.{method.Name} returned nothing");
        }
        await InvokeAll<GlobalCleanupAttribute>(instance);
    }

    [Fact]
    public void Parse_benchmarks_read_every_item_of_both_shapes()
    {
        var bench = new ParseBenchmarks();
        bench.Setup();
        foreach (var request in new[] { bench.ParseJsMulti20(), bench.ParseAndroidForm20() })
        {
            Assert.True(request.IsMulti);
            Assert.Equal(ParseBenchmarks.Items, request.Items.Count);
            Assert.All(request.Items, item =>
            {
                Assert.Null(item.ParseError);
                Assert.Equal("track", item.Action);
                Assert.Equal(Payloads.AppId, item.Parameters.String(WireNames.AppId));
                Assert.Equal(Payloads.ProductionKey, item.Parameters.String(WireNames.ClientKey));
                Assert.Equal("u7", item.Parameters.String(WireNames.UserId));
                Assert.NotNull(item.Parameters.String("event"));
            });
        }
    }

    [Fact]
    public async Task Dispatch_benchmarks_accept_every_action_and_record_it()
    {
        var bench = new DispatchBenchmarks();
        bench.Setup();
        var gateway = bench.Engine.Gateway;

        var single = await bench.SingleTrack();
        AssertAccepted(single, 1);
        Assert.Equal(1, gateway.LogRows);

        var multi = await bench.JsMulti20();
        AssertAccepted(multi, DispatchBenchmarks.Items);
        Assert.Equal(1 + DispatchBenchmarks.Items, gateway.LogRows);

        var bytes = await bench.JsMulti20WithResponse();
        Assert.True(bytes > 0);
        Assert.Equal(1 + 2 * DispatchBenchmarks.Items, gateway.LogRows);
        Assert.Equal(3, gateway.Users);

        // Round all 1,000 users: still accepted, still recorded.
        for (var i = 0; i < DispatchBenchmarks.Users; i++)
            AssertAccepted(await bench.JsMulti20(), DispatchBenchmarks.Items);
        Assert.Equal(DispatchBenchmarks.Users, gateway.Users);
        Assert.Equal(1 + (2 + DispatchBenchmarks.Users) * DispatchBenchmarks.Items, gateway.LogRows);
    }

    [Fact]
    public async Task Start_benchmark_answers_returning_users_with_their_variants_overrides()
    {
        var bench = new StartBenchmarks();
        bench.Setup();
        var gateway = bench.Engine.Gateway;
        Assert.Equal(StartBenchmarks.Users, gateway.Users);
        var rowsAfterSetup = gateway.LogRows;

        var combinations = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 200; i++)
        {
            var result = Assert.Single(await bench.Start());
            Assert.True(result.Success, result.Error);
            var fields = result.Fields!;
            var vars = System.Text.Json.Nodes.JsonNode.Parse(fields["vars"]!.ToJsonString())!.AsObject();
            var variants = System.Text.Json.Nodes.JsonNode.Parse(fields["variants"]!.ToJsonString())!.AsArray();
            // Everyone is in the 10 tests; the 30 live values are in every answer, with the variants' overrides.
            Assert.Equal(10, variants.Count);
            Assert.Equal("live 0", (string?)vars["ui"]!["v1"]);
            combinations.Add(fields["vars"]!.ToJsonString());
            Assert.NotNull((string?)fields["varsSignature"]);
            Assert.NotNull(fields["files"]);
        }
        // A returning user's start closes the last session and opens one: rows written for each, no retry.
        Assert.True(gateway.LogRows >= rowsAfterSetup + 2 * 200, $"{gateway.LogRows - rowsAfterSetup} rows for 200 starts");
        Assert.True(combinations.Count > 100, $"only {combinations.Count} distinct answers");
    }

    [Fact]
    public async Task Android_dispatch_benchmark_records_every_round_never_a_retry()
    {
        var bench = new DispatchBenchmarks();
        bench.Setup();
        var gateway = bench.Engine.Gateway;

        // Three rounds of every user, then the first user again: its fourth batch id is one its device has not kept.
        var calls = 3 * DispatchBenchmarks.Users + 1;
        for (var i = 0; i < calls; i++)
            AssertAccepted(await bench.AndroidMulti20(), DispatchBenchmarks.Items);
        Assert.Equal(DispatchBenchmarks.Users, gateway.Users);
        Assert.Equal((long)calls * DispatchBenchmarks.Items, gateway.LogRows);
    }

    private static void AssertAccepted(ActionResult[] results, int count)
    {
        Assert.Equal(count, results.Length);
        Assert.All(results, r => Assert.True(r.Success, r.Error));
    }

    private static bool IsBenchmarkClass(Type type) =>
        type is { IsClass: true, IsAbstract: false, IsPublic: true }
        && type.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null);

    private static async Task InvokeAll<TAttribute>(object instance)
        where TAttribute : Attribute
    {
        foreach (var method in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
            await Invoke(method, instance);
    }

    private static async Task<object?> Invoke(MethodInfo method, object instance)
    {
        var result = method.Invoke(instance, null);
        switch (result)
        {
            case Task task:
                await task;
                return method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
                    ? method.ReturnType.GetProperty("Result")!.GetValue(task)
                    : task;
            case ValueTask valueTask:
                await valueTask;
                return valueTask;
            default:
                return result ?? (method.ReturnType == typeof(void) ? method : null);
        }
    }
}
