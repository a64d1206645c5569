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
public sealed class UserProcessor(
    string appId,
    string userId,
    UserActionTable actions,
    SnapshotPolicy policy,
    ProtocolLimits limits,
    SessionTimeouts? sessions = null,
    ProfileOptions? profileOptions = null) : IUserActionSink
{
    private readonly SessionTimeouts _sessions = sessions ?? new SessionTimeouts();
    private readonly ProfileOptions _profile = profileOptions ?? new ProfileOptions();
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

    /// <summary>
    /// Loads the snapshot and replays the log tail; or, with <paramref name="folded"/> (the state a scan already folded
    /// from the same <paramref name="stored"/>, see <see cref="Jobs.UserScan.Fold"/>), takes that state as it is.
    /// </summary>
    public void Load(StoredUser stored, long nowMs, UserState? folded = null)
    {
        if (stored.Snapshot is { } snap)
        {
            if (folded is null)
                State = UserState.Deserialize(snap.State);
            _snapshotVersion = snap.Version;
            _snapshotSeq = _seq = snap.Seq;
        }
        foreach (var row in stored.Tail)
        {
            if (folded is null)
                State.Apply(UserJson.Deserialize(row.Body));
            _seq = row.Seq;
        }
        if (folded is not null)
            State = folded;
        _lastSnapshotMs = nowMs;
        // With an open session the stored deadline is unknown here and the first commit writes it. Without one, a
        // closed session may have left its deadline (DeadlineToStore); taken as none, so that reads write nothing, and
        // cleared by the sweep's visit when it passes.
        _storedDeadline = State.Sessions.Open is null ? 0 : null;
    }

    /// <summary>
    /// Applies each item in order. Returns one result per item handled here and the writes to commit (null when nothing
    /// changed). An item with <c>newUserId</c> ends the run here: the outcome then says where the rest goes
    /// (<see cref="ApplyOutcome.Forward"/>) and, for a login or register, carries the writes in a
    /// <see cref="ApplyOutcome.Handover"/> that the target commits together with its own.
    /// </summary>
    public ApplyOutcome Apply(UserBatch batch)
    {
        // The sweep visits because the stored deadline passed: whatever is stored, this visit rewrites or clears it.
        if (batch.Items is [{ Action: SweepSession.ActionName }])
            _storedDeadline = null;
        // A user that moved answers nothing itself: the alias sends everything to where its state went. Its own writes
        // are at most the clearing of the session deadline its last session left.
        if (State.Identity.MovedTo is { } movedTo)
        {
            var clear = DeadlineToStore(batch.Arrival.ToUnixTimeMilliseconds()) is { } none ? new UserWriteSet(AppId, UserId, [], null, none) : null;
            return new ApplyOutcome([], clear) { Forward = new UserForward(movedTo, batch.Items) };
        }

        var results = new List<ActionResult>(batch.Items.Count);
        var rows = new List<NewLogRow>();
        var watched = actions.Observer?.Before(AppId, UserId, State, batch.Arrival.ToUnixTimeMilliseconds());
        UserForward? forward = null;
        byte[]? handover = null;
        long moveTimeMs = 0;
        for (var i = 0; i < batch.Items.Count; i++)
        {
            var item = batch.Items[i];
            if (MoveTargetOf(item) is not { } target)
            {
                results.Add(ApplyOne(batch, item, rows));
                continue;
            }
            var move = BeginMove(batch, item, target, rows);
            if (move.Refused is { } refused)
            {
                results.Add(refused);
                continue;
            }
            // The item goes on, without newUserId, as the new user's, and so does the rest of the run.
            var rest = new List<UserBatchItem>(batch.Items.Count - i)
            {
                item with { Parameters = item.Parameters.Without(NewUserIdParameter), Switched = move.Switched },
            };
            for (var j = i + 1; j < batch.Items.Count; j++)
                rest.Add(batch.Items[j]);
            forward = new UserForward(target, rest);
            handover = move.HandoverState;
            moveTimeMs = move.TimeMs;
            break;
        }

        // What the run changed as a whole (an audience entered), once its own records are applied; not for a user who
        // just handed their state over (the target's run sees it).
        if (watched is not null && handover is null && rows.Count > 0)
            actions.Observer!.After(watched, ContextFor(batch, RunObserverItem(batch.Items[^1]), rows));

        var writes = Finish(rows, batch.Arrival.ToUnixTimeMilliseconds());
        if (handover is null)
            return new ApplyOutcome([.. results], writes) { Forward = forward };
        // The move record was just written, so there are writes: they commit with the target's, or not at all.
        return new ApplyOutcome([.. results], null)
        {
            Forward = forward,
            Handover = new UserHandover(UserId, forward!.UserId, handover, moveTimeMs, writes!),
        };
    }

    /// <summary>
    /// Takes in an anonymous user's state (login when this user exists, register when not) and returns the writes that
    /// commit it, joined with the source's so that both happen or neither (<see cref="UserWriteSet.Along"/>).
    /// </summary>
    public UserWriteSet Absorb(UserHandover handover, DateTimeOffset arrival)
    {
        var source = UserState.Deserialize(handover.State);
        // One device has one session: the target's own session stays, and the anonymous one ends at its last activity.
        if (source.Sessions.Open is { } open && State.Sessions.Open is not null)
            source.Apply(SessionRules.EndRecord(open, open.LastActivityMs, SessionRules.ReasonMerge));
        var rows = new List<NewLogRow>();
        Append(new UserMerged { TimeMs = handover.TimeMs, FromUserId = handover.FromUserId, Login = State.Exists, State = source }, rows);
        foreach (var device in source.Devices.Devices.Keys)
            LinkDevice(device);
        if (State.Devices.Evictions([], _profile.MaxDevicesPerUser) is { } drop)
            Append(new DevicesSet { TimeMs = handover.TimeMs, Drop = drop }, rows);
        return Finish(rows, arrival.ToUnixTimeMilliseconds())! with { Along = handover.SourceWrites };
    }

    /// <summary>The write set for <paramref name="rows"/> and whatever else is due, or null when nothing is.</summary>
    private UserWriteSet? Finish(List<NewLogRow> rows, long nowMs)
    {
        // Full erasure: the store deletes every record through the delete's own, so the state after the batch must be
        // in a fresh snapshot written with it (a reload then sees the retry marks and block that outlive the delete).
        var eraseThrough = _eraseThrough;
        _eraseThrough = null;
        var snapshotDue = eraseThrough is not null
            || _seq - _snapshotSeq >= policy.EveryRecords
            || (_seq > _snapshotSeq && nowMs - _lastSnapshotMs >= policy.EveryInterval.TotalMilliseconds);
        var deadline = DeadlineToStore(nowMs);
        List<NewWorkItem>? outbox = _outbox.Count == 0 ? null : [.. _outbox];
        _outbox.Clear();
        List<long>? completed = _completed.Count == 0 ? null : [.. _completed];
        _completed.Clear();
        if (rows.Count == 0 && !snapshotDue && deadline is null && outbox is null && completed is null)
        {
            _batchDevices.Clear();
            return null;
        }
        return new UserWriteSet(AppId, UserId, rows, snapshotDue ? TakeSnapshot(nowMs) : null, deadline, eraseThrough,
            LinkedDevices(rows), Outbox: outbox, CompletedWork: completed);
    }

    /// <summary>Records applied since the last snapshot.</summary>
    public long UnsnapshottedRecords => _seq - _snapshotSeq;

    /// <summary>A snapshot of everything applied since the last one, or null when there is nothing new.</summary>
    public UserWriteSet? FinalSnapshot(long nowMs) =>
        _seq > _snapshotSeq ? new UserWriteSet(AppId, UserId, [], TakeSnapshot(nowMs)) : null;

    /// <summary>
    /// The session deadline to store with this commit (0: clear it), or null to leave it. The stored deadline may be
    /// earlier than the real one, never later: the sweep visits the user when it passes, finds the session still open
    /// or already closed, and stores the real deadline or clears it. So it is written only when the real deadline
    /// moves earlier than the stored one (the first start, a pause), when it is unknown (after a load), and when the
    /// stored one has passed; a session that closes leaves it, and so does a session that reopens before it passes.
    /// A user who starts and stops sessions all day writes it about once per timeout, not twice per session.
    /// </summary>
    private long? DeadlineToStore(long nowMs)
    {
        if (State.Identity.MovedTo is not null)
            return _storedDeadline == 0 ? null : 0;
        long real = State.Sessions.Open is { } open
            ? open.LastActivityMs + (long)(open.Paused || open.Background ? _sessions.PausedTimeout : _sessions.Timeout).TotalMilliseconds
            : 0;
        if (_storedDeadline is not { } stored)
            return real;
        if (stored == real || (stored > nowMs && (real == 0 || real > stored)))
            return null;
        return real;
    }

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
            var context = ContextFor(batch, item, rows);
            // Before anything can record (the idle-session close included), once the common parameters were read: a
            // blocked user's writes answer 451, and a CreateNever item for a missing user is skipped with a warning.
            if (UserAccess.Refuse(State, item) is { } refused)
                return refused;
            // Sessions end lazily: any contact after the timeout first closes the idle session at its last activity.
            SessionRules.CloseIfIdle(context);
            if (item.Switched is { } switched)
                SessionRules.StartSwitched(context, switched);
            return handler.Handle(context);
        }
        catch (InvalidParameterException e)
        {
            return ActionResult.Fail(400, e.Message);
        }
    }

    /// <summary>
    /// The source side of <c>newUserId</c> (spec 6.3). With no current user id (the user id is the device id, as the SDKs
    /// mark an anonymous user) it is a login or register: this user records that it moved and hands its state over.
    /// Otherwise it is a switch: this user's session ends here and goes on as a new session of the target.
    /// </summary>
    private MoveStart BeginMove(UserBatch batch, UserBatchItem item, string target, List<NewLogRow> rows)
    {
        try
        {
            if (target.Length > limits.MaxIdLength)
                return new MoveStart(ActionResult.Fail(400, $"User and device ids must be at most {limits.MaxIdLength} characters long."));
            var context = ContextFor(batch, item, rows);
            if (UserAccess.Refuse(State, item) is { } refused)
                return new MoveStart(refused);
            SessionRules.CloseIfIdle(context);
            if (context.DeviceId is { } device && string.Equals(device, UserId, StringComparison.Ordinal))
            {
                if (context.IsReplay)
                    return new MoveStart(null);
                var state = State.Serialize();
                context.Emit(new UserMoved { TimeMs = context.TimeMs, ToUserId = target });
                return new MoveStart(null, HandoverState: state, TimeMs: context.TimeMs);
            }
            SwitchedSession? switched = null;
            if (State.Sessions.Open is { } open)
            {
                var info = open.DeviceId is { } used && State.Devices.Devices.TryGetValue(used, out var entry) ? entry.ToInfo() : null;
                switched = new SwitchedSession(info, open.Background && !open.Paused);
                SessionRules.EndAtSwitch(context);
            }
            context.Emit(new UserSwitched { TimeMs = context.TimeMs, ToUserId = target });
            return new MoveStart(null, switched);
        }
        catch (InvalidParameterException e)
        {
            return new MoveStart(ActionResult.Fail(400, e.Message));
        }
    }

    /// <summary>The <c>newUserId</c> of a <c>setUserAttributes</c> item when it names another user.</summary>
    private string? MoveTargetOf(UserBatchItem item) =>
        string.Equals(item.Action, "setUserAttributes", StringComparison.Ordinal)
        && item.Parameters.StringOrNull(NewUserIdParameter) is { } target
        && !string.Equals(target, UserId, StringComparison.Ordinal)
            ? target
            : null;

    public const string NewUserIdParameter = "newUserId";

    /// <summary>The action name of the context a run observer records through (no API action has it).</summary>
    public const string RunObserverAction = "__run";

    private sealed record MoveStart(ActionResult? Refused, SwitchedSession? Switched = null, byte[]? HandoverState = null, long TimeMs = 0);

    /// <summary>Work the batch's actions put in the outbox, committed with its records (<see cref="UserActionContext.Enqueue"/>).</summary>
    private readonly List<NewWorkItem> _outbox = [];

    /// <summary>Work items the batch finishes (<see cref="UserActionContext.Complete"/>), committed with its records.</summary>
    private readonly List<long> _completed = [];

    private UserActionContext ContextFor(UserBatch batch, UserBatchItem item, List<NewLogRow> rows)
    {
        var mark = RequestMarkOf(item.Parameters);
        var device = item.Parameters.String(WireNames.DeviceId);
        var replay = mark is not null && State.Retries.Seen(device ?? "", mark);
        return new UserActionContext(batch, item, State, replay, limits, _sessions, this, rows, mark, device);
    }

    void IUserActionSink.Emit(UserActionContext context, UserRecord record) =>
        // The item's corrected time and device were read once, by the context.
        Append(record with
        {
            TimeMs = record.TimeMs == 0 ? context.TimeMs : record.TimeMs,
            DeviceId = record.DeviceId ?? context.DeviceId,
            Request = context.Mark,
            IsDeveloper = context.Item.DevMode,
        }, context.Rows);

    void IUserActionSink.Enqueue(NewWorkItem item) => _outbox.Add(item);

    void IUserActionSink.Complete(long workItemId) => _completed.Add(workItemId);

    /// <summary>Records a fact: the next sequence number, the row to commit, and the state after it.</summary>
    private void Append(UserRecord record, List<NewLogRow> rows)
    {
        _seq++;
        // Serialised before it is applied: a merge hands parts of the record over to the state.
        rows.Add(new NewLogRow(_seq, record.KindName, record.TimeMs, UserJson.Serialize(record)));
        State.Apply(record);
        if (record.DeviceId is { } usedDevice)
            LinkDevice(usedDevice);
        if (record is UserDeleted { FullErasure: true })
            _eraseThrough = _seq;
    }

    private void LinkDevice(string device)
    {
        if (!_linkedDevices.Contains(device) && !_batchDevices.Contains(device))
            _batchDevices.Add(device);
    }

    /// <summary>The run's last item as the observer's context sees it: its device and mode, no request mark (the run's
    /// marks are recorded by now, so it would count as a replay).</summary>
    private static UserBatchItem RunObserverItem(UserBatchItem last)
    {
        var device = last.Parameters.String(WireNames.DeviceId);
        var parameters = device is null
            ? ParameterSet.Empty
            : new ParameterSet(new() { [WireNames.DeviceId] = System.Text.Json.JsonSerializer.SerializeToElement(device) });
        return new UserBatchItem(last.Index, RunObserverAction, parameters, last.DevMode, Key: last.Key);
    }

    private static RequestMark? RequestMarkOf(ParameterSet p)
    {
        var uuid = p.String(WireNames.Uuid);
        var reqId = p.String(WireNames.ReqId);
        return uuid is null || reqId is null ? null : new RequestMark(uuid, reqId);
    }
}
