using Greengage.Engine.Delivery;

namespace Greengage.Server.Hosting;

/// <summary>Runs the outbox dispatcher: <see cref="OutboxOptions.Workers"/> batches at a time while there is work, then every poll interval.</summary>
public sealed partial class OutboxService(
    OutboxDispatcher dispatcher, OutboxOptions options, Greengage.Cluster.Grains.ServerWorkGateway gateway, TimeProvider time, ILogger<OutboxService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Workers).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int worked;
            try
            {
                worked = await dispatcher.RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogDispatchFailed(logger, e);
                worked = 0;
            }
            if (worked == 0)
            {
                // Idle: users kept for outcomes that are overdue leave memory (a campaign's last ones included).
                gateway.PruneAwaitingOutcome();
                try
                {
                    await Task.Delay(options.PollInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; it tries again at the next poll")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);
}
