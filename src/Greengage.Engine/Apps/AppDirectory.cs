using System.Collections.Concurrent;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Apps;

/// <summary>
/// Apps and keys for the request path: served from memory, loaded at start and refreshed on every change made
/// through <see cref="AppService"/>. The hot path never reads the database for auth.
/// </summary>
public sealed class AppDirectory(IAppStore store)
{
    private readonly ConcurrentDictionary<string, AppEntry> _apps = new(StringComparer.Ordinal);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var app in await store.ListAppsAsync(cancellationToken))
            Put(app);
    }

    public AppEntry? Find(string appId) => _apps.GetValueOrDefault(appId);

    internal AppEntry Put(StoredApp app)
    {
        var entry = new AppEntry(app.AppId, app.Name, app.Created, app.TokenSecret,
            app.Keys.ToDictionary(k => KeyClassNames.Parse(k.Key) ?? throw new InvalidOperationException($"Unknown key class '{k.Key}'."), k => k.Value));
        _apps[app.AppId] = entry;
        return entry;
    }
}
