// The http check against real local HTTP and HTTPS servers: every expect query,
// timeouts, refused connections, oversized bodies, redirects and credentials.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { HttpClient } from '../../src/http/client.ts';
import { runHttpCheck, type HttpCheck } from '../../src/checks/http.ts';
import type { CheckContext } from '../../src/checks/context.ts';
import { Redactor } from '../../src/util/redact.ts';
import { createCa, localhostCert } from '../../test-support/certs.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { readBody } from '../../test-support/requests.ts';

let plain: RunningServer;
let secure: RunningServer;
let other: RunningServer;
let caPem: string;
const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];

function handler(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ url: req.url ?? '', headers: req.headers });
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/':
      res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('Set-Cookie', ['csrftoken=abc123; Path=/; SameSite=Lax; Secure', 'sessionid=s3ss10n; HttpOnly; Path=/; SameSite=Lax; Secure']);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end('<h1>Welcome to Skyway Travel</h1>');
      return;
    case '/twice':
      res.setHeader('Strict-Transport-Security', ['max-age=31536000', 'max-age=31536000']);
      res.setHeader('Vary', ['Accept-Encoding', 'Cookie']);
      res.end('ok');
      return;
    case '/api/flights/':
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ count: 2, results: [{ flight: 'BA117', price: 412.5 }, { flight: 'VS3', price: 389 }], query: url.searchParams.get('from') }));
      return;
    case '/api/rows':
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ '@odata.count': 3, 'urn:v': 'v1', results: [{ id: 42, status: 'ok', flight: 'BA117' }, { id: '42', status: 'error', flight: 'VS3' }, { flight: 'LH9' }] }));
      return;
    case '/echo':
      void readBody(req).then((body) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ method: req.method, body, contentType: req.headers['content-type'] ?? null, auth: req.headers.authorization ?? null, key: req.headers['x-staging-key'] ?? null }));
      });
      return;
    case '/gzip':
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Type', 'text/plain');
      res.end(gzipSync('compressed hello'));
      return;
    case '/fake-gzip':
      res.setHeader('Content-Encoding', url.searchParams.get('as') ?? 'gzip');
      res.setHeader('Content-Type', 'text/plain');
      res.end('plain text, not compressed');
      return;
    case '/debug-page':
      // Django's technical_404 starts with kilobytes of CSS; the tell-tale sentence comes last.
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(`<!DOCTYPE html><html><head><style>${'  body { font: small sans-serif; background: #eee; }\n'.repeat(80)}</style></head><body><p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p></body></html>`);
      return;
    case '/slow':
      setTimeout(() => res.end('late'), 2000);
      return;
    case '/huge':
      res.setHeader('Content-Type', 'text/plain');
      for (let i = 0; i < 40; i++) res.write('x'.repeat(64 * 1024));
      res.end('THE END');
      return;
    case '/hostile':
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ token: 'sekret-token-value-123' }));
      return;
    case '/to-https':
      res.statusCode = 301;
      res.setHeader('Location', `${secure.url}/landing?x=1`);
      res.end();
      return;
    case '/to-other-host':
      res.statusCode = 302;
      res.setHeader('Location', `http://localhost:${other.port}/catch`);
      res.end();
      return;
    case '/landing':
      res.end(`landed ${url.search}`);
      return;
    case '/loop':
      res.statusCode = 302;
      res.setHeader('Location', '/loop');
      res.end();
      return;
    default:
      res.statusCode = 404;
      res.end('<h1>Not Found</h1>');
  }
}

beforeAll(async () => {
  const ca = await createCa();
  caPem = ca.cert;
  plain = await startServer(handler);
  secure = await startServer(handler, { tls: await localhostCert(ca) });
  other = await startServer((req, res) => {
    seen.push({ url: `other:${req.url ?? ''}`, headers: req.headers });
    res.end('other host');
  });
});

afterAll(async () => {
  await Promise.all([plain.close(), secure.close(), other.close()]);
});

function context(options: { base?: string; timeoutMs?: number; allowed?: string[]; targetHeaders?: Record<string, string>; redactor?: Redactor; ca?: string } = {}) {
  const redactor = options.redactor ?? new Redactor();
  const base = new URL(options.base ?? plain.url);
  const http = new HttpClient({
    perHost: 4,
    allowedHosts: new Set(options.allowed ?? ['127.0.0.1', 'localhost']),
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.targetHeaders ? { target: { host: base.hostname, headers: options.targetHeaders } } : {}),
  });
  const ctx: CheckContext = {
    http,
    scope: { env: { STAGING_KEY: 'key-1234', TOKEN: 'sekret-token-value-123' }, git: {}, redactor, target: { url: base.href, host: base.host, origin: base.origin } },
    redactor,
    signal: new AbortController().signal,
    requestTimeoutMs: options.timeoutMs ?? 5000,
    baseUrl: base,
    workspace: process.cwd(),
    commandsAllowed: { allowed: true },
  };
  return ctx;
}

