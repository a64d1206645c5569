using System.Text.Json;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users;

/// <summary>The one set of JSON options for persisted user records and snapshots.</summary>
public static class UserJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        WriteIndented = false,
    };

    public static byte[] Serialize(UserRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, Options);

    public static UserRecord Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<UserRecord>(json, Options) ?? throw new JsonException("Empty user record.");
}
