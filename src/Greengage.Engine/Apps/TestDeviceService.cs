using Greengage.Engine.Commit;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Apps;

/// <summary>
/// Registers and lists the test devices of apps (<c>registerDevice</c>); keeps the <see cref="AppDirectory"/>'s view
/// of them current, so <c>start</c> answers <c>isRegistered</c> from memory.
/// </summary>
public sealed class TestDeviceService(ITestDeviceStore store, AppDirectory directory, TimeProvider time)
{
    private const int RetryAfterSeconds = 1;

    /// <summary>Loads the test devices of every app in the directory (at start, after the apps).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var appId in directory.AppIds.ToList())
        {
            foreach (var device in await store.ListTestDevicesAsync(appId, cancellationToken))
                directory.PutTestDevice(device.AppId, device.DeviceId);
        }
    }

    /// <summary>
    /// Registers <paramref name="deviceId"/> as a test device of the app, durably before it shows in the directory.
    /// True when it is new; false when it already was (its first registration stays). A store failure throws
    /// <see cref="StorageUnavailableException"/> (the server answers 503, SDKs retry) and leaves the directory as it was.
    /// </summary>
    public async Task<bool> RegisterAsync(string appId, string deviceId, string email, CancellationToken cancellationToken)
    {
        bool registered;
        try
        {
            registered = await store.RegisterTestDeviceAsync(appId, deviceId, email, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new StorageUnavailableException("The store could not record the test device.", RetryAfterSeconds, e);
        }
        directory.PutTestDevice(appId, deviceId);
        return registered;
    }

    /// <summary>The app's test devices, ordered by device id.</summary>
    public Task<IReadOnlyList<TestDevice>> ListAsync(string appId, CancellationToken cancellationToken) =>
        store.ListTestDevicesAsync(appId, cancellationToken);
}
