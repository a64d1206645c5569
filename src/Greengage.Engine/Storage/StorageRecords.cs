namespace Greengage.Engine.Storage;

/// <summary>One row of the append-only activity log, as stored.</summary>
/// <param name="IngestSeq">Assigned by the store in commit order; readers page by it.</param>
/// <param name="Seq">The user's own sequence number; unique per (app, user).</param>
/// <param name="Kind">The record kind (<c>session.start</c>, <c>event</c>, ...).</param>
/// <param name="TimeMs">When it happened (Unix milliseconds, server clock after skew correction).</param>
/// <param name="Body">The record as UTF-8 JSON.</param>
public sealed record LogRow(long IngestSeq, string AppId, string UserId, long Seq, string Kind, long TimeMs, byte[] Body);

/// <summary>A log row to append; the store assigns its ingest sequence.</summary>
public sealed record NewLogRow(long Seq, string Kind, long TimeMs, byte[] Body);

/// <summary>A user's stored profile snapshot.</summary>
/// <param name="Version">Fence: bumped by one on every write.</param>
/// <param name="Seq">The last log sequence number folded into <paramref name="State"/>.</param>
public sealed record UserSnapshot(long Version, long Seq, byte[] State);

/// <summary>What an activation reads: the snapshot (if any) and the log rows after it, in sequence order.</summary>
public sealed record StoredUser(UserSnapshot? Snapshot, IReadOnlyList<LogRow> Tail);

/// <summary>One user of a <see cref="IUserStore.ScanUsersAsync"/> page.</summary>
public sealed record ScannedUser(string UserId, StoredUser Stored);

/// <summary>A snapshot write fenced on the version the writer last read.</summary>
/// <param name="ExpectedVersion">0 when no snapshot exists yet; the stored row gets <c>ExpectedVersion + 1</c>.</param>
public sealed record SnapshotWrite(long ExpectedVersion, long Seq, byte[] State);

/// <summary>Everything one grain call writes for one user, committed atomically with respect to that user.</summary>
/// <param name="SessionDeadlineMs">
/// When the user's open session times out (Unix ms), for the idle-session sweep: null leaves the stored deadline as it
/// is, 0 or less removes it (no open session). The stored deadline may be earlier than the real one, never later.
/// </param>
/// <param name="EraseThroughSeq">
/// Full erasure (<c>deleteUser</c> with <c>fullErasure</c>): null erases nothing. Otherwise, in the same transaction and
/// only if the set commits, every log record of this user with a sequence number at or below this value is deleted:
/// rows committed earlier and this set's own <see cref="Rows"/> alike (its rows above the value are kept), so neither
/// <see cref="IUserStore.LoadAsync"/> nor <see cref="IActivityLogReader"/> returns them again. Records above the value
/// keep their ingest sequence. The user's stored snapshot goes too: the set's <see cref="Snapshot"/>, if any, replaces
/// it (fenced on its expected version as always), otherwise it is deleted and the next snapshot write expects
/// version 0. The fence outlives the erased rows: a later set whose first sequence number is at or below the user's
/// last committed one, or at or below an erasure point, is refused; so is any snapshot whose
/// <see cref="SnapshotWrite.Seq"/> is below an erasure point (it would fold erased records back in). A set refused by
/// the fence erases nothing.
/// </param>
public sealed record UserWriteSet(
    string AppId,
    string UserId,
    IReadOnlyList<NewLogRow> Rows,
    SnapshotWrite? Snapshot,
    long? SessionDeadlineMs = null,
    long? EraseThroughSeq = null,
    IReadOnlyList<string>? LinkedDevices = null,
    UserWriteSet? Along = null,
    IReadOnlyList<NewWorkItem>? Outbox = null,
    IReadOnlyList<long>? CompletedWork = null);

// CompletedWork (on UserWriteSet): work items (ids) that this set finishes, deleted in the same transaction if the set
// commits, whoever holds them (an item already gone is no error). The outbox dispatcher records a send's outcome this
// way: the outcome and the end of the item commit together, so an outcome is never recorded twice for one claim.

// Along (on UserWriteSet): another user's write set committed in the same transaction, all or nothing: if either set
// is refused by its fence, neither is written and the outcome is FenceViolated. A login or register moves the anonymous
// user's state to the target this way, together with the source's alias record (ARCHITECTURE decision 3).

