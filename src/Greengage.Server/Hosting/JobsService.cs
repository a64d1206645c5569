using Greengage.Engine.Content;
using Greengage.Engine.Jobs;

namespace Greengage.Server.Hosting;

/// <summary>
/// Starts what runs jobs in the background (the parameter backfill listens for publishes from start on) and, when the
/// host stops, cancels the jobs before the silo goes away (it is registered after the silo, so it stops before it).
/// </summary>
public sealed class JobsService(ParamBackfill backfill, JobRegistry jobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = backfill;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => jobs.StopAsync().WaitAsync(cancellationToken);
}
