import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CookieJar } from 'tough-cookie';
import { startDemoStaging, type DemoStaging } from '../../examples/staging-server.ts';
import type { CheckContext } from '../../src/checks/context.ts';
import { runFlowCheck, type FlowCheck } from '../../src/checks/flow.ts';
import { jarCookieStore } from '../../src/http/cookie-jar.ts';
import { HttpClient } from '../../src/http/client.ts';
import { createCa, localhostCert } from '../../test-support/certs.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { parseCookies, readBody } from '../../test-support/requests.ts';
import { checkContext } from '../../test-support/check-context.ts';

const PASSWORD = 'correct horse battery staple';

/**
 * A small app that behaves like Django on the wire: the login page sets csrftoken; a POST
 * needs the form (or X-CSRFToken) token to equal the cookie and, over HTTPS, a same-origin
 * Referer; login rotates csrftoken and sets an HttpOnly sessionid; the bookings API needs
 * the session and the current token.
 */
class FakeDjango {
  readonly secure: boolean;
  origin = '';
  readonly sessions = new Map<string, string>(); // sessionid → current csrftoken
  readonly bookings = new Map<number, string>();
  readonly deleted: number[] = [];
  /** Referer of each request, by "METHOD /path". */
  readonly referers: { request: string; referer: string | undefined }[] = [];
  readonly seen: { path: string; query: Record<string, string>; cookie: string | undefined }[] = [];
  private nextId = 41;
  private nextRequestId = 1000;

  constructor(secure: boolean) {
    this.secure = secure;
  }

  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.origin);
    const cookies = parseCookies(req.headers.cookie);
    const body = await readBody(req);
    this.referers.push({ request: `${method} ${url.pathname}`, referer: req.headers.referer });
    this.seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), cookie: req.headers.cookie });
    const setCookies: string[] = [];
    const cookie = (name: string, value: string, httpOnly = false) =>
      setCookies.push(`${name}=${value}; Path=/; SameSite=Lax${httpOnly ? '; HttpOnly' : ''}${this.secure ? '; Secure' : ''}`);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, {
        'Content-Type': typeof payload === 'string' ? 'text/html; charset=utf-8' : 'application/json',
        'X-Request-Id': String(this.nextRequestId++),
        ...headers,
        ...(setCookies.length > 0 ? { 'Set-Cookie': setCookies } : {}),
      });
      res.end(status === 204 ? undefined : text);
    };
    const csrfFailure = (token: string | undefined): string | undefined => {
      if (this.secure) {
        const referer = req.headers.referer;
        if (referer === undefined || new URL(referer).origin !== this.origin) return `Referer checking failed - ${referer ?? 'no Referer'}.`;
      }
      const expected = cookies.get('csrftoken');
      if (expected === undefined) return 'CSRF cookie not set.';
      return token === expected ? undefined : 'CSRF token incorrect.';
    };
    const session = cookies.get('sessionid');
    const loggedIn = session !== undefined && this.sessions.has(session);

    if (url.pathname === '/accounts/login/' && method === 'GET') {
      const token = cookies.get('csrftoken') ?? randomBytes(16).toString('hex');
      cookie('csrftoken', token);
      return send(200, `<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="${token}"></form>`);
    }
    if (url.pathname === '/accounts/login/' && method === 'POST') {
      const form = new URLSearchParams(body);
      const failure = csrfFailure(form.get('csrfmiddlewaretoken') ?? undefined);
      if (failure) return send(403, `<p>CSRF verification failed. ${failure}</p>`);
      if (form.get('username') !== 'smoke' || form.get('password') !== PASSWORD) return send(200, '<p>Please enter a correct username and password.</p>');
      // login(): a new session and a rotated CSRF token.
      const sessionId = randomBytes(16).toString('hex');
      const rotated = randomBytes(16).toString('hex');
      this.sessions.set(sessionId, rotated);
      cookie('csrftoken', rotated);
      cookie('sessionid', sessionId, true);
      if (url.searchParams.has('next')) return send(302, '', { Location: url.searchParams.get('next') as string });
      return send(200, '<h1>Welcome back, smoke</h1>');
    }
    if (url.pathname === '/welcome/') return loggedIn ? send(200, '<h1>Welcome back, smoke</h1>') : send(302, '', { Location: '/accounts/login/' });
    if (url.pathname === '/status/503/') return send(503, { detail: 'Service unavailable' });
    if (url.pathname === '/echo/') return send(200, { query: Object.fromEntries(url.searchParams) });

    const booking = /^\/api\/bookings\/(?:(\d+)\/)?$/.exec(url.pathname);
    if (booking) {
      if (!loggedIn) return send(403, { detail: 'Authentication credentials were not provided.' });
      if (method !== 'GET') {
        const failure = csrfFailure(req.headers['x-csrftoken'] as string | undefined);
        if (failure) return send(403, { detail: `CSRF Failed: ${failure}` });
        if (cookies.get('csrftoken') !== this.sessions.get(session)) return send(403, { detail: 'CSRF Failed: CSRF token from before login.' });
      }
      const id = booking[1] === undefined ? undefined : Number(booking[1]);
      if (id === undefined && method === 'POST') {
        const { flight } = JSON.parse(body) as { flight: string };
        const created = this.nextId++;
        this.bookings.set(created, flight);
        return send(201, { id: created, flight, status: 'confirmed' });
      }
      if (id === undefined || !this.bookings.has(id)) return send(404, { detail: 'Not found.' });
      if (method === 'DELETE') {
        this.bookings.delete(id);
        this.deleted.push(id);
        return send(204, '');
      }
      return send(200, { id, flight: this.bookings.get(id), status: 'confirmed' });
    }
    return send(404, '<h1>Not Found</h1>');
  };
}

