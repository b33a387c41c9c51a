// secure-cookies: never a pass without a session cookie, a login that works the way a
// browser's does, and findings that beat a missing session cookie.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runBuiltinCheck } from '../../../src/checks/builtin/index.ts';
import { createCa, type PemPair } from '../../../test-support/certs.ts';
import { startDjangoLab, type DjangoLab, type LabProfile } from '../../../test-support/django-lab.ts';
import { parseSetCookie, responseCookies } from '../../../src/http/cookies.ts';
import { contextFor, LAB_PASSWORD, startCanned } from './helpers.ts';

const LOGIN = { path: '/accounts/login/', username: 'smoke', password: '{{ secrets.LAB_PASSWORD }}' };

let ca: PemPair;
const labs: DjangoLab[] = [];

beforeAll(async () => {
  ca = await createCa({ commonName: 'secure-cookies test CA' });
});

afterAll(async () => {
  await Promise.all(labs.map((lab) => lab.close()));
});

async function check(profile: LabProfile, params: Record<string, unknown>, env?: Record<string, string>) {
  const lab = await startDjangoLab({ profile, ca });
  labs.push(lab);
  const target = contextFor(lab, {}, env);
  try {
    return { result: await runBuiltinCheck('secure-cookies', params, target.context), lab };
  } finally {
    await target.close();
  }
}

