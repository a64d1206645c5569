// "A day in a user's life": the `--scenario day` of harness.mjs. harness.mjs defines the browser globals, loads the
// real SDK and records the wire; this module only drives the SDK and reports.
//
// One user, production mode, request batching with a cooldown of 0 (so every batched call waits in the SDK's queue
// and leaves with the next urgent one: no SDK timer is waited on), two sessions in the same page (the same SDK
// singleton, the same localStorage):
//
//   session 1: start(attributes) → advanceTo("Home") → track("Open") → trackPurchase(4.99, "USD", {item: "gem"})
//              → advanceTo("Shop", "info", {from: "home"}) → setUserAttributes({plan: "gold", visits: 1})
//              → pauseSession → resumeSession → stop
//   session 2: start → [setUserId(login)] → track("Open") → advanceTo("Home") → setUserAttributes({visits: 2, plan: null})
//              → trackPurchase(1.00) → stop
//
// With --login <id>, session 2 logs in right after its start: setUserId sends setUserAttributes with newUserId (the
// item's userId is still the old one) and the SDK uses the new id from its next call on. Run anonymously, that is a
// login (or a register) that moves the whole anonymous day to the new id; run with --user, a switch.
//
// A second start after stop in the same page is what JS 1.9.0 supports (src/LeanplumInternal.ts `start`): without
// useSessionLength there is no startFromCache, so it sends a real `start`. Its callback, though, is useless:
// InternalState.addStartResponseHandler calls a new handler AT ONCE with the previous start's outcome once
// `hasStarted` is set, and every start's answer re-runs all handlers. The SDK's `start` event
// (Leanplum.on('start', {success})), emitted once per start answer, is what reports each start's own outcome.
//
// Output (one JSON line, through harness.mjs's finish): ok, the user and device ids, the start events, one entry per
// SDK call in `calls` (the request that carried it, its position in that request, HTTP status, the item's success and
// error message), every request in `requests`, and what was sent in `sent`. Exit code 0 when every item of every
// answer had success:true, both starts reported success and the requests were batched as expected; 1 otherwise;
// 2 on the overall timeout; 3 on an exception.

const START_ATTRIBUTES = { signupSource: 'js-day', age: 30 };
const PURCHASE_1 = { value: 4.99, currency: 'USD', params: { item: 'gem' } };
const SHOP = { state: 'Shop', info: 'info', params: { from: 'home' } };
const SET_ATTRIBUTES_1 = { plan: 'gold', visits: 1 };
const SET_ATTRIBUTES_2 = { visits: 2, plan: null };
const PURCHASE_2 = { value: 1.0 };

/**
 * The SDK calls in call order with the action each produces, grouped by the request they are expected to leave in.
 * With cooldown 0 a batched call leaves only with the next urgent one (start, pauseSession, resumeSession, stop).
 */
const EXPECTED_REQUESTS_WITHOUT_LOGIN = [
  [['start#1', 'start']],
  [
    ['advanceTo(Home)#1', 'advance'],
    ['track(Open)#1', 'track'],
    ['trackPurchase(4.99 USD)', 'track'],
    ['advanceTo(Shop)', 'advance'],
    ['setUserAttributes#1', 'setUserAttributes'],
    ['pauseSession', 'pauseSession'],
  ],
  [['resumeSession', 'resumeSession']],
  [['stop#1', 'stop']],
  [['start#2', 'start']],
  [
    ['track(Open)#2', 'track'],
    ['advanceTo(Home)#2', 'advance'],
    ['setUserAttributes#2', 'setUserAttributes'],
    ['trackPurchase(1.00)', 'track'],
    ['stop#2', 'stop'],
  ],
];

/** With --login, setUserId leaves with the rest of session 2's batched calls, first. */
function expectedRequests(login) {
  if (!login) return EXPECTED_REQUESTS_WITHOUT_LOGIN;
  const requests = EXPECTED_REQUESTS_WITHOUT_LOGIN.map((request) => [...request]);
  requests[5].unshift(['setUserId(login)', 'setUserAttributes']);
  return requests;
}

