using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Serialization;

namespace Greengage.Cluster.Hosting;

/// <summary>Configures the Orleans silo that hosts the user grains inside the server process.</summary>
public static class SiloSetup
{
    /// <summary>Embedded mode: one silo, localhost clustering on free (or configured) ports.</summary>
    public static void ConfigureEmbedded(ISiloBuilder silo, GreengageClusterOptions options)
    {
        silo.UseLocalhostClustering(
            siloPort: options.SiloPort == 0 ? FreePort() : options.SiloPort,
            gatewayPort: options.GatewayPort == 0 ? FreePort() : options.GatewayPort);
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = options.UserIdleTimeout);
        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = options.DirectoryCacheSize);
        // Calls stay in this process and are not copied (Immutable<T>), but Orleans still wants codecs for the types
        // it may serialise (for example when the host runs in Development): JSON for Greengage's own types.
        silo.Services.AddSerializer(s => s.AddJsonSerializer(
            isSupported: t => t.Namespace?.StartsWith("Greengage.", StringComparison.Ordinal) == true));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
