// The inbox (newsfeed): the `--scenario inbox` and `--scenario inbox-again` of harness.mjs. harness.mjs defines the
// browser globals, loads the real SDK and records the wire; this module only drives the SDK and reports.
//
// Production mode, request batching with a cooldown of 0 (a batched call waits in the SDK's queue and leaves with the
// next urgent one), one named user (--user, required) whose inbox the server already holds:
//
//   inbox:        start(user) → the answer's syncNewsfeed makes the SDK call getNewsfeedMessages (src/LeanplumInbox.ts
//                 `downloadMessages`, sent before the start callback runs) → Leanplum.inbox() lists the items → read(the
//                 oldest) (markNewsfeedMessageAsRead, batched, leaves with the `track` of its Open event, which also
//                 runs its open action) → remove(the newest) (deleteNewsfeedMessage, batched) → forceContentUpdate
//                 (getVars, urgent: carries the delete).
//   inbox-again:  a new process, so a new device with an empty sessionStorage: start(user) → syncNewsfeed again (the
//                 device holds nothing, the server something) → getNewsfeedMessages → the inbox as the server kept it.
//
// Output (one JSON line, through harness.mjs's finish): ok, the device id, `syncRequested` (whether the start answer
// made the SDK download the inbox), `inbox` (each item as the SDK's InboxMessage API shows it: id, title, subtitle,
// data, timestamp, isRead, imageUrl, openAction), the ids read and removed, `after` (count, unreadCount, ids after
// them), `navigations` (URLs of open actions run), `calls` (per action: the request's status and the item's success)
// and every request in `requests`. Exit code 0 when start succeeded, the inbox was downloaded and every call
// succeeded on the wire; 1 otherwise; 2 on the overall timeout; 3 on an exception.

/** What the SDK's InboxMessage API shows of one item (leanplum.d.ts `InboxMessage`). */
function describe(message) {
  return {
    id: message.id(),
    title: message.title() ?? null,
    subtitle: message.subtitle() ?? null,
    data: message.data() ?? null,
    timestamp: message.timestamp() ?? null,
    isRead: message.isRead() ?? null,
    imageUrl: message.imageUrl() ?? null,
    openAction: message.openAction() ?? null,
  };
}

export async function runInbox({ Leanplum, options, wire, waitFor, finish, overallTimeoutMs }, phase) {
  const result = {
    ok: false,
    scenario: phase,
    sdkVersion: Leanplum.VERSION,
    userId: options.user ?? null,
    deviceId: null,
    startSuccess: null,
    syncRequested: false,
    inbox: null,
    read: null,
    removed: null,
    after: null,
    changes: 0,
    navigations: [],
    calls: {},
    requests: wire,
    error: null,
  };
  const overallTimer = setTimeout(() => {
    result.error = `timed out after ${overallTimeoutMs} ms`;
    finish(2, result);
  }, overallTimeoutMs);
  if (!options.user) {
    clearTimeout(overallTimer);
    result.error = 'usage: --scenario inbox needs --user';
    finish(3, result);
  }

  /** The outcome of the first request that carried `action`: HTTP status, the item's success and error message. */
  const callOutcome = (action) => {
    const exchange = wire.find((x) => x.done && x.actions?.includes(action));
    if (!exchange) return { sent: false, success: false };
    const index = exchange.actions.indexOf(action);
    return { sent: true, status: exchange.status, success: exchange.success?.[index] === true, error: exchange.errors?.[index] ?? exchange.error ?? null };
  };
  const completed = (action) => () => wire.some((x) => x.done && x.actions?.includes(action));

  Leanplum.setApiPath(options.api);
  Leanplum.setAppIdForProductionMode(options.app, options.key);
  Leanplum.setRequestBatching(true, 0);
  Leanplum.on('navigationChange', (url) => result.navigations.push(url));
  const inbox = Leanplum.inbox();
  inbox.onChanged(() => { result.changes++; });

  result.startSuccess = await new Promise((resolve) => Leanplum.start(options.user, {}, (success) => resolve(success)));
  result.deviceId = localStorage.getItem('__leanplum_device_id');
  result.calls.start = callOutcome('start');
  // The SDK sends getNewsfeedMessages from the start answer's handler, before the start callback runs.
  result.syncRequested = wire.some((x) => x.actions?.includes('getNewsfeedMessages'));
  if (result.syncRequested) {
    await waitFor('getNewsfeedMessages', completed('getNewsfeedMessages'));
    result.calls.getNewsfeedMessages = callOutcome('getNewsfeedMessages');
  }
  const byAge = inbox.allMessages().sort((a, b) => (a.timestamp() - b.timestamp()) || (a.id() < b.id() ? -1 : 1));
  result.inbox = byAge.map(describe);

  if (phase === 'inbox' && byAge.length >= 2) {
    result.read = byAge[0].id();
    result.removed = byAge[byAge.length - 1].id();
    inbox.read(result.read);
    await waitFor('track (Open)', completed('track'));
    result.calls.markNewsfeedMessageAsRead = callOutcome('markNewsfeedMessageAsRead');
    result.calls.track = callOutcome('track');
    inbox.remove(result.removed);
    const refreshed = await new Promise((resolve) => Leanplum.forceContentUpdate((success) => resolve(success)));
    result.calls.deleteNewsfeedMessage = callOutcome('deleteNewsfeedMessage');
    result.calls.getVars = { ...callOutcome('getVars'), callback: refreshed };
  }
  result.after = { count: inbox.count(), unreadCount: inbox.unreadCount(), ids: inbox.messageIds() };

  clearTimeout(overallTimer);
  const failed = Object.entries(result.calls).filter(([, c]) => !c.success).map(([name]) => name);
  if (!result.startSuccess) failed.unshift('start callback');
  if (!result.syncRequested) failed.push('no inbox download after start (syncNewsfeed was not true)');
  if (phase === 'inbox' && result.read === null) failed.push('fewer than two inbox items to read and remove');
  result.ok = failed.length === 0;
  if (!result.ok) result.error = `failed: ${failed.join(', ')}`;
  finish(result.ok ? 0 : 1, result);
}