async function startDjango(options: { tls?: { cert: string; key: string } } = {}): Promise<{ app: FakeDjango; server: RunningServer }> {
  const app = new FakeDjango(options.tls !== undefined);
  const server = await startServer((req, res) => void app.handle(req, res), options.tls ? { tls: options.tls } : {});
  app.origin = server.url;
  return { app, server };
}

const controller = new AbortController();
const clients: HttpClient[] = [];

function contextFor(baseUrl: string, options: { env?: Record<string, string>; ca?: string } = {}): CheckContext {
  const http = new HttpClient(options.ca ? { perHost: 2, ca: options.ca } : { perHost: 4 });
  clients.push(http);
  const context = checkContext({ http, baseUrl, env: options.env ?? { SMOKE_PASSWORD: PASSWORD }, signal: controller.signal, ...(options.ca ? { ca: options.ca } : {}) });
  return context;
}

afterAll(async () => {
  controller.abort();
  await Promise.all(clients.map((client) => client.close()));
});

const LOGIN_PAGE = { request: 'GET /accounts/login/', expect: { status: 200 } };
const LOGIN = {
  request: {
    method: 'POST',
    url: '/accounts/login/',
    form: { username: 'smoke', password: '{{ secrets.SMOKE_PASSWORD }}', csrfmiddlewaretoken: '{{ cookies.csrftoken }}' },
  },
  expect: { status: 200, body: { contains: 'Welcome back' } },
};
const BOOK = {
  request: { method: 'POST', url: '/api/bookings/', json: { flight: 'BA117' }, headers: { 'X-CSRFToken': '{{ cookies.csrftoken }}' } },
  expect: { status: 201 },
  capture: { booking_id: { json: '$.id' } },
};
const READ_BACK = { request: 'GET /api/bookings/{{ booking_id }}/', expect: { status: 200, json: { '$.flight': 'BA117' } } };
const DELETE = { request: { method: 'DELETE', url: '/api/bookings/{{ booking_id }}/', headers: { 'X-CSRFToken': '{{ cookies.csrftoken }}' } }, expect: { status: 204 } };

const BOOKING_FLOW: FlowCheck = { steps: [LOGIN_PAGE, LOGIN, BOOK, READ_BACK], finally: [DELETE] };

