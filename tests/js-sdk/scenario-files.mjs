// File variables: the `--scenario files` of harness.mjs. harness.mjs defines the browser globals, loads the real SDK
// and records the wire; this module only drives the SDK and reports.
//
// Production mode: setVariables({logo: 'default.png'}) → start(userId) → the value of `logo` as the server set it
// (the name of an uploaded file) → Leanplum.getFileUrl(value), which JS 1.9.0 builds without a request
// (src/LeanplumRequest.ts: `<apiPath>?appId&client=js&clientKey&sdkVersion&action=downloadFile&filename=<name>`) →
// a GET of that URL as a page's <img src> would make it (no CORS involved; redirects followed, up to 5).
//
// Output (one JSON line, through harness.mjs's finish): ok, the variable's value, the URL the SDK built, and what the
// GET answered: status, content type, length and SHA-256 of the body (hex). Exit code 0 when start succeeded and the
// GET answered 200; 1 otherwise; 2 on the overall timeout; 3 on an exception.

import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

const VARIABLE_DEFAULTS = { logo: 'default.png' };

/** GET as an <img> would: follows redirects, resolves with the final status, headers and body bytes. */
function get(url, redirectsLeft = 5) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.get(target, { headers: { accept: 'image/*,*/*;q=0.8', 'user-agent': navigator.userAgent } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirectsLeft > 0) {
          get(new URL(res.headers.location, target).href, redirectsLeft - 1).then(resolve, reject);
          return;
        }
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    request.on('error', reject);
  });
}

export async function runFiles({ Leanplum, options, wire, finish, overallTimeoutMs }) {
  const result = {
    ok: false,
    scenario: 'files',
    sdkVersion: Leanplum.VERSION,
    startSuccess: null,
    variable: null,
    url: null,
    download: null,
    requests: wire,
    error: null,
  };
  const overallTimer = setTimeout(() => {
    result.error = `timed out after ${overallTimeoutMs} ms`;
    finish(2, result);
  }, overallTimeoutMs);

  Leanplum.setApiPath(options.api);
  Leanplum.setAppIdForProductionMode(options.app, options.key);
  Leanplum.setVariables(VARIABLE_DEFAULTS);
  result.startSuccess = await new Promise((resolve) => Leanplum.start(options.user ?? 'js-files-user', {}, (success) => resolve(success)));

  result.variable = Leanplum.getVariable('logo');
  result.url = Leanplum.getFileUrl(result.variable);
  const answer = await get(result.url);
  result.download = {
    status: answer.status,
    contentType: answer.headers['content-type'] ?? null,
    length: answer.body.length,
    sha256: createHash('sha256').update(answer.body).digest('hex'),
  };

  clearTimeout(overallTimer);
  result.ok = result.startSuccess === true && answer.status === 200;
  if (!result.ok) result.error = `start ${result.startSuccess ? 'succeeded' : 'failed'}; the file URL answered ${answer.status}`;
  finish(result.ok ? 0 : 1, result);
}
