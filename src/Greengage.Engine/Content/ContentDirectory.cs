using System.Collections.Concurrent;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Content;

/// <summary>
/// Every app's current <see cref="AppContent"/>, read lock-free by requests. Changes go through
/// <see cref="ChangeAsync"/>: one at a time, written to the store, then the app's snapshot is rebuilt from the store
/// and swapped in whole.
/// </summary>
public sealed class ContentDirectory(IContentStore store)
{
    private readonly ConcurrentDictionary<string, AppContent> _apps = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changes = new(1, 1);

    public AppContent For(string appId) => _apps.GetValueOrDefault(appId) ?? AppContent.Empty;

    /// <summary>Raised after each change is published, with the app, the snapshot before and the one after.</summary>
    public event Action<string, AppContent, AppContent>? Published;

    /// <summary>Loads the content of <paramref name="appIds"/> (at start).</summary>
    public async Task LoadAsync(IEnumerable<string> appIds, CancellationToken cancellationToken)
    {
        foreach (var appId in appIds)
            _apps[appId] = AppContent.Build(await store.ListContentAsync(appId, cancellationToken));
    }

    /// <summary>
    /// Runs <paramref name="change"/> with the app's current content, writes what it returns, and publishes the new
    /// snapshot; returns the change's own result. Changes never interleave.
    /// </summary>
    public async Task<T> ChangeAsync<T>(string appId, Func<AppContent, ContentChange<T>> change, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            var documents = await store.ListContentAsync(appId, cancellationToken);
            var outcome = change(AppContent.Build(documents));
            if (outcome.Puts.Count > 0 || outcome.Deletes.Count > 0)
            {
                await store.WriteContentAsync(appId, outcome.Puts, outcome.Deletes, cancellationToken);
                // What the store now holds: the documents read, less the deleted and replaced ones, plus the written.
                var gone = outcome.Deletes.Concat(outcome.Puts.Select(d => (d.Kind, d.Key))).ToHashSet();
                documents = [.. documents.Where(d => !gone.Contains((d.Kind, d.Key))), .. outcome.Puts];
            }
            var before = For(appId);
            var after = AppContent.Build(documents);
            _apps[appId] = after;
            Published?.Invoke(appId, before, after);
            return outcome.Result;
        }
        finally
        {
            _changes.Release();
        }
    }
}

/// <summary>What a content change writes, and what it answers.</summary>
public sealed record ContentChange<T>(T Result, IReadOnlyList<ContentDocument> Puts, IReadOnlyList<(string Kind, string Key)> Deletes);
