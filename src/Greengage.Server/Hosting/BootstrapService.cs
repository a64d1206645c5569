using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;
using Microsoft.Extensions.Options;

namespace Greengage.Server.Hosting;

/// <summary>
/// Start-up work before traffic: applies migrations, loads apps, their test devices and their content, makes the admin token and (on a
/// first start) the demo app, and prints what a newcomer needs. Registered before the silo so it runs first.
/// </summary>
public sealed partial class BootstrapService(
    IStorageLifecycle storage,
    AppDirectory directory,
    AppService apps,
    TestDeviceService testDevices,
    ContentDirectory content,
    AdminTokenHolder adminToken,
    IOptions<GreengageOptions> options,
    ILogger<BootstrapService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        Directory.CreateDirectory(o.DataDirectory);
        await storage.MigrateAsync(cancellationToken);
        await directory.LoadAsync(cancellationToken);
        await testDevices.LoadAsync(cancellationToken);
        await content.LoadAsync((await apps.ListAsync(cancellationToken)).Select(a => a.AppId), cancellationToken);

        var (token, generated) = AdminTokenHolder.LoadOrCreate(o);
        adminToken.Token = token;
        if (generated)
            Announce($"Admin token (kept in {Path.Combine(o.DataDirectory, AdminTokenHolder.FileName)}): {token}");

        if (o.CreateDemoApp && (await apps.ListAsync(cancellationToken)).Count == 0)
        {
            var demo = await apps.CreateAsync("Demo", cancellationToken);
            Announce($"Demo app created. appId: {demo.AppId}");
            foreach (var (cls, key) in demo.Keys)
                Announce($"  {cls} key: {key}");
        }
        LogStarted(logger, Path.GetFullPath(o.DataDirectory));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Written to standard output directly, never through logging, so key redaction does not hide it.</summary>
    private static void Announce(string line) => Console.Out.WriteLine(line);

    [LoggerMessage(Level = LogLevel.Information, Message = "Greengage store ready in {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, string dataDirectory);
}
