using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Greengage.Protocol.Responses;

/// <summary>
/// JSON written once and shared by every answer that carries it (a content tree that would otherwise be copied and
/// serialised per request): <see cref="Node"/> puts it into a response object, where it is written out as it is.
/// <see cref="ResponseWriter"/> writes the bytes directly; immutable.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed class RawJson
{
    private static readonly JsonTypeInfo<RawJson> TypeInfo = (JsonTypeInfo<RawJson>)JsonSerializerOptions.Default.GetTypeInfo(typeof(RawJson));

    public RawJson(JsonNode node) => Utf8 = JsonSerializer.SerializeToUtf8Bytes(node);

    private RawJson(byte[] utf8) => Utf8 = utf8;

    /// <summary>Bytes already written as compact JSON by the caller (not validated; the array is kept, not copied).</summary>
    public static RawJson FromUtf8(byte[] utf8) => new(utf8);

    /// <summary>The compact JSON text, UTF-8 (what System.Text.Json writes with its default escaping).</summary>
    public byte[] Utf8 { get; }

    public string Text => System.Text.Encoding.UTF8.GetString(Utf8);

    /// <summary>A node for a response object that writes these bytes as they are.</summary>
    public JsonNode Node() => JsonValue.Create(this, TypeInfo)!;

    private sealed class RawJsonConverter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonNode.Parse(ref reader) ?? throw new JsonException("null"));

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8, skipInputValidation: true);
    }
}
