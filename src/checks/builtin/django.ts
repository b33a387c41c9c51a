// `django/debug-off` and `django/allowed-hosts`: what DEBUG and ALLOWED_HOSTS look like
// from outside. Both read the same Django pages (security-anchors §1.3), so they share
// the bogus Host probe.
import { headerValues } from '../../http/client.ts';
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { ACCEPT_HTML, debugMarker, isRedirectStatus, isSuccess, locationOf, notEvaluable, pathOf, randomLabel, randomPath, runProbe, type Probe, type Sent } from './shared.ts';

const DEBUG_FIX = 'set DEBUG = False';
const ALLOWED_HOSTS_FIX = "list your domains in ALLOWED_HOSTS (not '*')";

/** GET `path` on the real connection (SNI = the target) with `Host: prg-<random>.invalid`. */
function sendBogusHost(probe: Probe, path: string, bogusHost: string): Promise<Sent> {
  return probe.send(`bogus Host: ${bogusHost}`, probe.url(path), { headers: { host: bogusHost, accept: ACCEPT_HTML } });
}

/**
 * FAIL on a DEBUG marker in the answer to a random path (technical_404) or to a bogus
 * Host (DisallowedHost technical page). PASS on a 4xx for the random path without one.
 * SKIP when the random path answers 2xx (a catch-all route) or anything else: nothing
 * to read the setting from.
 */
export function runDebugOff(params: BuiltinParams<'django/debug-off'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const path = params.path ?? randomPath();
    const missing = await probe.send(`GET ${path} (a page that does not exist)`, probe.url(path), { headers: { accept: ACCEPT_HTML }, followRedirects: true });
    const bogus = await sendBogusHost(probe, '/', `${randomLabel()}.invalid`);

    for (const sent of [missing, bogus]) {
      const marker = debugMarker(sent.response);
      if (marker !== undefined) {
        probe.judge(sent.step, 'fail', `DEBUG page ("${marker}")`);
        probe.facts.marker = marker;
        return probe.result('fail', `DEBUG page shown at ${pathOf(sent.response.url)} (${sent.response.status} with "${marker}"); ${DEBUG_FIX}`);
      }
      probe.judge(sent.step, 'pass', 'no DEBUG marker');
    }

    const status = missing.response.status;
    probe.facts.status = status;
    if (status >= 400 && status < 500) {
      return probe.result('pass', `${pathOf(missing.response.url)} answered ${status} without Django's DEBUG page`);
    }
    const why = isSuccess(status) ? `${pathOf(missing.response.url)} answered ${status} (a catch-all route or a single-page app?)` : (notEvaluable(missing.response) ?? `${pathOf(missing.response.url)} answered ${status}`);
    probe.judge(missing.step, 'skip', 'cannot tell');
    return probe.result('skip', `cannot tell whether DEBUG is on: ${why}; set with.path to a URL that answers 404`);
  });
}

/**
 * The target's own TLS connection with `Host: prg-<random>.invalid`. PASS on Django's 400
 * or an edge's 403/404/421, or an absolute redirect to another host (an edge sending
 * unknown hosts home); FAIL when the page is served (2xx), when the app redirected it
 * (a relative Location), or when the bogus host comes back in Location or the body.
 * ERROR when the real Host gets the same 404 (the path is not there, so nothing was
 * tested). Anything else (5xx, 401…) cannot tell: SKIP. A second request sends the real
 * Host with `X-Forwarded-Host: <bogus>`; a reflection there is a note.
 */
export function runAllowedHosts(params: BuiltinParams<'django/allowed-hosts'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const path = params.path ?? '/';
    const bogusHost = `${randomLabel()}.invalid`;
    const { response, step } = await sendBogusHost(probe, path, bogusHost);
    const status = response.status;
    const location = locationOf(response);
    const reflected = reflects(response, bogusHost);
    probe.facts.status = status;
    probe.facts.bogusHost = bogusHost;
    if (location) probe.facts.location = location.href;

    const forwarded = await probe.send(`X-Forwarded-Host: ${bogusHost}`, probe.url(path), { headers: { 'x-forwarded-host': bogusHost, accept: ACCEPT_HTML } });
    if (forwarded.response.status < 400 && reflects(forwarded.response, bogusHost)) {
      probe.judge(forwarded.step, 'pass', 'the forwarded host is reflected');
      probe.note(
        `X-Forwarded-Host: ${bogusHost} came back in the ${forwarded.response.status} response: the app trusts a header the client controls (USE_X_FORWARDED_HOST = True without a proxy that overwrites it?)`,
      );
    }

    if (isSuccess(status)) {
      probe.judge(step, 'fail', 'served');
      const echo = reflected ? `, and it was reflected in the ${reflected}` : '';
      return probe.result('fail', `a bogus Host header (${bogusHost}) was served the page (${status})${echo}; ${ALLOWED_HOSTS_FIX}`);
    }
    if (isRedirectStatus(status)) {
      // Django's own redirects (APPEND_SLASH, login_required) have a relative Location; an
      // absolute one to a host we named comes from an edge sending unknown hosts home.
      const written = headerValues(response.headers, 'location')[0]?.trim() ?? '';
      const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(written);
      if (location !== undefined && absolute && !reflected) {
        probe.judge(step, 'pass', `redirected to ${location.origin}`);
        probe.note(`the bogus Host was redirected to ${location.href} (a canonical-host redirect?), not served`);
        return probe.result('pass', `a bogus Host header was redirected to ${location.origin}, not served`);
      }
      probe.judge(step, 'fail', 'redirected by the app');
      const where = written ? ` to ${written}` : '';
      return probe.result('fail', `a bogus Host header (${bogusHost}) was answered with ${status}${where}, so the app accepted it; ${ALLOWED_HOSTS_FIX}`);
    }
    if ((status === 404 || status === 410) && (forwarded.response.status === 404 || forwarded.response.status === 410)) {
      // The real Host gets the same answer: the path is not there, so the 404 says nothing about ALLOWED_HOSTS.
      probe.judge(step, 'error', 'cannot tell');
      return probe.result('error', `cannot tell: ${path} answers ${forwarded.response.status} for the real host too, so the bogus Host's ${status} proves nothing; set with.path to a page that exists`);
    }
    if (status === 400 || status === 403 || status === 404 || status === 421) {
      probe.judge(step, 'pass', 'rejected');
      if (debugMarker(response) !== undefined) probe.note(`the ${status} page is Django's DEBUG page (DisallowedHost): see django/debug-off`);
      if (status !== 400) probe.note(`rejected with ${status}, not Django's 400 (DisallowedHost): an edge or proxy answered`);
      return probe.result('pass', `a bogus Host header was rejected with ${status}`);
    }
    probe.judge(step, 'skip', 'cannot tell');
    return probe.result('skip', `cannot tell: a bogus Host header was answered with ${status} (an error page of the proxy or CDN?); expected Django's 400`);
  });
}

/** Where the bogus host came back: "Location header", "body", or undefined. */
function reflects(response: Sent['response'], bogusHost: string): string | undefined {
  if (headerValues(response.headers, 'location').some((value) => value.toLowerCase().includes(bogusHost))) return 'Location header';
  if (response.body.toString('utf8').toLowerCase().includes(bogusHost)) return 'body';
  return undefined;
}
