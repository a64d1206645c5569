using System.Net.Sockets;
using System.Text.Json.Nodes;
using Greengage.Engine.Messages;
using Microsoft.Extensions.Logging;

namespace Greengage.Delivery;

/// <summary>One send as a provider sees it: the request, its values with personalisation applied, and its sent time.</summary>
public sealed record DeliveryContext(DeliveryRequest Request, JsonObject Values, DateTimeOffset SentAt);

/// <summary>
/// What every provider shares: the concurrency limit, the timeout, personalisation of the values, and the rule that a
/// provider's failure comes back as a <see cref="DeliveryResult"/> (connection failures and timeouts transient, any
/// other error permanent) while the caller's cancellation still throws. Logs one line per send with its outcome, never
/// an address, a payload or a credential.
/// </summary>
public abstract partial class DeliveryProvider : IDeliveryProvider, IDisposable
{
    private readonly SemaphoreSlim _gate;
    private readonly ProviderOptions _options;
    private readonly ILogger _logger;

    protected DeliveryProvider(ProviderOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _gate = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        Time = time;
        _logger = logger;
    }

    public abstract string Kind { get; }

    protected TimeProvider Time { get; }

    /// <summary>Sends now in flight through this provider (for metrics and tests).</summary>
    public int InFlight => _options.MaxConcurrency - _gate.CurrentCount;

    public async Task<DeliveryResult> SendAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        DeliveryResult result;
        if (request.Address.Kind != Kind)
        {
            result = DeliveryResult.Permanent($"A {request.Address.Kind} address cannot be sent through {Kind}.");
        }
        else
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                result = await SendGuardedAsync(request, cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
        }
        if (result.Outcome == DeliveryOutcome.Sent)
            LogSent(_logger, Kind, request.AppId, request.MessageId, request.OccurrenceId, result.StatusCode);
        else
            LogNotSent(_logger, Kind, request.AppId, request.MessageId, request.OccurrenceId, result.Outcome, result.StatusCode, result.Reason);
        return result;
    }

    private async Task<DeliveryResult> SendGuardedAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var values = Personalization.Render(request.Values, request.Personalization) as JsonObject ?? [];
            var context = new DeliveryContext(request, values, request.SentAt ?? Time.GetUtcNow());
            return await SendCoreAsync(context, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.Transient($"{Kind} did not answer within {_options.Timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException)
        {
            return DeliveryResult.Transient($"{Kind} could not be reached: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return DeliveryResult.Permanent($"{Kind} send failed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Sends one message; throws only for what <see cref="SendAsync"/> classifies (connection errors, cancellation).</summary>
    protected abstract Task<DeliveryResult> SendCoreAsync(DeliveryContext context, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            _gate.Dispose();
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Delivery {Kind} app {AppId} message {MessageId} occurrence {OccurrenceId}: sent (status {StatusCode})")]
    private static partial void LogSent(ILogger logger, string kind, string appId, long messageId, string occurrenceId, int? statusCode);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Delivery {Kind} app {AppId} message {MessageId} occurrence {OccurrenceId}: {Outcome} (status {StatusCode}) {Reason}")]
    private static partial void LogNotSent(ILogger logger, string kind, string appId, long messageId, string occurrenceId, DeliveryOutcome outcome, int? statusCode, string? reason);
}
