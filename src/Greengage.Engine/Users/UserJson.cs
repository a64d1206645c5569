using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users;

/// <summary>The one serialiser for persisted user records and snapshots (source-generated: this is the hot path).</summary>
public static class UserJson
{
    public static JsonSerializerOptions Options => UserJsonContext.Default.Options;

    public static byte[] Serialize(UserRecord record) =>
        JsonSerializer.SerializeToUtf8Bytes(record, UserJsonContext.Default.UserRecord);

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