async function check(spec: HttpCheck, options: Parameters<typeof context>[0] = {}) {
  const ctx = context(options);
  try {
    return await runHttpCheck(spec, ctx);
  } finally {
    await ctx.http.close();
  }
}

describe('http check: expectations', () => {
  test('status, headers, body, json, duration and cookies all pass on a good response', async () => {
    const result = await check({
      request: 'GET /',
      expect: {
        status: 200,
        headers: { 'Strict-Transport-Security': { matches: 'max-age=31536000' }, 'x-frame-options': 'DENY', 'content-security-policy': { exists: false } },
        body: { contains: 'Skyway' },
        duration: { lt: '2s' },
        cookies: { csrftoken: { secure: true, sameSite: 'lax', httpOnly: false }, sessionid: { httpOnly: true, path: '/' } },
      },
    });
    expect(result.outcome).toBe('pass');
    expect(result.summary).toBe('200 OK');
    expect(result.evidence.assertions?.every((assertion) => assertion.ok)).toBe(true);
  });

  test('a failed expectation says expected vs actual, and the first failure is the summary', async () => {
    const result = await check({ request: 'GET /', expect: { status: { in: [301, 308] }, headers: { 'x-frame-options': 'SAMEORIGIN' } } });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('status: expected one of [301, 308], got 200 (+1 more)');
    expect(result.evidence.assertions).toContainEqual({ subject: 'header x-frame-options', expected: '"SAMEORIGIN"', actual: '"DENY"', ok: false });
  });

  test('JSONPath: definite paths give a value, wildcards a list', async () => {
    const pass = await check({ request: 'GET /api/flights/?from=LHR', expect: { json: { '$.count': { gte: 1 }, '$.results[*].flight': { contains: 'BA117' }, '$.query': 'LHR', '$.nope': { exists: false } } } });
    expect(pass.outcome).toBe('pass');
    const fail = await check({ request: 'GET /api/flights/', expect: { json: { '$.results[0].price': { lt: 100 } } } });
    expect(fail.summary).toBe('$.results[0].price: expected < 100, got 412.5');
    const notJson = await check({ request: 'GET /', expect: { json: { '$.a': 1 } } });
    expect(notJson.summary).toBe('$.a: expected a JSON body, got the body is not JSON');
  });

  test('JSONPath follows RFC 9535: filters without parentheses, negative indexes, odd names, strict ==', async () => {
    // A row with status "error" exists: `exists: false` must fail, and say what was selected.
    const errorRow = await check({ request: 'GET /api/rows', expect: { json: { "$.results[?@.status=='error']": { exists: false } } } });
    expect(errorRow.outcome).toBe('fail');
    expect(errorRow.summary).toBe(`$.results[?@.status=='error']: expected absent, got [{"id":"42","status":"error","flight":"VS3"}]`);
    const none = await check({ request: 'GET /api/rows', expect: { json: { "$.results[?@.status=='down']": { exists: false }, "$.results[?@.status=='ok']": { exists: true, length: 1 } } } });
    expect(none.outcome).toBe('pass');
    const empty = await check({ request: 'GET /api/rows', expect: { json: { "$.results[?@.status=='down']": { exists: true } } } });
    expect(empty.summary).toBe(`$.results[?@.status=='down']: expected present, got nothing (the query selected no node)`);
    // The last row, names that are not identifiers, a filter on a key the last row lacks, and == 42 not matching "42".
    const rest = await check({
      request: 'GET /api/rows',
      expect: { json: { '$.results[-1].flight': 'LH9', "$['@odata.count']": 3, "$['urn:v']": 'v1', '$.results[?@.id==42].flight': { length: 1, contains: 'BA117' } } },
    });
    expect(rest.evidence.assertions?.filter((a) => !a.ok)).toEqual([]);
    expect(rest.outcome).toBe('pass');
  });

  test('a body labelled gzip, br or deflate that is not compressed is an error saying so, not "200 OK"', async () => {
    for (const encoding of ['gzip', 'br', 'deflate']) {
      const result = await check({ request: `GET /fake-gzip?as=${encoding}`, expect: { status: 200 } });
      expect({ encoding, outcome: result.outcome }).toEqual({ encoding, outcome: 'error' });
      expect(result.summary).toContain(`the body says Content-Encoding: ${encoding} but cannot be decoded as ${encoding}`);
    }
    const real = await check({ request: 'GET /gzip', expect: { body: 'compressed hello' } });
    expect(real.outcome).toBe('pass');
  });

  test('body expectations show an excerpt around what matched, in the summary and the evidence', async () => {
    const result = await check({ request: 'GET /debug-page', expect: { status: 404, body: { notContains: 'DEBUG = True' } } });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^body: expected not containing "DEBUG = True", got "….*<code>DEBUG = True<\/code> in your.*…"$/);
    expect(result.evidence.response?.body).toContain('because you have <code>DEBUG = True</code> in your Django settings file.');
    expect(result.evidence.response?.body?.startsWith('…')).toBe(true);
    const pattern = await check({ request: 'GET /debug-page', expect: { status: 404, body: { not: { matches: 'DEBUG\\s*=\\s*True' } } } });
    expect(pattern.summary).toContain('DEBUG = True');
    // Nothing to centre on: the start of the page.
    const missing = await check({ request: 'GET /debug-page', expect: { status: 404, body: { contains: 'Welcome' } } });
    expect(missing.summary).toMatch(/^body: expected containing "Welcome", got "<!DOCTYPE html>/);
  });

  test('a JSONPath that is not RFC 9535 is a reason, not a crash or "nothing"', async () => {
    const result = await check({ request: 'GET /api/rows', expect: { json: { '$.results[?(@.status': { exists: false } } } });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^\$\.results\[\?\(@\.status: expected a valid RFC 9535 JSONPath query, got invalid JSONPath/);
  });

  test('a repeated single-value header fails; list headers combine', async () => {
    const result = await check({ request: 'GET /twice', expect: { headers: { 'strict-transport-security': { matches: '^max-age=31536000$' }, vary: { contains: 'Cookie' } } } });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('header strict-transport-security: expected matching /^max-age=31536000$/ (sent once), got 2 headers: "max-age=31536000" and "max-age=31536000"');
    expect(result.evidence.assertions?.[1]).toMatchObject({ subject: 'header vary', ok: true });
  });

  test('cookie attributes and absence', async () => {
    const result = await check({ request: 'GET /', expect: { cookies: { csrftoken: { httpOnly: true }, missing: { secure: true } } } });
    expect(result.evidence.assertions).toEqual([
      { subject: 'cookie csrftoken HttpOnly', expected: 'set', actual: 'not set', ok: false },
      { subject: 'cookie missing', expected: 'set by this response', actual: 'no Set-Cookie for it', ok: false },
    ]);
  });

  test('a slow answer fails a duration expectation with the measured time', async () => {
    const result = await check({ request: 'GET /slow', expect: { duration: { lt: '500ms' } } });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^duration: expected < 500ms, got (1\.9|2|2\.\d+)s$/);
  });

  test('without expect, an error status fails', async () => {
    expect((await check({ request: 'GET /nope' })).summary).toBe('status: expected < 400, got 404');
    expect((await check({ request: 'GET /' })).outcome).toBe('pass');
  });

  test('compressed bodies are decoded for body expectations', async () => {
    expect((await check({ request: 'GET /gzip', expect: { body: 'compressed hello' } })).outcome).toBe('pass');
  });
});

