using System.Collections.Concurrent;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Apps;

/// <summary>
/// Apps, keys and test devices for the request path: served from memory, loaded at start and refreshed on every
/// change made through <see cref="AppService"/> and <see cref="TestDeviceService"/>. The hot path never reads the
/// database for auth, nor for <c>isRegistered</c>.
/// </summary>
public sealed class AppDirectory(IAppStore store)
{
    private readonly ConcurrentDictionary<string, AppEntry> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string AppId, string DeviceId), byte> _testDevices = new();

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var app in await store.ListAppsAsync(cancellationToken))
            Put(app);
    }

    public AppEntry? Find(string appId) => _apps.GetValueOrDefault(appId);

    /// <summary>Whether <paramref name="deviceId"/> is a registered test device of the app (<c>registerDevice</c>).</summary>
    public bool IsTestDevice(string appId, string deviceId) => _testDevices.ContainsKey((appId, deviceId));

    internal IEnumerable<string> AppIds => _apps.Keys;

    internal void PutTestDevice(string appId, string deviceId) => _testDevices.TryAdd((appId, deviceId), 0);

    internal AppEntry Put(StoredApp app)
    {
        var entry = new AppEntry(app.AppId, app.Name, app.Created, app.TokenSecret,
            app.Keys.ToDictionary(k => KeyClassNames.Parse(k.Key) ?? throw new InvalidOperationException($"Unknown key class '{k.Key}'."), k => k.Value));
        _apps[app.AppId] = entry;
        return entry;
    }
}
