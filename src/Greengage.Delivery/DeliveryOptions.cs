namespace Greengage.Delivery;

/// <summary>
/// Delivery settings: configuration section <c>Greengage:Delivery</c>. Endpoints are configurable so that tests and
/// operators can point each provider elsewhere (ARCHITECTURE decision 7); credentials are per app (admin API).
/// </summary>
public sealed class DeliveryOptions
{
    public const string Section = "Greengage:Delivery";

    public FcmOptions Fcm { get; set; } = new();

    public ApnsOptions Apns { get; set; } = new();

    public WebPushOptions WebPush { get; set; } = new();

    public WebhookOptions Webhook { get; set; } = new();

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>How the dispatcher works the outbox (<c>Greengage:Delivery:Outbox</c>): batch, concurrency, lease, retries.</summary>
    public Greengage.Engine.Delivery.OutboxOptions Outbox { get; set; } = new();

    /// <summary>How scheduled sends run (<c>Greengage:Delivery:Schedule</c>): poll interval, lease, concurrency.</summary>
    public Greengage.Engine.Delivery.ScheduleOptions Schedule { get; set; } = new();

    /// <summary>How long an app's credentials are remembered before they are read from the store again (a change on
    /// another node of a cluster is seen after at most this long; a change on this node at once).</summary>
    public TimeSpan CredentialCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the settings at start and names each one that is wrong.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var (name, provider) in new (string, ProviderOptions)[] { ("Fcm", Fcm), ("Apns", Apns), ("WebPush", WebPush), ("Webhook", Webhook), ("Smtp", Smtp) })
        {
            if (provider.MaxConcurrency < 1)
                yield return $"{Section}:{name}:MaxConcurrency must be at least 1.";
            if (provider.Timeout <= TimeSpan.Zero)
                yield return $"{Section}:{name}:Timeout must be positive.";
        }
        foreach (var (name, url) in new (string, Uri?)[] { ("Fcm:BaseUrl", Fcm.BaseUrl), ("Fcm:TokenUrl", Fcm.TokenUrl), ("Apns:BaseUrl", Apns.BaseUrl), ("Apns:SandboxBaseUrl", Apns.SandboxBaseUrl) })
        {
            if (url is { } u && (!u.IsAbsoluteUri || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)))
                yield return $"{Section}:{name} must be an absolute http or https URL.";
        }
        if (Apns.TokenRefresh < TimeSpan.FromMinutes(20) || Apns.TokenRefresh > TimeSpan.FromMinutes(50))
            yield return $"{Section}:Apns:TokenRefresh must be between 00:20:00 and 00:50:00 (Apple refuses tokens refreshed more often than every 20 minutes, and older than an hour).";
        if (Apns.DefaultTimeToLive < TimeSpan.Zero || WebPush.DefaultTimeToLive < TimeSpan.Zero)
            yield return $"{Section}:Apns:DefaultTimeToLive and {Section}:WebPush:DefaultTimeToLive must not be negative.";
        if (WebPush.TokenLifetime <= TimeSpan.Zero || WebPush.TokenLifetime > TimeSpan.FromHours(24))
            yield return $"{Section}:WebPush:TokenLifetime must be positive and at most 24 hours (RFC 8292).";
        foreach (var entry in Webhook.AllowedDestinations.Where(e => !Webhooks.WebhookDestinations.IsValidEntry(e)))
            yield return $"{Section}:Webhook:AllowedDestinations: '{entry}' is not a host name, an IP address or a CIDR range.";
        if (Smtp.MaxConnectionsPerRelay < 1 || Smtp.MaxMessagesPerConnection < 1)
            yield return $"{Section}:Smtp:MaxConnectionsPerRelay and MaxMessagesPerConnection must be at least 1.";
        if (Smtp.ConnectionIdleTimeout <= TimeSpan.Zero)
            yield return $"{Section}:Smtp:ConnectionIdleTimeout must be positive.";
        if (CredentialCacheDuration < TimeSpan.Zero)
            yield return $"{Section}:CredentialCacheDuration must not be negative.";
        if (Outbox.BatchSize < 1 || Outbox.MaxInFlight < 1 || Outbox.MaxAttempts < 1 || Outbox.Workers < 1)
            yield return $"{Section}:Outbox:BatchSize, MaxInFlight, MaxAttempts and Workers must be at least 1.";
        if (Outbox.Lease <= TimeSpan.Zero || Outbox.FirstBackoff <= TimeSpan.Zero || Outbox.MaxBackoff < Outbox.FirstBackoff || Outbox.PollInterval <= TimeSpan.Zero)
            yield return $"{Section}:Outbox:Lease, FirstBackoff and PollInterval must be positive, and MaxBackoff at least FirstBackoff.";
        if (Schedule.PollInterval <= TimeSpan.Zero || Schedule.Lease <= TimeSpan.Zero || Schedule.Concurrency < 1 || Schedule.PageSize < 1)
            yield return $"{Section}:Schedule:PollInterval and Lease must be positive, Concurrency and PageSize at least 1.";
        if (Schedule.MaxOutboxBacklog < 1 || Schedule.MaxBacklogWait < TimeSpan.Zero)
            yield return $"{Section}:Schedule:MaxOutboxBacklog must be at least 1 and MaxBacklogWait not negative.";
    }
}

