// Drives the real, unmodified Leanplum JavaScript SDK 1.9.0 (the npm package `leanplum-sdk`, its `main`:
// dist/leanplum.min.js) under plain Node 20 against a running server, as the spec js-sdk-wire.md describes.
//
// Usage:
//   node harness.mjs --api http://127.0.0.1:<port>/api --app <appId> --key <production key> [--user <userId>]
//                    [--timeout <ms>] [--scenario session|day|files|inapp|inbox|inbox-again] [--login <userId>]
//
// Without --user the SDK runs anonymously (userId = its generated deviceId).
//
// --scenario day runs "a day in a user's life" instead (two sessions, states, purchases, attribute changes): see
// scenario-day.mjs, which describes its calls and its output; with --login the second session logs in as that user.
// --scenario files resolves a file variable through the SDK's downloadFile URL and downloads it: see scenario-files.mjs.
// --scenario inapp lets the SDK's trigger engine show in-app messages and track their impressions: see scenario-inapp.mjs.
// --scenario inbox downloads, reads and removes inbox items; inbox-again, in a later run, sees what the server kept:
// see scenario-inbox.mjs.
// The default, --scenario session, is this file's own:
//
// Scenario: setApiPath, setAppIdForProductionMode, setRequestBatching(true, 0), setVariables(defaults),
// start(userId, attributes, callback), track(event, value, params), setUserAttributes(attributes), pauseSession,
// resumeSession, stop. With a batching cooldown of 0 the non-urgent calls (track, setUserAttributes) wait in the SDK's
// queue and leave with the next urgent call (pauseSession), so no SDK timer is waited on.
//
// Output: exactly ONE JSON line on stdout (the SDK's own console output goes to stderr). Exit code 0 when every call
// succeeded on the wire and the start callback reported success; 1 on a failed call; 2 on the overall timeout;
// 3 on a usage error or an exception.

import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import https from 'node:https';
import { parseArgs } from 'node:util';

// ---------------------------------------------------------------------------------------------------------------
// Arguments.

let options;
try {
  options = parseArgs({
    options: {
      api: { type: 'string' },
      app: { type: 'string' },
      key: { type: 'string' },
      user: { type: 'string' },
      login: { type: 'string' },
      timeout: { type: 'string', default: '20000' },
      scenario: { type: 'string', default: 'session' },
    },
    strict: true,
  }).values;
} catch (e) {
  finish(3, { ok: false, error: `usage: ${e.message}` });
}
if (!options.api || !options.app || !options.key) {
  finish(3, { ok: false, error: 'usage: node harness.mjs --api <url> --app <appId> --key <key> [--user <id>] [--timeout <ms>] [--scenario session|day|files|inapp|inbox|inbox-again]' });
}
if (!['session', 'day', 'files', 'inapp', 'inbox', 'inbox-again'].includes(options.scenario)) {
  finish(3, { ok: false, error: `usage: --scenario must be 'session', 'day', 'files', 'inapp', 'inbox' or 'inbox-again', not '${options.scenario}'` });
}
const overallTimeoutMs = Number(options.timeout);
if (!Number.isFinite(overallTimeoutMs) || overallTimeoutMs <= 0) {
  finish(3, { ok: false, error: `usage: --timeout must be a positive number of milliseconds, not '${options.timeout}'` });
}

// ---------------------------------------------------------------------------------------------------------------
// Output: one JSON line on stdout, then exit. The SDK's console output is sent to stderr so stdout stays clean.

function finish(code, result) {
  const bytes = Buffer.from(JSON.stringify(result) + '\n', 'utf8');
  for (let offset = 0; offset < bytes.length;) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e; // a full non-blocking pipe: the reader drains it
    }
  }
  process.exit(code);
}

