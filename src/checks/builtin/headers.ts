// `hsts`, `nosniff` and `frame-options`: the response headers SecurityMiddleware and
// XFrameOptionsMiddleware send, read from the raw header lines so a repeat is visible.
import { headerValues, type HttpResponse } from '../../http/client.ts';
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { Assertion, CheckResult } from '../result.ts';
import { ACCEPT_HTML, fetchPage, isHtml, locationOf, notEvaluable, ONE_YEAR_SECONDS, pathOf, PROXY_SSL_HINT, runProbe, type Probe } from './shared.ts';
import { firstAndMore, plural } from './words.ts';

// ---------------------------------------------------------------- hsts

interface HstsPolicy {
  maxAge: number;
  includeSubDomains: boolean;
  preload: boolean;
}

/**
 * RFC 6797 §6.1: directives separated by ";", names case-insensitive, each at most once,
 * max-age required (digits, optionally quoted). A "," means two headers were joined.
 */
export function parseHsts(value: string): HstsPolicy | undefined {
  if (value.includes(',')) return undefined;
  const seen = new Set<string>();
  let maxAge: number | undefined;
  for (const part of value.split(';')) {
    const directive = part.trim();
    if (directive === '') continue;
    const [rawName = '', ...rest] = directive.split('=');
    const name = rawName.trim().toLowerCase();
    if (seen.has(name)) return undefined;
    seen.add(name);
    if (name === 'max-age') {
      const match = /^\s*"?(\d+)"?\s*$/.exec(rest.join('='));
      if (!match) return undefined;
      maxAge = Number(match[1]);
    }
  }
  if (maxAge === undefined) return undefined;
  return { maxAge, includeSubDomains: seen.has('includesubdomains'), preload: seen.has('preload') };
}

/**
 * GET `path` over https (no redirect followed: Django sends HSTS on every secure response).
 * PASS on exactly one header with max-age ≥ minMaxAge (and includeSubDomains / preload when
 * required). FAIL when it is missing, repeated, malformed, 0 or shorter. Never judged over
 * plain http, where browsers ignore it: an http target is a SKIP.
 */
export function runHsts(params: BuiltinParams<'hsts'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const target = probe.target;
    if (target.protocol !== 'https:') {
      return probe.result('skip', `the target is ${target.origin}: browsers ignore HSTS over plain http, so it can only be checked on an https target`);
    }
    const minMaxAge = params.minMaxAge ?? ONE_YEAR_SECONDS;
    const fix = `set SECURE_HSTS_SECONDS = ${minMaxAge}`;
    const url = probe.url(params.path ?? '/');
    const { response, step } = await probe.send(`GET ${pathOf(url)}`, url, { headers: { accept: ACCEPT_HTML } });
    const values = headerValues(response.headers, 'strict-transport-security').map((value) => value.trim());
    probe.facts['Strict-Transport-Security lines'] = values.length;

    if (values.length === 0) {
      const loop = locationOf(response)?.href === response.url ? ` (it redirects to itself: ${PROXY_SSL_HINT})` : '';
      probe.judge(step, 'fail', 'no Strict-Transport-Security');
      return probe.result('fail', `no Strict-Transport-Security header on ${url.href}${loop}; ${fix}`);
    }
    if (values.length > 1) {
      probe.judge(step, 'fail', 'repeated');
      return probe.result(
        'fail',
        `Strict-Transport-Security is sent ${values.length} times (${values.map((value) => `"${value}"`).join(' and ')}), which browsers may reject; send it once: SECURE_HSTS_SECONDS in Django or the proxy's header, not both`,
      );
    }
    const value = values[0] as string;
    probe.facts.value = value;
    const policy = parseHsts(value);
    if (!policy) {
      probe.judge(step, 'fail', 'malformed');
      return probe.result('fail', `Strict-Transport-Security "${value}" is malformed (max-age missing, repeated or not a number); ${fix}`);
    }
    probe.facts.maxAge = policy.maxAge;
    probe.facts.includeSubDomains = policy.includeSubDomains;
    probe.facts.preload = policy.preload;

    const assertions: Assertion[] = [{ subject: 'HSTS max-age', expected: `≥ ${minMaxAge}`, actual: String(policy.maxAge), ok: policy.maxAge >= minMaxAge && policy.maxAge > 0 }];
    const problems: string[] = [];
    if (policy.maxAge === 0) problems.push(`HSTS max-age is 0, which tells browsers to forget the policy; ${fix}`);
    else if (policy.maxAge < minMaxAge) problems.push(`HSTS max-age is ${policy.maxAge}; ${fix}`);
    const directive = (name: string, present: boolean, required: boolean | undefined, setting: string) => {
      if (present) return;
      if (required) {
        assertions.push({ subject: `HSTS ${name}`, expected: 'present', actual: 'absent', ok: false });
        problems.push(`HSTS has no ${name}; set ${setting} = True`);
      } else {
        probe.note(`no ${name} (${setting} = True adds it${name === 'preload' ? '; only for a domain meant for the browsers\' preload list' : ''})`);
      }
    };
    directive('includeSubDomains', policy.includeSubDomains, params.requireIncludeSubDomains, 'SECURE_HSTS_INCLUDE_SUBDOMAINS');
    directive('preload', policy.preload, params.requirePreload, 'SECURE_HSTS_PRELOAD');
    probe.judge(step, problems.length > 0 ? 'fail' : 'pass', value, assertions);
    return probe.verdict(problems, `Strict-Transport-Security: ${value}`);
  });
}

