using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Protocol.Requests;
using Orleans.Concurrency;

namespace Greengage.Cluster.Grains;

/// <summary>One app's name registry (spec 6.2 limits per app), keyed by app id: one decision at a time.</summary>
public interface IAppNamesGrain : IGrainWithStringKey
{
    /// <summary>Admits what it can of <paramref name="names"/>, stores the new ones, and returns the refused.</summary>
    Task<Immutable<NameRefusal[]>> Admit(Immutable<AppName[]> names);
}

/// <summary>Holds the app's names while it is active; every new name is stored before it is admitted.</summary>
public sealed class AppNamesGrain(IAppNameStore store, ProtocolLimits limits, TimeProvider time) : Grain, IAppNamesGrain
{
    private AppNameBook? _book;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var book = new AppNameBook(limits);
        book.Load(await store.ListAppNamesAsync(this.GetPrimaryKeyString(), cancellationToken));
        _book = book;
    }

    public async Task<Immutable<NameRefusal[]>> Admit(Immutable<AppName[]> names)
    {
        var book = _book ?? throw new InvalidOperationException("Not activated.");
        var (taken, refused) = book.Decide(names.Value);
        if (taken.Count > 0)
        {
            await store.AddAppNamesAsync(this.GetPrimaryKeyString(), taken, time.GetUtcNow(), CancellationToken.None);
            book.Load(taken);
        }
        return new([.. refused]);
    }
}

/// <summary>Sends name admissions to the app's <see cref="IAppNamesGrain"/>.</summary>
public sealed class OrleansAppNameRegistry(IGrainFactory grains) : IAppNameRegistry
{
    public async Task<IReadOnlyList<NameRefusal>> AdmitAsync(string appId, IReadOnlyList<AppName> names, CancellationToken cancellationToken) =>
        (await grains.GetGrain<IAppNamesGrain>(appId).Admit(new Immutable<AppName[]>([.. names]))).Value;
}
