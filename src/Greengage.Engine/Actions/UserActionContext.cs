using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Actions;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions;

/// <summary>Where a context's facts and work go: the processor applying the run (one per user, not one per item).</summary>
internal interface IUserActionSink
{
    /// <summary>Records <paramref name="record"/> for <paramref name="context"/>'s item: stamped, applied, to commit.</summary>
    void Emit(UserActionContext context, UserRecord record);

    void Enqueue(Storage.NewWorkItem item);

    void Complete(long workItemId);
}

/// <summary>What a user action sees: the state, its parameters, times, and a way to record facts.</summary>
public sealed class UserActionContext
{
    private readonly IUserActionSink _sink;

    internal UserActionContext(UserBatch batch, UserBatchItem item, UserState state, bool replay, ProtocolLimits limits, SessionTimeouts sessions,
        IUserActionSink sink, List<Storage.NewLogRow> rows, RequestMark? mark, string? deviceId)
    {
        Batch = batch;
        Item = item;
        State = state;
        IsReplay = replay;
        Limits = limits;
        Sessions = sessions;
        _sink = sink;
        Rows = rows;
        Mark = mark;
        DeviceId = deviceId;
        NowMs = batch.Arrival.ToUnixTimeMilliseconds();
        TimeMs = ClientClock.CorrectMs(batch.Arrival, batch.EnvelopeTimeSeconds, item.Parameters.Double(WireNames.Time));
    }

    /// <summary>The rows this run commits (the item's records go there).</summary>
    internal List<Storage.NewLogRow> Rows { get; }

    /// <summary>The item's request mark (<c>uuid</c> and <c>reqId</c>), stamped on its records; null without one.</summary>
    internal RequestMark? Mark { get; }

    public UserBatch Batch { get; }

    public UserBatchItem Item { get; }

    public ParameterSet Parameters => Item.Parameters;

    /// <summary>The class of the key the item came with (<c>sendMessage</c> treats a production key as untrusted).</summary>
    public KeyClasses KeyClass => Item.Key;

    public UserState State { get; }

    public string UserId => Batch.UserId;

    public string? DeviceId { get; }

    /// <summary>Arrival time, Unix milliseconds.</summary>
    public long NowMs { get; }

    /// <summary>The item's own time after skew correction, Unix milliseconds.</summary>
    public long TimeMs { get; }

    /// <summary>True when this item is a retry of one already applied: handlers answer as before but record nothing.</summary>
    public bool IsReplay { get; }

    public ProtocolLimits Limits { get; }

    public SessionTimeouts Sessions { get; }

    /// <summary>Records a fact: applied to the state now, committed before the response is sent.</summary>
    public void Emit(UserRecord record)
    {
        if (!IsReplay)
            _sink.Emit(this, record);
    }

    /// <summary>
    /// Puts work in the outbox (a delivery): committed in the same transaction as the records this batch emits
    /// (ARCHITECTURE decision 7), so a send exists exactly when its cause does. Nothing for a replay.
    /// </summary>
    public void Enqueue(Storage.NewWorkItem item)
    {
        if (!IsReplay)
            _sink.Enqueue(item);
    }

    /// <summary>
    /// Finishes a work item (by id) in the same transaction as the records this batch emits: the outbox dispatcher's
    /// outcome and the end of its item commit together (<see cref="Storage.UserWriteSet.CompletedWork"/>).
    /// </summary>
    public void Complete(long workItemId) => _sink.Complete(workItemId);
}
