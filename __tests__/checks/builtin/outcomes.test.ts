// Honest outcomes beyond the Django lab: transport failures are errors, targets a check
// cannot read are skips or errors with the reason, and each rule's edges (notes versus
// failures) on hand-written servers.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { runBuiltinCheck } from '../../../src/checks/builtin/index.ts';
import { parseHsts } from '../../../src/checks/builtin/headers.ts';
import type { CheckResult } from '../../../src/checks/result.ts';
import { TARGET_BUILTIN_NAMES as BUILTIN_NAMES, type TargetBuiltinName as BuiltinName } from '../../../src/manifest/builtins.ts';
import { createCa, localhostCert, type PemPair } from '../../../test-support/certs.ts';
import { startServer, type RunningServer } from '../../../test-support/servers.ts';
import { contextFor, labParams, startCanned, type Canned, type TestContext } from './helpers.ts';

const HTML = 'text/html; charset=utf-8';
const page = (title: string, extra = ''): string => `<!doctype html><html><head><title>${title}</title>${extra}</head><body><h1>${title}</h1></body></html>`;
const ok = (headers: [string, string][] = [], body = page('Home')): Canned => ({ status: 200, headers: [['Content-Type', HTML], ...headers], body });

type Route = (request: { method: string; path: string; headers: IncomingHttpHeaders; listener: 'https' | 'http'; port: number }) => Canned;

let ca: PemPair;
let site: Awaited<ReturnType<typeof startCanned>>;
let target: TestContext;
const routes = new Map<string, Route>();
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ca = await createCa({ commonName: 'built-in outcomes CA' });
  site = await startCanned(ca, (method, url, headers, listener) => {
    const path = new URL(url, 'http://x').pathname;
    const route = routes.get(`${listener} ${path}`) ?? routes.get(path);
    return route ? route({ method, path, headers, listener, port: site.httpPort }) : { status: 404, headers: [['Content-Type', HTML]], body: page('Not Found') };
  });
  target = contextFor(site);
});

afterAll(async () => {
  await target?.close();
  await site?.close();
  await Promise.all(closers.map((close) => close()));
});

function run(name: BuiltinName, params: Record<string, unknown> = {}, context = target.context): Promise<CheckResult> {
  return runBuiltinCheck(name, params, context);
}

describe('transport failures are errors', () => {
  test('every built-in against a port nothing listens on is an error', async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    const down = contextFor({ url: `https://localhost:${gone.port}`, caCert: ca.cert });
    try {
      const params = labParams(gone.port);
      const results = await Promise.all(BUILTIN_NAMES.map(async (name) => [name, await run(name, params[name], down.context)] as const));
      for (const [name, result] of results) expect({ name, outcome: result.outcome }).toEqual({ name, outcome: 'error' });
      const hsts = results.find(([name]) => name === 'hsts')?.[1];
      expect(hsts?.summary).toMatch(/^connection refused by localhost:\d+$/);
      expect(hsts?.retryable).toBe(true);
    } finally {
      await down.close();
    }
  });

  test('a server that never answers is an error after the request timeout', async () => {
    const stuck: RunningServer = await startServer(() => undefined, { tls: await localhostCert(ca) });
    closers.push(() => stuck.close());
    const slow = contextFor({ url: `https://localhost:${stuck.port}`, caCert: ca.cert }, { requestTimeoutMs: 300 });
    try {
      for (const name of ['hsts', 'health', 'cors', 'django/debug-off'] as const) {
        const result = await run(name, {}, slow.context);
        expect({ name, outcome: result.outcome, summary: result.summary }).toEqual({ name, outcome: 'error', summary: expect.stringMatching(/no response from localhost:\d+ within 300ms$/) });
      }
    } finally {
      await slow.close();
    }
  });
});

