using BenchmarkDotNet.Attributes;
using Greengage.Protocol.Requests;

namespace Greengage.Benchmarks;

/// <summary>
/// <see cref="RequestParser"/> alone, on the two batch shapes the SDKs send: JS (query + JSON body) and Android
/// (form body whose <c>data</c> field holds <c>{"data":[...]}</c>; the form decoding is included, as in the server).
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class ParseBenchmarks
{
    public const int Items = 20;

    private readonly ProtocolLimits _limits = new();
    private List<KeyValuePair<string, string>> _jsQuery = [];
    private byte[] _jsBody = [];
    private byte[] _androidBody = [];

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        _jsQuery = Payloads.JsMultiQuery(now);
        _jsBody = Payloads.JsMultiBody(7, Items, now);
        _androidBody = Payloads.AndroidFormBody(7, Items, now);
    }

    [Benchmark(Description = "Parse JS multi (20 track)")]
    public ApiRequest ParseJsMulti20() => RequestParser.Parse(_jsQuery, [], _jsBody, _limits);

    [Benchmark(Description = "Parse Android form multi (20 track)")]
    public ApiRequest ParseAndroidForm20() =>
        RequestParser.ParseForm([], _androidBody, _limits);
}
