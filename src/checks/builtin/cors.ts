// `cors`: a foreign origin (and the `null` origin of sandboxed pages and file: URLs) is
// never granted credentialed access. ACAO: * is not a finding (browsers never send
// credentials with it; WhiteNoise sends it on static files), and neither is ACAC without
// ACAO (django-cors-headers sends that for every origin when CORS_ALLOW_CREDENTIALS).
import { headerValues } from '../../http/client.ts';
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { isSuccess, randomLabel, runProbe } from './shared.ts';
import { plural } from './words.ts';

const DEFAULT_PATHS = ['/', '/api/'];
const CORS_FIX = 'restrict CORS_ALLOWED_ORIGINS / CORS_ALLOW_ALL_ORIGINS';

/**
 * For each path (default /, /api/): GET and a preflight OPTIONS (Access-Control-Request-Method
 * POST, -Headers authorization) with `Origin: https://prg-<random>.example`, then both
 * with `Origin: null`. FAIL when Access-Control-Allow-Origin echoes the origin sent and
 * Access-Control-Allow-Credentials is true. Reflection without credentials and `*` are
 * notes. ERROR when no path answers GET with 2xx (nothing real was asked).
 */
export function runCors(params: BuiltinParams<'cors'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const paths = params.paths ?? DEFAULT_PATHS;
    const foreign = `https://${randomLabel()}.example`;
    probe.facts.origin = foreign;
    const problems: string[] = [];
    let answered = 0;
    for (const path of paths) {
      const url = probe.url(path);
      for (const origin of [foreign, 'null']) {
        for (const method of ['GET', 'OPTIONS']) {
          const preflight: Record<string, string> = method === 'OPTIONS' ? { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } : {};
          const { response, step } = await probe.send(`${method} ${path} (Origin: ${origin})`, url, { method, headers: { origin, accept: '*/*', ...preflight } });
          if (method === 'GET' && origin === foreign) {
            if (isSuccess(response.status)) answered++;
            else probe.note(`${path} answered GET with ${response.status}, so it shows only the CORS headers of an error page; list endpoints that exist in with.paths`);
          }
          const allowed = headerValues(response.headers, 'access-control-allow-origin').map((value) => value.trim());
          const credentials = headerValues(response.headers, 'access-control-allow-credentials').some((value) => value.trim().toLowerCase() === 'true');
          if (allowed.includes(origin)) {
            const vary = headerValues(response.headers, 'vary').some((value) => /(^|,)\s*origin\s*(,|$)/i.test(value));
            if (!vary) probe.note(`${path} echoes the Origin without Vary: Origin, so a shared cache can hand one origin's answer to another`);
            if (credentials) {
              probe.judge(step, 'fail', 'reflected with credentials');
              problems.push(`the Origin ${origin} was reflected with credentials on ${method} ${path}; ${CORS_FIX}`);
            } else {
              probe.judge(step, 'pass', 'reflected without credentials');
              probe.note(`${path} reflects the Origin ${origin} without credentials: any site can read its public answers (fine for a public API, not for one behind a staging key)`);
            }
          } else if (allowed.includes('*')) {
            probe.judge(step, 'pass', 'Access-Control-Allow-Origin: *');
            probe.note(`${path} sends Access-Control-Allow-Origin: * (never with credentials; fine for public files such as WhiteNoise's static files, not for a private API)`);
          } else {
            probe.judge(step, 'pass', allowed.length > 0 ? `allows only ${allowed.join(', ')}` : 'no Access-Control-Allow-Origin');
          }
        }
      }
    }
    if (answered === 0) return probe.result('error', `cannot tell: none of ${paths.join(', ')} answered GET with 2xx; set with.paths to your API's URLs`);
    return probe.verdict(problems, `no credentialed access for a foreign Origin or Origin: null on ${plural(answered, 'path')} that answered${answered < paths.length ? ` (of ${paths.length})` : ''}`);
  });
}