/// <summary>What every provider has: how many sends run at once, and how long one may take.</summary>
public class ProviderOptions
{
    /// <summary>Sends in flight at once through this provider, across all apps; more wait their turn.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>How long one send (connection, token fetch and request) may take before it counts as a transient failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class FcmOptions : ProviderOptions
{
    public static readonly Uri DefaultBaseUrl = new("https://fcm.googleapis.com");
    public static readonly Uri DefaultTokenUrl = new("https://oauth2.googleapis.com/token");

    /// <summary>Where <c>/v1/projects/{projectId}/messages:send</c> is.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The OAuth2 token endpoint; null: the service account's <c>token_uri</c>, else Google's.</summary>
    public Uri? TokenUrl { get; set; }
}

public sealed class ApnsOptions : ProviderOptions
{
    public static readonly Uri DefaultBaseUrl = new("https://api.push.apple.com");
    public static readonly Uri DefaultSandboxBaseUrl = new("https://api.sandbox.push.apple.com");

    /// <summary>APNs for apps whose credentials say <c>production</c>.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>APNs for apps whose credentials say <c>sandbox</c> (development builds).</summary>
    public Uri SandboxBaseUrl { get; set; } = DefaultSandboxBaseUrl;

    /// <summary>How long one provider token (ES256 JWT) is used before a new one is signed (Apple: 20 to 60 minutes).</summary>
    public TimeSpan TokenRefresh { get; set; } = TimeSpan.FromMinutes(40);

    /// <summary><c>apns-expiration</c> for messages without a <c>Time to live</c>: how long APNs keeps trying.</summary>
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromDays(7);
}

public sealed class WebPushOptions : ProviderOptions
{
    /// <summary>The <c>TTL</c> header for messages without a <c>Time to live</c>.</summary>
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a VAPID token is valid (its <c>exp</c>); a new one is signed at half of it.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>Webhooks: besides the provider's limits, which destinations a webhook may reach
/// (<see cref="Webhooks.WebhookDestinations"/>).</summary>
public sealed class WebhookOptions : ProviderOptions
{
    public WebhookOptions() => Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Lets webhooks reach addresses that are not public (loopback, private, link-local, carrier-grade NAT,
    /// ...). Off by default: webhook URLs are written by dashboard users, and should not reach the server's own network.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Destinations webhooks may reach although they are not public: host names (as written in the URL), IP
    /// addresses and CIDR ranges (<c>10.20.0.0/16</c>, <c>fd00::/8</c>).</summary>
    public IList<string> AllowedDestinations { get; } = new List<string>();
}

/// <summary>Email over SMTP: besides the provider's limits, how the connections to each app's relay are kept and reused
/// (<see cref="Email.SmtpConnectionPool"/>).</summary>
public sealed class SmtpOptions : ProviderOptions
{
    public SmtpOptions() => MaxConcurrency = 8;

    /// <summary>Connections open at once to one relay with one login (per app and credentials); more sends wait for one.</summary>
    public int MaxConnectionsPerRelay { get; set; } = 4;

    /// <summary>How long a connection may wait unused before it is closed.</summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Messages sent over one connection before it is closed and a new one opened (many relays limit it).</summary>
    public int MaxMessagesPerConnection { get; set; } = 100;
}
