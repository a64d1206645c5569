namespace Greengage.Cluster.Hosting;

/// <summary>Silo settings (configuration section <c>Greengage:Cluster</c>).</summary>
public sealed class GreengageClusterOptions
{
    /// <summary>Silo-to-silo port; 0 picks a free port (embedded mode).</summary>
    public int SiloPort { get; set; }

    /// <summary>Client gateway port; 0 picks a free port (embedded mode).</summary>
    public int GatewayPort { get; set; }

    /// <summary>How long an idle user stays in memory.</summary>
    public TimeSpan UserIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Grain locations remembered (Orleans' directory cache, 1,000,000 by default): bounded lower so that work over a
    /// whole population (a campaign to every user) does not keep an entry per user it touched.
    /// </summary>
    public int DirectoryCacheSize { get; set; } = 100_000;

    /// <summary>
    /// The server's own work (scheduled sends, delivery outcomes, sweeps) on a user with no activation is applied in
    /// place under a local lease instead of activating the user's grain (<c>Grains.ServerWorkGateway</c>). Off: every
    /// run goes through a grain.
    /// </summary>
    public bool ServerWorkInPlace { get; set; } = true;
}