describe('http check: requests', () => {
  test('form and JSON bodies, query maps, and target headers filled from secrets', async () => {
    const json = await check(
      { request: { method: 'POST', url: '/echo', json: { flight: 'BA117', key: '{{ secrets.STAGING_KEY }}' } }, expect: { json: { '$.body': '{"flight":"BA117","key":"key-1234"}', '$.contentType': 'application/json', '$.key': 'k' } } },
      { targetHeaders: { 'X-Staging-Key': 'k' } },
    );
    expect(json.outcome).toBe('pass');
    const form = await check({ request: { method: 'POST', url: '/echo', form: { username: 'smoke', remember: true } }, expect: { json: { '$.body': 'username=smoke&remember=true' } } });
    expect(form.outcome).toBe('pass');
    const query = await check({ request: { url: '/api/flights/', query: { from: 'LHR' } }, expect: { json: { '$.query': 'LHR' } } });
    expect(query.evidence.request).toBe(`GET ${plain.url}/api/flights/?from=LHR`);
  });

  test('HTTPS with a CA generated in the test', async () => {
    const result = await check({ request: 'GET /', expect: { status: 200 } }, { base: secure.url.replace('127.0.0.1', 'localhost'), ca: caPem });
    expect(result.outcome).toBe('pass');
  });

  test('HTTPS with an untrusted certificate is an error that names the problem', async () => {
    const result = await check({ request: 'GET /' }, { base: secure.url.replace('127.0.0.1', 'localhost') });
    expect(result.outcome).toBe('error');
    expect(result.summary).toMatch(/^TLS to localhost:\d+: certificate incomplete chain or untrusted CA \(serve the missing intermediate; for a private CA set tls\.ca or target\.ca\) \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/);
  });

  test('a redirect is not followed unless asked, and the redirect expectation reads the first hop', async () => {
    const hop = await check({ request: 'GET /to-https', expect: { redirect: { status: 301, location: { startsWith: 'https://' } } } });
    expect(hop.outcome).toBe('pass');
    const followed = await check({ request: { url: '/to-https', follow_redirects: true }, expect: { status: 200, body: { contains: '?x=1' }, redirect: { status: 301 } } }, { ca: caPem });
    expect(followed.outcome).toBe('pass');
    expect(followed.evidence.response?.redirects).toEqual([`301 ${plain.url}/to-https → ${secure.url}/landing?x=1`]);
  });

  test('redirects stop at hosts the manifest does not name', async () => {
    const result = await check({ request: { url: '/to-other-host', follow_redirects: true }, expect: { status: 200 } }, { allowed: ['127.0.0.1'] });
    expect(result.outcome).toBe('error');
    expect(result.summary).toMatch(/^redirect not followed to http:\/\/localhost:\d+\/catch: localhost:\d+ is not a host the manifest names/);
    expect(seen.some((request) => request.url.startsWith('other:'))).toBe(false);
  });

  test('credentials do not follow a redirect to another origin; the target key stays on the target host', async () => {
    seen.length = 0;
    await check(
      { request: { url: '/to-other-host', follow_redirects: true, headers: { Authorization: 'Bearer {{ secrets.TOKEN }}', Accept: 'text/plain' } } },
      { targetHeaders: { 'X-Staging-Key': 'key-1234' } },
    );
    const first = seen.find((request) => request.url === '/to-other-host');
    const second = seen.find((request) => request.url === 'other:/catch');
    expect(first?.headers.authorization).toBe('Bearer sekret-token-value-123');
    expect(first?.headers['x-staging-key']).toBe('key-1234');
    expect(second?.headers.authorization).toBeUndefined();
    expect(second?.headers['x-staging-key']).toBeUndefined();
    expect(second?.headers.accept).toBe('text/plain');
  });

  test('a redirect loop stops after 10 hops and says so', async () => {
    const result = await check({ request: { url: '/loop', follow_redirects: true } });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe(`redirect more than 10 redirects (a loop?); stopped at ${plain.url}/loop`);
  });
});

