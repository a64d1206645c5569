using System.IO.Compression;
using System.Net;
using Greengage.Cluster.Grains;
using Greengage.Cluster.Hosting;
using Greengage.Delivery;
using Greengage.Delivery.Email;
using Greengage.Engine.Actions;
using Greengage.Engine.Actions.App;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Jobs;
using Greengage.Engine.Commit;
using Greengage.Engine.Actions.User;
using Greengage.Engine.Storage;
using Greengage.Engine.Tracking;
using Greengage.Engine.Users;
using Greengage.Server.Admin;
using Greengage.Server.Unsubscribe;
using Greengage.Server.Api;
using Greengage.Server.Files;
using Greengage.Server.Logging;
using Greengage.Storage.Sqlite;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;

namespace Greengage.Server.Hosting;

/// <summary>Wires the server: one place for services, middleware and endpoints.</summary>
public static class GreengageHost
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationBuilder AddGreengage(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GreengageOptions.Section).Get<GreengageOptions>() ?? new GreengageOptions();
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
            throw new OptionsValidationException(GreengageOptions.Section, typeof(GreengageOptions), problems);

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.Limits.MaxBodyBytes;
            k.AddServerHeader = false;
        });

        builder.Logging.AddConsole(c => c.FormatterName = RedactingConsoleFormatter.Name)
            .AddConsoleFormatter<RedactingConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();

        var services = builder.Services;
        services.Configure<GreengageOptions>(builder.Configuration.GetSection(GreengageOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(options.Limits);
        services.AddSingleton(options.Commit);
        services.AddSingleton(options.Snapshots);
        services.AddSingleton(options.Sessions);
        services.AddSingleton(options.Profile);
        services.AddSingleton(options.Files);
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f =>
        {
            f.ValueLengthLimit = (int)Math.Min(int.MaxValue, options.Limits.MaxBodyBytes);
            // A multipart body may carry files (uploadFile) beyond the body limit; its text fields may not (ApiRequestReader).
            f.MultipartBodyLengthLimit = ApiRequestReader.MultipartLimit(options.Limits, options.Files.MaxUploadBytes);
            f.BufferBodyLengthLimit = Math.Max(f.BufferBodyLengthLimit, f.MultipartBodyLengthLimit);
        });

        // Storage: the embedded SQLite store implements every contract.
        services.AddSingleton(sp => new SqliteStore(new SqliteStorageOptions
        {
            DataDirectory = options.DataDirectory,
            ConnectionString = options.Storage.ConnectionString,
            Durability = Enum.Parse<SqliteDurability>(options.Storage.Durability, ignoreCase: true),
            IndexLagRows = options.Storage.IndexLagRows,
            IndexMergeShare = options.Storage.IndexMergeShare,
        }, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IStorageLifecycle>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IAppStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IAppNameStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IActivityLogReader>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<ITestDeviceStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IContentStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IScheduleRunStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IFileBlobStore>(new DiskFileBlobStore(Path.Combine(options.DataDirectory, "files")));

        // Engine.
        services.AddSingleton<GroupCommitWriter>();
        services.AddSingleton<AppDirectory>();
        services.AddSingleton<AppService>();
        services.AddSingleton<TestDeviceService>();
        services.AddSingleton<ContentDirectory>();
        services.AddSingleton<VariablesService>();
        services.AddSingleton<AudienceService>();
        services.AddSingleton<AbTestService>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<AndroidChannelService>();
        services.AddSingleton<FilesService>();
        services.AddSingleton(sp => UserActionTable.Default
            .With(TrackingActions.Create(options.Tracking, sp.GetRequiredService<ContentDirectory>(), options.Messages))
            .With([new SetUserAttributes(options.Profile, sp.GetRequiredService<ContentDirectory>(), options.Messages), new SetDeviceAttributes(options.Profile)])
            .With([new Start(sp.GetRequiredService<ContentDirectory>()), new GetVars(sp.GetRequiredService<ContentDirectory>()), new BackfillParams(), new Greengage.Engine.Actions.User.DeliveryOutcome()])
            .With([new SendMessage(sp.GetRequiredService<ContentDirectory>(), options.Messages), new StartCampaign(sp.GetRequiredService<ContentDirectory>(), options.Messages)])
            .With([new ScheduledSend(sp.GetRequiredService<ContentDirectory>(), options.Messages)])
            .Watched(new AudienceEntrySends(sp.GetRequiredService<ContentDirectory>(), options.Messages)));
        services.AddSingleton(sp => AppActionTable.Default
            .With([
                new RegisterDevice(sp.GetRequiredService<TestDeviceService>(), options.Limits),
                new SetVars(sp.GetRequiredService<VariablesService>(), options.Limits),
                new DeleteVars(sp.GetRequiredService<VariablesService>(), options.Limits),
                new GetAbTests(sp.GetRequiredService<ContentDirectory>(), sp.GetRequiredService<TimeProvider>()),
                new GetAbTest(sp.GetRequiredService<ContentDirectory>()),
                new GetVariant(sp.GetRequiredService<ContentDirectory>()),
                new GetMessages(sp.GetRequiredService<ContentDirectory>(), sp.GetRequiredService<TimeProvider>()),
                new GetMessage(sp.GetRequiredService<ContentDirectory>()),
                new GetUnsubscribeCategories(sp.GetRequiredService<ContentDirectory>()),
                new UploadFile(sp.GetRequiredService<FilesService>(), options.Files),
                new DownloadFile(sp.GetRequiredService<ContentDirectory>()),
                new AddAndroidNotificationChannel(sp.GetRequiredService<AndroidChannelService>()),
                new GetAndroidNotificationChannels(sp.GetRequiredService<ContentDirectory>()),
                new DeleteAndroidNotificationChannel(sp.GetRequiredService<AndroidChannelService>()),
            ]));
        services.AddSingleton<UserProcessorFactory>();
        services.AddSingleton<OrleansUserGateway>();
        services.AddSingleton<UserResidency>();
        services.AddSingleton(options.Cluster);
        services.AddSingleton<ServerWorkGateway>();
        services.AddSingleton<IUserGateway>(sp => sp.GetRequiredService<ServerWorkGateway>());
        services.AddSingleton<IAppNameRegistry, OrleansAppNameRegistry>();
        services.AddSingleton<ApiDispatcher>();
        services.AddSingleton<SessionSweeper>();
        services.AddSingleton<JobRegistry>();
        services.AddSingleton<AudienceCounter>();
        services.AddSingleton<MessageStats>();
        services.AddSingleton(sp => new ParamBackfill(sp.GetRequiredService<ContentDirectory>(), sp.GetRequiredService<IUserStore>(),
            sp.GetRequiredService<IActivityLogReader>(), sp.GetRequiredService<IUserGateway>(), sp.GetRequiredService<JobRegistry>(),
            sp.GetRequiredService<TimeProvider>()) { Delay = options.Content.BackfillDelay });

        // Delivery providers (issue 6); the unsubscribe links are signed with a key kept in the data directory.
        services.AddGreengageDelivery(options.Delivery, _ => new UnsubscribeLinks(options.PublicBaseUrl,
            UnsubscribeLinks.LoadOrCreateKey(Path.Combine(options.DataDirectory, "unsubscribe.key"))));

        // Host.
        services.AddSingleton<ReadinessState>();
        services.AddSingleton<AdminTokenHolder>();
        services.AddSingleton<PublicUrls>();
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddRequestDecompression();
        services.AddResponseCompression(r =>
        {
            r.EnableForHttps = true;
            r.Providers.Add<GzipCompressionProvider>();
            r.MimeTypes = ["application/json"];
        });
        services.Configure<GzipCompressionProviderOptions>(g => g.Level = CompressionLevel.Fastest);
        services.Configure<ForwardedHeadersOptions>(f =>
        {
            f.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            foreach (var proxy in options.ForwardedHeaders.KnownProxies)
                f.KnownProxies.Add(IPAddress.Parse(proxy));
        });

        // Order matters: hosted services start in this order and stop in reverse. The writer stops last, after the
        // silo has deactivated its grains (their final snapshots go through it); bootstrap runs before the silo.
        services.AddHostedService<CommitWriterService>();
        services.AddHostedService<BootstrapService>();
        builder.UseOrleans(silo => SiloSetup.ConfigureEmbedded(silo, options.Cluster));
        services.AddHostedService<SessionSweepService>();
        services.AddHostedService<JobsService>();
        services.AddHostedService<OutboxService>();
        services.AddHostedService<ScheduleService>();
        return builder;
    }

    public static WebApplication UseGreengage(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<GreengageOptions>>().Value;
        if (options.ForwardedHeaders.Enabled)
            app.UseForwardedHeaders();
        app.UseCorsForApi();
        app.UseResponseCompression();
        app.UseRequestDecompression();

        var readiness = app.Services.GetRequiredService<ReadinessState>();
        app.Lifetime.ApplicationStarted.Register(readiness.MarkReady);
        app.MapGet("/healthz", (ReadinessState ready) => ready.IsReady
                ? Results.Text("ok")
                : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable))
            .ExcludeFromDescription();

        app.MapLeanplumApi();
        app.MapFiles();
        app.MapUnsubscribe();
        app.MapGroup("/admin/v1").AddEndpointFilter<AdminAuth>().MapAppsApi().MapTestDevicesApi().MapVariablesApi().MapAudiencesApi().MapAbTestsApi().MapMessagesApi().MapDeliveriesApi().MapJobsApi().MapDeliveryApi();
        app.MapOpenApi();
        return app;
    }
}
