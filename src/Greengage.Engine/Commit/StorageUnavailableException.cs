namespace Greengage.Engine.Commit;

/// <summary>Writes cannot be accepted now (queue full, store failing, shutting down); the client should retry.</summary>
public sealed class StorageUnavailableException(string message, int retryAfterSeconds, Exception? inner = null)
    : Exception(message, inner)
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
