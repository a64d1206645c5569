using Greengage.Engine.Storage;

namespace Greengage.Engine.Apps;

/// <summary>Creates apps and rotates their keys; keeps the <see cref="AppDirectory"/> current.</summary>
public sealed class AppService(IAppStore store, AppDirectory directory, TimeProvider time)
{
    public async Task<StoredApp> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var app = new StoredApp(
            KeyGenerator.New("app_"),
            name,
            time.GetUtcNow(),
            KeyGenerator.New(""),
            KeyClassNames.All.ToDictionary(k => k.Name, k => KeyGenerator.New(k.Prefix)));
        await store.CreateAppAsync(app, cancellationToken);
        directory.Put(app);
        return app;
    }

    public Task<StoredApp?> GetAsync(string appId, CancellationToken cancellationToken) => store.GetAppAsync(appId, cancellationToken);

    public Task<IReadOnlyList<StoredApp>> ListAsync(CancellationToken cancellationToken) => store.ListAppsAsync(cancellationToken);

    /// <summary>Issues a new key of <paramref name="keyClass"/>; the old one stops working at once.</summary>
    public async Task<StoredApp?> RotateAsync(string appId, string keyClass, CancellationToken cancellationToken)
    {
        if (KeyClassNames.Parse(keyClass) is null)
            throw new ArgumentException($"Unknown key class '{keyClass}'.", nameof(keyClass));
        var app = await store.ReplaceKeyAsync(appId, keyClass, KeyGenerator.New(KeyClassNames.Prefix(keyClass)), cancellationToken);
        if (app is not null)
            directory.Put(app);
        return app;
    }
}
