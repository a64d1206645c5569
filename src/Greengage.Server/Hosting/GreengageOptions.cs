using Greengage.Delivery;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Cluster.Hosting;
using Greengage.Engine.Commit;
using Greengage.Engine.Tracking;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;

namespace Greengage.Server.Hosting;

/// <summary>The server's settings: configuration section <c>Greengage</c> (CONTRACTS.md).</summary>
public sealed class GreengageOptions
{
    public const string Section = "Greengage";

    /// <summary>The SQLite database, uploaded files and export results.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Bearer token for <c>/admin/v1</c>; generated and kept in the data directory when unset.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Create and print a demo app on the first start with an empty data directory.</summary>
    public bool CreateDemoApp { get; set; } = true;

    /// <summary>The public URL the server is reached at (behind a proxy, or with TLS), for the URLs it hands out.</summary>
    public Uri? PublicBaseUrl { get; set; }

    public StorageOptions Storage { get; set; } = new();

    public ProtocolLimits Limits { get; set; } = new();

    /// <summary>Uploaded files: how many and how large per <c>uploadFile</c> call.</summary>
    public FileLimits Files { get; set; } = new();

    public CommitOptions Commit { get; set; } = new();

    public SnapshotPolicy Snapshots { get; set; } = new();

    public SessionTimeouts Sessions { get; set; } = new();

    public TrackingOptions Tracking { get; set; } = new();

    public ProfileOptions Profile { get; set; } = new();

    public GreengageClusterOptions Cluster { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    public ContentOptions Content { get; set; } = new();

    /// <summary>Messaging: the inbox's size per user.</summary>
    public MessagesOptions Messages { get; set; } = new();
    /// <summary>Push, webhook and email providers: endpoints, concurrency, timeouts (<c>Greengage:Delivery</c>).</summary>
    public DeliveryOptions Delivery { get; set; } = new();

    /// <summary>Checks the settings at start and names the first one that is wrong.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            yield return "Greengage:DataDirectory must be set.";
        if (!string.Equals(Storage.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
            yield return $"Greengage:Storage:Provider '{Storage.Provider}' is not available yet; use 'Sqlite'.";
        if (Limits.MaxItemsPerRequest < 1)
            yield return "Greengage:Limits:MaxItemsPerRequest must be at least 1.";
        if (Limits.MaxBodyBytes < 1024)
            yield return "Greengage:Limits:MaxBodyBytes must be at least 1024.";
        foreach (var (name, value) in new[]
                 {
                     ("MaxEventNamesPerApp", Limits.MaxEventNamesPerApp), ("MaxStateNamesPerApp", Limits.MaxStateNamesPerApp),
                     ("MaxAttributeNamesPerApp", Limits.MaxAttributeNamesPerApp), ("MaxParameterNamesPerApp", Limits.MaxParameterNamesPerApp),
                 })
        {
            if (value < 1)
                yield return $"Greengage:Limits:{name} must be at least 1.";
        }
        foreach (var problem in Files.Validate())
            yield return problem;
        if (Commit.QueueCapacity < 1 || Commit.MaxBatch < 1)
            yield return "Greengage:Commit:QueueCapacity and MaxBatch must be at least 1.";
        if (PublicBaseUrl is { IsAbsoluteUri: false })
            yield return "Greengage:PublicBaseUrl must be an absolute URL.";
        if (Sessions.Timeout <= TimeSpan.Zero || Sessions.PausedTimeout <= TimeSpan.Zero || Sessions.SweepInterval <= TimeSpan.Zero)
            yield return "Greengage:Sessions:Timeout, PausedTimeout and SweepInterval must be positive.";
        foreach (var problem in Tracking.Validate())
            yield return problem;
        if (Profile.MaxDevicesPerUser < 1)
            yield return "Greengage:Profile:MaxDevicesPerUser must be at least 1.";
        if (Content.BackfillDelay < TimeSpan.Zero)
            yield return "Greengage:Content:BackfillDelay must not be negative.";
        foreach (var problem in Messages.Validate())
            yield return problem;
        foreach (var problem in Delivery.Validate())
            yield return problem;
        if (AdminToken is { Length: < 16 })
            yield return "Greengage:AdminToken must be at least 16 characters long.";
        if (Storage.IndexLagRows is < 1 or > 16_777_216)
            yield return "Greengage:Storage:IndexLagRows must be between 1 and 16777216.";
        if (Storage.IndexMergeShare is not (>= 0.01 and <= 1))
            yield return "Greengage:Storage:IndexMergeShare must be between 0.01 and 1.";
    }
}

public sealed class StorageOptions
{
    /// <summary><c>Sqlite</c> (default) or <c>Postgres</c> (with the cluster issue).</summary>
    public string Provider { get; set; } = "Sqlite";

    public string? ConnectionString { get; set; }

    /// <summary><c>Normal</c> survives a process crash; <c>Full</c> also a power loss.</summary>
    public string Durability { get; set; } = "Normal";

    /// <summary>
    /// Log rows that may wait in memory for the per-user index before the writer merges them into it (SQLite): more
    /// make each index page written carry more rows, and are read back from the log after a restart.
    /// </summary>
    public int IndexLagRows { get; set; } = 524_288;

    /// <summary>The share of the writer's time the merge of those rows may take while commits wait (SQLite).</summary>
    public double IndexMergeShare { get; set; } = 0.2;
}

public sealed class ForwardedHeadersSettings
{
    /// <summary>Honour X-Forwarded-For/Proto/Host from a proxy.</summary>
    public bool Enabled { get; set; }

    /// <summary>Proxy addresses to trust; empty trusts loopback only.</summary>
    public string[] KnownProxies { get; set; } = [];
}
