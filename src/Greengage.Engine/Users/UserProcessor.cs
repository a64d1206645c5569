using Greengage.Engine.Actions;
using Greengage.Engine.Actions.User;
using Greengage.Engine.Storage;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Users;

/// <summary>
/// Applies runs of actions to one user's state and produces what must be committed: the log rows, each with the
/// next sequence number, and now and then a version-fenced snapshot. Plain class; the grain owns one and calls it.
/// </summary>
public sealed class UserProcessor(string appId, string userId, UserActionTable actions, SnapshotPolicy policy, ProtocolLimits limits, SessionTimeouts? sessions = null)
{
    private readonly SessionTimeouts _sessions = sessions ?? new SessionTimeouts();
    private long _seq;
    private long _snapshotVersion;
    private long _snapshotSeq;
    private long _lastSnapshotMs;

    public string AppId { get; } = appId;

    public string UserId { get; } = userId;

    public UserState State { get; private set; } = new();

    /// <summary>The last sequence number applied.</summary>
    public long Seq => _seq;

    /// <summary>Loads the snapshot and replays the log tail.</summary>
    public void Load(StoredUser stored, long nowMs)
    {
        if (stored.Snapshot is { } snap)
        {
            State = UserState.Deserialize(snap.State);
            _snapshotVersion = snap.Version;
            _snapshotSeq = _seq = snap.Seq;
        }
        foreach (var row in stored.Tail)
        {
            State.Apply(UserJson.Deserialize(row.Body));
            _seq = row.Seq;
        }
        _lastSnapshotMs = nowMs;
    }

    /// <summary>Applies each item in order. Returns one result per item and the writes to commit (null when nothing changed).</summary>
    public (ActionResult[] Results, UserWriteSet? Writes) Apply(UserBatch batch)
    {
        var results = new ActionResult[batch.Items.Count];
        var rows = new List<NewLogRow>();
        for (var i = 0; i < batch.Items.Count; i++)
            results[i] = ApplyOne(batch, batch.Items[i], rows);

        var nowMs = batch.Arrival.ToUnixTimeMilliseconds();
        var snapshotDue = _seq - _snapshotSeq >= policy.EveryRecords
            || (_seq > _snapshotSeq && nowMs - _lastSnapshotMs >= policy.EveryInterval.TotalMilliseconds);
        if (rows.Count == 0 && !snapshotDue)
            return (results, null);
        return (results, new UserWriteSet(AppId, UserId, rows, snapshotDue ? TakeSnapshot(nowMs) : null));
    }

    /// <summary>A snapshot of everything applied since the last one, or null when there is nothing new.</summary>
    public UserWriteSet? FinalSnapshot(long nowMs) =>
        _seq > _snapshotSeq ? new UserWriteSet(AppId, UserId, [], TakeSnapshot(nowMs)) : null;

    /// <summary>Called after a write set committed: the snapshot it carried is now the stored one.</summary>
    public void Committed(UserWriteSet writes)
    {
        if (writes.Snapshot is { } s)
        {
            _snapshotVersion = s.ExpectedVersion + 1;
            _snapshotSeq = s.Seq;
        }
    }

    private SnapshotWrite TakeSnapshot(long nowMs)
    {
        _lastSnapshotMs = nowMs;
        return new SnapshotWrite(_snapshotVersion, _seq, State.Serialize());
    }

    private ActionResult ApplyOne(UserBatch batch, UserBatchItem item, List<NewLogRow> rows)
    {
        var handler = actions.Find(item.Action);
        if (handler is null)
            return ActionResult.Fail(400, $"Action '{item.Action}' is not supported by this server yet.");
        try
        {
            var mark = RequestMarkOf(item.Parameters);
            var device = item.Parameters.String(WireNames.DeviceId);
            var replay = mark is not null && State.Retries.Seen(device ?? "", mark);
            var context = new UserActionContext(batch, item, State, replay, limits, _sessions, record =>
            {
                var stamped = record with
                {
                    TimeMs = record.TimeMs == 0 ? ClientClock.CorrectMs(batch.Arrival, batch.EnvelopeTimeSeconds, item.Parameters.Double(WireNames.Time)) : record.TimeMs,
                    DeviceId = record.DeviceId ?? device,
                    Request = mark,
                    IsDeveloper = item.DevMode,
                };
                State.Apply(stamped);
                _seq++;
                rows.Add(new NewLogRow(_seq, stamped.KindName, stamped.TimeMs, UserJson.Serialize(stamped)));
            });
            // Sessions end lazily: any contact after the timeout first closes the idle session at its last activity.
            SessionRules.CloseIfIdle(context);
            return handler.Handle(context);
        }
        catch (InvalidParameterException e)
        {
            return ActionResult.Fail(400, e.Message);
        }
    }

    private static RequestMark? RequestMarkOf(ParameterSet p)
    {
        var uuid = p.String(WireNames.Uuid);
        var reqId = p.String(WireNames.ReqId);
        return uuid is null || reqId is null ? null : new RequestMark(uuid, reqId);
    }
}
