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

    /// <summary>A merge record carries the source's state in the snapshot format.</summary>
    private static readonly string EmptyState = Encoding.UTF8.GetString(new UserState().Serialize());

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
        { new StateEntered { TimeMs = 9, Name = "Level 1", Info = "i", Params = new() { ["p"] = JsonSerializer.SerializeToElement("v") }, SessionId = "s" },
            """{"k":"state.enter","n":"Level 1","i":"i","p":{"p":"v"},"sid":"s","t":9}""" },
        { new StateLeft { TimeMs = 10, Name = "Level 1", DurationSeconds = 2.5 }, """{"k":"state.leave","n":"Level 1","dur":2.5,"t":10}""" },
        { new StatePaused { TimeMs = 11, Name = "Level 1" }, """{"k":"state.pause","n":"Level 1","t":11}""" },
        { new StateResumed { TimeMs = 12, Name = "Level 1" }, """{"k":"state.resume","n":"Level 1","t":12}""" },
        { new ProfileSet { TimeMs = 13, Locale = new LocaleInfo { City = "Oslo" }, LocationAccuracyType = "GPS", CreatedMs = 1000, LastActiveMs = 2000, TotalSessions = 3, TimeSpentInApp = 4.5 },
            """{"k":"profile.set","loc":{"locale":null,"country":null,"region":null,"city":"Oslo","location":null,"timezone":null,"timezoneOffsetSeconds":null},"acc":"GPS","created":1000,"lastActive":2000,"sessions":3,"timeInApp":4.5,"t":13}""" },
        { new SubscriptionsChanged { TimeMs = 14, ChannelsToAdd = ["Email"], ChannelsToRemove = ["Webhook"], CategoriesToAdd = ["7"], CategoriesToRemove = ["8"] },
            """{"k":"unsubscribe","chAdd":["Email"],"chRem":["Webhook"],"catAdd":["7"],"catRem":["8"],"t":14}""" },
        { new DevicesSet { TimeMs = 15, Set = [new DeviceUpdate { Id = "d", Info = new DeviceInfo { SystemName = "iOS" }, IosPushTypes = 7, IosPushCategories = ["c"] }], Drop = ["old"] },
            """{"k":"devices","set":[{"id":"d","dv":{"appVersion":null,"client":null,"sdkVersion":null,"systemName":"iOS","systemVersion":null,"browserName":null,"browserVersion":null,"deviceName":null,"deviceModel":null,"iosPushToken":null,"gcmRegistrationId":null,"huaweiPushRegId":null,"webPushSubscription":null},"pt":7,"pc":["c"]}],"drop":["old"],"t":15}""" },
        { new TrafficSourceSet { TimeMs = 16, Source = new TrafficSource { PublisherId = "1", PublisherName = "P", PublisherSubPublisher = "sp", PublisherSubSite = "ss", PublisherSubCampaign = "sc", PublisherSubAdGroup = "sg", PublisherSubAd = "sa" } },
            """{"k":"source","src":{"publisherId":"1","publisherName":"P","publisherSubPublisher":"sp","publisherSubSite":"ss","publisherSubCampaign":"sc","publisherSubAdGroup":"sg","publisherSubAd":"sa"},"t":16}""" },
        { new AggregatesSet { TimeMs = 17, Events = new() { ["E"] = new AggregateOverride { Count = 1, CountIncrement = 2, Value = 3, ValueIncrement = 4, FirstTimeMs = 5, LastTimeMs = 6 } }, States = new() { ["S"] = new AggregateOverride { Count = 1 } } },
            """{"k":"aggregates.set","ev":{"E":{"count":1,"countInc":2,"value":3,"valueInc":4,"first":5,"last":6}},"st":{"S":{"count":1}},"t":17}""" },
        { new UserBlocked { TimeMs = 18 }, """{"k":"block","t":18}""" },
        { new UserUnblocked { TimeMs = 19 }, """{"k":"unblock","t":19}""" },
        { new UserDeleted { TimeMs = 20, FullErasure = true }, """{"k":"user.delete","full":true,"t":20}""" },
        { new UserMoved { TimeMs = 21, ToUserId = "alice" }, """{"k":"user.moved","to":"alice","t":21}""" },
        { new UserSwitched { TimeMs = 22, ToUserId = "bob" }, """{"k":"user.switch","to":"bob","t":22}""" },
        { new UserMerged { TimeMs = 23, FromUserId = "d1", Login = true, State = new UserState() },
            """{"k":"user.merged","from":"d1","login":true,"state":""" + EmptyState + ""","t":23}""" },
        { new VariantsAssigned { TimeMs = 24, Assignments = new() { ["7"] = "71" }, SessionId = "s", Active = [new ExperimentEntry("7", "71")] },
            """{"k":"ab.assigned","a":{"7":"71"},"sid":"s","in":[{"id":"7","v":"71"}],"t":24}""" },
        { new ParamCountsBackfilled { TimeMs = 25, Counts = new() { ["E\u001fp\u001fv"] = new BackfilledCount(2, 3, 4) } },
            """{"k":"params.backfilled","c":{"E\u001Fp\u001Fv":{"n":2,"f":3,"l":4}},"t":25}""" },
        { new EventTracked { TimeMs = 26, Name = "E", Params = new() { ["p"] = JsonSerializer.SerializeToElement("v") }, Counted = ["p"] },
            """{"k":"event","n":"E","v":0,"p":{"p":"v"},"pc":["p"],"t":26}""" },
        { new MessagesDecided { TimeMs = 27, HeldBack = ["5"], Reached = ["6"] }, """{"k":"msg.decided","h":["5"],"r":["6"],"t":27}""" },
        { new InAppQueued { TimeMs = 28, MessageId = "5", Values = JsonSerializer.SerializeToElement(new { a = 1 }) }, """{"k":"msg.queued","m":"5","v":{"a":1},"t":28}""" },
        { new InboxItemAdded { TimeMs = 29, ItemId = "5##1", MessageId = "5", Data = JsonSerializer.SerializeToElement(new { vars = new { Title = "T" } }), ExpiresMs = 30 },
            """{"k":"inbox.added","id":"5##1","m":"5","data":{"vars":{"Title":"T"}},"exp":30,"t":29}""" },
        { new InboxItemRead { TimeMs = 31, ItemId = "5##1" }, """{"k":"inbox.read","id":"5##1","t":31}""" },
        { new InboxItemDeleted { TimeMs = 32, ItemId = "5##1", Evicted = true }, """{"k":"inbox.deleted","id":"5##1","ev":true,"t":32}""" },
        { new PushTokenRemoved { TimeMs = 33, Device = "d", TokenKind = "fcm", Token = "tok" }, """{"k":"device.token.removed","d":"d","kind":"fcm","token":"tok","t":33}""" },
        { new MessageSent { TimeMs = 34, MessageId = "5", Channel = "push" }, """{"k":"msg.sent","m":"5","ch":"push","t":34}""" },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Serialize_EveryRecordKind_KeepsItsFrozenShape(UserRecord record, string expected)
    {
        Assert.Equal(expected, Json(record));
        Assert.Equal(expected, Json(UserJson.Deserialize(Encoding.UTF8.GetBytes(expected))));
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void Serialize_EveryRecordKind_WritesWhatThePolymorphicSerialiserWrites(UserRecord record, string expected)
    {
        _ = expected;
        Assert.Equal(JsonSerializer.Serialize<UserRecord>(record, UserJson.Options), Json(record));
    }

    [Fact]
    public void Records_CoverEveryRecordKind()
    {
        var kinds = typeof(UserRecord).GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonDerivedTypeAttribute), false)
            .Cast<System.Text.Json.Serialization.JsonDerivedTypeAttribute>().Select(a => a.DerivedType);
        var covered = Records.Select(row => row[0].GetType()).ToHashSet();
        var missing = kinds.Where(k => !covered.Contains(k)).Select(k => k.Name).ToList();
        Assert.True(missing.Count == 0, "No frozen shape for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Snapshot_ComponentNames_AreFrozen()
    {
        var json = JsonDocument.Parse(new UserState().Serialize()).RootElement;
        Assert.Equal(["profile", "aggregates", "devices", "sessions", "retries", "states", "source", "block", "identity", "paramCounts", "experiments", "messages", "inbox"], json.EnumerateObject().Select(p => p.Name));
    }
}
