// The accuracy matrix: every built-in against the hardened Django lab and against each
// misconfiguration. The hardened lab passes everything; each misconfiguration fails
// exactly the built-ins it should, with a summary that names the setting to change,
// and every other built-in keeps its outcome.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { CheckResult } from '../../../src/checks/result.ts';
import { TARGET_BUILTIN_NAMES as BUILTIN_NAMES, type TargetBuiltinName as BuiltinName } from '../../../src/manifest/builtins.ts';
import { createCa, type PemPair } from '../../../test-support/certs.ts';
import { startDjangoLab, type DjangoLab, type LabProfile } from '../../../test-support/django-lab.ts';
import { contextFor, describeResults, labParams, runAll, withOutcome } from './helpers.ts';

interface Row {
  name: string;
  profile: LabProfile;
  fails: BuiltinName[];
  /** What every failing summary must say: the setting to change. */
  message: RegExp;
  /** Outcomes other than pass for the built-ins that do not fail. */
  others?: Partial<Record<BuiltinName, CheckResult['outcome']>>;
  /** Parameters that replace labParams' for this row. */
  params?: Partial<Record<BuiltinName, Record<string, unknown>>>;
}

const MATRIX: Row[] = [
  { name: 'DEBUG = True', profile: { debug: true }, fails: ['django/debug-off'], message: /^DEBUG page shown at \/prg-[0-9a-f]+\/ \(404 with "because you have DEBUG = True"\); set DEBUG = False$/ },
  { name: "ALLOWED_HOSTS = ['*']", profile: { allowedHostsStar: true }, fails: ['django/allowed-hosts'], message: /was served the page \(200\).*; list your domains in ALLOWED_HOSTS \(not '\*'\)$/ },
  { name: 'SECURE_SSL_REDIRECT = False', profile: { noSslRedirect: true }, fails: ['https-redirect'], message: /^http:\/\/localhost:\d+\/prg-[0-9a-f]+\/\?x=1 answered 404 instead of redirecting to https; set SECURE_SSL_REDIRECT = True$/ },
  { name: 'SECURE_HSTS_SECONDS = 3600', profile: { hstsSeconds: 3600 }, fails: ['hsts'], message: /^HSTS max-age is 3600; set SECURE_HSTS_SECONDS = 31536000$/ },
  { name: 'SECURE_HSTS_SECONDS = 0', profile: { hstsSeconds: 0 }, fails: ['hsts'], message: /^no Strict-Transport-Security header on https:\/\/localhost:\d+\/; set SECURE_HSTS_SECONDS = 31536000$/ },
  { name: 'HSTS sent twice (Django and the proxy)', profile: { hstsDuplicated: true }, fails: ['hsts'], message: /^Strict-Transport-Security is sent 2 times .*SECURE_HSTS_SECONDS in Django or the proxy's header, not both$/ },
  { name: "X_FRAME_OPTIONS = 'SAMEORIGIN'", profile: { xFrameOptions: 'SAMEORIGIN' }, fails: ['frame-options'], message: /^X-Frame-Options is SAMEORIGIN on \/; set X_FRAME_OPTIONS = 'DENY'/ },
  { name: 'SESSION_COOKIE_SECURE = False', profile: { sessionCookieInsecure: true }, fails: ['secure-cookies'], message: /^the session cookie sessionid has no Secure flag \(set by \/accounts\/login\/\); set SESSION_COOKIE_SECURE = True$/ },
  { name: 'CSRF_COOKIE_SECURE = False', profile: { csrfCookieInsecure: true }, fails: ['secure-cookies'], message: /^the CSRF cookie csrftoken has no Secure flag \(set by \/accounts\/login\/\); set CSRF_COOKIE_SECURE = True$/ },
  { name: 'LANGUAGE_COOKIE_SECURE = False', profile: { languageCookieInsecure: true }, fails: ['secure-cookies'], message: /^the cookie django_language has no Secure flag \(set by \/\); set LANGUAGE_COOKIE_SECURE = True$/ },
  { name: 'CsrfViewMiddleware removed', profile: { csrfMiddlewareOff: true }, fails: ['csrf-active'], message: /^POST without a CSRF token was accepted at \/accounts\/login\/ \(200\); enable django\.middleware\.csrf\.CsrfViewMiddleware/ },
  {
    name: 'CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS',
    profile: { corsReflectWithCredentials: true },
    fails: ['cors'],
    message: /^the Origin https:\/\/prg-[0-9a-f]+\.example was reflected with credentials on GET \/; restrict CORS_ALLOWED_ORIGINS \/ CORS_ALLOW_ALL_ORIGINS \(\+7 more\)$/,
  },
  { name: 'static files uncompressed', profile: { staticUncompressed: true }, fails: ['static-assets'], message: /^\/static\/css\/site\.[0-9a-f]{12}\.css \(\d+ bytes\) is served uncompressed.*; use WhiteNoise CompressedManifestStaticFilesStorage/ },
  { name: 'static files cached for 60s', profile: { staticShortCache: true }, fails: ['static-assets'], message: /^\/static\/css\/site\.[0-9a-f]{12}\.css is cached for 60s; hashed files should be cached ≥ 1 year \(ManifestStaticFilesStorage \+ WhiteNoise\)/ },
  {
    name: 'no SECURE_PROXY_SSL_HEADER behind a TLS proxy (https redirects to itself)',
    profile: { httpsSelfRedirectLoop: true },
    fails: ['hsts', 'https-redirect'],
    message: /SECURE_PROXY_SSL_HEADER = \('HTTP_X_FORWARDED_PROTO', 'https'\)/,
    // Nothing but redirects to judge: the page checks say so instead of passing. The health
    // view is SECURE_REDIRECT_EXEMPT; a bogus Host is redirected to the real one, not served.
    others: {
      'django/debug-off': 'skip',
      nosniff: 'error',
      'frame-options': 'error',
      'secure-cookies': 'error',
      'csrf-active': 'error',
      cors: 'error',
      'auth-required': 'error',
      'static-assets': 'error',
      // Every sample answered 301: measuring redirects is not measuring the page.
      'performance-slo': 'error',
    },
  },
  { name: 'API open to anyone (AllowAny)', profile: { apiOpen: true }, fails: ['auth-required'], message: /^\/api\/bookings\/ answered 200 without credentials; require authentication \(REST_FRAMEWORK DEFAULT_PERMISSION_CLASSES/ },
  { name: 'health view reports the database down', profile: { healthDown: true }, fails: ['health'], message: /^\/health\/: status: expected ≥ 200 and < 300, got 503/ },
  // Every sample takes at least the 600ms delay, so a 500ms bound fails on any machine, however fast.
  {
    name: 'every view takes 600ms',
    profile: { delayMs: 600 },
    params: { 'performance-slo': { samples: 20, concurrency: 5, warmup: 5, p95: '500ms', errorRate: '20%' } },
    fails: ['performance-slo'],
    // Any duration: on a loaded machine the p95 may pass a second and read "1.45s".
    message: /^latency p95: expected < 500ms, got \d+(\.\d+)?(ms|s); 0 errors in 20 samples/,
  },
];

let ca: PemPair;
const labs = new Set<DjangoLab>();

beforeAll(async () => {
  ca = await createCa({ commonName: 'built-in matrix CA' });
});

afterAll(async () => {
  await Promise.all([...labs].map((lab) => lab.close()));
});

async function runAgainst(profile: LabProfile, params: Row['params'] = {}): Promise<Record<BuiltinName, CheckResult>> {
  const lab = await startDjangoLab({ profile, ca });
  labs.add(lab);
  const target = contextFor(lab);
  try {
    return await runAll(target.context, { ...labParams(lab.httpPort), ...params });
  } finally {
    await target.close();
    await lab.close();
    labs.delete(lab);
  }
}

describe('built-in checks against the Django lab', () => {
  test('the hardened lab (the seed settings) passes every built-in', async () => {
    const results = await runAgainst({});
    expect({ passed: withOutcome(results, 'pass'), results: describeResults(results) }).toEqual({ passed: [...BUILTIN_NAMES].sort(), results: expect.any(String) });
  });

  test.each(MATRIX)('$name fails exactly $fails', async ({ profile, fails, message, others = {}, params }) => {
    const results = await runAgainst(profile, params);
    const shown = describeResults(results);
    expect({ failed: withOutcome(results, 'fail'), shown }).toEqual({ failed: [...fails].sort(), shown });
    for (const name of fails) expect(results[name].summary).toMatch(message);
    for (const name of BUILTIN_NAMES.filter((each) => !fails.includes(each))) {
      expect({ name, outcome: results[name].outcome, shown }).toEqual({ name, outcome: others[name] ?? 'pass', shown });
    }
  });
});
