namespace Greengage.Engine.Storage;

/// <summary>Prepares the store: applies versioned migrations. Called once at start.</summary>
public interface IStorageLifecycle
{
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The schema version after migration.</summary>
    Task<int> SchemaVersionAsync(CancellationToken cancellationToken);
}

/// <summary>Apps and their keys. Key class names are <c>production</c>, <c>development</c>, <c>dataExport</c>, <c>contentReadOnly</c>.</summary>
public interface IAppStore
{
    Task CreateAppAsync(StoredApp app, CancellationToken cancellationToken);

    Task<StoredApp?> GetAppAsync(string appId, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredApp>> ListAppsAsync(CancellationToken cancellationToken);

    /// <summary>Replaces one key of an app; the old key stops working. Returns the updated app, or null if missing.</summary>
    Task<StoredApp?> ReplaceKeyAsync(string appId, string keyClass, string newKey, CancellationToken cancellationToken);
}

/// <summary>
/// The names each app has used (spec 6.2 limits "per app"), by kind: <c>event</c>, <c>state</c>, <c>attribute</c>,
/// <c>parameter</c>. Names are only ever added.
/// </summary>
public interface IAppNameStore
{
    Task<IReadOnlyList<AppName>> ListAppNamesAsync(string appId, CancellationToken cancellationToken);

