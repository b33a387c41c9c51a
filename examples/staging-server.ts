// The demo staging server: "Skyway Travel", a small Node app that answers the way a
// hardened Django deployment does on the wire (SecurityMiddleware, CSRF, sessions,
// ALLOWED_HOSTS, WhiteNoise, DEBUG=False error pages), so the example manifest has
// something real to check. HTTPS on 127.0.0.1 with a CA generated at start, plus a
// plain-HTTP listener that redirects like SECURE_SSL_REDIRECT.
import { createHash, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createCa, localhostCert } from '../test-support/certs.ts';
import { startServer } from '../test-support/servers.ts';
import { parseCookies, readBody } from '../test-support/requests.ts';

export interface DemoStagingOptions {
  /** HTTPS port; default an ephemeral one. */
  port?: number;
  /** Served by /health/; default 'dev'. */
  version?: string;
  /** Password of the `smoke` user; default 'smoke-password'. */
  password?: string;
}

export interface DemoStaging {
  /** https://localhost:PORT */
  url: string;
  /** http://localhost:PORT (another port), redirecting every request to url. */
  httpUrl: string;
  /** PEM of the CA that signed the server certificate: trust it to connect. */
  caCert: string;
  close(): Promise<void>;
}

const FLIGHTS = [
  { flight: 'BA117', from: 'LHR', to: 'JFK', price: 412.5 },
  { flight: 'VS3', from: 'LHR', to: 'JFK', price: 389 },
  { flight: 'AA101', from: 'LHR', to: 'JFK', price: 455.2 },
  { flight: 'BA283', from: 'LHR', to: 'LAX', price: 520 },
  { flight: 'LH400', from: 'FRA', to: 'JFK', price: 398.9 },
];

// WhiteNoise serves collectstatic's hashed names (md5[:12]) as immutable for ten years.
const CSS = Array.from(FLIGHTS, ({ flight }) => `.flight-${flight.toLowerCase()} { border-left: 4px solid #0b5cad; padding: 0.5rem 1rem; }`)
  .concat([
    'body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2733; background: #f5f7fa; }',
    'header { display: flex; align-items: center; justify-content: space-between; padding: 1rem 2rem; background: #0b5cad; color: #fff; }',
    'header a { color: #fff; text-decoration: none; font-weight: 600; }',
    'main { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }',
    'form.search { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1rem; padding: 1.5rem; background: #fff; border-radius: 8px; }',
    'form label { display: block; font-size: 0.875rem; color: #55606e; margin-bottom: 0.25rem; }',
    'input, select { width: 100%; padding: 0.5rem; border: 1px solid #c8d0da; border-radius: 4px; font-size: 1rem; }',
    'button { padding: 0.6rem 1.2rem; border: 0; border-radius: 4px; background: #f29200; color: #fff; font-weight: 600; cursor: pointer; }',
    'button:hover, button:focus { background: #d17e00; }',
    '.errornote { padding: 0.75rem 1rem; border: 1px solid #ba2121; color: #ba2121; background: #fdf3f3; border-radius: 4px; }',
    '.results { list-style: none; padding: 0; } .results li { background: #fff; margin: 0.5rem 0; border-radius: 4px; }',
    'footer { padding: 2rem; text-align: center; font-size: 0.875rem; color: #55606e; }',
    '@media (max-width: 40rem) { form.search { grid-template-columns: 1fr; } header { flex-direction: column; gap: 0.5rem; } }',
  ])
  .join('\n');
const CSS_BYTES = Buffer.from(`${CSS}\n`);
const CSS_GZIP = gzipSync(CSS_BYTES, { level: 9 });
const CSS_PATH = `/static/css/site.${createHash('md5').update(CSS_BYTES).digest('hex').slice(0, 12)}.css`;
const CSS_LAST_MODIFIED = new Date().toUTCString();
const CSS_ETAG = `"${Math.floor(Date.now() / 1000).toString(16)}-${CSS_BYTES.length.toString(16)}"`;

