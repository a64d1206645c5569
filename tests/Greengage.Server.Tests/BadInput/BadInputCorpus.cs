using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using static Greengage.Server.Tests.BadInput.Shapes;

namespace Greengage.Server.Tests.BadInput;

/// <summary>
/// The named bad-input cases (kept in C# so the corpus needs no content files). Each is refused with a clear error in
/// the envelope and changes nothing, or, when it mixes good and bad items, only the good items take effect.
/// </summary>
public static class BadInputCorpus
{
    private static readonly Dictionary<string, BadCase> All = Build();

    public static IReadOnlyDictionary<string, BadCase> Cases => All;

    public static TheoryData<string> Names => [.. All.Keys];

    private static Dictionary<string, BadCase> Build()
    {
        var cases = new Dictionary<string, BadCase>(StringComparer.Ordinal);
        void Add(string name, BadCase badCase) => cases.Add(name, badCase);
        BadCase Rejected(Func<CaseContext, HttpRequestMessage> build, int? elements = 1, int? status = null) =>
            new(build, elements, Status: status);

        // ---- Malformed JSON bodies (REST shape: application/json, everything inside) ----
        Add("json_truncated_object", Rejected(c => Json(OpenStart(c))));
        Add("json_truncated_inside_string", Rejected(c => Json(OpenStart(c) + ",\"locale\":\"en_")));
        Add("json_truncated_js_batch", Rejected(c => JsMulti(c, $"{{\"data\":[{{\"action\":\"start\",\"userId\":\"{c.User}\"")));
        Add("json_trailing_garbage", Rejected(c => Json(OpenStart(c) + "} trailing words")));
        Add("json_trailing_second_document", Rejected(c => Json(OpenStart(c) + "}{\"action\":\"start\"}")));
        Add("json_trailing_bracket", Rejected(c => Json(OpenStart(c) + "}]")));
        Add("json_single_quotes", Rejected(c => Json(OpenStart(c).Replace('"', '\'') + "}")));
        Add("json_nan_literal", Rejected(c => Json(OpenStart(c) + ",\"timezoneOffsetSeconds\":NaN}")));
        Add("json_unescaped_control_character", Rejected(c => Json(OpenStart(c) + ",\"locale\":\"en\u0001US\"}")));
        Add("json_nesting_65_levels_in_body", Rejected(c =>
            Json(OpenStart(c) + ",\"userAttributes\":{\"a\":" + Nest(63) + "}}")));
        Add("json_nesting_10000_levels_as_text_plain", Rejected(c => JsMulti(c, "{\"data\":" + Nest(10_000) + "}")));
        Add("json_nesting_65_levels_in_form_data_field", Rejected(c => AndroidMulti(c, "{\"data\":[" + Nest(63) + "]}")));
        Add("json_nesting_65_levels_in_json_text_parameter", Rejected(c =>
            FormCall(c, "start", ("userAttributes", "{\"a\":" + Nest(64) + "}"))));
        Add("json_invalid_utf8_in_value", Rejected(c => Json(Cat(OpenStart(c) + ",\"locale\":\"en", [0xC3, 0x28], "\"}"))));
        Add("json_invalid_utf8_in_property_name", Rejected(c => Json(Cat(OpenStart(c) + ",\"", [0xFF, 0xFE], "\":1}"))));
        Add("json_overlong_utf8_encoding", Rejected(c => Json(Cat(OpenStart(c) + ",\"locale\":\"", [0xC0, 0xAF], "\"}"))));
        Add("json_invalid_utf8_in_user_id", new BadCase(
            c => Json(Cat($"{{\"appId\":\"{c.AppId}\",\"clientKey\":\"{c.Prod}\",\"action\":\"start\",\"userId\":\"{c.User}", [0xFF], "\"}")),
            Elements: 1,
            Verify: async (http, c) =>
            {
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.User);
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.User + "\uFFFD");
            }));
        Add("json_lone_high_surrogate_escaped_in_value", Rejected(c => Json(OpenStart(c) + ",\"locale\":\"\\ud800\"}")));
        Add("json_lone_low_surrogate_escaped_in_value", Rejected(c => Json(OpenStart(c) + ",\"locale\":\"x\\udc00y\"}")));
        Add("json_lone_surrogate_escaped_in_user_id", new BadCase(
            c => Json($"{{\"appId\":\"{c.AppId}\",\"clientKey\":\"{c.Prod}\",\"action\":\"start\",\"userId\":\"{c.User}\\ud83d\"}}"),
            Elements: 1,
            Verify: async (http, c) =>
            {
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.User);
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.User + "\uFFFD");
            }));
        Add("json_lone_surrogate_escaped_in_action", Rejected(c =>
            Json($"{{\"appId\":\"{c.AppId}\",\"clientKey\":\"{c.Prod}\",\"action\":\"st\\udbffart\",\"userId\":\"{c.User}\"}}")));
        Add("json_lone_surrogate_escaped_in_attribute_name", Rejected(c => Json(OpenStart(c) + ",\"userAttributes\":{\"\\ud800\":1}}")));
        Add("json_lone_surrogate_escaped_in_json_text_parameter", Rejected(c =>
            FormCall(c, "setUserAttributes", ("userAttributes", "{\"name\\udfff\":\"x\"}"))));
        Add("json_lone_surrogate_escaped_in_event_name", Rejected(c =>
            JsMulti(c, $"{{\"data\":[{{\"action\":\"track\",\"userId\":\"{c.User}\",\"event\":\"Buy\\ud800\"}}]}}")));
        Add("json_lone_surrogate_escaped_in_param_value", Rejected(c =>
            JsMulti(c, $"{{\"data\":[{{\"action\":\"track\",\"userId\":\"{c.User}\",\"event\":\"Buy\",\"params\":{{\"item\":\"\\udc00\"}}}}]}}")));
        Add("json_body_null", Rejected(_ => Json("null")));
        Add("json_body_number", Rejected(_ => Json("5")));
        Add("json_body_string", Rejected(_ => Json("\"start\"")));
        Add("json_body_true", Rejected(_ => Json("true")));
        Add("json_body_empty_object", Rejected(_ => Json("{}")));

        // ---- `data` that is not a batch ----
        Add("data_number_in_form_field", Rejected(c => AndroidMulti(c, "5")));
        Add("data_number_in_json_body", Rejected(c =>
            Json($"{{\"appId\":\"{c.AppId}\",\"clientKey\":\"{c.Prod}\",\"action\":\"multi\",\"data\":5}}")));
        Add("data_text_not_json_in_form_field", Rejected(c => AndroidMulti(c, "this is not json")));
        Add("data_object_without_data_in_form_field", Rejected(c => AndroidMulti(c, $"{{\"items\":[{{\"action\":\"start\",\"userId\":\"{c.User}\"}}]}}")));
        Add("data_object_without_data_as_body", Rejected(c => JsMulti(c, $"{{\"items\":[{{\"action\":\"start\",\"userId\":\"{c.User}\"}}]}}")));
        Add("data_wrapper_holding_number", Rejected(c => JsMulti(c, "{\"data\":5}")));
        Add("data_wrapper_holding_empty_object", Rejected(c => JsMulti(c, "{\"data\":{}}")));
        Add("data_wrapper_holding_null", Rejected(c => JsMulti(c, "{\"data\":null}")));
        Add("data_wrapper_holding_text", Rejected(c => AndroidMulti(c, "{\"data\":\"[{}]\"}")));
        Add("data_empty_array_as_body", Rejected(c => JsMulti(c, "{\"data\":[]}")));
        Add("data_empty_array_in_form_field", Rejected(c => AndroidMulti(c, "[]")));
        Add("data_wrapper_empty_array_in_form_field", Rejected(c => AndroidMulti(c, "{\"data\":[]}")));
        Add("data_missing_for_multi", Rejected(c => RawApi.Post("/api", RawApi.Form(("appId", c.AppId), ("clientKey", c.Prod), ("action", "multi")))));

        // ---- multi items that are not objects, mixed with valid ones ----
        Add("multi_items_not_objects_mixed_with_valid", new BadCase(
            c => JsMulti(c, Item("start", c.User, ("reqId", "r0")), 5, "start", null, new JsonArray(Item("start", c.Other)), true,
                Item("track", c.User, ("event", "Good"), ("reqId", "r6"))),
            Outcomes: [true, false, false, false, false, false, true],
            ReqIds: ["r0", null, null, null, null, null, "r6"],
            Verify: async (http, c) =>
            {
                var user = await RawApi.AssertUserStoredAsync(http, c.Factory, c.User);
                Assert.Equal(1L, (long)user["events"]!["Good"]!["count"]!);
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.Other);
            }));
        Add("multi_items_all_not_objects", new BadCase(c => JsMulti(c, 1, "x", new JsonArray()), Outcomes: [false, false, false]));
        Add("multi_single_item_not_object", Rejected(c => JsMulti(c, 7)));
        Add("multi_good_and_bad_items_in_form_field", new BadCase(
            c => AndroidMulti(c,
                Item("start", c.User, ("reqId", "a0")),
                Item("track", c.User, ("event", "Bad1"), ("value", "abc"), ("reqId", "a1")),
                Item("track", c.User, ("event", "Good"), ("value", 2.5), ("reqId", "a2")),
                Item("setUserAttributes", c.Other, ("userAttributes", "not json"), ("reqId", "a3")),
                Item("track", c.User, ("event", J("{\"name\":\"Bad2\"}")), ("reqId", "a4")),
                Item("start", c.TooLong, ("reqId", "a5")),
                Item("track", c.User, ("event", "Bad3"), ("params", J("{\"a\":{\"b\":1}}")), ("reqId", "a6")),
                Item("setUserAttributes", c.User, ("userAttributes", J("{\"plan\":\"gold\"}")), ("reqId", "a7"))),
            Outcomes: [true, false, true, false, false, false, false, true],
            ReqIds: ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"],
            Verify: async (http, c) =>
            {
                var user = await RawApi.AssertUserStoredAsync(http, c.Factory, c.User);
                var events = user["events"]!.AsObject();
                Assert.True(events.Count == 1 && events.ContainsKey("Good"), $"Only the good event counts: {events.ToJsonString()}");
                Assert.Equal(2.5, (double)events["Good"]!["value"]!);
                Assert.Equal("gold", (string?)user["userAttributes"]!["plan"]);
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.Other);
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.Truncated);
            }));

        // ---- Binary garbage under several content types; the query holds a complete start ----
        foreach (var (name, contentType) in new[]
        {
            ("text_plain", "text/plain"),
            ("application_json", "application/json"),
            ("form_urlencoded", "application/x-www-form-urlencoded"),
            ("octet_stream", "application/octet-stream"),
            ("multipart_broken_boundary", "multipart/form-data; boundary=----greengage-boundary"),
            ("multipart_without_boundary", "multipart/form-data"),
            ("multipart_mixed", "multipart/mixed; boundary=b"),
            ("unparsable_content_type", "garbage;;=/"),
        })
        {
            Add("garbage_" + name, Rejected(c => RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Garbage(), contentType))));
        }
        Add("garbage_without_content_type", Rejected(c => RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Garbage(), null))));
        Add("multipart_unterminated", Rejected(c => RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Encoding.ASCII.GetBytes(
            "--b\r\nContent-Disposition: form-data; name=\"locale\"\r\n\r\nen_US\r\n--b\r\nContent-Disposition: form-data; name=\"cou"),
            "multipart/form-data; boundary=b"))));
        Add("multipart_part_without_headers_end", Rejected(c => RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Encoding.ASCII.GetBytes(
            "--b\r\nContent-Disposition: form-data; name=\"locale\"\r\nen_US\r\n--b--\r\n"), "multipart/form-data; boundary=b"))));
        Add("gzip_encoding_with_plain_body", Rejected(c =>
            RawApi.Post("/api", RawApi.Bytes(Encoding.UTF8.GetBytes(OpenStart(c) + "}"), "application/json", "gzip"))));
        Add("gzip_encoding_with_garbage_form", Rejected(c =>
            RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Garbage(), "application/x-www-form-urlencoded", "gzip"))));
        Add("gzip_encoding_with_garbage_multipart", Rejected(c =>
            RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Garbage(), "multipart/form-data; boundary=b", "gzip"))));
        Add("brotli_encoding_with_garbage", Rejected(c =>
            RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Garbage(), "application/json", "br"))));
        Add("deflate_encoding_with_garbage", Rejected(c =>
            RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Garbage(), "text/plain", "deflate"))));
        Add("brotli_encoding_with_garbage_multipart", Rejected(c =>
            RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Garbage(), "multipart/form-data; boundary=b", "br"))));
        Add("multipart_unclosed_quoted_boundary", Rejected(c =>
            RawApi.Post("/api?" + StartQuery(c), RawApi.Bytes(Garbage(), "multipart/form-data; boundary=\"abc"))));
        Add("gzip_truncated_stream", Rejected(c =>
        {
            var zipped = Gzip(Encoding.UTF8.GetBytes(OpenStart(c) + ",\"locale\":\"" + new string('x', 2000) + "\"}"));
            return RawApi.Post("/api", RawApi.Bytes(zipped[..(zipped.Length / 2)], "application/json", "gzip"));
        }));

        // ---- Wrong types for the parameters the implemented actions read ----
        Add("start_userAttributes_number", Rejected(c => JsonCall(c, "start", ("userAttributes", 5))));
        Add("start_userAttributes_array", Rejected(c => JsonCall(c, "start", ("userAttributes", J("[1,2]")))));
        Add("start_userAttributes_text_number", Rejected(c => FormCall(c, "start", ("userAttributes", "5"))));
        Add("start_userAttributes_text_not_json", Rejected(c => FormCall(c, "start", ("userAttributes", "{not json"))));
        Add("start_userAttributes_name_too_long", Rejected(c =>
            JsonCall(c, "start", ("userAttributes", new JsonObject { [new string('n', 140)] = 1 }))));
        Add("start_userAttributes_name_empty", Rejected(c => JsonCall(c, "start", ("userAttributes", J("{\"\":1}")))));
        Add("start_background_maybe", Rejected(c => FormCall(c, "start", ("background", "maybe"))));
        Add("start_background_object", Rejected(c => JsonCall(c, "start", ("background", J("{\"x\":1}")))));
        Add("start_timezoneOffsetSeconds_abc", Rejected(c => FormCall(c, "start", ("timezoneOffsetSeconds", "abc"))));
        Add("start_timezoneOffsetSeconds_fraction", Rejected(c => JsonCall(c, "start", ("timezoneOffsetSeconds", 1.5))));
        Add("start_timezoneOffsetSeconds_array", Rejected(c => JsonCall(c, "start", ("timezoneOffsetSeconds", J("[3600]")))));
        Add("start_locale_object", Rejected(c => JsonCall(c, "start", ("locale", J("{\"language\":\"en\"}")))));
        Add("start_locale_array", Rejected(c => JsonCall(c, "start", ("locale", J("[\"en_US\"]")))));
        Add("start_versionName_object", Rejected(c => JsonCall(c, "start", ("versionName", J("{\"v\":1}")))));
        Add("start_webPushSubscription_not_json", Rejected(c => FormCall(c, "start", ("webPushSubscription", "{endpoint:"))));
        foreach (var field in new[] { "systemName", "systemVersion", "deviceModel", "iosPushToken", "gcmRegistrationId", "country", "city", "timezone" })
            Add($"start_{field}_object", Rejected(c => JsonCall(c, "start", (field, J("{\"v\":\"x\"}")))));
        Add("start_sdkVersion_array", Rejected(c => JsonCall(c, "start", ("sdkVersion", J("[\"7.0\"]")))));
        Add("start_time_yesterday", Rejected(c => FormCall(c, "start", ("time", "yesterday"))));
        Add("start_devMode_perhaps_on_envelope", Rejected(c => FormCall(c, "start", ("devMode", "perhaps"))));

        Add("track_value_abc", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("value", "abc")))));
        Add("track_value_object", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("value", J("{\"v\":1}"))))));
        Add("track_value_infinity_text", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("value", "Infinity")))));
        Add("track_value_overflowing_number", Rejected(c =>
            JsMulti(c, $"{{\"data\":[{{\"action\":\"track\",\"userId\":\"{c.User}\",\"event\":\"E\",\"value\":1e400}}]}}")));
        Add("track_params_array", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("params", J("[1,2]"))))));
        Add("track_params_text_array", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("params", "[1,2]")))));
        Add("track_params_text_not_json", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("params", "{oops")))));
        Add("track_params_nested_object_value", Rejected(c =>
            JsMulti(c, Item("track", c.User, ("event", "E"), ("params", J("{\"a\":{\"b\":1}}"))))));
        Add("track_params_nested_array_value", Rejected(c =>
            JsMulti(c, Item("track", c.User, ("event", "E"), ("params", J("{\"a\":[1]}"))))));
        Add("track_params_nested_object_value_as_text", Rejected(c =>
            FormCall(c, "track", ("event", "E"), ("params", "{\"a\":{\"b\":1}}"))));
        Add("track_params_51", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("params", ManyParams(51))))));
        Add("track_params_51_as_text", Rejected(c => FormCall(c, "track", ("event", "E"), ("params", ManyParams(51).ToJsonString()))));
        Add("track_event_140_chars", Rejected(c => JsMulti(c, Item("track", c.User, ("event", new string('e', 140))))));
        Add("track_event_object", Rejected(c => JsMulti(c, Item("track", c.User, ("event", J("{\"name\":\"E\"}"))))));
        Add("track_event_array", Rejected(c => JsonCall(c, "track", ("event", J("[\"E\"]")))));
        Add("track_event_missing", Rejected(c => JsMulti(c, Item("track", c.User, ("value", 1)))));
        Add("track_info_object", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("info", J("{}"))))));
        Add("track_messageId_array", Rejected(c => JsMulti(c, Item("track", c.User, ("messageId", J("[1]"))))));
        Add("track_allowOffline_maybe", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("allowOffline", "maybe")))));
        Add("track_disposition_object", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("disposition", J("{\"d\":1}"))))));
        Add("track_time_yesterday", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("time", "yesterday")))));
        Add("track_time_object", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("time", J("{\"s\":1}"))))));
        Add("track_devMode_perhaps_on_item", Rejected(c => JsMulti(c, Item("track", c.User, ("event", "E"), ("devMode", "perhaps")))));
        Add("track_uuid_object", Rejected(c =>
            JsMulti(c, Item("track", c.User, ("event", "E"), ("uuid", J("{}")), ("reqId", "q1")))));

        Add("stop_time_yesterday", Rejected(c => JsMulti(c, Item("stop", c.User, ("time", "yesterday")))));
        Add("heartbeat_time_object", Rejected(c => JsMulti(c, Item("heartbeat", c.User, ("time", J("{}"))))));
        Add("pauseSession_time_array", Rejected(c => JsMulti(c, Item("pauseSession", c.User, ("time", J("[1]"))))));
        Add("resumeSession_deviceId_object", Rejected(c =>
            JsMulti(c, new JsonObject { ["action"] = "resumeSession", ["userId"] = c.User, ["deviceId"] = J("{}") })));
        Add("log_type_object", Rejected(c => JsonCall(c, "log", ("type", J("{}")))));
        Add("log_sdkCount_count_abc", Rejected(c => FormCall(c, "log", ("type", "sdkCount"), ("count", "abc"))));
        Add("log_message_array", Rejected(c => JsonCall(c, "log", ("message", J("[\"m\"]")))));
        Add("setUserAttributes_text_not_json", Rejected(c => FormCall(c, "setUserAttributes", ("userAttributes", "not json"))));
        Add("setUserAttributes_array", Rejected(c => JsonCall(c, "setUserAttributes", ("userAttributes", J("[\"a\"]")))));
        Add("setUserAttributes_number", Rejected(c => JsonCall(c, "setUserAttributes", ("userAttributes", 42))));
        Add("setUserAttributes_text_array", Rejected(c => FormCall(c, "setUserAttributes", ("userAttributes", "[\"a\"]"))));
        Add("setUserAttributes_bool", Rejected(c => JsonCall(c, "setUserAttributes", ("userAttributes", true))));

        Add("exportUser_userId_object", Rejected(c => ExportCall(c, J($"{{\"id\":\"{c.User}\"}}"))));
        Add("exportUser_deviceId_object", Rejected(c => RawApi.Post("/api", RawApi.Text(new JsonObject
        {
            ["appId"] = c.AppId, ["clientKey"] = c.Export, ["action"] = "exportUser", ["userId"] = c.User, ["deviceId"] = J("{}"),
        }.ToJsonString(), "application/json"))));
        Add("exportUser_userId_array", Rejected(c => ExportCall(c, J($"[\"{c.User}\"]"))));

        Add("multi_envelope_time_x_as_js", Rejected(c =>
            JsMulti(c, new JsonObject { ["data"] = new JsonArray(Item("start", c.User), Item("track", c.User, ("event", "E"))) }
                .ToJsonString(), time: "x"), elements: 2));
        Add("multi_envelope_time_x_in_form", Rejected(c =>
            AndroidMulti(c, new JsonObject { ["data"] = new JsonArray(Item("start", c.User), Item("start", c.Other), Item("heartbeat", c.User)) }
                .ToJsonString(), time: "x"), elements: 3));
        Add("multi_envelope_devMode_perhaps", Rejected(c => RawApi.Post("/api", RawApi.Form(
            ("appId", c.AppId), ("clientKey", c.Prod), ("action", "multi"), ("devMode", "perhaps"),
            ("data", new JsonArray(Item("start", c.User), Item("start", c.Other)).ToJsonString()))), elements: 2));

        // ---- Ids over 400 characters ----
        Add("userId_401_chars", new BadCase(c => FormCall(c, "start", ("userId", c.TooLong), ("deviceId", c.TooLong)), Elements: 1,
            Verify: async (http, c) =>
            {
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.Truncated);
                await RawApi.AssertUserNotStoredAsync(http, c.Factory, c.User);
            }));
        Add("deviceId_401_chars", Rejected(c => FormCall(c, "start", ("deviceId", c.TooLong))));
        Add("userId_10000_chars", new BadCase(c => JsonCall(c, "start", ("userId", c.User + new string('q', 10_000))), Elements: 1));
        Add("userId_object", Rejected(c => JsonCall(c, "start", ("userId", J($"{{\"id\":\"{c.User}\"}}")))));

        // ---- Empty bodies, unknown actions, other methods ----
        Add("empty_body_post_without_content_type", Rejected(_ => RawApi.Post("/api", RawApi.Bytes([], null))));
        Add("empty_body_post_json", Rejected(_ => RawApi.Post("/api", RawApi.Bytes([], "application/json"))));
        Add("empty_body_post_form", Rejected(_ => RawApi.Post("/api", RawApi.Bytes([], "application/x-www-form-urlencoded"))));
        Add("whitespace_body_post", Rejected(_ => RawApi.Post("/api", RawApi.Text(" \r\n\t ", "text/plain"))));
        Add("empty_body_post_to_batch_alias", Rejected(_ => RawApi.Post("/api-batch", RawApi.Bytes([], null))));
        Add("get_without_parameters", Rejected(_ => new HttpRequestMessage(HttpMethod.Get, "/api")));
        Add("action_unknown", Rejected(c => FormCall(c, "start", ("action", "formatHardDrive"))));
        Add("action_object", Rejected(c => JsonCall(c, "start", ("action", J("{\"name\":\"start\"}")))));
        Add("appId_object", Rejected(c => JsonCall(c, "start", ("appId", J("{\"id\":1}")))));
        Add("clientKey_array", Rejected(c => JsonCall(c, "start", ("clientKey", J($"[\"{c.Prod}\"]")))));
        foreach (var method in new[] { "PUT", "DELETE", "PATCH" })
        {
            Add("method_" + method.ToLowerInvariant(), Rejected(c =>
                new HttpRequestMessage(new HttpMethod(method), "/api?" + StartQuery(c)) { Content = RawApi.Text("{}", "application/json") },
                status: 405));
        }
        return cases;
    }

    private static HttpRequestMessage Json(string body) => RawApi.Post("/api", RawApi.Text(body, "application/json"));

    private static HttpRequestMessage Json(byte[] body) => RawApi.Post("/api", RawApi.Bytes(body, "application/json"));

    private static HttpRequestMessage ExportCall(CaseContext c, JsonNode? userId) =>
        RawApi.Post("/api", RawApi.Text(new JsonObject
        {
            ["appId"] = c.AppId, ["clientKey"] = c.Export, ["action"] = "exportUser", ["userId"] = userId,
        }.ToJsonString(), "application/json"));

    /// <summary><paramref name="depth"/> nested arrays.</summary>
    private static string Nest(int depth) => new string('[', depth) + new string(']', depth);

    private static byte[] Cat(string head, byte[] middle, string tail) =>
        [.. Encoding.UTF8.GetBytes(head), .. middle, .. Encoding.UTF8.GetBytes(tail)];

    private static JsonObject ManyParams(int count)
    {
        var o = new JsonObject();
        for (var i = 0; i < count; i++)
            o["p" + i] = i;
        return o;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(data);
        return output.ToArray();
    }
}
