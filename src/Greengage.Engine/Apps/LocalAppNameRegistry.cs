using Greengage.Engine.Storage;
using Greengage.Protocol.Requests;

namespace Greengage.Engine.Apps;

/// <summary>
/// An <see cref="IAppNameRegistry"/> for one process without Orleans (benchmarks, tests): one <see cref="AppNameBook"/>
/// per app behind a lock, loaded from and written to <paramref name="store"/> when one is given.
/// </summary>
public sealed class LocalAppNameRegistry(ProtocolLimits limits, IAppNameStore? store = null, TimeProvider? time = null) : IAppNameRegistry
{
    private readonly Dictionary<string, AppNameBook> _books = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IReadOnlyList<NameRefusal>> AdmitAsync(string appId, IReadOnlyList<AppName> names, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_books.TryGetValue(appId, out var book))
            {
                book = new AppNameBook(limits);
                if (store is not null)
                    book.Load(await store.ListAppNamesAsync(appId, cancellationToken));
                _books[appId] = book;
            }
            var (taken, refused) = book.Decide(names);
            if (taken.Count > 0 && store is not null)
                await store.AddAppNamesAsync(appId, taken, (time ?? TimeProvider.System).GetUtcNow(), cancellationToken);
            book.Load(taken);
            return refused;
        }
        finally
        {
            _gate.Release();
        }
    }
}
