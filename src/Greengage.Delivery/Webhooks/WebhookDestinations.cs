using System.Net;
using System.Net.Sockets;
using Greengage.Delivery.Http;

namespace Greengage.Delivery.Webhooks;

/// <summary>
/// Which addresses webhooks may connect to. Webhook URLs are written by dashboard users, so by default none that is not
/// public is reached: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the cloud metadata address
/// 169.254.169.254, fe80::/10), carrier-grade NAT (100.64/10), unspecified, multicast, broadcast and reserved addresses,
/// also when written as IPv4-mapped or NAT64 IPv6 addresses. <see cref="WebhookOptions.AllowPrivateNetworks"/> lets them
/// all through; <see cref="WebhookOptions.AllowedDestinations"/> lets through the host names, addresses and ranges it
/// lists. The check is made on the address actually connected to (<see cref="ConnectAsync"/> resolves the host, keeps
/// the allowed addresses and connects to one of them), so a name that resolves to another address by the time of the
/// call (DNS rebinding) does not get through, and neither does any other connection the handler makes.
/// </summary>
internal sealed class WebhookDestinations
{
    /// <summary>The configuration keys a refusal names.</summary>
    public const string AllowPrivateNetworksKey = DeliveryOptions.Section + ":Webhook:AllowPrivateNetworks";
    public const string AllowedDestinationsKey = DeliveryOptions.Section + ":Webhook:AllowedDestinations";

    private static readonly IPNetwork[] NotPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network", with the unspecified address
        IPNetwork.Parse("10.0.0.0/8"),       // private (RFC 1918)
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT (RFC 6598)
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, with the cloud metadata service
        IPNetwork.Parse("172.16.0.0/12"),    // private (RFC 1918)
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),   // private (RFC 1918)
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking networks
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, with the broadcast address
        IPNetwork.Parse("::/96"),            // unspecified, loopback, IPv4-compatible (deprecated)
        IPNetwork.Parse("64:ff9b:1::/48"),   // local-use NAT64
        IPNetwork.Parse("fc00::/7"),         // unique local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly bool _allowPrivateNetworks;
    private readonly HashSet<string> _allowedHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> _allowedNetworks = [];
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <param name="resolve">Resolves a host name (tests stand in for DNS); default <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>.</param>
    public WebhookDestinations(WebhookOptions options, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowPrivateNetworks = options.AllowPrivateNetworks;
        foreach (var entry in options.AllowedDestinations)
        {
            if (TryParseNetwork(entry, out var network))
                _allowedNetworks.Add(network);
            else
                _allowedHosts.Add(entry.Trim().TrimEnd('.'));
        }
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
    }

    /// <summary>Whether an entry of <see cref="WebhookOptions.AllowedDestinations"/> reads as a host name, an IP address
    /// or a CIDR range.</summary>
    public static bool IsValidEntry(string? entry) =>
        !string.IsNullOrWhiteSpace(entry) && (TryParseNetwork(entry, out _) || Uri.CheckHostName(entry.Trim().TrimEnd('.')) == UriHostNameType.Dns);

    /// <summary>Whether <paramref name="address"/> is anything but a public unicast address (see the type's summary).</summary>
    public static bool IsNotPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = Canonical(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && Nat64.Contains(address))
            address = new IPAddress(address.GetAddressBytes()[12..]);
        return NotPublic.Any(n => n.BaseAddress.AddressFamily == address.AddressFamily && n.Contains(address));
    }

    /// <summary>Whether a webhook to <paramref name="host"/> may connect to <paramref name="address"/>.</summary>
    public bool Allows(string host, IPAddress address)
    {
        address = Canonical(address);
        return _allowPrivateNetworks || !IsNotPublic(address) || _allowedHosts.Contains(host.TrimEnd('.'))
            || _allowedNetworks.Any(n => n.BaseAddress.AddressFamily == address.AddressFamily && n.Contains(address));
    }

    /// <summary>The handler webhooks are sent with: the providers' usual one (no redirects followed, no cookies) whose
    /// every connection goes through <see cref="ConnectAsync"/>, and no proxy (the check must see the address actually
    /// connected to).</summary>
    public SocketsHttpHandler Handler()
    {
        var handler = HttpOutcomes.Handler();
        handler.UseProxy = false;
        handler.ConnectCallback = ConnectAsync;
        return handler;
    }

    /// <summary>Resolves the host, keeps the addresses it may connect to and connects to the first that answers;
    /// throws <see cref="WebhookDestinationRefusedException"/> when none may be connected to.</summary>
    internal async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.TrimStart('[').TrimEnd(']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await _resolve(host, cancellationToken);
        var allowed = addresses.Where(a => Allows(host, a)).ToArray();
        if (allowed.Length == 0)
            throw new WebhookDestinationRefusedException(Refusal(host, addresses));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The reason of the refusal that stopped a webhook call, or null when <paramref name="exception"/> is
    /// another failure.</summary>
    public static string? RefusalOf(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is WebhookDestinationRefusedException refused)
                return refused.Message;
        }
        return null;
    }

    private static string Refusal(string host, IPAddress[] addresses)
    {
        var what = addresses.Length switch
        {
            0 => $"{host} (which resolves to no address)",
            1 when addresses[0].ToString() == host => host,
            _ => $"{host} ({string.Join(", ", addresses.Select(a => a.ToString()))})",
        };
        return $"The webhook destination {what} is a private address; set {AllowPrivateNetworksKey}=true, or list the host or its "
            + $"range in {AllowedDestinationsKey}, to allow webhooks to reach it.";
    }

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static bool TryParseNetwork(string entry, out IPNetwork network)
    {
        var text = entry.Trim();
        if (IPNetwork.TryParse(text, out network))
            return true;
        if (IPAddress.TryParse(text.TrimStart('[').TrimEnd(']'), out var address))
        {
            address = Canonical(address);
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return false;
    }
}

/// <summary>A webhook destination <see cref="WebhookDestinations"/> refused: the send fails permanently with the message
/// as its reason.</summary>
internal sealed class WebhookDestinationRefusedException(string message) : Exception(message);