// Outbox (on UserWriteSet): work items (deliveries) written in the same transaction as the records that caused them
// (ARCHITECTURE decision 7): both or neither.

// LinkedDevices (on UserWriteSet): device ids this user used in the commit; the device-to-user index maps each to
// this user from then on (the last user to use a device owns it), so device-only requests find their user.

/// <summary>One content document of an app: its JSON body, and when it was last written (Unix ms).</summary>
public sealed record ContentDocument(string Kind, string Key, byte[] Body, long UpdatedMs);

/// <summary>A name an app uses, of one kind (<c>event</c>, <c>state</c>, <c>attribute</c>, <c>parameter</c>).</summary>
public sealed record AppName(string Kind, string Name);

/// <summary>A user whose open session may have timed out.</summary>
public sealed record DueSession(string AppId, string UserId, long DeadlineMs);

/// <summary>The outcome of one write set inside a group commit.</summary>
public enum CommitOutcome
{
    Committed,
    /// <summary>
    /// The snapshot version or a log sequence number was taken by another writer (or lies at or below an erasure
    /// point); nothing was written.
    /// </summary>
    FenceViolated,
}

/// <summary>A unit of background work (outbox record, delayed trigger, job step).</summary>
/// <param name="Key">What the item belongs to (for a delivery: its app), so that failures can be listed by it.</param>
public sealed record NewWorkItem(string Queue, string Payload, DateTimeOffset NotBefore, string? Key = null);

/// <summary>A claimed unit of work; the claim holds until <see cref="LeaseUntil"/>.</summary>
public sealed record WorkItem(long Id, string Queue, string Payload, DateTimeOffset NotBefore, int Attempts, string Owner, DateTimeOffset LeaseUntil, string? Key = null);

/// <summary>A unit of work that will not be tried again, and why (<see cref="IWorkQueue.FailAsync"/>).</summary>
public sealed record FailedWorkItem(long Id, string Queue, string? Key, string Payload, int Attempts, string Reason, DateTimeOffset FailedAt);

/// <summary>An app and its four client keys, as stored.</summary>
public sealed record StoredApp(string AppId, string Name, DateTimeOffset Created, string TokenSecret, IReadOnlyDictionary<string, string> Keys);

/// <summary>A test device of an app, as stored (<see cref="ITestDeviceStore"/>).</summary>
/// <param name="Email">The dashboard account that registered it.</param>
/// <param name="RegisteredAt">When it was first registered (millisecond precision).</param>
public sealed record TestDevice(string AppId, string DeviceId, string Email, DateTimeOffset RegisteredAt);

/// <summary>A run of a scheduled send (<see cref="IScheduleRunStore"/>).</summary>
/// <param name="State"><c>running</c>, or over: <c>finished</c> or <c>missed</c> (<see cref="ScheduleRunStates"/>).</param>
/// <param name="Cursor">The last user id done (null: none yet).</param>
/// <param name="Scanned">Users looked at.</param>
/// <param name="Matched">Users in the audience whose time had come: their grain was asked to send.</param>
/// <param name="Deferred">Users in the audience whose local time was still ahead: left as durable rows until then.</param>
public sealed record ScheduleRun(string AppId, long MessageId, long Occurrence, string State, string? Cursor, long Scanned, long Matched, long Deferred,
    DateTimeOffset Started, DateTimeOffset? Finished);

/// <summary>The states of a <see cref="ScheduleRun"/>: every state but <see cref="Running"/> is over for good.</summary>
public static class ScheduleRunStates
{
    public const string Running = "running";

    /// <summary>Every user was looked at.</summary>
    public const string Finished = "finished";

    /// <summary>
    /// Cut short (by a pause, or a process that stopped) and not taken up again: when the message was live again, the
    /// occurrence's time had passed everywhere more than the grace before, or (a repeating message) the next occurrence
    /// had reached every zone before the run was taken up, so the users it had not reached missed it.
    /// </summary>
    public const string Missed = "missed";

    /// <summary>
    /// Cut short (by a pause, or a process that stopped) and the message then ended (finished, its campaign finished,
    /// deleted, or past its end time) before the run was taken up again: the users it had not reached were not sent it.
    /// </summary>
    public const string Ended = "ended";
}
