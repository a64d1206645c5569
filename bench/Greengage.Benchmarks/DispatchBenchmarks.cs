using System.Buffers;
using BenchmarkDotNet.Attributes;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;

namespace Greengage.Benchmarks;

/// <summary>
/// The request hot path without HTTP, Orleans or disk: <see cref="RequestParser"/> then
/// <see cref="Greengage.Engine.Actions.ApiDispatcher.DispatchAsync"/> with a <see cref="InMemoryUserGateway"/> that
/// runs a <see cref="Greengage.Engine.Users.UserProcessor"/> per user (records, log-row serialisation and snapshots
/// included). Each call takes the next of 1,000 users, like the wrk scenarios; users keep their state across calls.
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class DispatchBenchmarks
{
    public const int Users = 1000;
    public const int Items = 20;

    private InMemoryEngine _engine = null!;
    private List<KeyValuePair<string, string>> _jsQuery = [];
    private List<KeyValuePair<string, string>> _trackQuery = [];
    private byte[][] _jsBodies = [];
    private byte[][] _trackForms = [];
    private byte[][][] _androidBodies = [];
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private int _next;
    private int _androidRound;

    /// <summary>The engine, for tests to check what was produced.</summary>
    public InMemoryEngine Engine => _engine;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        _engine = InMemoryEngine.Create();
        _jsQuery = Payloads.JsMultiQuery(now);
        _trackQuery = Payloads.SingleTrackQuery();
        _jsBodies = new byte[Users][];
        _trackForms = new byte[Users][];
        _androidBodies = new byte[AndroidBatches][][];
        for (var b = 0; b < AndroidBatches; b++)
            _androidBodies[b] = new byte[Users][];
        for (var u = 0; u < Users; u++)
        {
            _jsBodies[u] = Payloads.JsMultiBody(u + 1, Items, now);
            _trackForms[u] = Payloads.SingleTrackForm(u + 1, now);
            for (var b = 0; b < AndroidBatches; b++)
                _androidBodies[b][u] = Payloads.AndroidFormBody(u + 1, Items, now, b);
        }
    }

    /// <summary>
    /// Android bodies carry a batch <c>uuid</c> and <c>reqId</c>s, and a device remembers its last two batches: each
    /// round of the users takes the next of three batch ids, so no call is answered as a retry.
    /// </summary>
    private const int AndroidBatches = 3;

    /// <summary>Scenario (b): one <c>track</c> per request, query + form body.</summary>
    [Benchmark(Description = "Parse+dispatch single track")]
    public Task<ActionResult[]> SingleTrack()
    {
        var request = RequestParser.ParseForm(_trackQuery, _trackForms[NextUser()], _engine.Limits);
        return _engine.Dispatcher.DispatchAsync(request, CancellationToken.None);
    }

    /// <summary>Scenario (c): a JS <c>multi</c> of 20 <c>track</c> for one user.</summary>
    [Benchmark(Description = "Parse+dispatch JS multi (20 track)")]
    public Task<ActionResult[]> JsMulti20()
    {
        var request = RequestParser.Parse(_jsQuery, [], _jsBodies[NextUser()], _engine.Limits);
        return _engine.Dispatcher.DispatchAsync(request, CancellationToken.None);
    }

    /// <summary>Scenario (c) in the Android shape: a form body whose <c>data</c> field holds <c>{"data":[...]}</c>.</summary>
    [Benchmark(Description = "Parse+dispatch Android form multi (20 track)")]
    public Task<ActionResult[]> AndroidMulti20()
    {
        var round = _androidRound;
        var body = _androidBodies[round][NextUser()];
        if (_next == 0)
            _androidRound = round + 1 == AndroidBatches ? 0 : round + 1;
        var request = RequestParser.ParseForm([], body, _engine.Limits);
        return _engine.Dispatcher.DispatchAsync(request, CancellationToken.None);
    }

    /// <summary>Scenario (c) including the response envelope, as the endpoint writes it. Returns the bytes written.</summary>
    [Benchmark(Description = "Parse+dispatch+write JS multi (20 track)")]
    public async Task<int> JsMulti20WithResponse()
    {
        var request = RequestParser.Parse(_jsQuery, [], _jsBodies[NextUser()], _engine.Limits);
        var results = await _engine.Dispatcher.DispatchAsync(request, CancellationToken.None);
        _output.ResetWrittenCount();
        ResponseWriter.Write(_output, results, request.Items.Select(i => i.ReqId).ToArray());
        return _output.WrittenCount;
    }

    private int NextUser()
    {
        var u = _next;
        _next = u + 1 == Users ? 0 : u + 1;
        return u;
    }
}
