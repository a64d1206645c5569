using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Infrastructure;

/// <summary>
/// The real server in-process (WebApplicationFactory) on a fresh SQLite data directory, with one app whose keys the
/// tests use. Share it per test class with <c>IClassFixture</c>; each test uses its own user ids.
/// </summary>
public class GreengageFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token-0123456789";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "greengage-tests", Guid.NewGuid().ToString("N"));
    private StoredApp? _app;

    /// <summary>Extra configuration for a subclass or a test (for example, small limits).</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    public string DataDirectory => _dataDirectory;

    /// <summary>The test app, created on first use.</summary>
    public StoredApp App => _app ??= Services.GetRequiredService<AppService>()
        .CreateAsync("Test app", CancellationToken.None).GetAwaiter().GetResult();

    public string AppId => App.AppId;
    public string ProductionKey => App.Keys[KeyClassNames.Production];
    public string DevelopmentKey => App.Keys[KeyClassNames.Development];
    public string DataExportKey => App.Keys[KeyClassNames.DataExport];
    public string ContentReadOnlyKey => App.Keys[KeyClassNames.ContentReadOnly];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Greengage:DataDirectory", _dataDirectory);
        builder.UseSetting("Greengage:AdminToken", AdminToken);
        builder.UseSetting("Greengage:CreateDemoApp", "false");
        // The tests' webhook receivers are on loopback, which webhooks may not reach by default (a test of that default
        // sets it back to false).
        builder.UseSetting("Greengage:Delivery:Webhook:AllowPrivateNetworks", "true");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
