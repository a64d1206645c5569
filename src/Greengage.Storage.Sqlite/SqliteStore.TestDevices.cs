using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore : ITestDeviceStore
{
    /// <summary>
    /// Inserts the device unless the app already has it (<c>ON CONFLICT DO NOTHING</c>: the first registration stays).
    /// Throws <see cref="InvalidOperationException"/> when the app does not exist (the foreign key to <c>apps</c>).
    /// </summary>
    public Task<bool> RegisterTestDeviceAsync(
        string appId, string deviceId, string email, DateTimeOffset registeredAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(deviceId);
        ArgumentNullException.ThrowIfNull(email);
        return WriteAsync(transaction =>
        {
            using var insert = Command(transaction, """
                INSERT INTO test_devices (app_id, device_id, email, registered_ms) VALUES (@app, @device, @email, @registered)
                ON CONFLICT (app_id, device_id) DO NOTHING;
                """);
            insert.Parameters.AddWithValue("@app", appId);
            insert.Parameters.AddWithValue("@device", deviceId);
            insert.Parameters.AddWithValue("@email", email);
            insert.Parameters.AddWithValue("@registered", registeredAt.ToUnixTimeMilliseconds());
            try
            {
                return insert.ExecuteNonQuery() == 1;
            }
            catch (SqliteException ex) when (IsConstraintViolation(ex))
            {
                throw new InvalidOperationException($"App '{appId}' does not exist.", ex);
            }
        }, cancellationToken);
    }

    public Task<IReadOnlyList<TestDevice>> ListTestDevicesAsync(string appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        return ReadAsync<IReadOnlyList<TestDevice>>(transaction =>
        {
            using var command = Command(transaction, """
                SELECT device_id, email, registered_ms FROM test_devices WHERE app_id = @app ORDER BY device_id;
                """);
            command.Parameters.AddWithValue("@app", appId);
            using var reader = command.ExecuteReader();
            var devices = new List<TestDevice>();
            while (reader.Read())
            {
                devices.Add(new TestDevice(appId, reader.GetString(0), reader.GetString(1),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
            }

            return devices;
        }, cancellationToken);
    }
}
