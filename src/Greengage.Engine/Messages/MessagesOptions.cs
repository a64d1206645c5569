namespace Greengage.Engine.Messages;

/// <summary>Messaging settings of the server (configuration section <c>Greengage:Messages</c>).</summary>
public sealed class MessagesOptions
{
    /// <summary>The most items one user's inbox holds (default 100): a new item past it removes the oldest first.</summary>
    public int InboxMaxItems { get; set; } = 100;

    public IEnumerable<string> Validate()
    {
        if (InboxMaxItems < 1)
            yield return "Greengage:Messages:InboxMaxItems must be at least 1.";
    }
}
