namespace Greengage.Protocol.Responses;

/// <summary>
/// Error texts that SDKs match on (spec section 0 item 8): Android, iOS and Unity stop calling the server for the
/// life of the process when they see one of the first three. Use them only when they are meant.
/// </summary>
public static class KnownErrors
{
    public const string AppNotFound = "App not found";
    public const string InvalidAccessKey = "Invalid access key";
    public const string DevModeNotPermitted = "Development mode requested but not permitted.";
    public const string UserNotFound = "User not found; request skipped.";

    public static string UnknownAction(string action) => $"Unknown action: '{action}'.";

    public const string MissingAction = "'action' must be provided";
}
