using System.Collections.Concurrent;
using System.Text.Json;
using Greengage.Engine.Actions;
using Greengage.Engine.Actions.App;
using Greengage.Engine.Apps;
using Greengage.Engine.Commit;
using Greengage.Engine.Storage;
using Greengage.Protocol.Actions;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;
using Microsoft.Extensions.Time.Testing;

namespace Greengage.Engine.Tests.TestDevices;

/// <summary>
/// <c>registerDevice</c> against an in-memory store: what it stores and answers, what it refuses, and the directory's
/// view that <c>start</c> reads (loaded at start, updated on registration).
/// </summary>
public sealed class RegisterDeviceHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private readonly MemoryTestDevices _store = new();
    private readonly AppDirectory _directory;
    private readonly TestDeviceService _service;
    private readonly RegisterDevice _handler;
    private readonly AppEntry _app;

    public RegisterDeviceHandlerTests()
    {
        _directory = new AppDirectory(new OneApp("app_1"));
        _directory.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        _app = _directory.Find("app_1")!;
        _service = new TestDeviceService(_store, _directory, new FakeTimeProvider(Now));
        _handler = new RegisterDevice(_service, new ProtocolLimits { MaxIdLength = 10 });
    }

    private static ParameterSet Parameters(object values)
    {
        var element = JsonSerializer.SerializeToElement(values);
        return new ParameterSet(element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));
    }

    private async Task<Protocol.Responses.ActionResult> HandleAsync(object values)
    {
        try
        {
            return await _handler.HandleAsync(_app, Parameters(values), CancellationToken.None);
        }
        catch (InvalidParameterException e)
        {
            return Protocol.Responses.ActionResult.Fail(400, e.Message); // as the dispatcher answers it
        }
    }

    [Fact]
    public void RegisterDevice_IsAnAppActionOfTheDevelopmentKey()
    {
        var info = ActionCatalogue.Find(_handler.Name)!;

        Assert.Equal(ActionScope.App, info.Scope);
        Assert.True(info.Allows(KeyClasses.Development));
        Assert.False(info.Allows(KeyClasses.Production));
        Assert.Contains(_handler.Name, AppActionTable.Default.With([_handler]).Names);
    }

    [Fact]
    public async Task HandleAsync_NewDevice_StoresItAtTheClockTimeAndTheDirectoryKnowsIt()
    {
        var result = await HandleAsync(new { deviceId = "d1", email = "dev@example.com" });

        Assert.True(result.Success);
        Assert.True((bool)result.Fields!["registered"]!);
        Assert.Equal(new TestDevice("app_1", "d1", "dev@example.com", Now), Assert.Single(_store.Rows.Values));
        Assert.True(_directory.IsTestDevice("app_1", "d1"));
        Assert.False(_directory.IsTestDevice("app_1", "d2"));
        Assert.False(_directory.IsTestDevice("app_2", "d1"));
    }

    [Fact]
    public async Task HandleAsync_SameDeviceAgain_AnswersRegisteredFalse()
    {
        await HandleAsync(new { deviceId = "d1", email = "dev@example.com" });

        var again = await HandleAsync(new { deviceId = "d1", email = "dev@example.com" });

        Assert.True(again.Success);
        Assert.False((bool)again.Fields!["registered"]!);
        Assert.Single(_store.Rows);
    }

    [Theory]
    [InlineData(null, "dev@example.com")]
    [InlineData("d-too-long-1", "dev@example.com")]
    [InlineData("d1", null)]
    [InlineData("d1", "dev")]
    [InlineData("d1", "dev@example")]
    [InlineData("d1", "dev@exa\u0007mple.com")]
    public async Task HandleAsync_BadDeviceIdOrEmail_Fails400AndStoresNothing(string? deviceId, string? email)
    {
        var result = await HandleAsync(new { deviceId, email });

        Assert.False(result.Success);
        Assert.Equal(400, result.Status);
        Assert.Empty(_store.Rows);
        Assert.False(_directory.IsTestDevice("app_1", deviceId ?? ""));
    }

    [Fact]
    public async Task LoadAsync_DevicesAlreadyStored_TheDirectoryKnowsThem()
    {
        await _store.RegisterTestDeviceAsync("app_1", "stored", "dev@example.com", Now, CancellationToken.None);
        Assert.False(_directory.IsTestDevice("app_1", "stored"));

        await _service.LoadAsync(CancellationToken.None);

        Assert.True(_directory.IsTestDevice("app_1", "stored"));
    }

    [Fact]
    public async Task HandleAsync_StoreFails_ThrowsStorageUnavailableAndTheDirectoryDoesNotKnowTheDevice()
    {
        _store.Failing = true;

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => HandleAsync(new { deviceId = "d1", email = "dev@example.com" }));

        Assert.IsType<IOException>(error.InnerException);
        Assert.False(_directory.IsTestDevice("app_1", "d1"));
    }

    private sealed class MemoryTestDevices : ITestDeviceStore
    {
        public ConcurrentDictionary<(string, string), TestDevice> Rows { get; } = new();

        public bool Failing { get; set; }

        public Task<bool> RegisterTestDeviceAsync(string appId, string deviceId, string email, DateTimeOffset registeredAt, CancellationToken cancellationToken) =>
            Failing
                ? Task.FromException<bool>(new IOException("disk I/O error"))
                : Task.FromResult(Rows.TryAdd((appId, deviceId), new TestDevice(appId, deviceId, email, registeredAt)));

        public Task<IReadOnlyList<TestDevice>> ListTestDevicesAsync(string appId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TestDevice>>(Rows.Values.Where(d => d.AppId == appId).OrderBy(d => d.DeviceId, StringComparer.Ordinal).ToList());
    }

    private sealed class OneApp(string appId) : IAppStore
    {
        private readonly StoredApp _app = new(appId, "App", Now, "secret", KeyClassNames.All.ToDictionary(k => k.Name, k => k.Prefix + appId));

        public Task<IReadOnlyList<StoredApp>> ListAppsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredApp>>([_app]);

        public Task<StoredApp?> GetAppAsync(string appId, CancellationToken cancellationToken) => Task.FromResult<StoredApp?>(_app);

        public Task CreateAppAsync(StoredApp app, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StoredApp?> ReplaceKeyAsync(string appId, string keyClass, string newKey, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
