using System.Globalization;
using System.Text;
using CsCheck;
using Greengage.Protocol.Actions;

namespace Greengage.Server.Tests.BadInput;

/// <summary>A generated HTTP request to <c>/api</c>.</summary>
public sealed record FuzzRequest(
    string Method,
    string Path,
    string Query,
    string? ContentType,
    string? ContentEncoding,
    byte[] Body,
    string Kind)
{
    public HttpRequestMessage ToMessage()
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), Query.Length == 0 ? Path : Path + "?" + Query);
        if (Body.Length > 0 || ContentType is not null)
            request.Content = RawApi.Bytes(Body, ContentType, ContentEncoding);
        return request;
    }

    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Body);
        if (text.Length > 400)
            text = text[..400] + $"... ({Body.Length} bytes)";
        return $"{Kind}: {Method} {Path}?{Query} Content-Type={ContentType ?? "-"} Content-Encoding={ContentEncoding ?? "-"} Body={text}";
    }
}

/// <summary>Generators of hostile and odd requests, built around the test app's real keys so that some reach the handlers.</summary>
public sealed class FuzzGen(string appId, string[] keys, string[] users)
{
    private const string Boundary = "FUZZBOUNDARY";

    /// <summary>The parameter names the implemented actions and the envelope read, plus junk.</summary>
    private static readonly string[] ParamNames =
    [
        "action", "appId", "clientKey", "userId", "deviceId", "time", "devMode", "reqId", "uuid", "data", "event", "value",
        "params", "userAttributes", "locale", "background", "timezoneOffsetSeconds", "info", "messageId", "allowOffline",
        "disposition", "versionName", "webPushSubscription", "client", "sdkVersion", "country", "token", "newUserId",
        "createDisposition", "state", "", "x", "\u00e9t\u00e9", "a.b", "__proto__",
    ];

    private static readonly string[] JunkActions = ["", "START", "multi ", "nope", "exportUser\u0000", "../admin", "\u00fc"];

    private static readonly string[] OddStrings =
    [
        "", " ", "true", "True", "1", "0", "-1", "abc", "1.7012345E9", "1701234567.891000", "NaN", "Infinity", "-1e400", "1e400",
        "null", "{}", "[]", "{\"a\":1}", "[1,2]", "{", "}", "\"", "\\", "(detect)", "yesterday", "maybe", "\u0000", "\t\r\n",
        "\ud83d\ude00", "\u202e", new string('x', 401), new string('y', 5000), "%", "%ZZ", "a=b&c=d", "<script>", "passive",
    ];

    private static readonly string?[] ContentTypes =
    [
        null, "text/plain", "text/plain;charset=UTF-8", "application/json", "application/json; charset=utf-16",
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
        $"multipart/form-data; boundary={Boundary}", "multipart/form-data", $"multipart/mixed; boundary={Boundary}",
        "multipart/form-data; boundary=", "application/octet-stream", "application/xml", "garbage", ";;;", "text/html; charset=iso-8859-1",
    ];

    /// <summary>The actions with handlers, so that many samples reach them with odd parameters.</summary>
    private static readonly string[] Implemented =
        ["start", "track", "setUserAttributes", "exportUser", "stop", "heartbeat", "pauseSession", "resumeSession", "getMigrateState", "log"];

    private Gen<string> Action => Gen.Frequency(
        (6, Gen.OneOfConst(Implemented)),
        (3, Gen.OneOfConst(ActionCatalogue.Actions.Select(a => a.Name).ToArray())),
        (2, Gen.Const("multi")),
        (1, Gen.OneOfConst(JunkActions)));

    /// <summary>Mostly the production key (the first), then the other classes, then junk.</summary>
    private Gen<string> Key => Gen.Frequency(
        (6, Gen.Const(keys[0])), (3, Gen.OneOfConst(keys)), (1, Gen.OneOfConst("", "prod_nope", "dev_", "\u00ff")));

    private Gen<string> AppIdValue => Gen.Frequency((8, Gen.Const(appId)), (1, Gen.OneOfConst("", "app_missing", " ")));

    private Gen<string> UserId => Gen.Frequency((6, Gen.OneOfConst(users)), (2, Text), (1, Gen.Const(new string('u', 401))));

