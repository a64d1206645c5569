using Greengage.Engine.Users;

namespace Greengage.Server.Hosting;

/// <summary>Runs the idle-session sweep every <c>Greengage:Sessions:SweepInterval</c>.</summary>
public sealed partial class SessionSweepService(SessionSweeper sweeper, SessionTimeouts options, TimeProvider time, ILogger<SessionSweepService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var closed = await sweeper.SweepAsync(time.GetUtcNow(), stoppingToken);
                if (closed > 0)
                    LogSwept(logger, closed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Idle-session sweep visited {Count} users")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idle-session sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