// Django's production (DEBUG=False) error pages, byte for byte where it matters.
const NOT_FOUND_PAGE = `<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n`;
const BAD_REQUEST_PAGE = `<!doctype html>\n<html lang="en">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n`;
// The reason can quote the request's Referer or Origin: escape it, as Django's template does.
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const csrfFailurePage = (reason: string): string =>
  `<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta http-equiv="content-type" content="text/html; charset=utf-8">\n  <title>403 Forbidden</title>\n</head>\n<body>\n<div id="summary">\n  <h1>Forbidden <span>(403)</span></h1>\n  <p>CSRF verification failed. Request aborted.</p>\n  <p>${escapeHtml(reason)}</p>\n</div>\n</body>\n</html>\n`;

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const randomToken = (length: number, alphabet = ALPHANUMERIC): string => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

const CSRF_AGE = 31449600; // CSRF_COOKIE_AGE: one year
const SESSION_AGE = 1209600; // SESSION_COOKIE_AGE: two weeks
const cookieLine = (name: string, value: string, maxAge: number, httpOnly: boolean): string =>
  `${name}=${value}; expires=${new Date(Date.now() + maxAge * 1000).toUTCString()}; ${httpOnly ? 'HttpOnly; ' : ''}Max-Age=${maxAge}; Path=/; SameSite=Lax; Secure`;

