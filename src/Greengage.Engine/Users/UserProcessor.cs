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

    /// <summary>Devices this activation has linked to the user in the device-to-user index (spec 6.1).</summary>
    private readonly HashSet<string> _linkedDevices = new(StringComparer.Ordinal);

    /// <summary>Devices of this batch's records not yet linked by this activation (one upsert each, once).</summary>
    private readonly List<string> _batchDevices = [];

    private List<string>? LinkedDevices(List<NewLogRow> rows)
    {
        if (rows.Count == 0 || _batchDevices.Count == 0)
        {
            _batchDevices.Clear();
            return null;
        }
        var devices = new List<string>(_batchDevices);
        _batchDevices.Clear();
        return devices;
    }

    /// <summary>The session deadline last committed (0: none); null when unknown.</summary>
    private long? _storedDeadline = 0;

    /// <summary>The sequence number of the last <c>deleteUser</c> with <c>fullErasure</c> applied in this batch, if any.</summary>
    private long? _eraseThrough;

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
        // Every commit that closes a session clears its deadline, so with no open session none is stored; with one,
        // the stored deadline is unknown here and the first commit writes it.
        _storedDeadline = State.Sessions.Open is null ? 0 : null;
    }

    /// <summary>Applies each item in order. Returns one result per item and the writes to commit (null when nothing changed).</summary>
    public (ActionResult[] Results, UserWriteSet? Writes) Apply(UserBatch batch)
    {
        var results = new ActionResult[batch.Items.Count];
        var rows = new List<NewLogRow>();
        for (var i = 0; i < batch.Items.Count; i++)
            results[i] = ApplyOne(batch, batch.Items[i], rows);

        var nowMs = batch.Arrival.ToUnixTimeMilliseconds();
        // Full erasure: the store deletes every record through the delete's own, so the state after the batch must be
        // in a fresh snapshot written with it (a reload then sees the retry marks and block that outlive the delete).
        var eraseThrough = _eraseThrough;
        _eraseThrough = null;
        var snapshotDue = eraseThrough is not null
            || _seq - _snapshotSeq >= policy.EveryRecords
            || (_seq > _snapshotSeq && nowMs - _lastSnapshotMs >= policy.EveryInterval.TotalMilliseconds);
        var deadline = DeadlineToStore(nowMs);
        if (rows.Count == 0 && !snapshotDue && deadline is null)
            return (results, null);
        return (results, new UserWriteSet(AppId, UserId, rows, snapshotDue ? TakeSnapshot(nowMs) : null, deadline, eraseThrough,
            LinkedDevices(rows)));
    }

    /// <summary>A snapshot of everything applied since the last one, or null when there is nothing new.</summary>
    public UserWriteSet? FinalSnapshot(long nowMs) =>
        _seq > _snapshotSeq ? new UserWriteSet(AppId, UserId, [], TakeSnapshot(nowMs)) : null;

    /// <summary>
    /// The session deadline to store with this commit, or null to leave it. The stored deadline may be earlier than the
    /// real one (the sweep then finds nothing to close and re-arms it) but never later, so it is written when the real
    /// deadline moves earlier (a pause), when the session opens or closes, and when it has moved well past the stored
    /// one; not on every action.
    /// </summary>
    private long? DeadlineToStore(long nowMs)
    {
        long real = State.Sessions.Open is { } open
            ? open.LastActivityMs + (long)(open.Paused || open.Background ? _sessions.PausedTimeout : _sessions.Timeout).TotalMilliseconds
            : 0;
        if (_storedDeadline is not { } stored)
            return real;
        if (real == stored || (real > stored && stored > nowMs && real - stored < DeadlineSlackMs))
            return null;
        return real;
    }

    /// <summary>How far the real deadline may run ahead of the stored one before it is rewritten.</summary>
    private const long DeadlineSlackMs = 15 * 60 * 1000;

    /// <summary>Called after a write set committed: the snapshot it carried is now the stored one.</summary>
    public void Committed(UserWriteSet writes)
    {
        foreach (var device in writes.LinkedDevices ?? [])
            _linkedDevices.Add(device);
        if (writes.SessionDeadlineMs is { } deadline)
            _storedDeadline = deadline;
        if (writes.Snapshot is { } s)
        {
            _snapshotVersion = s.ExpectedVersion + 1;
            _snapshotSeq = s.Seq;
        }
        else if (writes.EraseThroughSeq is not null)
        {
            _snapshotVersion = 0; // the erasure deleted the stored snapshot
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
            UserActionContext? context = null;
            context = new UserActionContext(batch, item, State, replay, limits, _sessions, record =>
            {
                // The item's corrected time and device were read once, by the context.
                var stamped = record with
                {
                    TimeMs = record.TimeMs == 0 ? context!.TimeMs : record.TimeMs,
                    DeviceId = record.DeviceId ?? device,
                    Request = mark,
                    IsDeveloper = item.DevMode,
                };
                State.Apply(stamped);
                _seq++;
                rows.Add(new NewLogRow(_seq, stamped.KindName, stamped.TimeMs, UserJson.Serialize(stamped)));
                if (stamped.DeviceId is { } usedDevice && !_linkedDevices.Contains(usedDevice) && !_batchDevices.Contains(usedDevice))
                    _batchDevices.Add(usedDevice);
                if (stamped is UserDeleted { FullErasure: true })
                    _eraseThrough = _seq;
            });
            // Before anything can record (the idle-session close included), once the common parameters were read: a
            // blocked user's writes answer 451, and a CreateNever item for a missing user is skipped with a warning.
            if (UserAccess.Refuse(State, item) is { } refused)
                return refused;
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
