namespace Greengage.Cluster.Grains;

/// <summary>The grain key of a user: <c>{appId}/{userId}</c> (app ids never hold a slash).</summary>
public static class UserGrainKey
{
    public static string Of(string appId, string userId) => string.Concat(appId, "/", userId);

    public static (string AppId, string UserId) Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }
}