describe('flow check over http', () => {
  let app: FakeDjango;
  let server: RunningServer;
  beforeAll(async () => {
    ({ app, server } = await startDjango());
  });
  afterAll(async () => {
    await server.close();
  });

  test('login → create booking → read back → delete passes, and the booking is really deleted', async () => {
    const result = await runFlowCheck(BOOKING_FLOW, contextFor(server.url));

    expect(result.summary).toBe('4 steps and 1 cleanup step passed');
    expect(result.outcome).toBe('pass');
    expect(result.evidence.steps?.map((step) => [step.name, step.outcome])).toEqual([
      ['GET /accounts/login/', 'pass'],
      ['POST /accounts/login/', 'pass'],
      ['POST /api/bookings/', 'pass'],
      ['GET /api/bookings/{{ booking_id }}/', 'pass'],
      ['DELETE /api/bookings/{{ booking_id }}/', 'pass'],
    ]);
    const created = JSON.parse(result.evidence.steps?.[2]?.response?.body ?? '{}') as { id: number };
    expect(app.deleted).toContain(created.id);
    expect(app.bookings.has(created.id)).toBe(false);
    expect(result.evidence.steps?.[3]?.request).toBe(`GET ${server.url}/api/bookings/${created.id}/`);
    expect(result.retryable).toBeUndefined();
  });

  test('{{ cookies.csrftoken }} is read at send time; a token captured once before login is stale after the rotation', async () => {
    const stale: FlowCheck = {
      steps: [
        { ...LOGIN_PAGE, capture: { csrf: { cookie: 'csrftoken' } } },
        { ...LOGIN, request: { ...LOGIN.request, form: { ...LOGIN.request.form, csrfmiddlewaretoken: '{{ csrf }}' } } },
        { ...BOOK, request: { ...BOOK.request, headers: { 'X-CSRFToken': '{{ csrf }}' } } },
      ],
    };
    const staleResult = await runFlowCheck(stale, contextFor(server.url));
    expect(staleResult.outcome).toBe('fail');
    expect(staleResult.summary).toBe('step 3 (POST /api/bookings/): status: expected 201, got 403 (+1 more)');
    expect(staleResult.evidence.steps?.[2]?.assertions?.[0]).toMatchObject({ subject: 'status', ok: false });
    expect(staleResult.evidence.steps?.[2]?.response?.body).toContain('CSRF token incorrect');

    const fresh = await runFlowCheck({ steps: [LOGIN_PAGE, LOGIN, BOOK] }, contextFor(server.url));
    expect(fresh.outcome).toBe('pass');
  });

  test('the first failing step fails the item; later steps are skipped with the reason', async () => {
    const wrongPassword = contextFor(server.url, { env: { SMOKE_PASSWORD: 'not the password' } });
    const before = app.seen.length;
    const loginSetsSession = { ...LOGIN, expect: { status: 200, cookies: { sessionid: { exists: true } } } };
    const result = await runFlowCheck({ steps: [LOGIN_PAGE, loginSetsSession, BOOK, READ_BACK] }, wrongPassword);

    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('step 2 (POST /accounts/login/): cookie sessionid: expected set by this response, got no Set-Cookie for it');
    expect(result.evidence.steps?.map((step) => step.outcome)).toEqual(['pass', 'fail', 'skip', 'skip']);
    expect(result.evidence.steps?.[2]?.summary).toBe('not run: step 2 (POST /accounts/login/) failed');
    expect(app.seen.slice(before).map((entry) => entry.path)).toEqual(['/accounts/login/', '/accounts/login/']);
  });

  test('finally steps run after a failure and see the captures made before it', async () => {
    const wrongReadBack = { ...READ_BACK, expect: { status: 200, json: { '$.flight': 'XX999' } } };
    const result = await runFlowCheck({ steps: [LOGIN_PAGE, LOGIN, BOOK, wrongReadBack], finally: [DELETE] }, contextFor(server.url));

    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('step 4 (GET /api/bookings/{{ booking_id }}/): $.flight: expected "XX999", got "BA117"');
    const cleanup = result.evidence.steps?.[4];
    expect(cleanup?.outcome).toBe('pass');
    const created = JSON.parse(result.evidence.steps?.[2]?.response?.body ?? '{}') as { id: number };
    expect(cleanup?.request).toBe(`DELETE ${server.url}/api/bookings/${created.id}/`);
    expect(app.bookings.has(created.id)).toBe(false);
  });

  test('a booking created with an unexpected status is still captured and cleaned up', async () => {
    const expects200 = { ...BOOK, expect: { status: 200 } };
    const result = await runFlowCheck({ steps: [LOGIN_PAGE, LOGIN, expects200], finally: [DELETE] }, contextFor(server.url));
    expect(result.summary).toBe('step 3 (POST /api/bookings/): status: expected 200, got 201');
    expect(result.evidence.steps?.[3]?.outcome).toBe('pass');
  });

  test('a finally step whose capture was never made is skipped, not an error', async () => {
    const result = await runFlowCheck({ steps: [LOGIN_PAGE, { ...LOGIN, expect: { status: 302 } }, BOOK], finally: [DELETE] }, contextFor(server.url));

    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('step 2 (POST /accounts/login/): status: expected 302, got 200');
    expect(result.evidence.steps?.[3]).toMatchObject({ name: 'DELETE /api/bookings/{{ booking_id }}/', outcome: 'skip', summary: 'not run: {{ booking_id }} was not captured' });
  });

  test('a failing cleanup fails the item and says so', async () => {
    const result = await runFlowCheck({ steps: [LOGIN_PAGE, LOGIN, BOOK], finally: [DELETE, DELETE] }, contextFor(server.url));

    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('cleanup step 2 (DELETE /api/bookings/{{ booking_id }}/) failed: status: expected 204, got 404');
  });

  test('a Set-Cookie on a redirect hop is stored (login answering 302, redirects followed)', async () => {
    const redirectingLogin = {
      ...LOGIN,
      request: { ...LOGIN.request, url: '/accounts/login/?next=/welcome/', follow_redirects: true },
    };
    const result = await runFlowCheck({ steps: [LOGIN_PAGE, redirectingLogin, BOOK], finally: [DELETE] }, contextFor(server.url));

    expect(result.summary).toBe('3 steps and 1 cleanup step passed');
    expect(result.evidence.steps?.[1]?.response?.redirects).toEqual([`302 ${server.url}/accounts/login/?next=/welcome/ → ${server.url}/welcome/`]);
  });

  test('a same-origin step sends the previous page as its Referer; the first step sends none', async () => {
    app.referers.length = 0;
    const result = await runFlowCheck({ steps: [LOGIN_PAGE, { ...LOGIN, request: { ...LOGIN.request, url: '/accounts/login/?next=/welcome/', follow_redirects: true } }, BOOK] }, contextFor(server.url));

    expect(result.outcome).toBe('pass');
    expect(app.referers).toEqual([
      { request: 'GET /accounts/login/', referer: undefined },
      { request: 'POST /accounts/login/', referer: `${server.url}/accounts/login/` },
      { request: 'GET /welcome/', referer: `${server.url}/accounts/login/` },
      // The page the redirect ended on.
      { request: 'POST /api/bookings/', referer: `${server.url}/welcome/` },
    ]);
  });

  test('regex, header and cookie captures are used by later steps; a capture that finds nothing fails the step', async () => {
    app.seen.length = 0;
    const flow: FlowCheck = {
      steps: [
        {
          ...LOGIN_PAGE,
          capture: {
            form_token: { regex: 'name="csrfmiddlewaretoken" value="([0-9a-f]+)"' },
            request_id: { header: 'x-request-id' },
            csrf: { cookie: 'csrftoken' },
          },
        },
        { request: 'GET /echo/?form={{ form_token }}&rid={{ request_id }}&cookie={{ csrf }}', expect: { status: 200 } },
        { request: 'GET /echo/', capture: { missing: { json: '$.query.nope' } } },
      ],
    };
    const result = await runFlowCheck(flow, contextFor(server.url));

    const loginPage = app.seen.find((entry) => entry.path === '/accounts/login/');
    const echo = app.seen.find((entry) => entry.path === '/echo/');
    const cookieToken = /csrftoken=([0-9a-f]+)/.exec(echo?.cookie ?? '')?.[1];
    expect(cookieToken).toMatch(/^[0-9a-f]{32}$/);
    expect(echo?.query).toEqual({ form: cookieToken, rid: expect.stringMatching(/^\d+$/), cookie: cookieToken });
    expect(loginPage).toBeDefined();
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('step 3 (GET /echo/): capture missing: nothing at $.query.nope');
    // The cookie's value went into a URL: the report shows it redacted.
    expect(result.evidence.steps?.[1]?.request).toContain('cookie=[redacted]');
    expect(JSON.stringify(result)).not.toContain(cookieToken);
  });

  test('a missing secret is an error naming the variable; later steps are skipped', async () => {
    const result = await runFlowCheck(BOOKING_FLOW, contextFor(server.url, { env: {} }));

    expect(result.outcome).toBe('error');
    expect(result.summary).toBe('step 2 (POST /accounts/login/): secret SMOKE_PASSWORD is not set (pass it to the step as env SMOKE_PASSWORD)');
    expect(result.evidence.steps?.map((step) => step.outcome)).toEqual(['pass', 'error', 'skip', 'skip', 'skip']);
    expect(result.evidence.steps?.[2]?.summary).toBe('not run: step 2 (POST /accounts/login/) could not be evaluated');
  });

  test('only a failure of the first step (502/503/504 or a transport error) is retryable', async () => {
    const first = await runFlowCheck({ steps: [{ request: 'GET /status/503/', expect: { status: 200 } }, LOGIN_PAGE] }, contextFor(server.url));
    expect(first).toMatchObject({ outcome: 'fail', retryable: true });

    const later = await runFlowCheck({ steps: [LOGIN_PAGE, { request: 'GET /status/503/', expect: { status: 200 } }] }, contextFor(server.url));
    expect(later.outcome).toBe('fail');
    expect(later.retryable).toBeUndefined();

    const closed = await startServer((_req, res) => res.end());
    const closedUrl = closed.url;
    await closed.close();
    const refused = await runFlowCheck({ steps: [LOGIN_PAGE] }, contextFor(closedUrl));
    expect(refused.outcome).toBe('error');
    expect(refused.retryable).toBe(true);
    expect(refused.summary).toMatch(/^step 1 \(GET \/accounts\/login\/\): connection refused/);
  });
});

