using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Actions;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions;

/// <summary>
/// Serves a parsed <c>/api</c> request: checks the envelope's app and key, then each item's action, key class and
/// devMode; sends runs of consecutive items for the same user to that user's grain (one call per run, runs of one
/// user in order, different users at once) and app actions to their handlers. Returns one result per item, in order.
/// </summary>
public sealed partial class ApiDispatcher(
    AppDirectory apps,
    IUserGateway users,
    IUserStore store,
    AppActionTable appActions,
    ProtocolLimits limits,
    TimeProvider time,
    IAppNameRegistry names,
    Content.ContentDirectory? content = null)
{
    public async Task<ActionResult[]> DispatchAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        CheckEnvelope(request.Envelope);
        var results = new ActionResult[request.Items.Count];

        var arrival = time.GetUtcNow();
        var envelopeTime = request.IsMulti ? request.Envelope.Double(WireNames.Time) : null;
        var runs = new List<UserBatch>();
        var work = new List<Task>();
        UserBatch? current = null;
        List<UserBatchItem>? currentItems = null;

        var routes = new Route[request.Items.Count];
        Route? before = null;
        foreach (var item in request.Items)
            routes[item.Index] = before = RouteOf(item, before);
        await ResolveDeviceOnlyAsync(routes, cancellationToken);
        await AdmitNamesAsync(request.Items, routes, cancellationToken);
        foreach (var item in request.Items)
        {
            var route = routes[item.Index];
            if (route.Failure is { } fail)
            {
                results[item.Index] = fail;
                continue;
            }
            if (route.Info!.Scope == ActionScope.App)
            {
                work.Add(RunAppAction(route, item, request, results, cancellationToken));
                continue;
            }
            if (current is null || current.AppId != route.App!.AppId || current.UserId != route.UserId)
            {
                currentItems = [];
                current = new UserBatch(route.App!.AppId, route.UserId!, route.App.TokenSecret, arrival, envelopeTime, currentItems);
                runs.Add(current);
            }
            currentItems!.Add(new UserBatchItem(item.Index, route.Info.Name, item.Parameters, route.DevMode, Key: route.Key));
        }

        if (runs.Count == 1 && work.Count == 0)
        {
            // What SDKs send: one user's actions. Nothing to order or to wait for but its run.
            var answers = await users.ApplyAsync(current!, cancellationToken);
            for (var i = 0; i < current!.Items.Count; i++)
                results[current.Items[i].Index] = answers[i];
            return Answered(request, routes, results);
        }

        // Runs of the same user are chained; different users proceed at once. After a user id move (newUserId) the
        // rest of the request may name the new id, which only exists once the move committed: then every run waits
        // for the one before it.
        var lastByUser = new Dictionary<(string, string), Task>();
        var inOrder = runs.Count > 1 && runs.Any(MovesUser);
        Task last = Task.CompletedTask;
        foreach (var run in runs)
        {
            var key = (run.AppId, run.UserId);
            var previous = inOrder ? last : lastByUser.GetValueOrDefault(key) ?? Task.CompletedTask;
            var task = RunUserBatch(previous, run, results, cancellationToken);
            lastByUser[key] = last = task;
            work.Add(task);
        }
        await Task.WhenAll(work);
        return Answered(request, routes, results);
    }

    /// <summary>The answers once every item ran, with what the directory adds to them.</summary>
    private ActionResult[] Answered(ApiRequest request, Route[] routes, ActionResult[] results)
    {
        AnswerTestDevices(request, routes, results);
        if (content is not null)
            AnswerFiles(content, request, routes, results);
        return results;
    }

    /// <summary>
    /// <c>start</c> and <c>getVars</c> answer <c>isRegistered</c> (spec 5.2) from the directory's view of the test devices,
    /// after the grain answered: the grain does no store I/O for it. Set once every item ran, so a <c>registerDevice</c>
    /// in the same request counts.
    /// </summary>
    private void AnswerTestDevices(ApiRequest request, Route[] routes, ActionResult[] results)
    {
        foreach (var item in request.Items)
        {
            if (routes[item.Index] is { Info.Name: "start" or User.GetVars.ActionName, App: { } app, Caller.Device: { } device }
                && results[item.Index] is { Success: true, Fields: not null } result)
                result.With("isRegistered", apps.IsTestDevice(app.AppId, device));
        }
    }

    /// <summary>
    /// Device-only user actions (spec 6.1: <c>deviceId</c> without <c>userId</c>) act on the user the device belongs to,
    /// found in the device-to-user index; a device no user has used yet stands for its own anonymous user.
    /// </summary>
    private async Task ResolveDeviceOnlyAsync(Route[] routes, CancellationToken cancellationToken)
    {
        Dictionary<(string, string), string?>? found = null;
        for (var i = 0; i < routes.Length; i++)
        {
            if (routes[i] is not { DeviceOnly: true, App: { } app, UserId: { } device } route)
                continue;
            found ??= [];
            if (!found.TryGetValue((app.AppId, device), out var owner))
                found[(app.AppId, device)] = owner = await store.FindUserByDeviceAsync(app.AppId, device, cancellationToken);
            if (owner is not null)
                routes[i] = route with { UserId = owner };
        }
    }

    /// <summary>
    /// App-wide name limits (spec 6.2): the names each user item would use are checked against the names this process
    /// knows the app has; only new ones go to the app's registry, once per request and app. An item that needs a name
    /// the registry refuses fails with its message and reaches no grain.
    /// </summary>
    private static bool AllKnown(List<AppName> names, AppEntry app)
    {
        foreach (var name in names)
        {
            if (!app.KnownNames.ContainsKey(name))
                return false;
        }
        return true;
    }

    private async Task AdmitNamesAsync(IReadOnlyList<ApiItem> items, Route[] routes, CancellationToken cancellationToken)
    {
        Dictionary<AppEntry, List<(int Route, List<AppName> Names)>>? unknown = null;
        var scratch = new List<AppName>();
        for (var i = 0; i < routes.Length; i++)
        {
            if (routes[i] is not { Failure: null, Info.Scope: ActionScope.User, App: { } app } route)
                continue;
            scratch.Clear();
            ItemNames.Collect(route.Info.Name, items[i].Parameters, limits, scratch);
            if (AllKnown(scratch, app))
                continue;
            unknown ??= [];
            if (!unknown.TryGetValue(app, out var ofApp))
                unknown[app] = ofApp = [];
            ofApp.Add((i, [.. scratch]));
        }
        if (unknown is null)
            return;
        foreach (var (app, uses) in unknown)
        {
            var wanted = uses.SelectMany(u => u.Names).Where(n => !app.KnownNames.ContainsKey(n)).Distinct().ToList();
            var refused = (await names.AdmitAsync(app.AppId, wanted, cancellationToken)).ToDictionary(r => r.Name);
            foreach (var name in wanted.Where(n => !refused.ContainsKey(n)))
                app.KnownNames.TryAdd(name, 0);
            foreach (var (route, used) in uses)
            {
                if (used.FirstOrDefault(refused.ContainsKey) is { } name)
                    routes[route] = new Route(ActionResult.Fail(400, refused[name].Message));
            }
        }
    }

    /// <summary>
    /// Fails the whole request, with its own status, when the envelope names an unknown app, a wrong key, or devMode
    /// with a key that is not a development key: every element carries the error (ARCHITECTURE).
    /// </summary>
    private void CheckEnvelope(ParameterSet envelope)
    {
        var appId = envelope.String(WireNames.AppId);
        if (appId is null)
            return;
        var app = apps.Find(appId) ?? throw new EnvelopeException(404, KnownErrors.AppNotFound);
        if (envelope.String(WireNames.ClientKey) is { } key)
        {
            var cls = app.ClassOf(key);
            if (cls == KeyClasses.None)
                throw new EnvelopeException(403, KnownErrors.InvalidAccessKey);
            if (envelope.Flag(WireNames.DevMode) && cls != KeyClasses.Development)
                throw new EnvelopeException(403, KnownErrors.DevModeNotPermitted);
        }
    }

    /// <param name="previous">The route of the item before (null for the first): an SDK's batch names the same app,
    /// key, user and device in every item, which are then compared rather than read again (a string each, per item).</param>
    private Route RouteOf(ApiItem item, Route? previous)
    {
        if (item.ParseError is { } parseError)
            return new(ActionResult.Fail(400, parseError));
        try
        {
            var p = item.Parameters;
            if (previous is { Failure: null, Caller: { } same } && same.Matches(p))
                return p.SameText(WireNames.Action, previous.Info!.Name) ? previous : RouteFor(same, item.Action);
            if (item.Action is not { } action)
                return new(ActionResult.Fail(400, KnownErrors.MissingAction));
            if (p.String(WireNames.AppId) is not { } appId)
                return new(ActionResult.Fail(400, "'appId' must be provided"));
            if (apps.Find(appId) is not { } app)
                return new(ActionResult.Fail(404, KnownErrors.AppNotFound));
            var key = p.String(WireNames.ClientKey);
            var cls = app.ClassOf(key);
            if (cls == KeyClasses.None)
                return new(ActionResult.Fail(403, KnownErrors.InvalidAccessKey));
            if (Refused(action, cls, out var info) is { } refused)
                return refused;
            var devMode = p.Flag(WireNames.DevMode);
            if (devMode && cls != KeyClasses.Development)
                return new(ActionResult.Fail(403, KnownErrors.DevModeNotPermitted));
            if (info.Scope == ActionScope.App)
                return new(null, info, app, null, devMode);

            var caller = new Caller(app, cls, key!, p.String(WireNames.UserId), p.String(WireNames.DeviceId), devMode);
            if ((caller.ExplicitUser?.Length ?? 0) > limits.MaxIdLength || (caller.Device?.Length ?? 0) > limits.MaxIdLength)
                return new(ActionResult.Fail(400, $"User and device ids must be at most {limits.MaxIdLength} characters long."));
            return UserRoute(info, caller);
        }
        catch (InvalidParameterException e)
        {
            return new(ActionResult.Fail(400, e.Message));
        }
    }

    /// <summary>Another action of a caller whose app, key and ids an earlier item of the request passed.</summary>
    private static Route RouteFor(Caller caller, string? action)
    {
        if (action is null)
            return new(ActionResult.Fail(400, KnownErrors.MissingAction));
        if (Refused(action, caller.Key, out var info) is { } refused)
            return refused;
        return info.Scope == ActionScope.App ? new(null, info, caller.App, null, caller.DevMode, Caller: caller) : UserRoute(info, caller);
    }

    /// <summary>The refusal of an action unknown or not allowed to the key's class, or null (then <paramref name="info"/> is set).</summary>
    private static Route? Refused(string action, KeyClasses cls, out ActionInfo info)
    {
        info = ActionCatalogue.Find(action)!;
        if (info is null)
            return new(ActionResult.Fail(400, KnownErrors.UnknownAction(action)));
        return info.Allows(cls) ? null : new(ActionResult.Fail(403, KnownErrors.InvalidAccessKey));
    }

    /// <summary>A user action's route for <paramref name="caller"/>: the user id, else the device's (spec 6.1).</summary>
    private static Route UserRoute(ActionInfo info, Caller caller) =>
        (caller.ExplicitUser ?? caller.Device) is { } userId
            ? new(null, info, caller.App, userId, caller.DevMode, DeviceOnly: caller.ExplicitUser is null, Key: caller.Key, Caller: caller)
            : new(ActionResult.Fail(400, "'userId' or 'deviceId' must be provided"));

    /// <summary>Who an item comes from, as its route checked it: the app, the key and its class, the ids, the mode.</summary>
    private sealed record Caller(AppEntry App, KeyClasses Key, string ClientKey, string? ExplicitUser, string? Device, bool DevMode)
    {
        public bool Matches(ParameterSet p) =>
            p.SameText(WireNames.AppId, App.AppId) && p.SameText(WireNames.ClientKey, ClientKey)
            && p.SameText(WireNames.UserId, ExplicitUser) && p.SameText(WireNames.DeviceId, Device)
            && p.Flag(WireNames.DevMode) == DevMode;
    }

    private async Task RunAppAction(Route route, ApiItem item, ApiRequest request, ActionResult[] results, CancellationToken cancellationToken)
    {
        var handler = appActions.Find(route.Info!.Name);
        if (handler is null)
        {
            results[item.Index] = ActionResult.Fail(400, $"Action '{route.Info.Name}' is not supported by this server yet.");
            return;
        }
        try
        {
            results[item.Index] = handler is ISoleAppAction sole && request.Items.Count == 1
                ? await sole.HandleAloneAsync(route.App!, item.Parameters, request, cancellationToken)
                : await handler.HandleAsync(route.App!, item.Parameters, cancellationToken);
        }
        catch (InvalidParameterException e)
        {
            results[item.Index] = ActionResult.Fail(400, e.Message);
        }
    }

    private static bool MovesUser(UserBatch run) =>
        run.Items.Any(i => i.Parameters.StringOrNull(UserProcessor.NewUserIdParameter) is not null);

    private async Task RunUserBatch(Task previous, UserBatch batch, ActionResult[] results, CancellationToken cancellationToken)
    {
        await previous;
        var answers = await users.ApplyAsync(batch, cancellationToken);
        for (var i = 0; i < batch.Items.Count; i++)
            results[batch.Items[i].Index] = answers[i];
    }

    private sealed record Route(ActionResult? Failure, ActionInfo? Info = null, AppEntry? App = null, string? UserId = null, bool DevMode = false, bool DeviceOnly = false, KeyClasses Key = KeyClasses.None, Caller? Caller = null);
}
