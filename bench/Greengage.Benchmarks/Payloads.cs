using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Greengage.Benchmarks;

/// <summary>
/// The request shapes the SDKs send, ready for <see cref="Greengage.Protocol.Requests.RequestParser"/>: the query as
/// pairs (what the server takes from <c>HttpRequest.Query</c>) and the body as bytes. The wrk scripts in
/// <c>bench/wrk</c> send the same shapes over HTTP. No item carries <c>uuid</c>+<c>reqId</c> where it is dispatched,
/// so repeating a payload never turns into a retry that records nothing.
/// </summary>
public static class Payloads
{
    public const string AppId = "app_bench0000000000000000000000";
    public const string ProductionKey = "prod_bench000000000000000000000";
    public const string JsSdkVersion = "1.9.0";
    public const string AndroidSdkVersion = "7.6.0";

    private static readonly string[] EventNames = ["purchase", "level_up", "open_store", "tap_banner"];

    public static string UserId(int user) => "u" + user.ToString(CultureInfo.InvariantCulture);

    public static string DeviceId(int user) => "d" + user.ToString(CultureInfo.InvariantCulture);

    public static string Seconds(double unixSeconds) => unixSeconds.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>JS SDK 1.9 <c>multi</c>: auth, client and <c>action=multi</c> in the query.</summary>
    public static List<KeyValuePair<string, string>> JsMultiQuery(double now) =>
    [
        new("appId", AppId),
        new("client", "js"),
        new("clientKey", ProductionKey),
        new("sdkVersion", JsSdkVersion),
        new("action", "multi"),
        new("time", Seconds(now)),
    ];

    /// <summary>
    /// JS SDK 1.9 <c>multi</c> body (sent as text/plain): <c>{"data":[...]}</c> with <paramref name="items"/>
    /// <c>track</c> items of one user, each carrying what the SDK's ArgsBuilder adds (keys, ids, time as text,
    /// <c>params</c> as JSON text).
    /// </summary>
    public static byte[] JsMultiBody(int user, int items, double now)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            for (var i = 0; i < items; i++)
            {
                w.WriteStartObject();
                w.WriteString("appId", AppId);
                w.WriteString("client", "js");
                w.WriteString("clientKey", ProductionKey);
                w.WriteString("sdkVersion", JsSdkVersion);
                w.WriteString("deviceId", DeviceId(user));
                w.WriteString("userId", UserId(user));
                w.WriteString("action", "track");
                w.WriteString("versionName", "1.0.0");
                w.WriteString("time", Seconds(now - items + i));
                w.WriteString("event", EventNames[i % EventNames.Length]);
                w.WriteNumber("value", i % 5 + 0.99);
                w.WriteString("params", "{\"item\":\"gem\",\"qty\":" + (i % 3 + 1).ToString(CultureInfo.InvariantCulture) + "}");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Android SDK <c>multi</c>: one <c>application/x-www-form-urlencoded</c> body with the envelope fields and
    /// <c>data={"data":[...]}</c> (shape A), each item with its own <c>uuid</c> (the batch) and <c>reqId</c>.
    /// <paramref name="batch"/> varies the batch <c>uuid</c>, so a dispatched body is not a retry of the one before.
    /// </summary>
    public static byte[] AndroidFormBody(int user, int items, double now, int batch = 0)
    {
        var batchUuid = "a1b2c3d4-" + batch.ToString("X4", CultureInfo.InvariantCulture) + "-4000-8000-"
            + user.ToString("D12", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            for (var i = 0; i < items; i++)
            {
                w.WriteStartObject();
                w.WriteString("action", "track");
                w.WriteString("appId", AppId);
                w.WriteString("client", "android");
                w.WriteString("clientKey", ProductionKey);
                w.WriteString("sdkVersion", AndroidSdkVersion);
                w.WriteString("deviceId", DeviceId(user));
                w.WriteString("userId", UserId(user));
                w.WriteString("devMode", "false");
                w.WriteString("versionName", "1.0.0");
                w.WriteString("time", Seconds(now - items + i));
                w.WriteString("uuid", batchUuid);
                w.WriteString("reqId", "req-" + i.ToString(CultureInfo.InvariantCulture));
                w.WriteString("event", EventNames[i % EventNames.Length]);
                w.WriteString("value", (i % 5 + 0.99).ToString(CultureInfo.InvariantCulture));
                w.WriteString("params", "{\"item\":\"gem\",\"qty\":" + (i % 3 + 1).ToString(CultureInfo.InvariantCulture) + "}");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var data = Encoding.UTF8.GetString(buffer.ToArray());
        return Form(
            ("appId", AppId),
            ("client", "android"),
            ("clientKey", ProductionKey),
            ("sdkVersion", AndroidSdkVersion),
            ("devMode", "false"),
            ("action", "multi"),
            ("time", Seconds(now)),
            ("data", data));
    }

    /// <summary>A single <c>track</c> (wrk scenario b): auth and <c>action=track</c> in the query.</summary>
    public static List<KeyValuePair<string, string>> SingleTrackQuery() =>
    [
        new("appId", AppId),
        new("client", "js"),
        new("clientKey", ProductionKey),
        new("sdkVersion", JsSdkVersion),
        new("action", "track"),
    ];

    /// <summary>The form body of a single <c>track</c>: the user, the event and its time.</summary>
    public static byte[] SingleTrackForm(int user, double now) => Form(
        ("userId", UserId(user)),
        ("deviceId", DeviceId(user)),
        ("event", "purchase"),
        ("value", "1"),
        ("time", Seconds(now)));

    private static byte[] Form(params (string Name, string Value)[] fields) =>
        Encoding.UTF8.GetBytes(string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(f.Value))));
}