describe('the flow cookie jar', () => {
  test('Secure, Path, Domain, HttpOnly and expiry are honoured', async () => {
    const store = jarCookieStore(new CookieJar());
    const https = new URL('https://staging.example/accounts/login/');
    await store.store(https, [
      'csrftoken=abc; Path=/; Secure',
      'sessionid=s1; Path=/; HttpOnly; Secure',
      'api=1; Path=/api/',
      'gone=1; Path=/; Max-Age=0',
      'other=1; Domain=other.example; Path=/',
      'not a cookie',
    ]);

    expect(await store.header(new URL('https://staging.example/'))).toBe('csrftoken=abc; sessionid=s1');
    expect(await store.header(new URL('https://staging.example/api/bookings/'))).toBe('api=1; csrftoken=abc; sessionid=s1');
    // Secure cookies never go over plain http (to a host that is not loopback).
    expect(await store.header(new URL('http://staging.example/'))).toBeUndefined();
    // …and plain http cannot set them.
    await store.store(new URL('http://staging.example/'), ['planted=1; Path=/; Secure']);
    expect(await store.header(new URL('https://staging.example/'))).toBe('csrftoken=abc; sessionid=s1');
    expect(await store.header(new URL('https://elsewhere.example/'))).toBeUndefined();
  });
});