describe('django/debug-off and django/allowed-hosts', () => {
  test('a catch-all route answering 200 to any path cannot tell: skip, not pass', async () => {
    routes.set('/spa/', () => ok());
    const result = await run('django/debug-off', { path: '/spa/' });
    expect(result.outcome).toBe('skip');
    expect(result.summary).toBe('cannot tell whether DEBUG is on: /spa/ answered 200 (a catch-all route or a single-page app?); set with.path to a URL that answers 404');
  });

  test('an edge that rejects unknown hosts with 421 passes, with a note', async () => {
    routes.set('/edge-421/', ({ headers }) => (headers.host?.startsWith('localhost') ? ok() : { status: 421, body: 'Misdirected Request' }));
    const result = await run('django/allowed-hosts', { path: '/edge-421/' });
    expect(result.outcome).toBe('pass');
    expect(result.evidence.notes).toContain("rejected with 421, not Django's 400 (DisallowedHost): an edge or proxy answered");
  });

  test('a proxy error page cannot tell: skip', async () => {
    routes.set('/edge-502/', ({ headers }) => (headers.host?.startsWith('localhost') ? ok() : { status: 502, body: 'Bad Gateway' }));
    const result = await run('django/allowed-hosts', { path: '/edge-502/' });
    expect(result.outcome).toBe('skip');
    expect(result.summary).toMatch(/^cannot tell: a bogus Host header was answered with 502/);
  });

  test('a path that answers 404 to the real host too proves nothing: error naming with.path', async () => {
    const result = await run('django/allowed-hosts', { path: '/no-such-page/' });
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe("cannot tell: /no-such-page/ answers 404 for the real host too, so the bogus Host's 404 proves nothing; set with.path to a page that exists");
  });

  test('a relative redirect means the app handled the bogus host: fail', async () => {
    routes.set('/app-redirect/', () => ({ status: 302, headers: [['Location', '/accounts/login/']] }));
    const result = await run('django/allowed-hosts', { path: '/app-redirect/' });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/was answered with 302 to \/accounts\/login\/, so the app accepted it; list your domains in ALLOWED_HOSTS \(not '\*'\)$/);
  });

  test('an absolute redirect to the canonical host passes with a note; a reflected X-Forwarded-Host is a note', async () => {
    routes.set('/canonical/', ({ headers }) => {
      if (!headers.host?.startsWith('localhost')) return { status: 301, headers: [['Location', 'https://localhost/canonical/']] };
      const forwarded = headers['x-forwarded-host'];
      return ok([], page('Home', forwarded ? `<link rel="canonical" href="https://${String(forwarded)}/">` : ''));
    });
    const result = await run('django/allowed-hosts', { path: '/canonical/' });
    expect(result.outcome).toBe('pass');
    expect(result.evidence.notes).toEqual([
      expect.stringMatching(/^X-Forwarded-Host: prg-[0-9a-f]+\.invalid came back in the 200 response: the app trusts a header the client controls/),
      expect.stringMatching(/^the bogus Host was redirected to https:\/\/localhost\/canonical\/ \(a canonical-host redirect\?\), not served/),
    ]);
  });
});

