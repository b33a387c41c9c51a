// `csrf-active`: a POST without a token is refused (CsrfViewMiddleware), checked the
// way an attacker's cross-site form would arrive, minus the cookie it never has.
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { ACCEPT_HTML, isRedirectStatus, isSuccess, runProbe } from './shared.ts';

const DEFAULT_PATHS = ['/accounts/login/', '/admin/login/'];
const CSRF_FIX = 'enable django.middleware.csrf.CsrfViewMiddleware (and check the view is not @csrf_exempt)';

/**
 * GET the form page (with.path, else /accounts/login/ then /admin/login/) to find one that
 * answers 2xx, then POST to it with no cookie and no token but a same-origin Referer and
 * Origin. PASS on 403; FAIL on 2xx or 3xx (the POST reached the view); ERROR when there is
 * no form page or the POST answers anything else (404, 405, 429, 5xx): cannot tell.
 */
export function runCsrfActive(params: BuiltinParams<'csrf-active'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const candidates = params.path !== undefined ? [params.path] : DEFAULT_PATHS;
    let page: URL | undefined;
    const misses: string[] = [];
    for (const path of candidates) {
      const url = probe.url(path);
      const { response, step } = await probe.send(`GET ${path}`, url, { headers: { accept: ACCEPT_HTML } });
      if (isSuccess(response.status)) {
        probe.judge(step, 'pass', 'the form page');
        page = url;
        break;
      }
      probe.judge(step, 'skip', 'no form page here');
      misses.push(`${path} answered ${response.status}`);
    }
    if (!page) return probe.result('error', `cannot tell: no form page (${misses.join(', ')}); set with.path to a page with a POST form`);

    const path = page.pathname;
    const { response, step } = await probe.send(`POST ${path} without a CSRF cookie or token`, page, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: ACCEPT_HTML, referer: page.href, origin: page.origin },
      body: 'readiness-gate=csrf-probe',
    });
    const status = response.status;
    probe.facts.status = status;
    if (status === 403) {
      const django = response.body.toString('utf8').includes('CSRF verification failed');
      probe.facts.djangoCsrfPage = django;
      probe.judge(step, 'pass', django ? "Django's CSRF failure page" : 'refused');
      if (!django) probe.note(`the 403 is not Django's "CSRF verification failed" page: something else (a WAF, the view) refused the POST, so CsrfViewMiddleware itself is not proven`);
      return probe.result('pass', `POST ${path} without a CSRF token was refused with 403${django ? ' (CSRF verification failed)' : ''}`);
    }
    if (isSuccess(status) || isRedirectStatus(status)) {
      probe.judge(step, 'fail', 'accepted');
      return probe.result('fail', `POST without a CSRF token was accepted at ${path} (${status}); ${CSRF_FIX}`);
    }
    probe.judge(step, 'error', 'cannot tell');
    const why = status === 404 || status === 405 ? `; set with.path to a page that accepts POST` : status === 429 ? ' (rate-limited)' : '';
    return probe.result('error', `cannot tell: POST ${path} answered ${status}${why}`, status >= 502 && status <= 504);
  });
}
