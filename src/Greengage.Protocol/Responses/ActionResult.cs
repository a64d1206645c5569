using System.Text.Json.Nodes;

namespace Greengage.Protocol.Responses;

/// <summary>
/// The answer to one action: one element of the <c>response</c> array (spec section 3). <see cref="Status"/> is the
/// HTTP status the action would answer on its own; a <c>multi</c> of several items answers 200 whatever they say.
/// </summary>
public sealed class ActionResult
{
    private ActionResult(bool success, int status)
    {
        Success = success;
        Status = status;
    }

    public bool Success { get; }

    public int Status { get; }

    /// <summary>Action fields written after <c>success</c>, in insertion order.</summary>
    public JsonObject? Fields { get; private set; }

    public string? Warning { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Set for <c>requireActive</c> events with no open session (beside <c>warning</c>).</summary>
    public bool Ignored { get; private set; }

    public static ActionResult Ok(JsonObject? fields = null) => new(true, 200) { Fields = fields };

    public static ActionResult Fail(int status, string message) => new(false, status) { Error = message };

    /// <summary>Received, but skipped or changed: success with a warning (HTTP 200).</summary>
    public static ActionResult Warn(string message, JsonObject? fields = null, bool ignored = false) =>
        new(true, 200) { Warning = message, Fields = fields, Ignored = ignored };

    /// <summary>The same result with another field set.</summary>
    public ActionResult With(string name, JsonNode? value)
    {
        Fields ??= [];
        Fields[name] = value;
        return this;
    }
}
