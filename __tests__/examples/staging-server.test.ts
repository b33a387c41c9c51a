import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { startDemoStaging, type DemoStaging } from '../../examples/staging-server.ts';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  text: string;
}

let staging: DemoStaging;
beforeAll(async () => {
  staging = await startDemoStaging({ version: '1.2.3', password: 'test-pass' });
});
afterAll(async () => {
  await staging?.close();
});

/** One request to the demo over TLS, trusting its CA; bodies are not decompressed. */
function call(method: string, path: string, options: { headers?: Record<string, string>; body?: string; plain?: boolean } = {}): Promise<Reply> {
  const base = new URL(options.plain ? staging.httpUrl : staging.url);
  const send = options.plain ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      { hostname: base.hostname, servername: base.hostname, port: base.port, path, method, headers: options.headers, ca: staging.caCert, agent: false, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text: raw.toString('utf8') });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

const cookieValue = (reply: Reply, name: string): string | undefined =>
  reply.headers['set-cookie']?.find((line) => line.startsWith(`${name}=`))?.split(';')[0]?.slice(name.length + 1);
const cookieLine = (reply: Reply, name: string): string | undefined => reply.headers['set-cookie']?.find((line) => line.startsWith(`${name}=`));

/** Logs in as smoke; returns the cookies and the rotated CSRF token. */
async function login(): Promise<{ cookie: string; csrf: string; reply: Reply }> {
  const form = await call('GET', '/accounts/login/');
  const csrf = cookieValue(form, 'csrftoken') as string;
  const reply = await call('POST', '/accounts/login/', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf}`, referer: `${staging.url}/accounts/login/` },
    body: new URLSearchParams({ username: 'smoke', password: 'test-pass', csrfmiddlewaretoken: csrf }).toString(),
  });
  const rotated = cookieValue(reply, 'csrftoken') as string;
  return { cookie: `csrftoken=${rotated}; sessionid=${cookieValue(reply, 'sessionid')}`, csrf: rotated, reply };
}

describe('demo staging server (Skyway Travel)', () => {
  test('serves https://localhost with a certificate from its own CA', () => {
    expect(staging.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(staging.httpUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(staging.caCert).toContain('BEGIN CERTIFICATE');
  });

  test('the home page has the hardened Django headers and a readable, Secure csrftoken', async () => {
    const home = await call('GET', '/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Skyway Travel');
    expect(home.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains; preload');
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    expect(home.headers['x-frame-options']).toBe('DENY');
    expect(home.headers['referrer-policy']).toBe('same-origin');
    expect(home.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(home.headers['content-security-policy']).toBeUndefined();
    expect(cookieLine(home, 'csrftoken')).toMatch(/^csrftoken=[A-Za-z0-9]{32}; expires=[^;]+ GMT; Max-Age=31449600; Path=\/; SameSite=Lax; Secure$/);
    expect(cookieLine(home, 'csrftoken')).not.toContain('HttpOnly');
  });

  test('health and the flights API answer JSON', async () => {
    const health = await call('GET', '/health/');
    expect(health.headers['content-type']).toBe('application/json');
    expect(JSON.parse(health.text)).toEqual({ status: 'ok', database: 'ok', version: '1.2.3' });

    const flights = await call('GET', '/api/flights/?from=LHR&to=JFK');
    const body = JSON.parse(flights.text) as { count: number; results: { flight: string; from: string; to: string; price: number }[] };
    expect(body.count).toBe(3);
    expect(body.results[0]).toEqual({ flight: 'BA117', from: 'LHR', to: 'JFK', price: 412.5 });
    expect(body.results.every((flight) => flight.from === 'LHR' && flight.to === 'JFK')).toBe(true);

    const missing = await call('GET', '/api/flights/?from=LHR');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toEqual({ to: ['This field is required.'] });
  });

  test('CSRF: a POST without token, cookie or Referer gets the production 403 page', async () => {
    const bare = await call('POST', '/accounts/login/', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=smoke&password=test-pass' });
    expect(bare.status).toBe(403);
    expect(bare.text).toContain('<h1>Forbidden <span>(403)</span></h1>');
    expect(bare.text).toContain('<p>CSRF verification failed. Request aborted.</p>');
    expect(bare.text).not.toContain('DEBUG');
    expect((await call('POST', '/')).status).toBe(403);

    // Right token and cookie but no Referer: still refused over HTTPS, as Django does.
    const form = await call('GET', '/accounts/login/');
    expect(form.text).toContain('name="csrfmiddlewaretoken"');
    const csrf = cookieValue(form, 'csrftoken') as string;
    const body = new URLSearchParams({ username: 'smoke', password: 'test-pass', csrfmiddlewaretoken: csrf }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf}` };
    const noReferer = await call('POST', '/accounts/login/', { headers, body });
    expect(noReferer.status).toBe(403);
    expect(noReferer.text).toContain('Referer checking failed - no Referer.');
    const wrongToken = await call('POST', '/accounts/login/', { headers: { ...headers, cookie: 'csrftoken=somethingelse', referer: `${staging.url}/` }, body });
    expect(wrongToken.status).toBe(403);
    expect(wrongToken.text).toContain('CSRF token incorrect.');
    const crossSite = await call('POST', '/accounts/login/', { headers: { ...headers, referer: 'https://evil.example/<script>x</script>' }, body });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('Referer checking failed - https://evil.example/&#60;script&#62;x&#60;/script&#62; does not match any trusted origins.');
  });

  test('wrong credentials show the form again', async () => {
    const form = await call('GET', '/accounts/login/');
    const csrf = cookieValue(form, 'csrftoken') as string;
    const reply = await call('POST', '/accounts/login/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf}`, referer: `${staging.url}/accounts/login/` },
      body: new URLSearchParams({ username: 'smoke', password: 'nope', csrfmiddlewaretoken: csrf }).toString(),
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('Please enter a correct username and password');
    expect(cookieLine(reply, 'sessionid')).toBeUndefined();
  });

  test('login rotates csrftoken and sets an HttpOnly, Secure sessionid', async () => {
    const form = await call('GET', '/accounts/login/');
    const { reply, csrf } = await login();
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('Welcome back, smoke');
    expect(csrf).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(csrf).not.toBe(cookieValue(form, 'csrftoken'));
    expect(cookieLine(reply, 'sessionid')).toMatch(/^sessionid=[a-z0-9]{32}; expires=[^;]+ GMT; HttpOnly; Max-Age=1209600; Path=\/; SameSite=Lax; Secure$/);
  });

  test('bookings: authentication, CSRF, create, read, delete', async () => {
    const json = { 'content-type': 'application/json' };
    const anonymous = await call('POST', '/api/bookings/', { headers: json, body: '{"flight":"BA117"}' });
    expect(anonymous.status).toBe(403);
    expect(JSON.parse(anonymous.text)).toEqual({ detail: 'Authentication credentials were not provided.' });

    const { cookie, csrf } = await login();
    const referer = `${staging.url}/`;
    const noToken = await call('POST', '/api/bookings/', { headers: { ...json, cookie, referer }, body: '{"flight":"BA117"}' });
    expect(noToken.status).toBe(403);
    expect(JSON.parse(noToken.text)).toEqual({ detail: 'CSRF Failed: CSRF token missing.' });

    const headers = { ...json, cookie, referer, 'x-csrftoken': csrf };
    const created = await call('POST', '/api/bookings/', { headers, body: '{"flight":"BA117"}' });
    expect(created.status).toBe(201);
    const booking = JSON.parse(created.text) as { id: number; flight: string; status: string };
    expect(booking).toEqual({ id: expect.any(Number), flight: 'BA117', status: 'confirmed' });

    const read = await call('GET', `/api/bookings/${booking.id}/`, { headers: { cookie } });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.text)).toEqual(booking);
    expect((await call('GET', `/api/bookings/${booking.id}/`)).status).toBe(403);

    const deleted = await call('DELETE', `/api/bookings/${booking.id}/`, { headers });
    expect(deleted.status).toBe(204);
    expect(deleted.raw.length).toBe(0);
    const gone = await call('GET', `/api/bookings/${booking.id}/`, { headers: { cookie } });
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text)).toEqual({ detail: 'Not found.' });
    expect((await call('DELETE', `/api/bookings/${booking.id}/`, { headers })).status).toBe(404);

    const unknown = await call('POST', '/api/bookings/', { headers, body: '{"flight":"XX1"}' });
    expect(unknown.status).toBe(400);
  });

  test('an unknown path gets the production 404 page, without DEBUG markers', async () => {
    const reply = await call('GET', '/no-such-page/', { headers: { accept: 'text/html' } });
    expect(reply.status).toBe(404);
    expect(reply.text).toContain('<title>Not Found</title>');
    expect(reply.text).toContain('<h1>Not Found</h1><p>The requested resource was not found on this server.</p>');
    expect(reply.text).not.toMatch(/DEBUG|Django tried these URL patterns/);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    // Django resolves the URL before CsrfViewMiddleware runs: an unknown POST is a 404 too.
    expect((await call('POST', '/no-such-page/')).status).toBe(404);
  });

  test('a Host outside ALLOWED_HOSTS gets 400 Bad Request', async () => {
    const reply = await call('GET', '/', { headers: { host: 'evil.example' } });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('<title>Bad Request (400)</title>');
    expect(reply.text).toContain('<h1>Bad Request (400)</h1><p></p>');
    expect(reply.text).not.toContain('DisallowedHost');
    expect((await call('GET', '/', { headers: { host: `127.0.0.1:${new URL(staging.url).port}` } })).status).toBe(200);
  });

  test('plain HTTP redirects to HTTPS with 301, without X-Frame-Options', async () => {
    const reply = await call('GET', '/some/path?q=1', { plain: true });
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe(`${staging.url}/some/path?q=1`);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['referrer-policy']).toBe('same-origin');
    expect(reply.headers['x-frame-options']).toBeUndefined();
    expect(reply.headers['strict-transport-security']).toBeUndefined();
  });

  test('the hashed stylesheet is served like WhiteNoise: immutable, gzip on request', async () => {
    const home = await call('GET', '/');
    const href = /<link rel="stylesheet" href="(\/static\/css\/site\.[0-9a-f]{12}\.css)">/.exec(home.text)?.[1];
    expect(href).toBeDefined();

    const plain = await call('GET', href as string);
    expect(plain.status).toBe(200);
    expect(plain.raw.length).toBeGreaterThan(1400);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('max-age=315360000, public, immutable');
    expect(plain.headers['access-control-allow-origin']).toBe('*');
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.headers['x-frame-options']).toBeUndefined();
    expect(plain.headers['strict-transport-security']).toBeDefined();

    const gzipped = await call('GET', href as string, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.raw.length).toBeLessThan(plain.raw.length);
    expect(gunzipSync(gzipped.raw).equals(plain.raw)).toBe(true);

    const cached = await call('GET', href as string, { headers: { 'if-none-match': plain.headers.etag as string } });
    expect(cached.status).toBe(304);
  });
});