export async function runDay({ Leanplum, options, wire, wireListeners, waitFor, finish, overallTimeoutMs }) {
  const EXPECTED_REQUESTS = expectedRequests(options.login);
  const result = {
    ok: false,
    login: options.login ?? null,
    scenario: 'day',
    sdkVersion: Leanplum.VERSION,
    userIdArgument: options.user ?? null,
    userId: null,
    deviceId: null,
    startEvents: [],
    firstStartCallback: null,
    calls: [],
    sessionClearedByStop: [],
    requests: wire,
    sent: {
      startAttributes: START_ATTRIBUTES,
      purchase1: PURCHASE_1,
      shop: SHOP,
      setAttributes1: SET_ATTRIBUTES_1,
      setAttributes2: SET_ATTRIBUTES_2,
      purchase2: PURCHASE_2,
    },
    expectedRequests: EXPECTED_REQUESTS.map((request) => request.map(([, action]) => action)),
    error: null,
  };

  const overallTimer = setTimeout(() => {
    const pending = [...wireListeners].map((l) => l.description);
    result.error = `timed out after ${overallTimeoutMs} ms${pending.length ? ` waiting for: ${pending.join(', ')}` : ''}`;
    finish(2, result);
  }, overallTimeoutMs);

  /** Calls `fn` (which must end with an urgent SDK call) and waits until every request it caused was answered. */
  async function urgent(description, fn) {
    const before = wire.length;
    fn();
    await waitFor(description, () => wire.length > before && wire.slice(before).every((x) => x.done));
  }

  const sessionKey = '__leanplum_session';

  Leanplum.setApiPath(options.api);
  Leanplum.setAppIdForProductionMode(options.app, options.key);
  Leanplum.setRequestBatching(true, 0);
  Leanplum.on('start', (event) => { result.startEvents.push(event?.success === true); });

  // Session 1.
  let firstStartRequest;
  const firstStart = new Promise((resolve) => {
    const callback = (success) => resolve(success);
    firstStartRequest = wire.length;
    if (options.user) Leanplum.start(options.user, START_ATTRIBUTES, callback);
    else Leanplum.start(START_ATTRIBUTES, callback);
  });
  result.firstStartCallback = { success: await firstStart };
  await waitFor('start #1', () => wire.length > firstStartRequest && wire[firstStartRequest].done);

  Leanplum.advanceTo('Home');
  Leanplum.track('Open');
  Leanplum.trackPurchase(PURCHASE_1.value, PURCHASE_1.currency, PURCHASE_1.params);
  Leanplum.advanceTo(SHOP.state, SHOP.info, SHOP.params);
  Leanplum.setUserAttributes(SET_ATTRIBUTES_1);
  await urgent('pauseSession', () => Leanplum.pauseSession());
  await urgent('resumeSession', () => Leanplum.resumeSession());
  await urgent('stop #1', () => Leanplum.stop());
  result.sessionClearedByStop.push(localStorage.getItem(sessionKey) === null);

  // Session 2: the same page starts again (see the header for why no callback is passed).
  await urgent('start #2', () => {
    if (options.user) Leanplum.start(options.user);
    else Leanplum.start();
  });
  if (options.login) Leanplum.setUserId(options.login);
  Leanplum.track('Open');
  Leanplum.advanceTo('Home');
  Leanplum.setUserAttributes(SET_ATTRIBUTES_2);
  Leanplum.trackPurchase(PURCHASE_2.value);
  await urgent('stop #2', () => Leanplum.stop());
  result.sessionClearedByStop.push(localStorage.getItem(sessionKey) === null);

  result.userId = Leanplum.getUserId();
  result.deviceId = localStorage.getItem('__leanplum_device_id');

  // One entry per SDK call, matched to the wire by order (the SDK sends its queue in call order, one request at a time).
  const problems = [];
  const expectedFlat = EXPECTED_REQUESTS.flatMap((request, r) => request.map(([label, action]) => ({ label, action, r })));
  const sentFlat = wire.flatMap((x, r) => (x.actions ?? []).map((action, index) => ({ action, r, index })));
  for (let i = 0; i < Math.max(expectedFlat.length, sentFlat.length); i++) {
    const expected = expectedFlat[i];
    const sent = sentFlat[i];
    const exchange = sent ? wire[sent.r] : null;
    const call = {
      label: expected?.label ?? null,
      action: sent?.action ?? null,
      request: sent?.r ?? null,
      index: sent?.index ?? null,
      status: exchange?.status ?? null,
      success: exchange?.success?.[sent.index] === true,
      error: exchange?.errors?.[sent.index] ?? exchange?.error ?? null,
    };
    result.calls.push(call);
    if (!expected || !sent || expected.action !== sent.action || expected.r !== sent.r) {
      problems.push(`call ${i}: expected ${expected ? `${expected.label} (${expected.action}) in request ${expected.r}` : 'nothing'}, `
        + `sent ${sent ? `${sent.action} in request ${sent.r}` : 'nothing'}`);
    } else if (!call.success || call.status !== 200) {
      problems.push(`${call.label} did not succeed (HTTP ${call.status}): ${call.error ?? 'no error message'}`);
    }
  }
  wire.forEach((x, r) => {
    if (!x.done || x.status !== 200 || x.error) problems.push(`request ${r} failed: HTTP ${x.status} ${x.error ?? ''}`.trim());
    const answered = x.success?.length ?? 0;
    const items = x.actions?.length ?? 0;
    if (answered !== items) problems.push(`request ${r} carried ${items} items but its answer had ${answered}`);
  });
  if (result.firstStartCallback.success !== true) problems.push('the first start callback reported failure');
  if (result.startEvents.length !== 2 || result.startEvents.some((s) => !s)) {
    problems.push(`the SDK's start events were ${JSON.stringify(result.startEvents)}, expected [true,true]`);
  }
  if (result.sessionClearedByStop.some((cleared) => !cleared)) problems.push('a stop answer did not clear the SDK session');

  result.ok = problems.length === 0;
  if (!result.ok) result.error = `failed: ${problems.join('; ')}`;
  clearTimeout(overallTimer);
  finish(result.ok ? 0 : 1, result);
}
