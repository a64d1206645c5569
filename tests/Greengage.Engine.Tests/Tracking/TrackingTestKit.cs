using Greengage.Engine.Actions;
using Greengage.Engine.Storage;
using Greengage.Engine.Tracking;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;

namespace Greengage.Engine.Tests.Tracking;

/// <summary>A processor whose event and state handlers use the given options, and helpers to read what it wrote.</summary>
internal static class TrackingTestKit
{
    public static UserProcessor NewProcessor(TrackingOptions? options = null, ProtocolLimits? limits = null) =>
        new("app_test", "u1", UserActionTable.Default.With(TrackingActions.Create(options ?? new TrackingOptions())),
            new SnapshotPolicy(), limits ?? new ProtocolLimits());

    /// <summary>A batch that carries an envelope <c>time</c> (seconds), as a <c>multi</c> does.</summary>
    public static UserBatch BatchWithEnvelope(DateTimeOffset arrival, double envelopeSeconds, params UserBatchItem[] items) =>
        new("app_test", "u1", "secret", arrival, envelopeSeconds, items);

    public static IReadOnlyList<UserRecord> Records(UserWriteSet? writes) =>
        writes is null ? [] : writes.Rows.Select(r => UserJson.Deserialize(r.Body)).ToList();

    public static double Seconds(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;

    public static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
}