describe('https-redirect', () => {
  test('302 passes with a note by default and fails when with.status lists only 301', async () => {
    routes.set('http /temporary/', ({ path }) => ({ status: 302, headers: [['Location', `${site.url}${path}?x=1`]] }));
    const loose = await run('https-redirect', { path: '/temporary/', httpPort: site.httpPort });
    expect(loose.outcome).toBe('pass');
    expect(loose.evidence.notes).toContain("302 is a temporary redirect that browsers do not remember; Django's SECURE_SSL_REDIRECT sends 301 (is a proxy redirecting instead?)");
    const strict = await run('https-redirect', { path: '/temporary/', httpPort: site.httpPort, status: [301] });
    expect(strict.outcome).toBe('fail');
    expect(strict.summary).toMatch(/\/temporary\/\?x=1 redirects with 302; with\.status accepts 301$/);
  });

  test('200 over plain http fails naming SECURE_SSL_REDIRECT; a first hop to http fails', async () => {
    routes.set('http /served/', () => ok());
    const served = await run('https-redirect', { path: '/served/', httpPort: site.httpPort });
    expect(served.summary).toBe(`http://localhost:${site.httpPort}/served/?x=1 answered 200; set SECURE_SSL_REDIRECT = True`);
    expect(served.outcome).toBe('fail');
    routes.set('http /to-http/', ({ port }) => ({ status: 301, headers: [['Location', `http://localhost:${port}/elsewhere/`]] }));
    const toHttp = await run('https-redirect', { path: '/to-http/', httpPort: site.httpPort });
    expect(toHttp.outcome).toBe('fail');
    expect(toHttp.summary).toMatch(/redirects to http:\/\/localhost:\d+\/elsewhere\/, not to https; set SECURE_SSL_REDIRECT = True$/);
  });

  test('a first hop to another host or path is a note, and that host is not requested', async () => {
    routes.set('http /www/', () => ({ status: 301, headers: [['Location', 'https://www.skyway.example/']] }));
    const result = await run('https-redirect', { path: '/www/', httpPort: site.httpPort });
    expect(result.outcome).toBe('pass');
    expect(result.evidence.notes).toEqual([
      expect.stringMatching(/^the first hop goes to another host \(www\.skyway\.example\): SECURE_SSL_HOST or PREPEND_WWW\?/),
      'www.skyway.example is not a host the manifest names, so the https side was not requested',
    ]);
  });

  test('nothing listening on the http port is a skip when https answers', async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    const result = await run('https-redirect', { httpPort: gone.port });
    expect(result.outcome).toBe('skip');
    expect(result.summary).toBe(`nothing listens on localhost:${gone.port} (connection refused): plain http is not served, so there is nothing to redirect`);
  });
});

