using System.Collections.Frozen;

namespace Greengage.Protocol.Actions;

/// <summary>
/// Every action of the Leanplum API (spec sections 2 and 4) with the key classes it accepts and its default
/// create disposition. Actions that the key table does not list accept production and development keys
/// (ARCHITECTURE, "Decisions where the spec only guesses").
/// </summary>
public static class ActionCatalogue
{
    private const KeyClasses Prod = KeyClasses.Production;
    private const KeyClasses Dev = KeyClasses.Development;
    private const KeyClasses Export = KeyClasses.DataExport;
    private const KeyClasses Content = KeyClasses.ContentReadOnly;

    private static readonly ActionInfo[] All =
    [
        // 4.1 sessions, states, events
        new("start", Prod, CreateDisposition.CreateIfNeeded, ActionScope.User),
        new("stop", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("pauseSession", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("resumeSession", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("heartbeat", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("track", Prod, CreateDisposition.CreateIfNeeded, ActionScope.User),
        new("trackGeofence", Prod, CreateDisposition.CreateIfNeeded, ActionScope.User),
        new("advance", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("pauseState", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("resumeState", Prod, CreateDisposition.CreateNever, ActionScope.User),
        // 4.2 users and devices
        new("setUserAttributes", Prod, CreateDisposition.CreateIfNeeded, ActionScope.User),
        new("setDeviceAttributes", Prod, CreateDisposition.CreateIfNeeded, ActionScope.User),
        new("setTrafficSourceInfo", Prod, CreateDisposition.CreateIfNeeded, ActionScope.User),
        new("registerDevice", Dev, CreateDisposition.NotApplicable, ActionScope.App),
        new("deleteUser", Dev, CreateDisposition.CreateNever, ActionScope.User),
        new("block", Dev, CreateDisposition.CreateNever, ActionScope.User),
        new("unblock", Dev, CreateDisposition.CreateNever, ActionScope.User),
        // 4.3 variables, files, content
        new("getVars", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("setVars", Dev, CreateDisposition.NotApplicable, ActionScope.App),
        new("deleteVars", Dev, CreateDisposition.NotApplicable, ActionScope.App),
        new("uploadFile", Dev, CreateDisposition.NotApplicable, ActionScope.App),
        new("downloadFile", Prod, CreateDisposition.NotApplicable, ActionScope.App),
        // 4.4 messaging
        new("sendMessage", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("startCampaign", Dev, CreateDisposition.CreateNever, ActionScope.User),
        new("getMessage", Content, CreateDisposition.NotApplicable, ActionScope.App),
        new("getMessages", Content, CreateDisposition.NotApplicable, ActionScope.App),
        new("getUnsubscribeCategories", Content, CreateDisposition.NotApplicable, ActionScope.App),
        new("addAndroidNotificationChannel", Dev, CreateDisposition.NotApplicable, ActionScope.App),
        new("getAndroidNotificationChannels", Prod, CreateDisposition.NotApplicable, ActionScope.App),
        new("deleteAndroidNotificationChannel", Dev, CreateDisposition.NotApplicable, ActionScope.App),
        new("getNewsfeedMessages", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("markNewsfeedMessageAsRead", Prod, CreateDisposition.CreateNever, ActionScope.User),
        new("deleteNewsfeedMessage", Prod, CreateDisposition.CreateNever, ActionScope.User),
        // 4.5 A/B tests
        new("getAbTests", Content, CreateDisposition.NotApplicable, ActionScope.App),
        new("getAbTest", Content, CreateDisposition.NotApplicable, ActionScope.App),
        new("getVariant", Content, CreateDisposition.NotApplicable, ActionScope.App),
        // 4.6 data export and postbacks
        new("exportUser", Export, CreateDisposition.CreateNever, ActionScope.User),
        new("exportUsers", Export, CreateDisposition.NotApplicable, ActionScope.App),
        new("exportData", Export, CreateDisposition.NotApplicable, ActionScope.App),
        new("exportReport", Export, CreateDisposition.NotApplicable, ActionScope.App),
        new("getExportResults", Export, CreateDisposition.NotApplicable, ActionScope.App),
        new("addPostback", Export, CreateDisposition.NotApplicable, ActionScope.App),
        new("listPostbacks", Export, CreateDisposition.NotApplicable, ActionScope.App),
        new("deletePostback", Export, CreateDisposition.NotApplicable, ActionScope.App),
        // 4.7 bulk import
        new("getMultiResults", Dev, CreateDisposition.NotApplicable, ActionScope.App),
        // 4.8 SDK-internal and migration
        new("log", Prod, CreateDisposition.NotApplicable, ActionScope.App),
        new("getMigrateState", Prod, CreateDisposition.NotApplicable, ActionScope.App),
        new("restart", Prod, CreateDisposition.NotApplicable, ActionScope.App),
        new("saveInterface", Prod, CreateDisposition.NotApplicable, ActionScope.App),
        new("saveInterfaceImage", Prod, CreateDisposition.NotApplicable, ActionScope.App),
        new("getViewControllerVersionsList", Prod, CreateDisposition.NotApplicable, ActionScope.App),
    ];

    private static readonly FrozenDictionary<string, ActionInfo> ByName =
        All.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>Every catalogued action.</summary>
    public static IReadOnlyList<ActionInfo> Actions => All;

    /// <summary>Finds an action by its exact wire name.</summary>
    public static ActionInfo? Find(string name) => ByName.GetValueOrDefault(name);
}
