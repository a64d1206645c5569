using Greengage.Engine.Delivery;

namespace Greengage.Server.Hosting;

/// <summary>
/// Runs scheduled sends, every poll interval: the occurrences that came due, and apart from them (a run over a million
/// users takes minutes) the users whose local time came.
/// </summary>
public sealed partial class ScheduleService(ScheduleRunner runner, ScheduleOptions options, TimeProvider time, ILogger<ScheduleService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(LoopAsync(runner.RunDueAsync, stoppingToken), LoopAsync(runner.SendWaitingAsync, stoppingToken));

    private async Task LoopAsync(Func<CancellationToken, Task<long>> work, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await work(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRunFailed(logger, e);
            }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled sends failed; they are tried again at the next poll")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
