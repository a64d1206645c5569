using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

/// <summary>
/// What a storage implementation hands to <see cref="StorageConformanceTests"/>: its contracts (often one
/// object) and a cleanup that disposes it and removes whatever the factory created.
/// </summary>
public sealed class StoreUnderTest(
    IStorageLifecycle lifecycle,
    IAppStore apps,
    IUserStore users,
    IActivityLogReader log,
    IWorkQueue work,
    IAppNameStore appNames,
    ITestDeviceStore testDevices,
    IContentStore content,
    IScheduleRunStore scheduleRuns,
    Func<ValueTask> cleanup) : IAsyncDisposable
{
    public IStorageLifecycle Lifecycle { get; } = lifecycle;

    public IAppStore Apps { get; } = apps;

    public IUserStore Users { get; } = users;

    public IActivityLogReader Log { get; } = log;

    public IWorkQueue Work { get; } = work;

    public IAppNameStore AppNames { get; } = appNames;

    public ITestDeviceStore TestDevices { get; } = testDevices;

    public IContentStore Content { get; } = content;

    public IScheduleRunStore ScheduleRuns { get; } = scheduleRuns;

    /// <summary>Builds one from an object that implements every contract.</summary>
    public static StoreUnderTest Of<T>(T store, Func<ValueTask> cleanup)
        where T : IStorageLifecycle, IAppStore, IUserStore, IActivityLogReader, IWorkQueue, IAppNameStore, ITestDeviceStore, IContentStore, IScheduleRunStore =>
        new(store, store, store, store, store, store, store, store, store, cleanup);

    public ValueTask DisposeAsync() => cleanup();
}