// ---------------------------------------------------------------- nosniff

/**
 * Each path (default /), redirects followed: a 2xx answer must carry exactly one
 * X-Content-Type-Options whose trimmed, lower-cased value is `nosniff`. Paths that do not
 * answer 2xx are not judged (a proxy's error page says nothing about Django); when none
 * does, the check cannot tell (ERROR).
 */
export function runNosniff(params: BuiltinParams<'nosniff'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const pages = await judgePages(probe, params.paths ?? ['/'], '2xx', () => undefined, (response, where) => {
      const values = headerValues(response.headers, 'x-content-type-options').map((value) => value.trim());
      const shown = values.length === 0 ? '(none)' : values.join(' | ');
      probe.facts[`X-Content-Type-Options on ${where}`] = shown;
      if (values.length === 0) return { shown, problem: `no X-Content-Type-Options header on ${where}; set SECURE_CONTENT_TYPE_NOSNIFF = True (with SecurityMiddleware in MIDDLEWARE)` };
      if (values.length > 1) return { shown, problem: `X-Content-Type-Options is sent ${values.length} times on ${where}; send it once: Django's SECURE_CONTENT_TYPE_NOSNIFF or the proxy's header, not both` };
      if ((values[0] as string).toLowerCase() !== 'nosniff') return { shown, problem: `X-Content-Type-Options is "${values[0] as string}" on ${where}; set SECURE_CONTENT_TYPE_NOSNIFF = True` };
      return { shown: 'nosniff' };
    });
    if ('outcome' in pages) return pages;
    return probe.verdict(pages.problems, `X-Content-Type-Options: nosniff on ${plural(pages.judged, 'page')}`);
  });
}

// ---------------------------------------------------------------- frame-options

type Framing = 'DENY' | 'SAMEORIGIN' | 'invalid';

/** The sources of the first CSP `frame-ancestors` directive over every CSP header, if any. */
function frameAncestors(response: HttpResponse): string | undefined {
  for (const policy of headerValues(response.headers, 'content-security-policy')) {
    for (const directive of policy.split(';')) {
      const [name, ...sources] = directive.trim().split(/\s+/);
      if (name?.toLowerCase() === 'frame-ancestors') return sources.join(' ');
    }
  }
  return undefined;
}

/**
 * Each path (default /), redirects followed; only 2xx HTML pages are judged (Django's
 * SSL-redirect 301 and WhiteNoise's static files carry no X-Frame-Options by design).
 * CSP `frame-ancestors 'none'` or `X-Frame-Options: DENY` PASS; SAMEORIGIN (or
 * `frame-ancestors 'self'`) fails when `require` is DENY (the default) and passes with a
 * note when it is SAMEORIGIN. Missing, repeated or invalid: FAIL.
 */
