namespace Greengage.Delivery;

/// <summary>
/// Sends one message to one address through one provider. Safe to call concurrently: each provider limits how many of
/// its sends run at once (<c>Greengage:Delivery:{Kind}:MaxConcurrency</c>; callers beyond it wait). Provider failures,
/// timeouts included, come back as a <see cref="DeliveryResult"/>, never as an exception; only the caller's own
/// cancellation throws (<see cref="OperationCanceledException"/>).
/// </summary>
public interface IDeliveryProvider
{
    /// <summary>One of <see cref="DeliveryKinds"/>.</summary>
    string Kind { get; }

    Task<DeliveryResult> SendAsync(DeliveryRequest request, CancellationToken cancellationToken);
}