describe('flow check over https', () => {
  let app: FakeDjango;
  let server: RunningServer;
  let ca: string;
  beforeAll(async () => {
    const authority = await createCa();
    ca = authority.cert;
    ({ app, server } = await startDjango({ tls: await localhostCert(authority) }));
  });
  afterAll(async () => {
    await server.close();
  });

  test('Secure cookies and a same-origin Referer get through Django-style CSRF checks', async () => {
    const result = await runFlowCheck(BOOKING_FLOW, contextFor(server.url, { ca }));

    expect(result.summary).toBe('4 steps and 1 cleanup step passed');
    expect(app.bookings.size).toBe(0);
    expect(app.deleted).toHaveLength(1);
  });

  test('the Referer is what the check looks at: a cross-origin Referer is refused', async () => {
    const foreignReferer = { ...LOGIN, request: { ...LOGIN.request, headers: { Referer: 'https://evil.example/' } } };
    const result = await runFlowCheck({ steps: [LOGIN_PAGE, foreignReferer] }, contextFor(server.url, { ca }));

    expect(result.summary).toBe('step 2 (POST /accounts/login/): status: expected 200, got 403 (+1 more)');
    expect(result.evidence.steps?.[1]?.response?.body).toContain('Referer checking failed - https://evil.example/');
  });
});

describe('flow check against the demo staging server', () => {
  let staging: DemoStaging;
  beforeAll(async () => {
    staging = await startDemoStaging({ password: PASSWORD });
  });
  afterAll(async () => {
    await staging?.close();
  });

  test('login → booking → read back → delete', async () => {
    const context = contextFor(staging.url, { ca: staging.caCert });
    const result = await runFlowCheck(BOOKING_FLOW, context);
    expect(result.summary).toBe('4 steps and 1 cleanup step passed');

    // Logged in again, the booking is gone.
    const created = JSON.parse(result.evidence.steps?.[2]?.response?.body ?? '{}') as { id: number };
    const check = await runFlowCheck(
      { steps: [LOGIN_PAGE, LOGIN, { request: `GET /api/bookings/${created.id}/`, expect: { status: 404 } }] },
      contextFor(staging.url, { ca: staging.caCert }),
    );
    expect(check.outcome).toBe('pass');
  });
});
