using Greengage.Engine.Delivery;

namespace Greengage.Server.Hosting;

/// <summary>Runs scheduled sends: every poll interval, the occurrences that came due and the users whose local time came.</summary>
public sealed partial class ScheduleService(ScheduleRunner runner, ScheduleOptions options, TimeProvider time, ILogger<ScheduleService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runner.RunOnceAsync(stoppingToken);
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
