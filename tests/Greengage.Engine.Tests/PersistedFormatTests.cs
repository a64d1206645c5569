using System.Text;
using System.Text.Json;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests;

/// <summary>
/// Record kinds and field names are stored in the activity log and snapshots: renaming one would make old rows
/// unreadable. These golden strings freeze them; change them only with a migration.
/// </summary>
public sealed class PersistedFormatTests
{
    private static string Json(UserRecord r) => Encoding.UTF8.GetString(UserJson.Serialize(r));

    public static TheoryData<UserRecord, string> Records => new()
    {
        { new SessionStarted { TimeMs = 1, DeviceId = "d", SessionId = "s", Background = true, Request = new RequestMark("u", "r"), IsDeveloper = true },
            """{"k":"session.start","sid":"s","bg":true,"t":1,"dev":"d","rq":{"u":"u","r":"r"},"dm":true}""" },
        { new SessionEnded { TimeMs = 2, SessionId = "s", DurationSeconds = 1.5 }, """{"k":"session.end","sid":"s","dur":1.5,"t":2}""" },
        { new SessionPaused { TimeMs = 3, SessionId = "s" }, """{"k":"session.pause","sid":"s","t":3}""" },
        { new SessionResumed { TimeMs = 4, SessionId = "s" }, """{"k":"session.resume","sid":"s","t":4}""" },
        { new Heartbeat { TimeMs = 5 }, """{"k":"heartbeat","t":5}""" },
        { new EventTracked { TimeMs = 6, Name = "E", Value = 2, Info = "i", MessageId = "7", SessionId = "s", IsOffline = true },
            """{"k":"event","n":"E","v":2,"i":"i","sid":"s","mid":"7","off":true,"t":6}""" },
        { new AttributesSet { TimeMs = 8, Values = new() { ["a"] = JsonSerializer.SerializeToElement(1) } }, """{"k":"attributes","set":{"a":1},"t":8}""" },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Serialize_EveryRecordKind_KeepsItsFrozenShape(UserRecord record, string expected)
    {
        Assert.Equal(expected, Json(record));
        Assert.Equal(expected, Json(UserJson.Deserialize(Encoding.UTF8.GetBytes(expected))));
    }

    [Fact]
    public void Snapshot_ComponentNames_AreFrozen()
    {
        var json = JsonDocument.Parse(new UserState().Serialize()).RootElement;
        Assert.Equal(["profile", "aggregates", "devices", "sessions", "retries"], json.EnumerateObject().Select(p => p.Name));
    }
}
