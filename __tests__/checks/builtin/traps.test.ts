// The known false positives of other tools (security-anchors §0.5, §3.1, §6): each is
// present on the hardened lab's wire, and none of them makes a built-in fail.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runBuiltinCheck } from '../../../src/checks/builtin/index.ts';
import { debugMarker } from '../../../src/checks/builtin/shared.ts';
import type { ResponseEvidence, StepEvidence } from '../../../src/checks/result.ts';
import type { HttpResponse } from '../../../src/http/client.ts';
import { startDjangoLab, type DjangoLab } from '../../../test-support/django-lab.ts';
import { contextFor, LAB_PASSWORD, type TestContext } from './helpers.ts';

let lab: DjangoLab;
let target: TestContext;

beforeAll(async () => {
  lab = await startDjangoLab();
  target = contextFor(lab);
});

afterAll(async () => {
  await target?.close();
  await lab?.close();
});

const header = (response: ResponseEvidence | undefined, name: string): string[] =>
  (response?.headers ?? []).filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);

const step = (steps: StepEvidence[] | undefined, name: string): StepEvidence => {
  const found = steps?.find((each) => each.name === name);
  if (!found) throw new Error(`no step ${name} in ${JSON.stringify(steps?.map((each) => each.name))}`);
  return found;
};

describe('known traps produce no false positive', () => {
  test('csrftoken without HttpOnly is correct (Django deliberately lets JavaScript read it)', async () => {
    const result = await runBuiltinCheck('secure-cookies', { login: { path: '/accounts/login/', username: 'smoke', password: LAB_PASSWORD } }, target.context);
    expect(result.outcome).toBe('pass');
    expect(result.evidence.facts?.['csrftoken (csrf, set by /accounts/login/)']).toBe('Secure; no HttpOnly; SameSite=Lax');
    expect(result.evidence.facts?.['sessionid (session, set by /accounts/login/)']).toBe('Secure; HttpOnly; SameSite=Lax');
    // The wire really carries a csrftoken without HttpOnly.
    const loginPage = step(result.evidence.steps, 'GET /accounts/login/');
    expect(header(loginPage.response, 'set-cookie')).toEqual([expect.stringMatching(/^csrftoken=\[redacted\]; expires=.*; Max-Age=31449600; Path=\/; SameSite=Lax; Secure$/)]);
  });

  test("Access-Control-Allow-Origin: * on WhiteNoise's static files is not a CORS finding", async () => {
    const result = await runBuiltinCheck('cors', { paths: [lab.assets.css] }, target.context);
    expect(result.outcome).toBe('pass');
    const get = step(result.evidence.steps, `GET ${lab.assets.css} (Origin: ${String(result.evidence.facts?.origin)})`);
    expect(header(get.response, 'access-control-allow-origin')).toEqual(['*']);
    expect(result.evidence.notes).toContainEqual(expect.stringContaining('Access-Control-Allow-Origin: * (never with credentials'));
  });

  test('Access-Control-Allow-Credentials without Access-Control-Allow-Origin (django-cors-headers) is not a finding', async () => {
    const result = await runBuiltinCheck('cors', { paths: ['/api/'] }, target.context);
    expect(result.outcome).toBe('pass');
    for (const each of result.evidence.steps ?? []) {
      expect(header(each.response, 'access-control-allow-credentials')).toEqual(['true']);
      expect(header(each.response, 'access-control-allow-origin')).toEqual([]);
    }
  });

  test('the SSL-redirect 301 without X-Frame-Options passes; framing is judged on 2xx HTML pages only', async () => {
    const redirect = await runBuiltinCheck('https-redirect', { httpPort: lab.httpPort }, target.context);
    expect(redirect.outcome).toBe('pass');
    const hop = step(redirect.evidence.steps, 'plain http');
    expect(hop.response?.status).toBe(301);
    expect(header(hop.response, 'x-frame-options')).toEqual([]);
    expect(header(hop.response, 'x-content-type-options')).toEqual(['nosniff']);

    // /admin → 301 (APPEND_SLASH) → 302 to the login page, which is judged; the static file is not.
    const framing = await runBuiltinCheck('frame-options', { paths: ['/admin', lab.assets.css] }, target.context);
    expect(framing.outcome).toBe('pass');
    expect(framing.summary).toBe('framing forbidden (DENY) on 1 page');
    expect(framing.evidence.facts).toEqual({ 'framing on /admin/login/?next=/admin/': 'DENY' });
    expect(framing.evidence.notes).toEqual([`not judged: ${lab.assets.css} is not an HTML page`]);
  });

  test('HSTS is judged over https only: the plain-http redirect carries none and that is right', async () => {
    const redirect = await runBuiltinCheck('https-redirect', { httpPort: lab.httpPort }, target.context);
    expect(header(step(redirect.evidence.steps, 'plain http').response, 'strict-transport-security')).toEqual([]);
    expect(redirect.outcome).toBe('pass');

    const hsts = await runBuiltinCheck('hsts', {}, target.context);
    expect(hsts.outcome).toBe('pass');
    expect(hsts.evidence.facts).toMatchObject({ maxAge: 31536000, includeSubDomains: true, preload: true });

    // An http target is never judged for HSTS (browsers ignore it there).
    const plain = contextFor({ url: lab.httpUrl, caCert: lab.caCert });
    try {
      const result = await runBuiltinCheck('hsts', {}, plain.context);
      expect(result.outcome).toBe('skip');
      expect(result.summary).toMatch(/browsers ignore HSTS over plain http/);
    } finally {
      await plain.close();
    }
  });

  test("Django's production CSRF page mentions DEBUG=True without being a DEBUG page", () => {
    const production = '<p>CSRF verification failed. Request aborted.</p>\n<p><small>More information is available with DEBUG=True.</small></p>';
    const debug = '<p>You’re seeing the help section of this page because you have <code>DEBUG =\n  True</code> in your Django settings file.</p>';
    const response = (body: string) => ({ body: Buffer.from(body) }) as HttpResponse;
    expect(debugMarker(response(production))).toBeUndefined();
    expect(debugMarker(response(debug))).toBe('because you have DEBUG = True');
    expect(debugMarker(response('<title>DisallowedHost\n          at /</title>'))).toBe('DisallowedHost at ');
  });
});
