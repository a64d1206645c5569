using System.Collections.Concurrent;
using Greengage.Engine.Storage;

namespace Greengage.Delivery.Tests.Infrastructure;

/// <summary>An in-memory content store: what the credential store needs, without a database.</summary>
public sealed class MemoryContentStore : IContentStore
{
    private readonly ConcurrentDictionary<(string App, string Kind, string Key), ContentDocument> _documents = new();

    public int Lists;

    public Task<IReadOnlyList<ContentDocument>> ListContentAsync(string appId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Lists);
        return Task.FromResult<IReadOnlyList<ContentDocument>>(_documents.Where(d => d.Key.App == appId).OrderBy(d => d.Key.Kind, StringComparer.Ordinal)
            .ThenBy(d => d.Key.Key, StringComparer.Ordinal).Select(d => d.Value).ToList());
    }

    public Task WriteContentAsync(string appId, IReadOnlyList<ContentDocument> puts, IReadOnlyList<(string Kind, string Key)> deletes, CancellationToken cancellationToken)
    {
        foreach (var document in puts)
            _documents[(appId, document.Kind, document.Key)] = document;
        foreach (var (kind, key) in deletes)
            _documents.TryRemove((appId, kind, key), out _);
        return Task.CompletedTask;
    }
}
