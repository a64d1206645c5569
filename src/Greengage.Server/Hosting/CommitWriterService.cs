using Greengage.Engine.Commit;

namespace Greengage.Server.Hosting;

/// <summary>Stops the group-commit writer last, after the silo has deactivated its grains, so queued writes commit.</summary>
public sealed class CommitWriterService(GroupCommitWriter writer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => writer.StopAsync();
}