describe('secure-cookies', () => {
  test('without a login no session cookie is seen: skip with the reason, never a pass', async () => {
    const { result } = await check({}, {});
    expect(result.outcome).toBe('skip');
    expect(result.summary).toBe(
      'no session cookie was set by /, /accounts/login/, /admin/login/; configure with.login so Django sets sessionid (it is only set when the session changes, usually at login)',
    );
    expect(result.evidence.notes).toContain('csrftoken was seen and is fine (Secure; no HttpOnly; SameSite=Lax)');
  });

  test('with a login it logs in like a browser and passes on the hardened settings', async () => {
    const { result, lab } = await check({}, { login: LOGIN });
    expect(result.outcome).toBe('pass');
    expect(result.summary).toBe('session cookie sessionid: Secure; HttpOnly; SameSite=Lax; django_language, csrftoken also fine');
    const post = lab.requests.find((request) => request.method === 'POST');
    expect(post?.headers).toMatchObject({
      referer: `${lab.url}/accounts/login/`,
      origin: lab.url,
      cookie: expect.stringMatching(/csrftoken=\w{32}/),
    });
    // The password (a secret) and the session key never reach the evidence.
    const evidence = JSON.stringify(result);
    expect(evidence).not.toContain(LAB_PASSWORD);
    expect(evidence).not.toMatch(/sessionid=[a-z0-9]{32}/);
  });

  test('SESSION_COOKIE_SECURE = False: skipped without a login (not passed), failed with one', async () => {
    const anonymous = await check({ sessionCookieInsecure: true }, {});
    expect(anonymous.result.outcome).toBe('skip');
    const loggedIn = await check({ sessionCookieInsecure: true }, { login: LOGIN });
    expect(loggedIn.result.outcome).toBe('fail');
    expect(loggedIn.result.summary).toBe('the session cookie sessionid has no Secure flag (set by /accounts/login/); set SESSION_COOKIE_SECURE = True');
  });

  test('the session cookie leads the summary, ahead of the CSRF cookie', async () => {
    const { result } = await check({ sessionCookieInsecure: true, csrfCookieInsecure: true }, { login: LOGIN });
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^the session cookie sessionid has no Secure flag \(set by \/accounts\/login\/\); set SESSION_COOKIE_SECURE = True \(\+\d+ more\)$/);
  });

  test('Max-Age wins over a past Expires (RFC 6265 §5.3), and a nameless cookie is judged', async () => {
    const site = await startCanned(ca, (_method, url) => {
      if (new URL(url, 'http://x').pathname !== '/') return { status: 404 };
      return {
        status: 200,
        headers: [
          ['Content-Type', 'text/html'],
          ['Set-Cookie', 'sessionid=abc; Secure; HttpOnly; SameSite=Lax; Path=/'],
          // A year-long cookie, not a deletion: browsers keep it for Max-Age seconds.
          ['Set-Cookie', 'tracking=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=31536000; Path=/'],
        ],
        body: '<h1>Home</h1>',
      };
    });
    const nameless = await startCanned(ca, () => ({ status: 200, headers: [['Content-Type', 'text/html'], ['Set-Cookie', 'sessionid=abc; Secure; HttpOnly; SameSite=Lax'], ['Set-Cookie', 'trackerid123']], body: 'hi' }));
    const one = contextFor(site);
    const two = contextFor(nameless);
    try {
      const longLived = await runBuiltinCheck('secure-cookies', { paths: ['/'] }, one.context);
      expect(longLived.outcome).toBe('fail');
      expect(longLived.summary).toBe('the cookie tracking has no Secure flag (set by /); pass secure=True where tracking is set (response.set_cookie)');
      const unnamed = await runBuiltinCheck('secure-cookies', { paths: ['/'] }, two.context);
      expect(unnamed.outcome).toBe('fail');
      expect(unnamed.summary).toBe('a nameless cookie has no Secure flag (set by /); pass secure=True where it is set, and give it a name (a Set-Cookie line without "=")');
    } finally {
      await Promise.all([one.close(), two.close(), site.close(), nameless.close()]);
    }
  });

  test('parsing: deletion follows Max-Age when present, Expires only without it', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(parseSetCookie('a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60', now)?.deletion).toBe(false);
    expect(parseSetCookie('a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=0', now)?.deletion).toBe(true);
    expect(parseSetCookie('a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT', now)?.deletion).toBe(true);
    expect(parseSetCookie('a=1', now)?.deletion).toBe(false);
    expect(responseCookies([['Set-Cookie', 'trackerid123']]).get('')).toMatchObject({ name: '', value: 'trackerid123', secure: false });
  });

  test('an insecure cookie fails even when no session cookie was seen', async () => {
    const { result } = await check({ csrfCookieInsecure: true }, {});
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^the CSRF cookie csrftoken has no Secure flag \(set by \/accounts\/login\/\); set CSRF_COOKIE_SECURE = True/);
  });

  test('ignoreCookies leaves a cookie out of the verdict and says so', async () => {
    const { result } = await check({ languageCookieInsecure: true }, { login: LOGIN, ignoreCookies: ['django_language'] });
    expect(result.outcome).toBe('pass');
    expect(result.evidence.notes).toContain('django_language is ignored (with.ignoreCookies)');
  });

  test('a login that sets no session cookie is an error that says why', async () => {
    const wrong = await check({}, { login: { ...LOGIN, password: 'not-the-password' } });
    expect(wrong.result.outcome).toBe('error');
    expect(wrong.result.summary).toBe('cannot check the session cookie: the login POST /accounts/login/ set no session cookie: the form came back (wrong username or password?)');

    const missing = await check({}, { login: { ...LOGIN, path: '/no-login-here/' } });
    expect(missing.result.outcome).toBe('error');
    expect(missing.result.summary).toBe('cannot check the session cookie: the login page /no-login-here/ answered 404');
  });

  test('a secret that is not set stops the check before anything is posted', async () => {
    const { result, lab } = await check({}, { login: LOGIN }, {});
    expect(result.outcome).toBe('error');
    expect(result.summary).toMatch(/secret LAB_PASSWORD is not set/);
    expect(lab.requests.some((request) => request.method === 'POST')).toBe(false);
  });

  test('an http target is skipped: Secure only means something over https', async () => {
    const lab = await startDjangoLab({ profile: { noSslRedirect: true }, ca });
    labs.push(lab);
    const target = contextFor({ url: lab.httpUrl, caCert: lab.caCert });
    try {
      const result = await runBuiltinCheck('secure-cookies', { login: LOGIN }, target.context);
      expect(result.outcome).toBe('skip');
      expect(result.summary).toMatch(/^the target is http:\/\/localhost:\d+: the Secure flag is about https/);
    } finally {
      await target.close();
    }
  });
});