export function runFrameOptions(params: BuiltinParams<'frame-options'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const require = params.require ?? 'DENY';
    const fix = `set X_FRAME_OPTIONS = '${require}'`;
    const htmlOnly = (response: HttpResponse) => (isHtml(response) ? undefined : `${pathOf(response.url)} is not an HTML page`);
    const pages = await judgePages(probe, params.paths ?? ['/'], '2xx HTML', htmlOnly, (response, where) => {
      const ancestors = frameAncestors(response);
      const values = headerValues(response.headers, 'x-frame-options').map((value) => value.trim());
      let framing: Framing | undefined;
      let shown: string;
      let problem: string | undefined;
      if (ancestors !== undefined) {
        // Browsers that know frame-ancestors ignore X-Frame-Options when it is present.
        shown = `CSP frame-ancestors ${ancestors}`;
        const sources = ancestors.toLowerCase();
        framing = sources === "'none'" ? 'DENY' : sources === "'self'" ? 'SAMEORIGIN' : 'invalid';
        if (framing === 'invalid') problem = `CSP frame-ancestors ${ancestors} on ${where} lets other sites frame the page; use frame-ancestors 'none' or ${fix}`;
      } else if (values.length === 0) {
        shown = '(none)';
        problem = `no X-Frame-Options header on ${where}; add django.middleware.clickjacking.XFrameOptionsMiddleware to MIDDLEWARE and ${fix}`;
      } else if (values.length > 1) {
        shown = values.join(' | ');
        problem = `X-Frame-Options is sent ${values.length} times on ${where} (${values.join(', ')}), which browsers treat as invalid; send it once: Django's XFrameOptionsMiddleware or the proxy's header, not both`;
      } else {
        shown = values[0] as string;
        const upper = shown.toUpperCase();
        framing = upper === 'DENY' || upper === 'SAMEORIGIN' ? upper : 'invalid';
        if (framing === 'invalid') problem = `X-Frame-Options is "${shown}" on ${where}, which browsers ignore; ${fix}`;
      }
      if (framing === 'SAMEORIGIN') {
        if (require === 'DENY') problem = `${ancestors !== undefined ? `CSP frame-ancestors 'self'` : 'X-Frame-Options is SAMEORIGIN'} on ${where}; ${fix}`;
        else probe.note(`SAMEORIGIN on ${where} lets the site frame its own pages (DENY forbids all framing)`);
      }
      probe.facts[`framing on ${where}`] = shown;
      return problem ? { shown, problem } : { shown };
    });
    if ('outcome' in pages) return pages;
    return probe.verdict(pages.problems, `framing forbidden (${require === 'DENY' ? 'DENY' : 'SAMEORIGIN or stricter'}) on ${plural(pages.judged, 'page')}`);
  });
}

/**
 * Fetches each path (redirects followed) and judges the pages that answered 2xx (and pass
 * `notJudgeable`); the others are noted as not judged. When no page could be judged, the
 * check cannot tell, and the result says so.
 */
async function judgePages(
  probe: Probe,
  paths: string[],
  kind: string,
  notJudgeable: (response: HttpResponse) => string | undefined,
  judge: (response: HttpResponse, where: string) => { shown: string; problem?: string },
): Promise<{ judged: number; problems: string[] } | CheckResult> {
  const problems: string[] = [];
  const skipped: string[] = [];
  let judged = 0;
  for (const path of paths) {
    const { response, step } = await fetchPage(probe, path);
    const why = notEvaluable(response) ?? notJudgeable(response);
    if (why !== undefined) {
      probe.judge(step, 'skip', 'not judged');
      probe.note(`not judged: ${why}`);
      skipped.push(why);
      continue;
    }
    judged++;
    const { shown, problem } = judge(response, pathOf(response.url));
    probe.judge(step, problem ? 'fail' : 'pass', shown);
    if (problem) problems.push(problem);
  }
  return judged === 0 ? cannotTell(probe, skipped, kind) : { judged, problems };
}

function cannotTell(probe: Probe, reasons: string[], kind: string): CheckResult {
  return probe.result('error', `cannot tell: no ${kind} page to judge (${firstAndMore(reasons)}); set with.paths to pages that answer 2xx`);
}