describe('http check: what cannot be evaluated', () => {
  test('a refused connection is an error, retryable', async () => {
    const result = await check({ request: 'GET /' }, { base: 'http://127.0.0.1:9' });
    expect(result).toMatchObject({ outcome: 'error', summary: 'connection refused by 127.0.0.1:9', retryable: true });
  });

  test('no answer within the timeout is an error that says how long it waited', async () => {
    const result = await check({ request: 'GET /slow' }, { timeoutMs: 300 });
    expect(result).toMatchObject({ outcome: 'error', summary: `no response from 127.0.0.1:${plain.port} within 300ms`, retryable: true });
  });

  test('an oversized body is capped and the evidence says so', async () => {
    const result = await check({ request: 'GET /huge', expect: { body: { contains: 'THE END' } } });
    expect(result.outcome).toBe('fail');
    expect(result.evidence.response?.truncated).toBe(true);
    expect(result.evidence.response?.bodyBytes).toBe(1024 * 1024);
    expect(result.summary).toMatch(/only the first 1048576 bytes were read/);
  });

  test('a missing secret is an error naming the variable', async () => {
    const result = await check({ request: { url: '/', headers: { Authorization: '{{ secrets.NOPE }}' } } });
    expect(result).toMatchObject({ outcome: 'error', summary: 'secret NOPE is not set (pass it to the step as env NOPE)' });
  });

  test('secrets and credentials never appear in the evidence', async () => {
    const redactor = new Redactor();
    redactor.add('sekret-token-value-123');
    const result = await check({ request: { url: '/hostile', headers: { Authorization: 'Bearer x' } }, expect: { json: { '$.token': 'other' } } }, { redactor });
    const evidence = JSON.stringify(result);
    expect(evidence).not.toContain('sekret-token-value-123');
    expect(evidence).toContain('[redacted]');
    const cookies = await check({ request: 'GET /' });
    expect(JSON.stringify(cookies.evidence)).not.toContain('s3ss10n');
    expect(cookies.evidence.response?.headers).toContainEqual(['Set-Cookie', 'sessionid=[redacted]; HttpOnly; Path=/; SameSite=Lax; Secure']);
  });
});
