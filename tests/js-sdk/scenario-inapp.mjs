// In-app messages: the `--scenario inapp` of harness.mjs. harness.mjs defines the browser globals, loads the real SDK
// and records the wire; this module only drives the SDK and reports.
//
// Production mode, request batching with a cooldown of 0: a 'showMessage' handler records each message the SDK's own
// trigger engine shows (src/Messages.ts: whenTriggers, unlessTriggers, whenLimits, startTime/endTime) and tracks its
// impression the way an app's renderer does (context.track(), which also counts the occurrence for the limits).
// Calls: start(userId) → (start-triggered messages show) → track(TRIGGER_EVENT, {level: 1}) (a parameter that does
// not match) → track(TRIGGER_EVENT, {level: 2}) TRIGGER_TIMES times → stop. Every track waits for its request, and
// every impression's track for its own.
//
// Output (one JSON line): ok, startSuccess, the message ids the SDK received (`received`), and `shown`: each shown
// message in order with `id`, `name` (the template, vars.__name__), `vars` (as the app got them) and `after` (what
// triggered it: 'start' or 'track <n>'). Exit code 0 when every call succeeded on the wire; 1 otherwise; 2 on the
// overall timeout; 3 on an exception.

export const TRIGGER_EVENT = 'Level up';
export const TRIGGER_TIMES = 3;

export async function runInApp({ Leanplum, options, wire, waitFor, finish, overallTimeoutMs }) {
  const result = {
    ok: false,
    scenario: 'inapp',
    sdkVersion: Leanplum.VERSION,
    startSuccess: null,
    received: null,
    shown: [],
    requests: wire,
    error: null,
  };
  const overallTimer = setTimeout(() => {
    result.error = `timed out after ${overallTimeoutMs} ms`;
    finish(2, result);
  }, overallTimeoutMs);

  let moment = 'start';
  Leanplum.on('showMessage', ({ message, context }) => {
    const { messageId, ...vars } = message;
    result.shown.push({ id: String(messageId), name: vars.__name__ ?? null, vars, after: moment });
    context.track();
  });

  const settled = () => wire.length > 0 && wire.every((x) => x.done);

  Leanplum.setApiPath(options.api);
  Leanplum.setAppIdForProductionMode(options.app, options.key);
  Leanplum.setRequestBatching(true, 0);
  result.startSuccess = await new Promise((resolve) => Leanplum.start(options.user ?? 'js-inapp-user', {}, (success) => resolve(success)));
  const cached = JSON.parse(localStorage.getItem('__leanplum_message_cache') ?? '{}');
  result.received = Object.keys(cached).filter((k) => k !== 'actionDefinitions').sort();
  await waitFor('impressions after start', settled);

  moment = 'track 0';
  Leanplum.track(TRIGGER_EVENT, { level: 1 });
  for (let i = 1; i <= TRIGGER_TIMES; i++) {
    moment = `track ${i}`;
    Leanplum.track(TRIGGER_EVENT, { level: 2 });
    await waitFor(`impressions after track ${i}`, settled);
  }
  Leanplum.stop();
  await waitFor('stop', () => wire.some((x) => x.done && x.actions?.includes('stop')));
  await waitFor('everything', settled);

  clearTimeout(overallTimer);
  const failed = wire.filter((x) => x.done && x.success && x.success.some((s) => s !== true));
  result.ok = result.startSuccess === true && failed.length === 0;
  if (!result.ok) result.error = result.startSuccess ? `failed requests: ${JSON.stringify(failed.map((x) => x.actions))}` : 'start failed';
  finish(result.ok ? 0 : 1, result);
}
