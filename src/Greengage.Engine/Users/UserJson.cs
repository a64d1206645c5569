using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users;

/// <summary>The one serialiser for persisted user records and snapshots (source-generated: this is the hot path).</summary>
public static class UserJson
{
    public static JsonSerializerOptions Options => UserJsonContext.Default.Options;

    /// <summary>
    /// The record as the polymorphic serialiser writes it (<c>{"k":kind,...}</c>), but through its own type's generated
    /// writer: the polymorphic path allocates a frame stack for every record, and this runs for every record of every
    /// request. The kind is spliced in front of the fields (a test holds both paths to the same bytes).
    /// </summary>
    public static byte[] Serialize(UserRecord record)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = UserJsonContext.Default.Options.Encoder, SkipValidation = true });
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, record, UserJsonContext.Default.GetTypeInfo(record.GetType())!);
        writer.Flush();
        var fields = buffer.WrittenSpan; // {...}
        var kind = record.KindName;
        // {"k":"<kind>"  then  ,<fields without the brace>  or  }
        var size = 7 + Encoding.UTF8.GetByteCount(kind) + (fields.Length > 2 ? fields.Length : 1);
        var json = new byte[size];
        "{\"k\":\""u8.CopyTo(json);
        var at = 6 + Encoding.UTF8.GetBytes(kind, json.AsSpan(6));
        json[at++] = (byte)'"';
        if (fields.Length > 2)
        {
            json[at++] = (byte)',';
            fields[1..].CopyTo(json.AsSpan(at));
        }
        else
        {
            json[at] = (byte)'}';
        }
        return json;
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static UserRecord Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, UserJsonContext.Default.UserRecord) ?? throw new JsonException("Empty user record.");

    public static byte[] Serialize(UserState state) =>
        JsonSerializer.SerializeToUtf8Bytes(state, UserJsonContext.Default.UserState);

    public static UserState DeserializeState(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, UserJsonContext.Default.UserState) ?? new UserState();
}

[JsonSerializable(typeof(UserRecord))]
[JsonSerializable(typeof(UserState))]
internal sealed partial class UserJsonContext : JsonSerializerContext;
