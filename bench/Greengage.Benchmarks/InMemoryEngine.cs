using System.Collections.Concurrent;
using Greengage.Engine.Actions;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;

namespace Greengage.Benchmarks;

/// <summary>
/// Runs a <see cref="UserProcessor"/> per user in memory, as the user grain does, minus Orleans and the store: the
/// write sets are counted and marked committed at once. Calls for one user are serialised by a lock (the grain's turn).
/// </summary>
public sealed class InMemoryUserGateway(UserActionTable actions, SnapshotPolicy policy, ProtocolLimits limits) : IUserGateway
{
    private readonly ConcurrentDictionary<(string AppId, string UserId), UserProcessor> _users = new();
    private long _calls;
    private long _logRows;
    private long _snapshots;

    /// <summary>Users activated so far.</summary>
    public int Users => _users.Count;

    /// <summary>Calls (one per run of items of one user).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Log rows the processors produced: what the group commit would have written.</summary>
    public long LogRows => Interlocked.Read(ref _logRows);

    /// <summary>Snapshots the processors produced.</summary>
    public long Snapshots => Interlocked.Read(ref _snapshots);

    public Task<ActionResult[]> ApplyAsync(UserBatch batch, CancellationToken cancellationToken)
    {
        var processor = _users.GetOrAdd((batch.AppId, batch.UserId), static (key, s) =>
        {
            var p = new UserProcessor(key.AppId, key.UserId, s.actions, s.policy, s.limits);
            p.Load(new StoredUser(null, []), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return p;
        }, (actions, policy, limits));
        lock (processor)
        {
            Interlocked.Increment(ref _calls);
            var (results, writes) = processor.Apply(batch);
            if (writes is not null)
            {
                Interlocked.Add(ref _logRows, writes.Rows.Count);
                if (writes.Snapshot is not null)
                    Interlocked.Increment(ref _snapshots);
                processor.Committed(writes);
            }
            return Task.FromResult(results);
        }
    }
}

/// <summary>One app with fixed keys, for <see cref="AppDirectory.LoadAsync"/>; nothing else is used.</summary>
/// <summary>The payloads always name a user, so the device-to-user index is never asked; nothing else is used.</summary>
internal sealed class NoDeviceIndex : IUserStore
{
    public Task<string?> FindUserByDeviceAsync(string appId, string deviceId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task<StoredUser> LoadAsync(string appId, string userId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<CommitOutcome>> CommitAsync(IReadOnlyList<UserWriteSet> sets, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<DueSession>> DueSessionsAsync(long nowMs, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<ScannedUser>> ScanUsersAsync(string appId, string? afterUserId, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
}

internal sealed class StaticAppStore(StoredApp app) : IAppStore
{
    public Task<IReadOnlyList<StoredApp>> ListAppsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredApp>>([app]);

    public Task<StoredApp?> GetAppAsync(string appId, CancellationToken cancellationToken) =>
        Task.FromResult(string.Equals(appId, app.AppId, StringComparison.Ordinal) ? app : null);

    public Task CreateAppAsync(StoredApp app, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<StoredApp?> ReplaceKeyAsync(string appId, string keyClass, string newKey, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}

/// <summary>The engine's request path wired in memory: the app directory, the dispatcher and the in-memory gateway.</summary>
public sealed class InMemoryEngine
{
    private InMemoryEngine(ProtocolLimits limits, InMemoryUserGateway gateway, ApiDispatcher dispatcher)
    {
        Limits = limits;
        Gateway = gateway;
        Dispatcher = dispatcher;
    }

    public ProtocolLimits Limits { get; }

    public InMemoryUserGateway Gateway { get; }

    public ApiDispatcher Dispatcher { get; }

    /// <summary>
    /// Defaults as the server has them: default limits, snapshot policy and action tables (or <paramref name="actions"/>
    /// and <paramref name="content"/> for content answers); the system clock.
    /// </summary>
    public static InMemoryEngine Create(UserActionTable? actions = null, ContentDirectory? content = null)
    {
        var limits = new ProtocolLimits();
        var app = new StoredApp(Payloads.AppId, "Bench", DateTimeOffset.UnixEpoch, "bench-token-secret", new Dictionary<string, string>
        {
            [KeyClassNames.Production] = Payloads.ProductionKey,
            [KeyClassNames.Development] = "dev_bench0000000000000000000000",
            [KeyClassNames.DataExport] = "exp_bench0000000000000000000000",
            [KeyClassNames.ContentReadOnly] = "cro_bench0000000000000000000000",
        });
        var directory = new AppDirectory(new StaticAppStore(app));
        directory.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        var gateway = new InMemoryUserGateway(actions ?? UserActionTable.Default, new SnapshotPolicy(), limits);
        var dispatcher = new ApiDispatcher(directory, gateway, new NoDeviceIndex(), AppActionTable.Default, limits, TimeProvider.System, new LocalAppNameRegistry(limits), content);
        return new InMemoryEngine(limits, gateway, dispatcher);
    }
}
