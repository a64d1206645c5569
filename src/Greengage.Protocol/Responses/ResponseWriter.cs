using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Greengage.Protocol.Requests;

namespace Greengage.Protocol.Responses;

/// <summary>Writes the Leanplum envelope <c>{"response":[...]}</c>, one element per item, echoing <c>reqId</c>.</summary>
public static class ResponseWriter
{
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<ActionResult> results, IReadOnlyList<string?> reqIds)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartArray("response");
        for (var i = 0; i < results.Count; i++)
            WriteElement(w, results[i], i < reqIds.Count ? reqIds[i] : null);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // Nested pre-written JSON (RawJson nodes inside a response object) is written through its own type info, which
        // needs options that can be made read-only.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    private static void WriteElement(Utf8JsonWriter w, ActionResult r, string? reqId)
    {
        w.WriteStartObject();
        w.WriteBoolean("success", r.Success);
        if (r.Fields is not null)
        {
            foreach (var (name, value) in r.Fields)
            {
                // Absent values are left out rather than written as null.
                if (value is null)
                    continue;
                w.WritePropertyName(name);
                if (value is System.Text.Json.Nodes.JsonValue shared && shared.TryGetValue(out RawJson? raw))
                    w.WriteRawValue(raw.Utf8, skipInputValidation: true);
                else
                    value.WriteTo(w, Options);
            }
        }
        if (r.Warning is not null)
        {
            w.WriteStartObject("warning");
            w.WriteString("message", r.Warning);
            w.WriteEndObject();
        }
        if (r.Ignored)
            w.WriteBoolean("ignored", true);
        if (r.Error is not null)
        {
            w.WriteStartObject("error");
            w.WriteString("message", r.Error);
            w.WriteEndObject();
        }
        if (reqId is not null)
            w.WriteString(WireNames.ReqId, reqId);
        w.WriteEndObject();
    }

    /// <summary>The HTTP status of a whole reply: a multi of several items is 200; otherwise the item's own.</summary>
    public static int StatusOf(IReadOnlyList<ActionResult> results) =>
        results.Count == 1 ? results[0].Status : 200;
}
