namespace Greengage.Engine.Content;

/// <summary>Content settings (<c>Greengage:Content</c>).</summary>
public sealed class ContentOptions
{
    /// <summary>How long after an audience naming new event-parameter tuples is published the backfill starts (default 5 s).</summary>
    public TimeSpan BackfillDelay { get; set; } = TimeSpan.FromSeconds(5);
}