for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => process.stderr.write(`[sdk ${level}] ${args.map(String).join(' ')}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Browser globals (js-sdk-wire.md "Sources"): window, navigator, location, localStorage, sessionStorage,
// XMLHttpRequest and WebSocket (defined, but undefined: turns the development socket off).

const PAGE_ORIGIN = 'http://greengage-harness.localhost';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

function defineGlobal(name, value) {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
}

/** A Storage with browser semantics: string values; property access and get/set/removeItem see the same map. */
function createStorage() {
  const map = new Map();
  const api = {
    get length() { return map.size; },
    key(i) { return i >= 0 && i < map.size ? [...map.keys()][i] : null; },
    getItem(k) { k = String(k); return map.has(k) ? map.get(k) : null; },
    setItem(k, v) { map.set(String(k), String(v)); },
    removeItem(k) { map.delete(String(k)); },
    clear() { map.clear(); },
  };
  return new Proxy(api, {
    get(target, prop) {
      if (typeof prop === 'symbol' || prop in target) return Reflect.get(target, prop);
      return map.has(prop) ? map.get(prop) : undefined;
    },
    set(target, prop, value) {
      if (typeof prop === 'symbol' || prop in target) return false;
      map.set(prop, String(value));
      return true;
    },
    deleteProperty(target, prop) {
      if (typeof prop !== 'symbol') map.delete(prop);
      return true;
    },
    has(target, prop) {
      return prop in target || (typeof prop === 'string' && map.has(prop));
    },
    ownKeys() { return [...map.keys()]; },
    getOwnPropertyDescriptor(target, prop) {
      if (typeof prop === 'string' && map.has(prop)) {
        return { value: map.get(prop), writable: true, enumerable: true, configurable: true };
      }
      return undefined;
    },
  });
}

/** Every request the SDK made, with the actions in it and the answer's per-item success. */
const wire = [];
const wireListeners = new Set();

function recordCompletion(exchange) {
  exchange.done = true;
  for (const listener of [...wireListeners]) listener();
}

/** Resolves once predicate() is true, re-checked after every completed request; rejects when the harness times out. */
function waitFor(description, predicate) {
  return new Promise((resolve) => {
    const check = () => {
      if (!predicate()) return;
      wireListeners.delete(check);
      // Yield once so that the SDK's own setTimeout(0) callbacks for this answer run first.
      setTimeout(resolve, 0);
    };
    check.description = description;
    wireListeners.add(check);
    check();
  });
}

function summarizeBody(body) {
  try {
    const parsed = JSON.parse(body);
    if (parsed && Array.isArray(parsed.data)) return parsed.data.map((item) => item.action);
  } catch {
    // not JSON: a query-only call
  }
  return null;
}

/**
 * XMLHttpRequest over node:http(s), with what a browser adds: Origin, User-Agent, Referer, ";charset=UTF-8" on a
 * string body's Content-Type, and the CORS check (an answer without a matching Access-Control-Allow-Origin is a
 * network error: status 0, empty responseText).
 */
class XMLHttpRequestShim {
  static UNSENT = 0;
  static OPENED = 1;
  static HEADERS_RECEIVED = 2;
  static LOADING = 3;
  static DONE = 4;

  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.statusText = '';
    this.responseText = '';
    this.response = '';
    this.timeout = 0;
    this.withCredentials = false;
    this.onreadystatechange = null;
    this.onload = null;
    this.onerror = null;
    this.ontimeout = null;
    this.onabort = null;
    this.onloadend = null;
    this._requestHeaders = {};
    this._responseHeaders = {};
    this._request = null;
    this._timer = null;
    this._sent = false;
    this._exchange = null;
  }

  open(method, url, async = true) {
    if (async === false) throw new Error('XMLHttpRequest shim: synchronous requests are not supported');
    this._method = String(method).toUpperCase();
    this._url = new URL(String(url), location.href);
    this._requestHeaders = {};
    this._responseHeaders = {};
    this._sent = false;
    this.status = 0;
    this.responseText = '';
    this.response = '';
    this._setState(1);
  }

  setRequestHeader(name, value) {
    if (this.readyState !== 1 || this._sent) throw new Error('InvalidStateError: setRequestHeader before open/after send');
    const key = String(name).toLowerCase();
    this._requestHeaders[key] = key in this._requestHeaders ? `${this._requestHeaders[key]}, ${value}` : String(value);
  }

  getResponseHeader(name) {
    const value = this._responseHeaders[String(name).toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : String(value);
  }

  getAllResponseHeaders() {
    return Object.entries(this._responseHeaders)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
      .join('\r\n');
  }

  send(body) {
    if (this.readyState !== 1 || this._sent) throw new Error('InvalidStateError: send before open or twice');
    this._sent = true;
    const payload = body === undefined || body === null || this._method === 'GET' || this._method === 'HEAD'
      ? null
      : Buffer.from(String(body), 'utf8');

    const headers = {
      ...this._requestHeaders,
      origin: PAGE_ORIGIN,
      referer: location.href,
      'user-agent': navigator.userAgent,
      accept: '*/*',
    };
    if (payload) {
      const type = headers['content-type'] ?? 'text/plain';
      headers['content-type'] = /;\s*charset=/i.test(type) ? type : `${type};charset=UTF-8`;
      headers['content-length'] = String(payload.length);
    }

    const url = this._url;
    this._exchange = {
      method: this._method,
      path: url.pathname,
      action: url.searchParams.get('action'),
      actions: payload ? summarizeBody(payload.toString('utf8')) : null,
      status: null,
      cors: null,
      success: null,
      done: false,
    };
    if (this._exchange.actions === null && this._exchange.action) this._exchange.actions = [this._exchange.action];
    wire.push(this._exchange);

    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, { method: this._method, headers });
    this._request = request;
    request.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (this._request !== request) return;
        this._request = null;
        const allow = res.headers['access-control-allow-origin'];
        this._exchange.cors = allow ?? null;
        if (allow !== '*' && allow !== PAGE_ORIGIN) {
          this._exchange.error = `CORS: no Access-Control-Allow-Origin for ${PAGE_ORIGIN} (got ${allow ?? 'none'})`;
          this._networkError('error');
          return;
        }
        this.status = res.statusCode;
        this.statusText = res.statusMessage ?? '';
        this._responseHeaders = res.headers;
        this.responseText = Buffer.concat(chunks).toString('utf8');
        this.response = this.responseText;
        this._exchange.status = this.status;
        try {
          const parsed = JSON.parse(this.responseText);
          this._exchange.success = Array.isArray(parsed?.response) ? parsed.response.map((r) => r?.success === true) : null;
          this._exchange.errors = Array.isArray(parsed?.response)
            ? parsed.response.map((r) => r?.error?.message ?? null)
            : null;
        } catch {
          this._exchange.error = 'the answer is not JSON';
        }
        this._clearTimer();
        this._setState(2);
        this._setState(3);
        this._setState(4);
        this._fire('onload');
        this._fire('onloadend');
        recordCompletion(this._exchange);
      });
      res.on('error', (e) => this._failed(request, e));
    });
    request.on('error', (e) => this._failed(request, e));
    if (this.timeout > 0) {
      this._timer = setTimeout(() => {
        if (this._request !== request) return;
        this._exchange.error = 'timeout';
        this._networkError('ontimeout');
      }, this.timeout);
    }
    request.end(payload ?? undefined);
  }

  abort() {
    if (!this._request) return;
    this._exchange.error = 'aborted';
    this._networkError('onabort');
    this.readyState = 0;
  }

  _failed(request, error) {
    if (this._request !== request) return;
    this._exchange.error = `network error: ${error.message}`;
    this._networkError('onerror');
  }

  _networkError(handler) {
    const request = this._request;
    this._request = null;
    request?.destroy();
    this._clearTimer();
    this.status = 0;
    this.responseText = '';
    this.response = '';
    this._setState(4);
    this._fire(handler);
    this._fire('onloadend');
    recordCompletion(this._exchange);
  }

  _clearTimer() {
    if (this._timer) clearTimeout(this._timer);
    this._timer = null;
  }

  _setState(state) {
    this.readyState = state;
    this._fire('onreadystatechange');
  }

  _fire(handler) {
    const fn = this[handler];
    if (typeof fn === 'function') fn.call(this, { type: handler.slice(2), target: this });
  }
}

defineGlobal('window', globalThis);
defineGlobal('self', globalThis);
defineGlobal('navigator', {
  userAgent: USER_AGENT,
  appVersion: USER_AGENT.slice('Mozilla/'.length),
  vendor: 'Google Inc.',
  platform: 'Linux x86_64',
  language: 'en-US',
  languages: ['en-US', 'en'],
});
defineGlobal('location', {
  href: `${PAGE_ORIGIN}/index.html`,
  origin: PAGE_ORIGIN,
  protocol: 'http:',
  host: new URL(PAGE_ORIGIN).host,
  hostname: new URL(PAGE_ORIGIN).hostname,
  port: '',
  pathname: '/index.html',
  search: '',
  hash: '',
  assign(url) { process.stderr.write(`[harness] location.assign(${url}) ignored\n`); },
  replace(url) { process.stderr.write(`[harness] location.replace(${url}) ignored\n`); },
  reload() {},
});
defineGlobal('localStorage', createStorage());
defineGlobal('sessionStorage', createStorage());
defineGlobal('XMLHttpRequest', XMLHttpRequestShim);
defineGlobal('WebSocket', undefined);

// ---------------------------------------------------------------------------------------------------------------
// The SDK, loaded only now: its UMD bundle builds its singleton from `window` when it is evaluated.

const require = createRequire(import.meta.url);
const sdkModule = require('leanplum-sdk');
const Leanplum = sdkModule.default ?? sdkModule;

// ---------------------------------------------------------------------------------------------------------------
// The scenario.

const START_ATTRIBUTES = { signupSource: 'js-harness', age: 30 };
const TRACK_EVENT = 'Level Complete';
const TRACK_VALUE = 7.5;
const TRACK_PARAMS = { level: 3, mode: 'hard' };
const SET_ATTRIBUTES = { plan: 'pro', score: 12 };
const VARIABLE_DEFAULTS = { welcomeMessage: 'Hello', level: 1, colors: ['red', 'green'], nested: { enabled: true } };

const result = {
  ok: false,
  sdkVersion: Leanplum.VERSION,
  userIdArgument: options.user ?? null,
  userId: null,
  deviceId: null,
  startCallback: null,
  calls: {},
  variables: null,
  variants: null,
  variablesChangedCalls: 0,
  requests: wire,
  sent: {
    startAttributes: START_ATTRIBUTES,
    event: TRACK_EVENT,
    value: TRACK_VALUE,
    params: TRACK_PARAMS,
    setAttributes: SET_ATTRIBUTES,
    variableDefaults: VARIABLE_DEFAULTS,
  },
  error: null,
};

const overallTimer = setTimeout(() => {
  const pending = [...wireListeners].map((l) => l.description);
  result.error = `timed out after ${overallTimeoutMs} ms${pending.length ? ` waiting for: ${pending.join(', ')}` : ''}`;
  finish(2, result);
}, overallTimeoutMs);

/** The per-item success of the request that carried `action` (the first one, in send order). */
function callOutcome(action) {
  const exchange = wire.find((x) => x.done && x.actions?.includes(action));
  if (!exchange) return { sent: false, success: false };
  const index = exchange.actions.indexOf(action);
  return {
    sent: true,
    status: exchange.status,
    success: exchange.success?.[index] === true,
    error: exchange.errors?.[index] ?? exchange.error ?? null,
  };
}

const completed = (action) => () => wire.some((x) => x.done && x.actions?.includes(action));

async function run() {
  Leanplum.setApiPath(options.api);
  Leanplum.setAppIdForProductionMode(options.app, options.key);
  Leanplum.setRequestBatching(true, 0);
  Leanplum.setVariables(VARIABLE_DEFAULTS);
  Leanplum.addVariablesChangedHandler(() => { result.variablesChangedCalls++; });

  const startSuccess = await new Promise((resolve) => {
    const callback = (success) => resolve(success);
    if (options.user) Leanplum.start(options.user, START_ATTRIBUTES, callback);
    else Leanplum.start(START_ATTRIBUTES, callback);
  });
  result.startCallback = { success: startSuccess };
  result.calls.start = callOutcome('start');
  result.variables = Leanplum.getVariables();
  result.variants = Leanplum.getVariants();

  Leanplum.track(TRACK_EVENT, TRACK_VALUE, TRACK_PARAMS);
  Leanplum.setUserAttributes(SET_ATTRIBUTES);
  Leanplum.pauseSession();
  await waitFor('pauseSession', completed('pauseSession'));
  result.calls.track = callOutcome('track');
  result.calls.setUserAttributes = callOutcome('setUserAttributes');
  result.calls.pauseSession = callOutcome('pauseSession');

  Leanplum.resumeSession();
  await waitFor('resumeSession', completed('resumeSession'));
  result.calls.resumeSession = callOutcome('resumeSession');

  Leanplum.stop();
  await waitFor('stop', completed('stop'));
  result.calls.stop = callOutcome('stop');

  result.userId = Leanplum.getUserId();
  result.deviceId = localStorage.getItem('__leanplum_device_id');
  result.sessionClearedByStop = localStorage.getItem('__leanplum_session') === null;

  const failed = Object.entries(result.calls).filter(([, c]) => !c.success).map(([name]) => name);
  if (!startSuccess) failed.unshift('start callback');
  result.ok = failed.length === 0;
  if (!result.ok) result.error = `failed: ${failed.join(', ')}`;
  clearTimeout(overallTimer);
  finish(result.ok ? 0 : 1, result);
}

if (options.scenario === 'day') {
  // The day scenario keeps its own result and overall timer.
  clearTimeout(overallTimer);
  const dayResult = { ok: false, scenario: 'day', error: null };
  import('./scenario-day.mjs')
    .then(({ runDay }) => runDay({ Leanplum, options, wire, wireListeners, waitFor, finish, overallTimeoutMs }))
    .catch((e) => {
      dayResult.error = `exception: ${e?.stack ?? e}`;
      dayResult.requests = wire;
      finish(3, dayResult);
    });
} else if (options.scenario === 'files') {
  clearTimeout(overallTimer);
  import('./scenario-files.mjs')
    .then(({ runFiles }) => runFiles({ Leanplum, options, wire, finish, overallTimeoutMs }))
    .catch((e) => finish(3, { ok: false, scenario: 'files', error: `exception: ${e?.stack ?? e}`, requests: wire }));
} else if (options.scenario === 'inapp') {
  clearTimeout(overallTimer);
  import('./scenario-inapp.mjs')
    .then(({ runInApp }) => runInApp({ Leanplum, options, wire, waitFor, finish, overallTimeoutMs }))
    .catch((e) => finish(3, { ok: false, scenario: 'inapp', error: `exception: ${e?.stack ?? e}`, requests: wire }));
} else if (options.scenario === 'inbox' || options.scenario === 'inbox-again') {
  clearTimeout(overallTimer);
  import('./scenario-inbox.mjs')
    .then(({ runInbox }) => runInbox({ Leanplum, options, wire, waitFor, finish, overallTimeoutMs }, options.scenario))
    .catch((e) => finish(3, { ok: false, scenario: options.scenario, error: `exception: ${e?.stack ?? e}`, requests: wire }));
} else {
  run().catch((e) => {
    result.error = `exception: ${e?.stack ?? e}`;
    finish(3, result);
  });
}
