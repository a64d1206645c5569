namespace Greengage.Engine.Commit;

/// <summary>Options of the group-commit writer (configuration section <c>Greengage:Commit</c>).</summary>
public sealed class CommitOptions
{
    /// <summary>Write sets waiting to commit before new writes are refused with 503 + Retry-After.</summary>
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>Most write sets committed in one transaction.</summary>
    public int MaxBatch { get; set; } = 2_000;

    /// <summary>Seconds a client is asked to wait when the queue is full.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
