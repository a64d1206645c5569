namespace Greengage.Delivery;

/// <summary>The providers by kind: the one place a dispatcher finds who delivers an address.</summary>
public sealed class DeliveryProviders
{
    private readonly Dictionary<string, IDeliveryProvider> _byKind;

    public DeliveryProviders(IEnumerable<IDeliveryProvider> providers)
    {
        _byKind = providers.ToDictionary(p => p.Kind, StringComparer.Ordinal);
    }

    /// <summary>The provider of <paramref name="kind"/> (one of <see cref="DeliveryKinds"/>).</summary>
    public IDeliveryProvider For(string kind) =>
        _byKind.TryGetValue(kind, out var provider) ? provider : throw new ArgumentException($"No delivery provider '{kind}'.", nameof(kind));

    /// <summary>Sends through the provider of the request's address.</summary>
    public Task<DeliveryResult> SendAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return For(request.Address.Kind).SendAsync(request, cancellationToken);
    }
}