function page(title: string, content: string): string {
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <title>${title} | Skyway Travel</title>\n  <link rel="stylesheet" href="${CSS_PATH}">\n</head>\n<body>\n<header><a href="/">Skyway Travel</a><a href="/accounts/login/">Log in</a></header>\n<main>\n${content}\n</main>\n<footer>Skyway Travel Ltd. Flights, hotels and holidays.</footer>\n</body>\n</html>\n`;
}

function loginForm(csrf: string, error?: string): string {
  return `<h1>Log in</h1>\n${error ? `<p class="errornote">${error}</p>\n` : ''}<form method="post" action="/accounts/login/">\n  <input type="hidden" name="csrfmiddlewaretoken" value="${csrf}">\n  <label for="id_username">Username</label><input type="text" name="username" id="id_username" required>\n  <label for="id_password">Password</label><input type="password" name="password" id="id_password" required>\n  <button type="submit">Log in</button>\n</form>`;
}

interface Booking {
  id: number;
  flight: string;
  status: 'confirmed';
  owner: string;
}

export async function startDemoStaging(options: DemoStagingOptions = {}): Promise<DemoStaging> {
  const version = options.version ?? 'dev';
  const password = options.password ?? 'smoke-password';
  const ca = await createCa({ commonName: 'Skyway demo CA (generated for this run)' });
  const sessions = new Map<string, string>(); // sessionid → username
  const bookings = new Map<number, Booking>();
  let nextBookingId = 1;
  let httpsPort = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', `https://localhost:${httpsPort}`);
    const cookies = parseCookies(req.headers.cookie);
    const setCookies: string[] = [];

    // SecurityMiddleware runs first, so every response (static and errors too) carries these.
    res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains; preload');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');

    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void => {
      // XFrameOptionsMiddleware sits inside WhiteNoise: every view response, no static file.
      res.writeHead(status, { 'X-Frame-Options': 'DENY', ...(body.length > 0 ? { 'Content-Type': type } : {}), ...headers, ...(setCookies.length ? { 'Set-Cookie': setCookies } : {}) });
      res.end(body);
    };
    const html = (status: number, body: string): void => send(status, 'text/html; charset=utf-8', body);
    const json = (status: number, body: unknown): void => send(status, 'application/json', JSON.stringify(body));
    const notAllowed = (allow: string, api: boolean): void =>
      api ? send(405, 'application/json', JSON.stringify({ detail: `Method "${method}" not allowed.` }), { Allow: allow }) : send(405, '', '', { Allow: allow });

    // ALLOWED_HOSTS = ['localhost', '127.0.0.1'] (Django compares the host without the port).
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    // DisallowedHost is raised before XFrameOptionsMiddleware runs: the 400 has no X-Frame-Options.
    if (hostname !== 'localhost' && hostname !== '127.0.0.1') return void res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' }).end(BAD_REQUEST_PAGE);

    // get_token(): keep the visitor's csrftoken, or make one; the cookie is (re)sent either way.
    const csrfToken = (): string => {
      const token = cookies.get('csrftoken') ?? randomToken(32);
      cookies.set('csrftoken', token);
      setCookies.push(cookieLine('csrftoken', token, CSRF_AGE, false));
      return token;
    };
    // CsrfViewMiddleware for unsafe methods: same origin (Origin, else Referer over HTTPS),
    // then the token from the form or X-CSRFToken must equal the csrftoken cookie.
    const csrfFailure = (formToken: string | undefined): string | undefined => {
      const origin = `https://${req.headers.host}`;
      if (req.headers.origin !== undefined) {
        if (req.headers.origin !== origin) return `Origin checking failed - ${req.headers.origin} does not match any trusted origins.`;
      } else {
        const referer = req.headers.referer;
        if (referer === undefined) return 'Referer checking failed - no Referer.';
        if (!URL.canParse(referer) || new URL(referer).origin !== origin) return `Referer checking failed - ${referer} does not match any trusted origins.`;
      }
      const cookie = cookies.get('csrftoken');
      if (cookie === undefined) return 'CSRF cookie not set.';
      const token = formToken ?? (req.headers['x-csrftoken'] as string | undefined);
      if (!token) return 'CSRF token missing.';
      return token === cookie ? undefined : 'CSRF token incorrect.';
    };
    const unsafe = !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(method);
    const user = sessions.get(cookies.get('sessionid') ?? '');

    // WhiteNoise answers before any view: no X-Frame-Options, no CSRF.
    if (url.pathname === CSS_PATH && (method === 'GET' || method === 'HEAD')) {
      const headers: Record<string, string> = {
        'Content-Type': 'text/css; charset="utf-8"',
        'Cache-Control': 'max-age=315360000, public, immutable',
        'Access-Control-Allow-Origin': '*',
        Vary: 'Accept-Encoding',
        'Last-Modified': CSS_LAST_MODIFIED,
        ETag: CSS_ETAG,
      };
      if (req.headers['if-none-match'] === CSS_ETAG) return void res.writeHead(304, headers).end();
      // WhiteNoise's own test: the word gzip anywhere in Accept-Encoding.
      const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
      const body = gzip ? CSS_GZIP : CSS_BYTES;
      res.writeHead(200, { ...headers, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}), 'Content-Length': String(body.length) });
      return void res.end(body);
    }

    // Django views: CSRF middleware rejects unsafe requests before the view runs.
    const djangoView = url.pathname === '/' || url.pathname === '/health/' || url.pathname === '/accounts/login/';
    if (djangoView && unsafe) {
      const body = await readBody(req, 64 * 1024);
      const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body) : new URLSearchParams();
      const failure = csrfFailure(form.get('csrfmiddlewaretoken') ?? undefined);
      if (failure) return html(403, csrfFailurePage(failure));
      if (url.pathname !== '/accounts/login/' || method !== 'POST') return notAllowed(url.pathname === '/accounts/login/' ? 'GET, POST' : 'GET', false);
      if (form.get('username') !== 'smoke' || form.get('password') !== password) {
        return html(200, page('Log in', loginForm(csrfToken(), 'Please enter a correct username and password. Note that both fields may be case-sensitive.')));
      }
      // login(): a new session key and a rotated CSRF token.
      const sessionId = randomToken(32, 'abcdefghijklmnopqrstuvwxyz0123456789');
      sessions.set(sessionId, 'smoke');
      setCookies.push(cookieLine('csrftoken', randomToken(32), CSRF_AGE, false));
      setCookies.push(cookieLine('sessionid', sessionId, SESSION_AGE, true));
      return html(200, page('Welcome', '<h1>Welcome back, smoke</h1>\n<p>Your bookings are under <a href="/api/bookings/">My trips</a>.</p>'));
    }
    if (url.pathname === '/') {
      if (method !== 'GET' && method !== 'HEAD') return notAllowed('GET', false);
      const options = FLIGHTS.map(({ from }) => from).filter((code, at, all) => all.indexOf(code) === at);
      return html(200, page('Cheap flights', `<h1>Skyway Travel</h1>\n<p>Search flights from ${options.length} airports.</p>\n<form class="search" method="get" action="/api/flights/">\n  <input type="hidden" name="csrfmiddlewaretoken" value="${csrfToken()}">\n  <label>From <input name="from" value="LHR"></label>\n  <label>To <input name="to" value="JFK"></label>\n  <button type="submit">Search</button>\n</form>`));
    }
    if (url.pathname === '/health/') return method === 'GET' || method === 'HEAD' ? json(200, { status: 'ok', database: 'ok', version }) : notAllowed('GET', false);
    if (url.pathname === '/accounts/login/') return method === 'GET' || method === 'HEAD' ? html(200, page('Log in', loginForm(csrfToken()))) : notAllowed('GET, POST', false);

    // Django REST framework views: csrf_exempt for the middleware, SessionAuthentication
    // checks CSRF itself, and only for logged-in users.
    if (url.pathname === '/api/flights/') {
      if (method !== 'GET' && method !== 'HEAD') return notAllowed('GET, HEAD, OPTIONS', true);
      const from = url.searchParams.get('from')?.toUpperCase();
      const to = url.searchParams.get('to')?.toUpperCase();
      if (!from || !to) return json(400, { ...(from ? {} : { from: ['This field is required.'] }), ...(to ? {} : { to: ['This field is required.'] }) });
      const results = FLIGHTS.filter((flight) => flight.from === from && flight.to === to);
      return json(200, { count: results.length, results });
    }
    const bookingMatch = /^\/api\/bookings\/(?:(\d+)\/)?$/.exec(url.pathname);
    if (bookingMatch) {
      const id = bookingMatch[1] === undefined ? undefined : Number(bookingMatch[1]);
      const allowed = id === undefined ? ['GET', 'HEAD', 'POST', 'OPTIONS'] : ['GET', 'HEAD', 'DELETE', 'OPTIONS'];
      // Django REST framework authenticates before it looks at the method.
      if (user === undefined) return json(403, { detail: 'Authentication credentials were not provided.' });
      if (!allowed.includes(method)) return notAllowed(allowed.join(', '), true);
      if (unsafe) {
        const failure = csrfFailure(undefined);
        if (failure) return json(403, { detail: `CSRF Failed: ${failure}` });
      }
      const booking = id === undefined ? undefined : bookings.get(id);
      if (id !== undefined && (booking === undefined || booking.owner !== user)) return json(404, { detail: 'Not found.' });
      if (booking && method === 'DELETE') {
        bookings.delete(booking.id);
        return send(204, '', '');
      }
      if (booking) return json(200, { id: booking.id, flight: booking.flight, status: booking.status });
      if (!unsafe) {
        const mine = [...bookings.values()].filter((entry) => entry.owner === user).map(({ id: bookingId, flight, status }) => ({ id: bookingId, flight, status }));
        return json(200, { count: mine.length, results: mine });
      }

      let flight: unknown;
      try {
        flight = (JSON.parse(await readBody(req, 64 * 1024)) as { flight?: unknown }).flight;
      } catch (error) {
        return json(400, { detail: `JSON parse error - ${(error as Error).message}` });
      }
      if (typeof flight !== 'string' || !FLIGHTS.some((known) => known.flight === flight)) {
        return json(400, { flight: [typeof flight === 'string' ? `Unknown flight "${flight}".` : 'This field is required.'] });
      }
      const created: Booking = { id: nextBookingId++, flight, status: 'confirmed', owner: user };
      bookings.set(created.id, created);
      return json(201, { id: created.id, flight: created.flight, status: created.status });
    }
    return html(404, NOT_FOUND_PAGE);
  }

  const https = await startServer(
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n');
      });
    },
    { tls: await localhostCert(ca), ...(options.port !== undefined ? { port: options.port } : {}) },
  );
  httpsPort = https.port;

  // SECURE_SSL_REDIRECT: SecurityMiddleware answers before the view and before
  // XFrameOptionsMiddleware, so the 301 has nosniff and Referrer-Policy but no X-Frame-Options.
  const http = await startServer((req, res) => {
    req.resume();
    res.writeHead(301, {
      Location: `https://localhost:${httpsPort}${req.url ?? '/'}`,
      'Content-Type': 'text/html; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Content-Length': '0',
    });
    res.end();
  });

  return {
    url: `https://localhost:${https.port}`,
    httpUrl: `http://localhost:${http.port}`,
    caCert: ca.cert,
    close: async () => {
      await Promise.all([https.close(), http.close()]);
    },
  };
}