    /// <summary>Random text: odd constants, random characters (surrogates included) or short words.</summary>
    public static Gen<string> Text => Gen.Frequency(
        (3, Gen.OneOfConst(OddStrings)),
        (2, Gen.Char.Array[0, 12].Select(c => new string(c))),
        (2, Gen.Char['a', 'z'].Array[1, 10].Select(c => new string(c))),
        (1, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => d.ToString("R", CultureInfo.InvariantCulture))));

    /// <summary>A JSON string literal; every non-ASCII or control character is escaped, so lone surrogates become \uXXXX escapes.</summary>
    public static string Quote(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var c in s)
        {
            if (c is '"' or '\\')
                b.Append('\\').Append(c);
            else if (c < 0x20 || c > 0x7E)
                b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else
                b.Append(c);
        }
        return b.Append('"').ToString();
    }

    private static Gen<string> Scalar => Gen.Frequency(
        (2, Gen.OneOfConst("null", "true", "false", "0", "-0", "1e400", "-1e-400", "1.5", "9223372036854775808", "1.7012345E9", "\"\"")),
        (2, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0")),
        (4, Text.Select(Quote)));

    /// <summary>Random JSON text, up to <paramref name="depth"/> levels, objects keyed by real parameter names or random text.</summary>
    public static Gen<string> Json(int depth) => depth <= 0
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, Json(depth - 1).Array[0, 4].Select(a => "[" + string.Join(",", a) + "]")),
            (2, Gen.Select(Gen.Frequency((3, Gen.OneOfConst(ParamNames)), (1, Text)), Json(depth - 1))
                .Array[0, 5].Select(kv => "{" + string.Join(",", kv.Select(p => Quote(p.Item1) + ":" + p.Item2)) + "}")));

    /// <summary>An object that names an action and a user, with random parameters.</summary>
    private Gen<string> Call(bool withKeys) =>
        from action in Action
        from user in UserId
        from app in AppIdValue
        from key in Key
        from extra in Gen.Select(Gen.OneOfConst(ParamNames), Json(2)).Array[0, 6]
        select "{" + string.Join(",", new[]
            {
                "\"action\":" + Quote(action), "\"userId\":" + Quote(user), "\"deviceId\":" + Quote(user),
            }
            .Concat(withKeys ? ["\"appId\":" + Quote(app), "\"clientKey\":" + Quote(key)] : [])
            .Concat(extra.Select(p => Quote(p.Item1) + ":" + p.Item2))) + "}";

    /// <summary>A batch: the <c>{"data":[...]}</c> wrapper, a bare array, or a REST body with the keys and <c>action=multi</c> inside.</summary>
    private Gen<string> Batch =>
        from items in Gen.Frequency((5, Call(false)), (1, Json(2))).Array[0, 8]
        from shape in Gen.Int[0, 2]
        from key in Key
        from time in Scalar
        select shape switch
        {
            0 => "{\"data\":[" + string.Join(",", items) + "]}",
            1 => "[" + string.Join(",", items) + "]",
            _ => $"{{\"appId\":{Quote(appId)},\"clientKey\":{Quote(key)},\"action\":\"multi\",\"time\":{time},\"data\":[{string.Join(",", items)}]}}",
        };

    private Gen<(string Name, string Value)> FormPair =>
        Gen.Select(Gen.Frequency((4, Gen.OneOfConst(ParamNames)), (1, Text)),
            Gen.Frequency((3, Text), (2, Json(2)), (1, Batch), (1, Action), (1, Key), (1, UserId)));

    /// <summary>A URL-encoded query or form; sometimes with raw, invalid percent sequences.</summary>
    private Gen<string> Pairs(int max) =>
        from pairs in FormPair.Array[0, max]
        from raw in Gen.Frequency((5, Gen.Const("")), (1, Gen.OneOfConst("%", "%ZZ=1", "a=%ED%A0%80", "b=%FF%FE", "=", "&&", "c=%00", "d=+%2B")))
        select string.Join('&', pairs.Select(p => Escape(p.Name) + "=" + Escape(p.Value)).Append(raw).Where(s => s.Length > 0));

    private Gen<string> EnvelopeQuery =>
        from app in AppIdValue
        from key in Key
        from action in Action
        from user in UserId
        from include in Gen.Int[0, 3].Array[4]
        from rest in Pairs(4)
        select string.Join('&', new[]
        {
            include[0] != 0 ? "appId=" + Escape(app) : "",
            include[1] != 0 ? "clientKey=" + Escape(key) : "",
            include[2] != 0 ? "action=" + Escape(action) : "",
            include[3] != 0 ? "userId=" + Escape(user) : "",
            rest,
        }.Where(s => s.Length > 0));

    private Gen<(string Kind, byte[] Body)> Body => Gen.Frequency(
        (1, Gen.Const(("empty", Array.Empty<byte>()))),
        (3, Json(5).Select(j => ("json", Utf8(j)))),
        (4, Call(true).Select(j => ("call", Utf8(j)))),
        (3, Batch.Select(j => ("batch", Utf8(j)))),
        (3, Pairs(8).Select(f => ("form", Utf8(f)))),
        (2, Gen.Byte.Array[1, 600].Select(b => ("bytes", b))),
        (1, Gen.Int[30, 90].Select(d => ("deep", Utf8("{\"action\":\"start\",\"userAttributes\":" + new string('[', d) + new string(']', d) + "}")))),
        (1, Gen.Int[1, 3000].Select(d => ("deeper", Utf8(new string('{', d))))),
        (2, Gen.Select(Call(true), Gen.Int[0, 1000]).Select(t => ("truncated", Utf8(t.Item1[..Math.Min(t.Item2, t.Item1.Length)])))),
        (2, Gen.Select(FormPair.Array[0, 6], Gen.Bool).Select(t => ("multipart", Multipart(t.Item1, t.Item2)))),
        (1, Gen.Select(Call(true), Gen.Byte.Array[1, 4]).Select(t => ("invalid-utf8", InvalidUtf8(t.Item1, t.Item2)))));

    /// <summary>The request: method, path, query, content type, encoding and body, combined at random.</summary>
    public Gen<FuzzRequest> Request =>
        from method in Gen.Frequency((3, Gen.Const("GET")), (12, Gen.Const("POST")), (1, Gen.OneOfConst("PUT", "DELETE", "PATCH")))
        from path in Gen.Frequency((9, Gen.Const("/api")), (1, Gen.Const("/api-batch")))
        from query in Gen.Frequency((1, Gen.Const("")), (3, EnvelopeQuery), (1, Pairs(6)))
        from body in Body
        from contentType in Gen.Frequency((1, Gen.Const(Matching(body.Kind))), (1, Gen.OneOfConst(ContentTypes)))
        from encoding in Gen.Frequency((8, Gen.Const("none")), (2, Gen.Const("gzip")), (1, Gen.OneOfConst("gzip-fake", "br", "deflate", "x-unknown", "identity")))
        select Build(method, path, query, contentType, body.Kind, body.Body, encoding);

    /// <summary>The Content-Type a client would send with a body of this kind.</summary>
    private static string? Matching(string kind) => kind switch
    {
        "form" => "application/x-www-form-urlencoded",
        "multipart" => $"multipart/form-data; boundary={Boundary}",
        "bytes" => "application/octet-stream",
        "empty" => null,
        "batch" => "text/plain",
        _ => "application/json",
    };

    private static FuzzRequest Build(string method, string path, string query, string? contentType, string kind, byte[] body, string encoding)
    {
        if (method == "GET")
            return new FuzzRequest(method, path, query, null, null, [], "get");
        return encoding switch
        {
            "none" => new FuzzRequest(method, path, query, contentType, null, body, kind),
            "gzip" => new FuzzRequest(method, path, query, contentType, "gzip", BadInputCorpus.Gzip(body), kind + "+gzip"),
            "gzip-fake" => new FuzzRequest(method, path, query, contentType, "gzip", body, kind + "+fake-gzip"),
            _ => new FuzzRequest(method, path, query, contentType, encoding, body, kind + "+" + encoding),
        };
    }

    private static byte[] Multipart((string Name, string Value)[] fields, bool broken)
    {
        var b = new StringBuilder();
        foreach (var (name, value) in fields)
            b.Append($"--{Boundary}\r\nContent-Disposition: form-data; name={Quote(name)}\r\n\r\n{value}\r\n");
        if (!broken)
            b.Append($"--{Boundary}--\r\n");
        return Utf8(b.ToString());
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The object with random bytes (mostly invalid UTF-8) spliced in before its closing brace, inside a string.</summary>
    private static byte[] InvalidUtf8(string json, byte[] junk) =>
        [.. Utf8(json[..^1] + ",\"junk\":\""), .. junk, .. Utf8("\"}")];

    private static string Escape(string s)
    {
        try
        {
            return Uri.EscapeDataString(s);
        }
        catch (UriFormatException)
        {
            return "%ED%A0%80";
        }
    }
}
