using Greengage.Engine.Apps;
using Greengage.Engine.Storage;

namespace Greengage.Server.Admin;

public sealed record CreateAppRequest(string? Name);

public sealed record AppKeys(string Production, string Development, string DataExport, string ContentReadOnly);

/// <summary>An app as the admin API shows it (CONTRACTS.md), with the URL to point SDKs at.</summary>
public sealed record AppResponse(string AppId, string Name, DateTimeOffset Created, AppKeys Keys, string ApiUrl)
{
    public static AppResponse From(StoredApp app, string apiUrl) => new(
        app.AppId,
        app.Name,
        app.Created,
        new AppKeys(
            app.Keys[KeyClassNames.Production],
            app.Keys[KeyClassNames.Development],
            app.Keys[KeyClassNames.DataExport],
            app.Keys[KeyClassNames.ContentReadOnly]),
        apiUrl);
}

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
