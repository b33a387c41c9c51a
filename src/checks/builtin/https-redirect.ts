// `https-redirect`: plain http is answered with a permanent redirect to the same page on
// https (SECURE_SSL_REDIRECT), and https does not redirect to itself (the loop Django
// makes behind a TLS-terminating proxy without SECURE_PROXY_SSL_HEADER).
import { TransportError } from '../../http/client.ts';
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { isRedirectStatus, isSuccess, locationOf, pathOf, PROXY_SSL_HINT, randomPath, runProbe } from './shared.ts';

const DEFAULT_STATUS = [301, 308];
const SSL_REDIRECT_FIX = 'set SECURE_SSL_REDIRECT = True';

/**
 * GET http://HOST[:httpPort]/<path>?x=1 without following. PASS on 301/308 to https on
 * the same host with the same path and query; 302/303/307 pass with a note unless
 * `status` is given (then only its statuses pass). FAIL on any other answer, a first hop
 * to http, or an https URL that redirects to itself or back to http. SKIP when nothing
 * listens on the http port (connection refused) while https answers: there is nothing to
 * redirect. Any other transport failure is an ERROR.
 */
export function runHttpsRedirect(params: BuiltinParams<'https-redirect'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const target = probe.target;
    const url = probe.url(params.path ?? randomPath());
    url.searchParams.append('x', '1');
    const httpUrl = new URL(url);
    if (target.protocol === 'https:') {
      httpUrl.protocol = 'http:';
      httpUrl.port = String(params.httpPort ?? 80);
    } else if (params.httpPort !== undefined) {
      httpUrl.port = String(params.httpPort);
    }

    let sent;
    try {
      sent = await probe.send('plain http', httpUrl);
    } catch (error) {
      if (!(error instanceof TransportError) || error.code !== 'ECONNREFUSED' || httpUrl.href === url.href) throw error;
      // Port 80 closed is fine, provided the site itself answers (else the target is down).
      const refused = probe.steps[0];
      if (refused) probe.judge(refused, 'skip', `${refused.summary}: plain http is not served`);
      await probe.send('https', url);
      return probe.result('skip', `nothing listens on ${httpUrl.host} (connection refused): plain http is not served, so there is nothing to redirect`);
    }
    const { response, step } = sent;
    const status = response.status;
    const location = locationOf(response);
    probe.facts.httpStatus = status;
    if (location) probe.facts.location = location.href;

    if (!isRedirectStatus(status) || location === undefined) {
      probe.judge(step, 'fail', 'no redirect');
      const served = isSuccess(status) ? `answered ${status}` : `answered ${status} instead of redirecting to https`;
      return probe.result('fail', `${httpUrl.href} ${served}; ${SSL_REDIRECT_FIX}`);
    }
    if (location.protocol !== 'https:') {
      probe.judge(step, 'fail', 'redirects to http');
      return probe.result('fail', `${httpUrl.href} redirects to ${location.href}, not to https; ${SSL_REDIRECT_FIX}`);
    }

    const problems: string[] = [];
    const accepted = params.status ?? DEFAULT_STATUS;
    if (!accepted.includes(status)) {
      if (params.status !== undefined) problems.push(`${httpUrl.href} redirects with ${status}; with.status accepts ${accepted.join(', ')}`);
      else probe.note(`${status} is a temporary redirect that browsers do not remember; Django's SECURE_SSL_REDIRECT sends 301 (is a proxy redirecting instead?)`);
    }
    const sameHost = location.hostname === httpUrl.hostname;
    const samePage = sameHost && pathOf(location) === pathOf(httpUrl);
    if (!sameHost) {
      probe.note(`the first hop goes to another host (${location.host}): SECURE_SSL_HOST or PREPEND_WWW? HSTS preloading needs the redirect to stay on ${httpUrl.hostname} first`);
    } else if (!samePage) {
      probe.note(`the redirect goes to ${pathOf(location)}, not to the page that was asked for (${pathOf(httpUrl)})`);
    }
    probe.judge(step, problems.length > 0 ? 'fail' : 'pass', `to ${location.href}`);

    // The https side: a redirect to itself (or back to http) never ends.
    if (context.http.isAllowed(location)) {
      const secure = await probe.send('https', location);
      const next = locationOf(secure.response);
      if (isRedirectStatus(secure.response.status) && next !== undefined) {
        if (next.href === location.href) {
          probe.judge(secure.step, 'fail', 'redirects to itself');
          problems.push(`${location.href} redirects to itself (${secure.response.status}), a redirect loop; ${PROXY_SSL_HINT}`);
        } else if (next.protocol !== 'https:') {
          probe.judge(secure.step, 'fail', 'redirects back to http');
          problems.push(`${location.href} redirects back to ${next.href}, a redirect loop; ${PROXY_SSL_HINT}`);
        } else {
          probe.judge(secure.step, 'pass', `to ${next.href}`);
        }
      } else {
        probe.judge(secure.step, 'pass', 'no redirect');
      }
    } else {
      probe.note(`${location.host} is not a host the manifest names, so the https side was not requested`);
    }
    return probe.verdict(problems, `${httpUrl.origin} redirects with ${status} to ${location.origin}${samePage ? ', same path and query' : ''}`);
  });
}