describe('hsts', () => {
  test.each([
    ['max-age=0; includeSubDomains', 'HSTS max-age is 0, which tells browsers to forget the policy; set SECURE_HSTS_SECONDS = 31536000'],
    ['max-age=abc', 'Strict-Transport-Security "max-age=abc" is malformed (max-age missing, repeated or not a number); set SECURE_HSTS_SECONDS = 31536000'],
    ['max-age=31536000, max-age=31536000', 'Strict-Transport-Security "max-age=31536000, max-age=31536000" is malformed (max-age missing, repeated or not a number); set SECURE_HSTS_SECONDS = 31536000'],
    ['max-age=15552000; includeSubDomains; preload', 'HSTS max-age is 15552000; set SECURE_HSTS_SECONDS = 31536000'],
  ])('%s fails', async (value, summary) => {
    routes.set('/hsts/', () => ok([['Strict-Transport-Security', value]]));
    const result = await run('hsts', { path: '/hsts/' });
    expect({ outcome: result.outcome, summary: result.summary }).toEqual({ outcome: 'fail', summary });
  });

  test('without includeSubDomains and preload: notes by default, failures when required', async () => {
    routes.set('/hsts/', () => ok([['Strict-Transport-Security', 'max-age="63072000"']]));
    const advisory = await run('hsts', { path: '/hsts/' });
    expect(advisory.outcome).toBe('pass');
    expect(advisory.evidence.notes).toEqual(['no includeSubDomains (SECURE_HSTS_INCLUDE_SUBDOMAINS = True adds it)', expect.stringMatching(/^no preload \(SECURE_HSTS_PRELOAD = True adds it/)]);
    const strict = await run('hsts', { path: '/hsts/', requireIncludeSubDomains: true, requirePreload: true });
    expect(strict.outcome).toBe('fail');
    expect(strict.summary).toBe('HSTS has no includeSubDomains; set SECURE_HSTS_INCLUDE_SUBDOMAINS = True (+1 more)');
    const shorter = await run('hsts', { path: '/hsts/', minMaxAge: 100_000_000 });
    expect(shorter.summary).toBe('HSTS max-age is 63072000; set SECURE_HSTS_SECONDS = 100000000');
  });

  test('parseHsts reads the directives case-insensitively and refuses repeats', () => {
    expect(parseHsts('Max-Age=31536000 ; INCLUDESUBDOMAINS;preload')).toEqual({ maxAge: 31536000, includeSubDomains: true, preload: true });
    expect(parseHsts('max-age=1; max-age=2')).toBeUndefined();
    expect(parseHsts('includeSubDomains')).toBeUndefined();
  });
});

describe('nosniff and frame-options', () => {
  test.each([
    [[], /^no X-Content-Type-Options header on \/sniff\/; set SECURE_CONTENT_TYPE_NOSNIFF = True/],
    [[['X-Content-Type-Options', 'nosniff'], ['X-Content-Type-Options', 'nosniff']], /^X-Content-Type-Options is sent 2 times on \/sniff\/; send it once/],
    [[['X-Content-Type-Options', 'sniff']], /^X-Content-Type-Options is "sniff" on \/sniff\/; set SECURE_CONTENT_TYPE_NOSNIFF = True$/],
  ] as [[string, string][], RegExp][])('nosniff fails on %j', async (headers, summary) => {
    routes.set('/sniff/', () => ok(headers));
    const result = await run('nosniff', { paths: ['/sniff/'] });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(summary);
  });

  test('nosniff with no 2xx page to judge is an error, not a pass', async () => {
    const result = await run('nosniff', { paths: ['/missing/'] });
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe('cannot tell: no 2xx page to judge (/missing/ answered 404); set with.paths to pages that answer 2xx');
  });

  test.each([
    [[['Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'"]], {}, 'pass'],
    [[['X-Frame-Options', 'SAMEORIGIN']], { require: 'SAMEORIGIN' }, 'pass'],
    [[['X-Frame-Options', 'deny']], {}, 'pass'],
    [[['Content-Security-Policy', 'frame-ancestors https://partner.example']], {}, "fail: CSP frame-ancestors https://partner.example on /frame/ lets other sites frame the page; use frame-ancestors 'none' or set X_FRAME_OPTIONS = 'DENY'"],
    [[['Content-Security-Policy', "frame-ancestors 'self'"]], {}, "fail: CSP frame-ancestors 'self' on /frame/; set X_FRAME_OPTIONS = 'DENY'"],
    [[['X-Frame-Options', 'DENY'], ['X-Frame-Options', 'SAMEORIGIN']], {}, "fail: X-Frame-Options is sent 2 times on /frame/ (DENY, SAMEORIGIN), which browsers treat as invalid; send it once: Django's XFrameOptionsMiddleware or the proxy's header, not both"],
    [[['X-Frame-Options', 'ALLOW-FROM https://partner.example']], {}, `fail: X-Frame-Options is "ALLOW-FROM https://partner.example" on /frame/, which browsers ignore; set X_FRAME_OPTIONS = 'DENY'`],
    [[], {}, "fail: no X-Frame-Options header on /frame/; add django.middleware.clickjacking.XFrameOptionsMiddleware to MIDDLEWARE and set X_FRAME_OPTIONS = 'DENY'"],
  ] as [[string, string][], Record<string, unknown>, string][])('frame-options on %j with %j: %s', async (headers, params, expected) => {
    routes.set('/frame/', () => ok(headers));
    const result = await run('frame-options', { paths: ['/frame/'], ...params });
    expect(result.outcome === 'pass' ? 'pass' : `${result.outcome}: ${result.summary}`).toBe(expected);
    if (params.require === 'SAMEORIGIN') expect(result.evidence.notes).toEqual(['SAMEORIGIN on /frame/ lets the site frame its own pages (DENY forbids all framing)']);
  });
});

describe('csrf-active, cors, auth-required', () => {
  test('csrf-active without a form page, or with a form that refuses POST, cannot tell: error', async () => {
    const none = await run('csrf-active');
    expect(none.outcome).toBe('error');
    expect(none.summary).toBe('cannot tell: no form page (/accounts/login/ answered 404, /admin/login/ answered 404); set with.path to a page with a POST form');
    routes.set('/get-only/', ({ method }) => (method === 'GET' ? ok() : { status: 405, headers: [['Allow', 'GET']] }));
    const refused = await run('csrf-active', { path: '/get-only/' });
    expect(refused.outcome).toBe('error');
    expect(refused.summary).toBe('cannot tell: POST /get-only/ answered 405; set with.path to a page that accepts POST');
  });

  test("a 403 that is not Django's CSRF page passes with a note", async () => {
    routes.set('/waf/', ({ method }) => (method === 'GET' ? ok() : { status: 403, body: 'Request blocked' }));
    const result = await run('csrf-active', { path: '/waf/' });
    expect(result.outcome).toBe('pass');
    expect(result.evidence.facts).toEqual({ status: 403, djangoCsrfPage: false });
    expect(result.evidence.notes).toEqual([expect.stringMatching(/^the 403 is not Django's "CSRF verification failed" page/)]);
  });

  test('cors: reflection without credentials is a note; reflection with credentials on the preflight only fails', async () => {
    routes.set('/public-api/', ({ headers }) => ok([['Access-Control-Allow-Origin', String(headers.origin)], ['Vary', 'Origin']], '{}'));
    const open = await run('cors', { paths: ['/public-api/'] });
    expect(open.outcome).toBe('pass');
    expect(open.evidence.notes).toContainEqual(expect.stringMatching(/^\/public-api\/ reflects the Origin https:\/\/prg-[0-9a-f]+\.example without credentials/));
    routes.set('/preflight/', ({ method, headers }) =>
      method === 'OPTIONS' ? { status: 200, headers: [['Access-Control-Allow-Origin', String(headers.origin)], ['Access-Control-Allow-Credentials', 'true']] } : ok([], '{}'),
    );
    const preflight = await run('cors', { paths: ['/preflight/'] });
    expect(preflight.outcome).toBe('fail');
    expect(preflight.summary).toMatch(/^the Origin https:\/\/prg-[0-9a-f]+\.example was reflected with credentials on OPTIONS \/preflight\/; restrict CORS_ALLOWED_ORIGINS \/ CORS_ALLOW_ALL_ORIGINS \(\+1 more\)$/);
  });

  test('cors: a listed path that does not exist is not counted as checked, and a note says so', async () => {
    routes.set('/cors-ok/', () => ok([], '{}'));
    const result = await run('cors', { paths: ['/cors-ok/', '/cors-missing/'] });
    expect(result.outcome).toBe('pass');
    expect(result.summary).toBe('no credentialed access for a foreign Origin or Origin: null on 1 path that answered (of 2)');
    expect(result.evidence.notes).toContain('/cors-missing/ answered GET with 404, so it shows only the CORS headers of an error page; list endpoints that exist in with.paths');
  });

  test('auth-required: 401 and a login redirect pass; 404 and another redirect cannot tell', async () => {
    routes.set('/token-api/', () => ({ status: 401, headers: [['WWW-Authenticate', 'Token']], body: '{"detail":"Authentication credentials were not provided."}' }));
    routes.set('/dashboard/', () => ({ status: 302, headers: [['Location', '/accounts/login/?next=/dashboard/']] }));
    routes.set('/moved/', () => ({ status: 301, headers: [['Location', '/moved-here/']] }));
    expect((await run('auth-required', { paths: ['/token-api/', '/dashboard/'] })).outcome).toBe('pass');
    const unknown = await run('auth-required', { paths: ['/token-api/', '/nope/', '/moved/'] });
    expect(unknown.outcome).toBe('error');
    expect(unknown.summary).toBe('cannot tell: /nope/ answered 404: list an endpoint that exists and answers GET (+1 more)');
  });
});

describe('static-assets and health', () => {
  const css = 'body { color: #123456; }\n'.repeat(100);
  test('no asset under STATIC_URL is a skip', async () => {
    routes.set('/no-static/', () => ok([], page('Plain', '<link rel="stylesheet" href="https://cdn.example/site.css">')));
    const result = await run('static-assets', { page: '/no-static/' });
    expect(result.outcome).toBe('skip');
    expect(result.summary).toBe('no <link rel="stylesheet"> or <script src> under /static/ on /no-static/; set with.staticUrl (your STATIC_URL) or with.page');
  });

  test('a missing asset and a no-cache hashed file fail; unhashed names only earn a note', async () => {
    routes.set('/assets/', () => ok([], page('Assets', `<link rel='stylesheet' href='/static/a.0123456789ab.css'><script defer src=/static/gone.js></script>`)));
    routes.set('/static/a.0123456789ab.css', () => ({ status: 200, headers: [['Content-Type', 'text/css'], ['Cache-Control', 'no-cache']], body: 'a{}' }));
    const result = await run('static-assets', { page: '/assets/' });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe(
      '/static/a.0123456789ab.css is sent with Cache-Control: no-cache; hashed files should be cached ≥ 1 year (ManifestStaticFilesStorage + WhiteNoise) (+1 more)',
    );

    routes.set('/unhashed/', () => ok([], page('Assets', '<link rel="stylesheet" href="/static/site.css">')));
    routes.set('/static/site.css', () => ({ status: 200, headers: [['Content-Type', 'text/css'], ['Cache-Control', 'max-age=60, public']], body: 'a{}' }));
    const unhashed = await run('static-assets', { page: '/unhashed/' });
    expect(unhashed.outcome).toBe('pass');
    expect(unhashed.evidence.notes).toEqual([expect.stringMatching(/^none of the assets has a hashed name .*ManifestStaticFilesStorage not used\?/)]);

    routes.set('/big/', () => ok([], page('Assets', '<link rel="stylesheet" href="/static/big.css">')));
    routes.set('/static/big.css', () => ({ status: 200, headers: [['Content-Type', 'text/css']], body: css }));
    const big = await run('static-assets', { page: '/big/' });
    expect(big.summary).toBe(`/static/big.css (${css.length} bytes) is served uncompressed although gzip was asked for; use WhiteNoise CompressedManifestStaticFilesStorage (or compress at the proxy)`);
  });

  test('health: a JSON predicate that does not hold fails', async () => {
    routes.set('/health/', () => ({ status: 200, headers: [['Content-Type', 'application/json']], body: '{"status":"degraded"}' }));
    const degraded = await run('health', { json: { '$.status': 'ok' } });
    expect(degraded.outcome).toBe('fail');
    expect(degraded.summary).toBe('/health/: $.status: expected "ok", got "degraded"');
  });

  test('performance-slo with the seed error rate and too few samples says so instead of passing', async () => {
    routes.set('/fast/', () => ok());
    const result = await run('performance-slo', { path: '/fast/', samples: 50, concurrency: 5 });
    expect(result.outcome).toBe('error');
    expect(result.summary).toMatch(/^not enough samples to show errorRate < 0\.1%/);
    expect(result.evidence.facts).toMatchObject({ samples: 50, errors: 0 });
  });

  test('performance-slo whose samples were all redirects is an error naming the final URL, never a pass', async () => {
    routes.set('/moved/', () => ({ status: 301, headers: [['Location', '/final/']], body: '' }));
    const result = await run('performance-slo', { path: '/moved/', samples: 40, concurrency: 4, errorRate: '10%' });
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe('all 40 samples answered 301 (it redirects to /final/); point it at the final URL');
    expect(result.evidence.facts).toMatchObject({ statusCounts: '301: 40' });
  });

  test('invalid parameters are an error naming them', async () => {
    const result = await run('hsts', { minMaxAge: 'a year' });
    expect(result.outcome).toBe('error');
    expect(result.summary).toMatch(/^invalid with: for hsts: minMaxAge: /);
  });
});
