namespace Greengage.Server.Hosting;

/// <summary>Set once the store is migrated, apps are loaded and the silo runs: <c>/healthz</c> answers 200 from then on.</summary>
public sealed class ReadinessState
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