    /// <summary>Adds names; a name already stored is left as it is.</summary>
    Task AddAppNamesAsync(string appId, IReadOnlyList<AppName> names, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>
/// An app's content as documents, by kind and key (code defaults per app version, live variable values, ...). The
/// engine compiles them into one immutable snapshot per app after every change.
/// </summary>
public interface IContentStore
{
    /// <summary>Every document of the app, ordered by kind then key.</summary>
    Task<IReadOnlyList<ContentDocument>> ListContentAsync(string appId, CancellationToken cancellationToken);

    /// <summary>Writes each document (inserted, or replacing the one with its kind and key) and deletes each of
    /// <paramref name="deletes"/>, in one transaction.</summary>
    Task WriteContentAsync(string appId, IReadOnlyList<ContentDocument> puts, IReadOnlyList<(string Kind, string Key)> deletes, CancellationToken cancellationToken);
}

/// <summary>Per-user state: snapshot plus log tail, written by group commit.</summary>
public interface IUserStore
{
    Task<StoredUser> LoadAsync(string appId, string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Commits every set in one transaction; each set succeeds or fails on its own (a fence violation in one set
    /// leaves the others committed). Returns one outcome per set, in order. Throws when the store itself fails; then
    /// nothing was committed.
    /// </summary>
    Task<IReadOnlyList<CommitOutcome>> CommitAsync(IReadOnlyList<UserWriteSet> sets, CancellationToken cancellationToken);

    /// <summary>The user a device belongs to (the last user whose commit linked it), or null.</summary>
    Task<string?> FindUserByDeviceAsync(string appId, string deviceId, CancellationToken cancellationToken);

    /// <summary>Users whose stored session deadline is at or before <paramref name="nowMs"/>, earliest first.</summary>
    Task<IReadOnlyList<DueSession>> DueSessionsAsync(long nowMs, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// A page of one app's users, each with its snapshot and the log rows after it (what <see cref="LoadAsync"/> reads),
    /// in the store's order of user ids, starting after <paramref name="afterUserId"/> (null: from the first). Jobs
    /// that look at every user (audience counts, backfills) page through stored state with it, without activating the
    /// users. Each page is one short read; users committed while a job pages may or may not be seen.
    /// </summary>
    Task<IReadOnlyList<ScannedUser>> ScanUsersAsync(string appId, string? afterUserId, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// Reads the activity log in ingest order, in short transactions. Records erased by a full erasure
/// (<see cref="UserWriteSet.EraseThroughSeq"/>) are never returned again; the records kept keep their ingest sequence.
/// </summary>
public interface IActivityLogReader
{
    /// <summary>Rows with <c>IngestSeq &gt; afterIngestSeq</c>, in ingest order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<LogRow>> ReadAfterAsync(long afterIngestSeq, int limit, CancellationToken cancellationToken);

    /// <summary>All rows of one user, in sequence order.</summary>
    Task<IReadOnlyList<LogRow>> ReadUserAsync(string appId, string userId, CancellationToken cancellationToken);
}

/// <summary>Durable work with disjoint claims: two claimers never hold the same item at once.</summary>
public interface IWorkQueue
{
    Task EnqueueAsync(IReadOnlyList<NewWorkItem> items, CancellationToken cancellationToken);

    /// <summary>Claims up to <paramref name="max"/> due items of <paramref name="queue"/> that nobody holds (or whose lease ran out).</summary>
    Task<IReadOnlyList<WorkItem>> ClaimAsync(string queue, string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Removes a finished item; false when <paramref name="owner"/> no longer holds it.</summary>
    Task<bool> CompleteAsync(long id, string owner, CancellationToken cancellationToken);

    /// <summary>Gives an item back to be tried again at <paramref name="notBefore"/>, counting an attempt.</summary>
    Task<bool> ReleaseAsync(long id, string owner, DateTimeOffset notBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Gives an item back untried, to be claimed again at <paramref name="notBefore"/>: what it waits for is not ready
    /// (a paused message), so no attempt is counted. False when <paramref name="owner"/> no longer holds it.
    /// </summary>
    Task<bool> PostponeAsync(long id, string owner, DateTimeOffset notBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Gives up on an item: it leaves the queue and is kept, with <paramref name="reason"/> and its attempts (this one
    /// counted), for <see cref="ListFailedAsync"/>. False when <paramref name="owner"/> no longer holds it.
    /// </summary>
    Task<bool> FailAsync(long id, string owner, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Removes every item of <paramref name="queue"/> with <paramref name="key"/>, due or not, held or not: what they
    /// wait for is gone (the users waiting for a message that ended). Returns how many. A holder finds its item gone
    /// (complete, release, postpone and fail answer false), and nothing is kept among the failures. Not atomic: a store
    /// may remove in steps so that other writes go on between them, and an item added meanwhile may stay.
    /// </summary>
    Task<int> RemoveAsync(string queue, string key, CancellationToken cancellationToken);

    /// <summary>The failed items of <paramref name="queue"/> with <paramref name="key"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<FailedWorkItem>> ListFailedAsync(string queue, string key, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// The test devices of each app (<c>registerDevice</c>, spec 4.2): devices a dashboard account registered for
/// development. A device is registered once per app; registering it again changes nothing.
/// </summary>
public interface ITestDeviceStore
{
    /// <summary>
    /// Registers <paramref name="deviceId"/> as a test device of <paramref name="appId"/>, kept to the millisecond.
    /// Returns true when it is new; false when the device was already registered, whose stored email and time then
    /// stay as they were. Throws <see cref="InvalidOperationException"/> when the app does not exist.
    /// </summary>
    Task<bool> RegisterTestDeviceAsync(string appId, string deviceId, string email, DateTimeOffset registeredAt, CancellationToken cancellationToken);

    /// <summary>The test devices of one app, ordered by device id; empty for an app without any (or an unknown app).</summary>
    Task<IReadOnlyList<TestDevice>> ListTestDevicesAsync(string appId, CancellationToken cancellationToken);
}

/// <summary>
/// Runs of scheduled sends (issue 6): one per (app, message, occurrence). A run is claimed with a lease like a work
/// item, so one process works it at a time and another takes it over when the lease runs out; it keeps a cursor (the
/// last user id done, in <see cref="IUserStore.ScanUsersAsync"/> order) so that a run cut short resumes after it.
/// </summary>
public interface IScheduleRunStore
{
    /// <summary>
    /// Claims the run for <paramref name="owner"/> until <c>now + lease</c>, creating it (state running, nothing done)
    /// when it is new. Null when it is over (any state but running), or held by another owner whose lease has not run
    /// out.
    /// </summary>
    Task<ScheduleRun?> ClaimRunAsync(string appId, long messageId, long occurrence, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Saves the run's progress (state, cursor, counts, finish time) and extends the lease to
    /// <paramref name="leaseUntil"/>; false (nothing saved) when <paramref name="owner"/> no longer holds it.
    /// </summary>
    Task<bool> SaveRunAsync(ScheduleRun run, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>A message's runs, latest occurrence first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ScheduleRun>> ListRunsAsync(string appId, long messageId, int limit, CancellationToken cancellationToken);
}
