// A local stand-in for a Django deployment, faithful on the wire to Django 4.x with
// WhiteNoise and django-cors-headers (docs/research: security-anchors §1.2, §1.3, §5.1):
// the same middleware order, headers, cookies and error pages, over HTTPS with a
// generated CA, plus a plain-HTTP listener (the proxy's port 80).
//
// The hardened profile is the seed's settings:
//   DEBUG = False; ALLOWED_HOSTS = ['localhost', '127.0.0.1']
//   SECURE_SSL_REDIRECT = True; SECURE_REDIRECT_EXEMPT = [r'^health/$'];
//   SECURE_SSL_HOST = 'localhost:<https port>' (the lab's
//     listeners are on two ports; in production the host alone, ports 80 and 443)
//   SECURE_HSTS_SECONDS = 31536000; SECURE_HSTS_INCLUDE_SUBDOMAINS = True; SECURE_HSTS_PRELOAD = True
//   SECURE_CONTENT_TYPE_NOSNIFF = True; SECURE_REFERRER_POLICY = 'same-origin'; COOP same-origin
//   X_FRAME_OPTIONS = 'DENY'; SESSION_COOKIE_SECURE = True; CSRF_COOKIE_SECURE = True
//   LANGUAGE_COOKIE_SECURE = True; LANGUAGE_COOKIE_SAMESITE = 'Lax'
//   STORAGES staticfiles: whitenoise CompressedManifestStaticFilesStorage (no Brotli installed)
//   CORS_ALLOWED_ORIGINS = ['https://app.skyway.example']; CORS_ALLOW_CREDENTIALS = True;
//     CORS_URLS_REGEX = r'^/api/.*$'
//   REST_FRAMEWORK: SessionAuthentication, IsAuthenticated
// MIDDLEWARE (outermost first): CorsMiddleware, SecurityMiddleware, WhiteNoiseMiddleware,
// SessionMiddleware, CommonMiddleware, CsrfViewMiddleware, AuthenticationMiddleware,
// MessageMiddleware, XFrameOptionsMiddleware. Each misconfiguration flips one setting.
import { createHash, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { createCa, localhostCert, type PemPair } from './certs.ts';
import { startServer, type RunningServer } from './servers.ts';
import { parseCookies, readBody } from './requests.ts';

export interface LabProfile {
  /** DEBUG = True: technical 404 / DisallowedHost / CSRF pages. */
  debug?: boolean;
  /** ALLOWED_HOSTS = ['*']. */
  allowedHostsStar?: boolean;
  /** SECURE_SSL_REDIRECT = False: plain http serves the site. */
  noSslRedirect?: boolean;
  /** SECURE_HSTS_SECONDS (default 31536000; 0 sends no header). */
  hstsSeconds?: number;
  /** The proxy adds its own Strict-Transport-Security line as well. */
  hstsDuplicated?: boolean;
  /** X_FRAME_OPTIONS (default 'DENY'). */
  xFrameOptions?: 'DENY' | 'SAMEORIGIN';
  /** SESSION_COOKIE_SECURE = False. */
  sessionCookieInsecure?: boolean;
  /** CSRF_COOKIE_SECURE = False. */
  csrfCookieInsecure?: boolean;
  /** CsrfViewMiddleware removed from MIDDLEWARE. */
  csrfMiddlewareOff?: boolean;
  /** CORS_ALLOW_ALL_ORIGINS = True with CORS_ALLOW_CREDENTIALS = True on every URL. */
  corsReflectWithCredentials?: boolean;
  /** ManifestStaticFilesStorage without WhiteNoise's compression (no .gz files). */
  staticUncompressed?: boolean;
  /** Static files served with Cache-Control: max-age=60, public (hashed ones too). */
  staticShortCache?: boolean;
  /** Behind a TLS-terminating proxy without SECURE_PROXY_SSL_HEADER: https redirects to itself. */
  httpsSelfRedirectLoop?: boolean;
  /** LANGUAGE_COOKIE_SECURE = False (and LANGUAGE_COOKIE_SAMESITE = None, the defaults). */
  languageCookieInsecure?: boolean;
  /** REST_FRAMEWORK DEFAULT_PERMISSION_CLASSES = AllowAny: the bookings API answers anyone. */
  apiOpen?: boolean;
  /** The health view reports the database down (503). */
  healthDown?: boolean;
  /** Every view takes this long to answer (milliseconds). */
  delayMs?: number;
}

export const HARDENED: LabProfile = {};

export interface LabOptions {
  profile?: LabProfile;
  /** Reuse a CA across labs (certificate generation is the slow part of a start). */
  ca?: PemPair;
  /** Password of the user `smoke`. Default 'lab-password'. */
  password?: string;
}

export interface LabRequest {
  listener: 'https' | 'http';
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface DjangoLab {
  /** https://localhost:PORT */
  url: string;
  /** http://localhost:PORT (another port): the proxy's plain-http side. */
  httpUrl: string;
  httpPort: number;
  /** PEM of the CA that signed the certificate. */
  caCert: string;
  /** Every request received, in order. */
  requests: LabRequest[];
  /** The static files the home page links, by kind. */
  assets: { css: string; js: string };
  close(): Promise<void>;
}

// ---------------------------------------------------------------- Django's pages

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[char] as string);

const NOT_FOUND = `<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n`;
const BAD_REQUEST = `<!doctype html>\n<html lang="en">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n`;

const URL_PATTERNS = ['admin/', 'accounts/login/', 'accounts/profile/', 'api/', 'api/bookings/', 'health/', '^static/(?P&lt;path&gt;.*)$'];

/** technical_404.html, abridged around what a detector reads. */
function technical404(path: string, absolute: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <title>Page not found at ${escapeHtml(path)}</title>
  <meta name="robots" content="NONE,NOARCHIVE">
</head>
<body>
  <div id="summary">
    <h1>Page not found <span>(404)</span></h1>
    <table class="meta">
      <tr><th>Request Method:</th><td>GET</td></tr>
      <tr><th>Request URL:</th><td>${escapeHtml(absolute)}</td></tr>
    </table>
  </div>
  <div id="info">
      <p>
      Using the URLconf defined in <code>skyway.urls</code>,
      Django tried these URL patterns, in this order:
      </p>
      <ol>
${URL_PATTERNS.map((pattern) => `          <li>${pattern}</li>`).join('\n')}
      </ol>
      <p>
        The current path, <code>${escapeHtml(path.slice(1))}</code>,
      didn’t match any of these.
      </p>
  </div>
  <div id="explanation">
    <p>
      You’re seeing this error because you have <code>DEBUG = True</code> in
      your Django settings file. Change that to <code>False</code>, and Django
      will display a standard 404 page.
    </p>
  </div>
</body>
</html>
`;
}

/** technical_500.html for DisallowedHost (answered with status 400), abridged. */
function technicalDisallowedHost(host: string, path: string): string {
  const quoted = `&#x27;${escapeHtml(host)}&#x27;`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>DisallowedHost
          at ${escapeHtml(path)}</title>
</head>
<body>
<div id="summary">
  <h1>DisallowedHost
       at ${escapeHtml(path)}</h1>
  <pre class="exception_value">Invalid HTTP_HOST header: ${quoted}. You may need to add ${quoted} to ALLOWED_HOSTS.</pre>
</div>
<div id="explanation">
  <p>
    You’re seeing this error because you have <code>DEBUG = True</code> in your
    Django settings file. Change that to <code>False</code>, and Django will
    display a standard page generated by the handler for this status code.
  </p>
</div>
</body>
</html>
`;
}

/** csrf_403.html: the production page, or with DEBUG its help section. */
function csrfFailurePage(reason: string, debug: boolean): string {
  const why = reason.startsWith('Referer checking failed - no Referer')
    ? '<p>You are seeing this message because this HTTPS site requires a “Referer header” to be sent by your web browser, but none was sent.</p>'
    : reason === 'CSRF cookie not set.'
      ? '<p>You are seeing this message because this site requires a CSRF cookie when submitting forms.</p>'
      : '';
  const help = debug
    ? `<div id="info">
  <h2>Help</h2>
    <p>Reason given for failure:</p>
    <pre>
    ${escapeHtml(reason)}
    </pre>
  <p>You’re seeing the help section of this page because you have <code>DEBUG =
  True</code> in your Django settings file.</p>
</div>`
    : `<div id="explanation">
  <p><small>More information is available with DEBUG=True.</small></p>
</div>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>403 Forbidden</title>
</head>
<body>
<div id="summary">
  <h1>Forbidden <span>(403)</span></h1>
  <p>CSRF verification failed. Request aborted.</p>
  ${why}
</div>
${help}
</body>
</html>
`;
}

// ---------------------------------------------------------------- static files (collectstatic)

interface StaticFile {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
  hashed: boolean;
}

const CSS_SOURCE = Array.from({ length: 40 }, (_, i) => `.route-${i} { display: grid; grid-template-columns: 1fr 2fr; gap: ${i % 7}px; color: #0b5cad; }`).join('\n');
const JS_SOURCE = Array.from({ length: 40 }, (_, i) => `document.querySelectorAll('[data-route="${i}"]').forEach((node) => node.classList.add('ready-${i}'));`).join('\n');
const STARTED = Math.floor(Date.now() / 1000);

function collectStatic(): { files: Map<string, StaticFile>; css: string; js: string } {
  const files = new Map<string, StaticFile>();
  const add = (name: string, extension: string, type: string, source: string): string => {
    const body = Buffer.from(`${source}\n`);
    const hash = createHash('md5').update(body).digest('hex').slice(0, 12);
    const etag = `"${STARTED.toString(16)}-${body.length.toString(16)}"`;
    const file = { type, body, gzip: gzipSync(body, { level: 9 }), etag };
    // The manifest storage keeps the original name next to the hashed copy.
    files.set(`/static/${name}.${extension}`, { ...file, hashed: false });
    const hashed = `/static/${name}.${hash}.${extension}`;
    files.set(hashed, { ...file, hashed: true });
    return hashed;
  };
  const css = add('css/site', 'css', 'text/css; charset="utf-8"', CSS_SOURCE);
  const js = add('js/app', 'js', 'text/javascript; charset="utf-8"', JS_SOURCE);
  return { files, css, js };
}

// ---------------------------------------------------------------- CSRF tokens (django.middleware.csrf)

const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const randomString = (length: number): string => Array.from({ length }, () => TOKEN_CHARS[randomInt(TOKEN_CHARS.length)]).join('');

/** _mask_cipher_secret: a fresh 32-character mask before the secret shifted by it. */
function maskSecret(secret: string): string {
  const mask = randomString(32);
  const cipher = [...secret].map((char, i) => TOKEN_CHARS[(TOKEN_CHARS.indexOf(char) + TOKEN_CHARS.indexOf(mask[i] as string)) % TOKEN_CHARS.length]).join('');
  return mask + cipher;
}

/** _unmask_cipher_token for 64-character tokens; a 32-character token is the secret itself. */
function unmaskToken(token: string): string {
  if (token.length !== 64) return token;
  const mask = token.slice(0, 32);
  return [...token.slice(32)]
    .map((char, i) => TOKEN_CHARS[(TOKEN_CHARS.indexOf(char) - TOKEN_CHARS.indexOf(mask[i] as string) + TOKEN_CHARS.length) % TOKEN_CHARS.length])
    .join('');
}

// ---------------------------------------------------------------- the request pipeline

interface Reply {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

interface Request {
  method: string;
  url: URL;
  /** Raw Host header (with the port). */
  host: string;
  headers: IncomingMessage['headers'];
  cookies: Map<string, string>;
  form: URLSearchParams;
  /** request.is_secure() */
  secure: boolean;
  /** Cookies the views set, written by the response. */
  setCookies: string[];
}

function reply(status: number, type: string | undefined, body: string | Buffer, headers: [string, string][] = []): Reply {
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  return { status, headers: [...(type ? ([['Content-Type', type]] as [string, string][]) : []), ...headers], body: buffer };
}

const html = (status: number, body: string, headers: [string, string][] = []): Reply => reply(status, 'text/html; charset=utf-8', body, headers);
const json = (status: number, body: unknown, headers: [string, string][] = []): Reply => reply(status, 'application/json', JSON.stringify(body), headers);

function has(response: Reply, name: string): boolean {
  return response.headers.some(([key]) => key.toLowerCase() === name.toLowerCase());
}

/** django.utils.cache.patch_vary_headers */
function patchVary(response: Reply, value: string): void {
  const existing = response.headers.find(([key]) => key.toLowerCase() === 'vary');
  if (!existing) response.headers.push(['Vary', value]);
  else if (!existing[1].toLowerCase().split(/\s*,\s*/).includes(value.toLowerCase())) existing[1] = `${existing[1]}, ${value}`;
}

function cookieLine(name: string, value: string, options: { maxAge?: number; httpOnly?: boolean; secure: boolean; sameSite?: string }): string {
  const parts = [`${name}=${value}`];
  if (options.maxAge !== undefined) parts.push(`expires=${new Date(Date.now() + options.maxAge * 1000).toUTCString()}`);
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  parts.push('Path=/');
  if (options.sameSite) parts.push(`SameSite=${options.sameSite}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

class DisallowedHost extends Error {}

export async function startDjangoLab(options: LabOptions = {}): Promise<DjangoLab> {
  const profile = options.profile ?? HARDENED;
  const password = options.password ?? 'lab-password';
  const ca = options.ca ?? (await createCa({ commonName: 'readiness-gate Django lab CA' }));
  const statics = collectStatic();
  const sessions = new Map<string, string>(); // session key → username
  const requests: LabRequest[] = [];
  let httpsPort = 0;

  const hstsSeconds = profile.hstsSeconds ?? 31_536_000;
  const xFrameOptions = profile.xFrameOptions ?? 'DENY';
  const corsAllOrigins = profile.corsReflectWithCredentials === true;
  const corsUrls = corsAllOrigins ? /^.*$/ : /^\/api\/.*$/;
  const corsAllowedOrigins = ['https://app.skyway.example'];

  /** HttpRequest.get_host(): ALLOWED_HOSTS is compared without the port. */
  const getHost = (request: Request): string => {
    const domain = request.host.replace(/:\d+$/, '').toLowerCase();
    if (!profile.allowedHostsStar && domain !== 'localhost' && domain !== '127.0.0.1') throw new DisallowedHost(request.host);
    return request.host;
  };

  /** django.core.handlers.exception.response_for_exception for DisallowedHost. */
  const disallowedHost = (request: Request, host: string): Reply =>
    profile.debug ? html(400, technicalDisallowedHost(host, request.url.pathname)) : html(400, BAD_REQUEST);

  // ---- the views (urls.py)

  const csrfToken = (request: Request): string => {
    // get_token(): the cookie's secret (or a new one), masked afresh for the form.
    let secret = request.cookies.get('csrftoken');
    if (secret === undefined || secret.length !== 32) {
      secret = randomString(32);
      request.cookies.set('csrftoken', secret);
    }
    if (!profile.csrfMiddlewareOff) {
      // CsrfViewMiddleware.process_response writes the cookie when get_token was used.
      request.setCookies.push(cookieLine('csrftoken', secret, { maxAge: 31_449_600, secure: !profile.csrfCookieInsecure, sameSite: 'Lax' }));
    }
    return maskSecret(secret);
  };

  const page = (request: Request, title: string, content: string): string => `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title} | Skyway Travel</title>
  <link rel="canonical" href="${request.secure ? 'https' : 'http'}://${escapeHtml(request.host)}${escapeHtml(request.url.pathname)}">
  <link rel="stylesheet" href="${statics.css}">
  <link rel="icon" href="/static/img/favicon.ico">
  <script src="${statics.js}" defer></script>
</head>
<body>
<header><a href="/">Skyway Travel</a> <a href="/accounts/login/">Log in</a></header>
<main>
${content}
</main>
</body>
</html>
`;

  const loginForm = (request: Request, action: string, error?: string): Reply =>
    html(
      200,
      page(
        request,
        'Log in',
        `<h1>Log in</h1>\n${error ? `<p class="errornote">${error}</p>\n` : ''}<form method="post" action="${action}">\n  <input type="hidden" name="csrfmiddlewaretoken" value="${csrfToken(request)}">\n  <input type="text" name="username" id="id_username">\n  <input type="password" name="password" id="id_password">\n  <button type="submit">Log in</button>\n</form>`,
      ),
      [['Vary', 'Cookie']],
    );

  const user = (request: Request): string | undefined => sessions.get(request.cookies.get('sessionid') ?? '');
  const notAllowed = (allow: string): Reply => reply(405, undefined, '', [['Allow', allow]]);

  const views: Record<string, (request: Request) => Reply> = {
    '/': (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return notAllowed('GET, HEAD');
      // LocaleMiddleware's language, kept in the cookie the language switcher reads.
      request.setCookies.push(
        cookieLine('django_language', 'en', profile.languageCookieInsecure ? { maxAge: 31_536_000, secure: false } : { maxAge: 31_536_000, secure: true, sameSite: 'Lax' }),
      );
      return html(200, page(request, 'Cheap flights', '<h1>Skyway Travel</h1>\n<p>Flights, hotels and holidays.</p>'));
    },
    '/accounts/login/': (request) => login(request, '/accounts/login/', '/accounts/profile/'),
    '/admin/login/': (request) => login(request, '/admin/login/', '/admin/'),
    '/admin/': (request) => (user(request) ? html(200, page(request, 'Site administration', '<h1>Site administration</h1>')) : redirect('/admin/login/?next=/admin/')),
    '/accounts/profile/': (request) =>
      user(request) ? html(200, page(request, 'Your trips', '<h1>Your trips</h1>')) : redirect('/accounts/login/?next=/accounts/profile/'),
    // Django REST framework: APIView runs authentication and permissions before it looks
    // up the method handler, so an anonymous request is refused whatever the method.
    '/api/': (request) => json(200, { bookings: `${request.secure ? 'https' : 'http'}://${request.host}/api/bookings/` }, [['Vary', 'Accept'], ['Allow', 'GET, HEAD, OPTIONS']]),
    '/api/bookings/': (request) => {
      if (!profile.apiOpen && !user(request)) return json(403, { detail: 'Authentication credentials were not provided.' }, [['Vary', 'Accept'], ['Allow', 'GET, HEAD, OPTIONS']]);
      return json(200, [], [['Vary', 'Accept'], ['Allow', 'GET, HEAD, OPTIONS']]);
    },
    '/health/': () => (profile.healthDown ? json(503, { status: 'error', database: 'unavailable' }) : json(200, { status: 'ok', database: 'ok' })),
  };
  const csrfExempt = new Set(['/api/', '/api/bookings/', '/health/']);

  function redirect(location: string, status = 302): Reply {
    return reply(status, 'text/html; charset=utf-8', '', [['Location', location]]);
  }

  function login(request: Request, path: string, next: string): Reply {
    if (request.method === 'GET' || request.method === 'HEAD') return loginForm(request, path);
    if (request.method !== 'POST') return notAllowed('GET, HEAD, POST');
    if (request.form.get('username') !== 'smoke' || request.form.get('password') !== password) {
      return loginForm(request, path, 'Please enter a correct username and password. Note that both fields may be case-sensitive.');
    }
    // django.contrib.auth.login(): a new session and a rotated CSRF secret.
    const key = randomString(32).toLowerCase();
    sessions.set(key, 'smoke');
    request.cookies.delete('csrftoken');
    csrfToken(request);
    request.setCookies.push(cookieLine('sessionid', key, { maxAge: 1_209_600, httpOnly: true, secure: !profile.sessionCookieInsecure, sameSite: 'Lax' }));
    return redirect(request.form.get('next') ?? next);
  }

  // ---- the middleware, outermost first

  /** CsrfViewMiddleware.process_view for unsafe methods (Django 4.x order: Origin, Referer, cookie, token). */
  const csrfReject = (request: Request): string | undefined => {
    const origin = request.headers.origin;
    const ours = `${request.secure ? 'https' : 'http'}://${getHost(request)}`;
    if (origin !== undefined) {
      if (origin !== ours) return `Origin checking failed - ${origin} does not match any trusted origins.`;
    } else if (request.secure) {
      const referer = request.headers.referer;
      if (referer === undefined) return 'Referer checking failed - no Referer.';
      if (!URL.canParse(referer) || new URL(referer).origin !== ours) return `Referer checking failed - ${referer} does not match any trusted origins.`;
    }
    const secret = request.cookies.get('csrftoken');
    if (secret === undefined) return 'CSRF cookie not set.';
    const token = request.form.get('csrfmiddlewaretoken') ?? (request.headers['x-csrftoken'] as string | undefined);
    if (!token) return 'CSRF token missing.';
    return unmaskToken(token) === secret ? undefined : 'CSRF token incorrect.';
  };

  /** SessionMiddleware … XFrameOptionsMiddleware around the view. */
  const django = async (request: Request): Promise<Reply> => {
    // CommonMiddleware.process_request validates the host first.
    try {
      getHost(request);
    } catch (error) {
      if (error instanceof DisallowedHost) return disallowedHost(request, error.message);
      throw error;
    }
    const path = request.url.pathname;
    let response: Reply;
    const view = views[path];
    if (view === undefined && views[`${path}/`] !== undefined) {
      response = reply(301, 'text/html; charset=utf-8', '', [['Location', `${path}/${request.url.search}`]]); // APPEND_SLASH
    } else {
      const unsafe = !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(request.method);
      const rejected = unsafe && !profile.csrfMiddlewareOff && !csrfExempt.has(path) ? csrfReject(request) : undefined;
      if (profile.delayMs) await sleep(profile.delayMs);
      if (rejected !== undefined) response = html(403, csrfFailurePage(rejected, profile.debug === true));
      else if (view) response = view(request);
      else response = profile.debug ? html(404, technical404(path, `${request.secure ? 'https' : 'http'}://${request.host}${path}`)) : html(404, NOT_FOUND);
    }
    // XFrameOptionsMiddleware (innermost): every response that reaches it.
    if (!has(response, 'X-Frame-Options')) response.headers.push(['X-Frame-Options', xFrameOptions]);
    return response;
  };

  /** WhiteNoiseMiddleware: static files answer before Django's URLconf and its inner middleware. */
  const whitenoise = async (request: Request): Promise<Reply> => {
    const file = statics.files.get(request.url.pathname);
    if (!file) return django(request);
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, undefined, '', [['Allow', 'GET, HEAD']]);
    const cache = file.hashed && !profile.staticShortCache ? 'max-age=315360000, public, immutable' : 'max-age=60, public';
    const headers: [string, string][] = [['Cache-Control', cache], ['Access-Control-Allow-Origin', '*']];
    const compressed = !profile.staticUncompressed;
    if (compressed) headers.push(['Vary', 'Accept-Encoding']);
    headers.push(['Last-Modified', new Date(STARTED * 1000).toUTCString()], ['ETag', file.etag]);
    if (request.headers['if-none-match'] === file.etag) return reply(304, undefined, '', headers);
    const gzip = compressed && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (gzip) headers.push(['Content-Encoding', 'gzip']);
    return reply(200, file.type, gzip ? file.gzip : file.body, headers);
  };

  /** SecurityMiddleware: the SSL redirect first, its headers on whatever comes back. */
  const security = async (request: Request): Promise<Reply> => {
    let response: Reply;
    // SECURE_REDIRECT_EXEMPT = [r'^health/$']: the load balancer probes over plain http.
    if (!request.secure && !profile.noSslRedirect && request.url.pathname !== '/health/') {
      // SECURE_SSL_HOST is set, so get_host() is not consulted for the redirect.
      response = reply(301, 'text/html; charset=utf-8', '', [['Location', `https://localhost:${httpsPort}${request.url.pathname}${request.url.search}`]]);
    } else {
      response = await whitenoise(request);
    }
    if (hstsSeconds > 0 && request.secure && !has(response, 'Strict-Transport-Security')) {
      response.headers.push(['Strict-Transport-Security', `max-age=${hstsSeconds}; includeSubDomains; preload`]);
    }
    if (!has(response, 'X-Content-Type-Options')) response.headers.push(['X-Content-Type-Options', 'nosniff']);
    if (!has(response, 'Referrer-Policy')) response.headers.push(['Referrer-Policy', 'same-origin']);
    if (!has(response, 'Cross-Origin-Opener-Policy')) response.headers.push(['Cross-Origin-Opener-Policy', 'same-origin']);
    return response;
  };

  /** django-cors-headers' CorsMiddleware (3.14): preflight short-circuit, then its headers. */
  const cors = async (request: Request): Promise<Reply> => {
    const enabled = corsUrls.test(request.url.pathname);
    const preflight = enabled && request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    const response = preflight ? reply(200, 'text/html; charset=utf-8', '', [['Content-Length', '0']]) : await security(request);
    if (!enabled) return response;
    patchVary(response, 'origin');
    const origin = request.headers.origin;
    if (!origin) return response;
    // CORS_ALLOW_CREDENTIALS is written before the origin is checked, for every origin.
    response.headers.push(['Access-Control-Allow-Credentials', 'true']);
    if (!corsAllOrigins && !corsAllowedOrigins.includes(origin)) return response;
    response.headers = response.headers.filter(([key]) => key.toLowerCase() !== 'access-control-allow-origin');
    response.headers.push(['Access-Control-Allow-Origin', origin]);
    if (request.method === 'OPTIONS') {
      response.headers.push(
        ['Access-Control-Allow-Headers', 'accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, x-csrftoken, x-requested-with'],
        ['Access-Control-Allow-Methods', 'DELETE, GET, OPTIONS, PATCH, POST, PUT'],
        ['Access-Control-Max-Age', '86400'],
      );
    }
    return response;
  };

  /** The TLS-terminating proxy in front: it may add its own HSTS line. */
  const proxy = async (request: Request, tls: boolean): Promise<Reply> => {
    const response = await cors(request);
    if (tls && profile.hstsDuplicated) response.headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
    return response;
  };

  const handler = (listener: 'https' | 'http') => async (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ listener, method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers } });
    const body = await readBody(req);
    const tls = listener === 'https';
    const request: Request = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://lab.invalid'),
      host: req.headers.host ?? '',
      headers: req.headers,
      cookies: parseCookies(req.headers.cookie),
      form: String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body) : new URLSearchParams(),
      // Without SECURE_PROXY_SSL_HEADER, Django behind the proxy sees every request as http.
      secure: tls && !profile.httpsSelfRedirectLoop,
      setCookies: [],
    };
    let response: Reply;
    try {
      response = await proxy(request, tls);
    } catch {
      response = html(500, '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n');
    }
    const headers: [string, string][] = [...response.headers, ...request.setCookies.map((line): [string, string] => ['Set-Cookie', line])];
    if (!has(response, 'Content-Length')) headers.push(['Content-Length', String(response.body.length)]);
    res.writeHead(response.status, headers.flat());
    res.end(req.method === 'HEAD' ? undefined : response.body);
  };

  const https = await startServer(handler('https'), { tls: await localhostCert(ca) });
  httpsPort = https.port;
  let http: RunningServer;
  try {
    http = await startServer(handler('http'));
  } catch (error) {
    await https.close();
    throw error;
  }

  return {
    url: `https://localhost:${https.port}`,
    httpUrl: `http://localhost:${http.port}`,
    httpPort: http.port,
    caCert: ca.cert,
    requests,
    assets: { css: statics.css, js: statics.js },
    close: async () => {
      await Promise.all([https.close(), http.close()]);
    },
  };
}
