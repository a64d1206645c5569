using Greengage.Protocol.Actions;

namespace Greengage.Engine.Apps;

/// <summary>The persisted and admin-API names of key classes (frozen: stored in the database).</summary>
public static class KeyClassNames
{
    public const string Production = "production";
    public const string Development = "development";
    public const string DataExport = "dataExport";
    public const string ContentReadOnly = "contentReadOnly";

    public static readonly IReadOnlyList<(string Name, KeyClasses Class, string Prefix)> All =
    [
        (Production, KeyClasses.Production, "prod_"),
        (Development, KeyClasses.Development, "dev_"),
        (DataExport, KeyClasses.DataExport, "exp_"),
        (ContentReadOnly, KeyClasses.ContentReadOnly, "cro_"),
    ];

    public static KeyClasses? Parse(string name) =>
        All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.Ordinal)) is { Name: not null } k ? k.Class : null;

    public static string Prefix(string name) => All.First(k => string.Equals(k.Name, name, StringComparison.Ordinal)).Prefix;
}
