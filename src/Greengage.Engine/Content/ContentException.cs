namespace Greengage.Engine.Content;

/// <summary>A content change refused: the status (400 invalid, 404 missing, 409 conflicting), a title and why.</summary>
public sealed class ContentException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public static ContentException Invalid(string detail) => new(400, "Invalid content", detail);

    public static ContentException NotFound(string what, long id) => new(404, $"{what} not found", $"No {what.ToLowerInvariant()} has the id {id}.");

    public static ContentException Conflict(string detail) => new(409, "Conflict", detail);
}
