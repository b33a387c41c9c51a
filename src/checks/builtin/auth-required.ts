// `auth-required`: the listed endpoints refuse an anonymous request.
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { isRedirectStatus, isSuccess, locationOf, runProbe } from './shared.ts';
import { firstAndMore, plural } from './words.ts';

const LOGIN_URL = /log-?in|sign-?in|auth|sso|accounts/i;
const AUTH_FIX =
  "require authentication (REST_FRAMEWORK DEFAULT_PERMISSION_CLASSES = ['rest_framework.permissions.IsAuthenticated'] for the API, @login_required or LoginRequiredMixin for views)";

/**
 * GET each path without cookies or credentials (the target's own headers, staging access
 * keys, still go along). PASS on 401, 403 or a redirect to a login URL; FAIL on 2xx;
 * ERROR on anything else (404, 405, 5xx, another redirect): the endpoint cannot tell us.
 */
export function runAuthRequired(params: BuiltinParams<'auth-required'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const failures: string[] = [];
    const unknown: string[] = [];
    for (const path of params.paths) {
      const { response, step } = await probe.send(`GET ${path} without credentials`, probe.url(path), { headers: { accept: 'application/json, text/html;q=0.9, */*;q=0.8' } });
      const status = response.status;
      const location = locationOf(response);
      if (status === 401 || status === 403) {
        probe.judge(step, 'pass', 'refused');
      } else if (isRedirectStatus(status) && location !== undefined && LOGIN_URL.test(location.pathname)) {
        probe.judge(step, 'pass', `redirects to the login page ${location.pathname}`);
      } else if (isSuccess(status)) {
        probe.judge(step, 'fail', 'served without credentials');
        failures.push(`${path} answered ${status} without credentials; ${AUTH_FIX}`);
      } else {
        probe.judge(step, 'error', 'cannot tell');
        const where = location ? ` to ${location.href}` : '';
        const hint = status === 404 || status === 405 ? ': list an endpoint that exists and answers GET' : isRedirectStatus(status) ? ', not to a login page: list the final URL' : '';
        unknown.push(`${path} answered ${status}${where}${hint}`);
      }
    }
    if (failures.length > 0) return probe.result('fail', firstAndMore(failures));
    if (unknown.length > 0) return probe.result('error', `cannot tell: ${firstAndMore(unknown)}`);
    return probe.result('pass', `${plural(params.paths.length, 'endpoint')} refused an anonymous request (401/403 or a login redirect)`);
  });
}
