// `expect:` of an HTTP request, evaluated against the response: status, headers
// (repeats visible), body, JSONPath, duration, redirect and cookie attributes.
import type { CookieExpect, HttpExpect, Predicate } from '../manifest/schema.ts';
import { headerValues, type HttpResponse } from '../http/client.ts';
import type { ParsedCookie } from '../http/cookies.ts';
import { redactDeep, type Redactor } from '../util/redact.ts';
import type { Assertion, ResponseEvidence } from './result.ts';
import { evaluate, show, type ValueKind } from './predicates.ts';
import { jsonPathValue } from './jsonpath.ts';
import { patternExec } from '../util/pattern.ts';
import { JsonPathError } from '../manifest/jsonpath.ts';

/**
 * Headers whose repeats legitimately combine into one comma-separated list (RFC 9110
 * §5.3). Any other header sent twice is not one valid value: a duplicated HSTS or
 * X-Frame-Options header is a misconfiguration a browser may reject.
 */
const LIST_HEADERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'access-control-allow-headers', 'access-control-allow-methods',
  'access-control-expose-headers', 'allow', 'cache-control', 'connection', 'content-encoding', 'content-security-policy',
  'content-security-policy-report-only', 'forwarded', 'if-match', 'if-none-match', 'link', 'permissions-policy', 'pragma',
  'proxy-authenticate', 'server-timing', 'set-cookie', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'vary', 'via',
  'warning', 'www-authenticate', 'x-forwarded-for',
]);

export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(name.toLowerCase());
}

/** Without `expect`, a request passes when the server did not answer with an error. */
const DEFAULT_EXPECT: HttpExpect = { status: { lt: 400 } };

/**
 * Every assertion of `expect` against the response. Cookie expectations read Set-Cookie
 * as a browser does (tough-cookie, with the public suffix list): imported only for them,
 * so a run without cookie expectations never loads it.
 */
export async function evaluateHttpExpect(expect: HttpExpect | undefined, response: HttpResponse, redactor: Redactor): Promise<Assertion[]> {
  const cookies = expect?.cookies === undefined ? undefined : (await import('../http/cookies.ts')).responseCookies(response.headers);
  return evaluateParsedExpect(expect, response, redactor, cookies);
}

/**
 * The same, synchronously, given the response's cookies: for a load sample's per-sample
 * checks (status, headers, body), where a promise per sample would cost. An expectation
 * on cookies without them is a programming error, never a pass.
 */
export function evaluateParsedExpect(expect: HttpExpect | undefined, response: HttpResponse, redactor: Redactor, cookies?: Map<string, ParsedCookie>): Assertion[] {
  const spec = expect ?? DEFAULT_EXPECT;
  if (spec.cookies !== undefined && cookies === undefined) throw new Error('cookie expectations need the response cookies (evaluateHttpExpect parses them)');
  const assertions: Assertion[] = [];
  const check = (subject: string, predicate: Predicate, actual: unknown, kind: ValueKind = 'value') => {
    const result = evaluate(predicate, actual, kind);
    // Redacted before show() shortens it: a cut must never leave half a secret.
    assertions.push({ subject, expected: result.expected, actual: show(redactDeep(actual, redactor), kind), ok: result.ok });
  };

  if (spec.redirect) {
    const first = response.hops[0] ?? response;
    const location = response.hops[0]?.location ?? headerValues(response.headers, 'location')[0];
    const isRedirect = first.status >= 300 && first.status < 400;
    if (!isRedirect) {
      assertions.push({ subject: 'redirect', expected: 'a redirect (3xx)', actual: `status ${first.status}`, ok: false });
    } else {
      if (spec.redirect.status !== undefined) check('redirect status', spec.redirect.status, first.status);
      if (spec.redirect.location !== undefined) check('redirect location', spec.redirect.location, location);
    }
  }
  if (spec.status !== undefined) check('status', spec.status, response.status);
  for (const [name, predicate] of Object.entries(spec.headers ?? {})) {
    assertions.push(headerAssertion(name, predicate, response.headers, redactor));
  }
  if (spec.body !== undefined) {
    const body = response.body.toString('utf8');
    // Redacted before it is cut, then shown around what matched (or should not have), not the page's first characters (often CSS).
    const redacted = redactor.fragment(body, { end: response.truncated });
    const assertion = { subject: 'body', ...evaluate(spec.body, body), actual: show(excerpt(redacted, bodyFocus(spec.body, redacted), SHOWN_EXCERPT)) };
    if (response.truncated) assertion.actual += ` (only the first ${response.body.length} bytes were read)`;
    assertions.push(assertion);
  }
  if (spec.json !== undefined) assertions.push(...jsonAssertions(spec.json, response, redactor));
  if (spec.duration !== undefined) check('duration', spec.duration, Math.round(response.timings.totalMs), 'duration');
  for (const [name, cookieSpec] of Object.entries(spec.cookies ?? {})) {
    assertions.push(...cookieAssertions(name, cookieSpec, cookies?.get(name)));
  }
  // Both sides can hold secrets (a filled-in expectation, a reflected header): redact every message.
  return assertions.map((assertion) => ({ ...assertion, expected: redactor.text(assertion.expected), actual: redactor.text(assertion.actual) }));
}

/** Statuses that say the probed endpoint is not there (or does not take this method). */
const ABSENT_STATUS: Record<number, string> = {
  404: 'no such endpoint',
  405: 'the endpoint does not take this method',
  410: 'the endpoint is gone',
};

/**
 * Why a response that met its expectations still proves nothing: the endpoint answered
 * 404, 405 or 410 and the expectation did not ask for that status by name (a range such as
 * `{ lt: 500 }`, or no status at all, lets absence pass). Undefined when the answer counts.
 */
export function absentEndpoint(expect: HttpExpect | undefined, response: HttpResponse): string | undefined {
  const why = ABSENT_STATUS[response.status];
  if (why === undefined) return undefined;
  if (namesStatus(expect?.status, response.status) || namesStatus(expect?.redirect?.status, response.status)) return undefined;
  const url = new URL(response.url);
  return `${url.pathname}${url.search} answered ${response.status} (${why}), so nothing was tested; point the request at an endpoint that exists, or expect status ${response.status} by name to check that it is absent`;
}

/** `404`, `{ eq: 404 }`, `{ in: [404, 410] }`: the status is asked for by name. */
function namesStatus(predicate: Predicate | undefined, status: number): boolean {
  if (predicate === undefined || predicate === null) return false;
  if (typeof predicate !== 'object') return String(predicate) === String(status);
  if (predicate.eq !== undefined && String(predicate.eq) === String(status)) return true;
  return (predicate.in ?? []).some((option) => String(option) === String(status));
}

function headerAssertion(name: string, predicate: Predicate, headers: [string, string][], redactor: Redactor): Assertion {
  const subject = `header ${name.toLowerCase()}`;
  const values = headerValues(headers, name).map((value) => redactor.headerValue(name, value.trim()));
  const onlyPresence = typeof predicate === 'object' && predicate !== null && Object.keys(predicate).length === 1 && 'exists' in predicate;
  if (values.length > 1 && !isListHeader(name) && !onlyPresence) {
    const shown = values.map((value) => show(value)).join(' and ');
    return { subject, expected: `${evaluate(predicate, values[0]).expected} (sent once)`, actual: `${values.length} headers: ${shown}`, ok: false };
  }
  const actual = values.length === 0 ? undefined : values.join(', ');
  return { subject, ...evaluate(predicate, actual), actual: show(actual) };
}

function jsonAssertions(paths: Record<string, Predicate>, response: HttpResponse, redactor: Redactor): Assertion[] {
  let document: unknown;
  try {
    document = JSON.parse(response.body.toString('utf8'));
  } catch {
    const why = response.truncated ? `the body is larger than the ${response.body.length}-byte cap` : 'the body is not JSON';
    return Object.keys(paths).map((path) => ({ subject: path, expected: 'a JSON body', actual: why, ok: false }));
  }
  return Object.entries(paths).map(([path, predicate]) => {
    let actual: unknown;
    try {
      actual = jsonPathValue(document, path);
    } catch (error) {
      // Validation rejects these; a query built another way (a built-in's parameter) still reads as a reason.
      if (error instanceof JsonPathError) return { subject: path, expected: 'a valid RFC 9535 JSONPath query', actual: error.message, ok: false };
      throw error;
    }
    const result = evaluate(predicate, actual);
    // An empty list holds nothing to redact, and a copy would lose its "selected no node" mark.
    const shown = Array.isArray(actual) && actual.length === 0 ? actual : redactDeep(actual, redactor);
    return { subject: path, expected: result.expected, actual: show(shown), ok: result.ok };
  });
}

function cookieAssertions(name: string, spec: CookieExpect, cookie: ParsedCookie | undefined): Assertion[] {
  const subject = `cookie ${name}`;
  if (spec.exists === false) return [{ subject, expected: 'not set', actual: cookie ? 'set' : 'not set', ok: !cookie }];
  if (!cookie) return [{ subject, expected: 'set by this response', actual: 'no Set-Cookie for it', ok: false }];
  const out: Assertion[] = [];
  const flag = (label: string, want: boolean | undefined, has: boolean) => {
    if (want !== undefined) out.push({ subject: `${subject} ${label}`, expected: want ? 'set' : 'not set', actual: has ? 'set' : 'not set', ok: want === has });
  };
  flag('Secure', spec.secure, cookie.secure);
  flag('HttpOnly', spec.httpOnly, cookie.httpOnly);
  const attribute = (label: string, predicate: Predicate | undefined, actual: unknown) => {
    if (predicate === undefined) return;
    const result = evaluate(normaliseSameSite(label, predicate), actual);
    out.push({ subject: `${subject} ${label}`, expected: result.expected, actual: show(actual), ok: result.ok });
  };
  attribute('SameSite', spec.sameSite, cookie.sameSite);
  attribute('Path', spec.path, cookie.path);
  attribute('Domain', spec.domain, cookie.domain);
  attribute('Max-Age', spec.maxAge, cookie.maxAge);
  // The value itself is a credential for session cookies: say only whether it matched.
  if (spec.value !== undefined) {
    const result = evaluate(spec.value, cookie.value);
    out.push({ subject: `${subject} value`, expected: result.expected, actual: result.ok ? 'a matching value' : 'a different value', ok: result.ok });
  }
  if (out.length === 0) out.push({ subject, expected: 'set by this response', actual: 'set', ok: true });
  return out;
}

/** `sameSite: lax` and `sameSite: Lax` mean the same; compare in the canonical case. */
function normaliseSameSite(label: string, predicate: Predicate): Predicate {
  if (label !== 'SameSite') return predicate;
  const canon = (value: unknown) => (typeof value === 'string' ? value.charAt(0).toUpperCase() + value.slice(1).toLowerCase() : value);
  if (typeof predicate !== 'object' || predicate === null) return canon(predicate) as Predicate;
  const copy: Record<string, unknown> = { ...predicate };
  if (copy.eq !== undefined) copy.eq = canon(copy.eq);
  if (Array.isArray(copy.in)) copy.in = copy.in.map(canon);
  return copy;
}

/** Characters of the body an assertion shows, and the report's evidence shows. */
const SHOWN_EXCERPT = 120;

/**
 * Where in the body a body predicate points: the first place its text (contains,
 * notContains, eq, endsWith) or pattern (matches) occurs. Undefined when it occurs nowhere.
 */
export function bodyFocus(predicate: Predicate, body: string): { index: number; length: number } | undefined {
  const at = (needle: string, index = body.indexOf(needle)) => (needle !== '' && index >= 0 ? { index, length: needle.length } : undefined);
  if (predicate === null || typeof predicate !== 'object') return predicate === null ? undefined : at(String(predicate));
  for (const key of ['contains', 'notContains', 'eq', 'ne'] as const) {
    const needle = predicate[key];
    const found = needle === undefined || needle === null ? undefined : at(String(needle));
    if (found) return found;
  }
  if (predicate.endsWith !== undefined) {
    const found = at(predicate.endsWith, body.lastIndexOf(predicate.endsWith));
    if (found) return found;
  }
  if (predicate.matches !== undefined) {
    const matched = safeMatch(predicate.matches, body);
    if (matched !== undefined) return at(matched);
  }
  if (predicate.not !== undefined) return bodyFocus(predicate.not, body);
  return undefined;
}

/** The text the pattern matches first (RE2: linear time on a hostile body), or undefined. */
function safeMatch(pattern: string, text: string): string | undefined {
  try {
    return patternExec(pattern, text)?.[0];
  } catch {
    return undefined;
  }
}

/** At most `width` characters of `text` centred on `focus` (the start without one), with … where cut. */
export function excerpt(text: string, focus: { index: number; length: number } | undefined, maxWidth: number): string {
  if (text.length <= maxWidth) return text;
  const width = maxWidth - 2;
  const centre = focus ? focus.index + Math.floor(focus.length / 2) : 0;
  const start = Math.max(0, Math.min(centre - Math.floor(width / 2), text.length - width));
  const end = Math.min(text.length, start + Math.max(width, focus ? focus.index + focus.length - start : 0));
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|problem\+json|ld\+json)|image\/svg)/i;
const BODY_EXCERPT = 2000;

/**
 * What the report shows of a response: status, redacted headers, and an excerpt of a text
 * body, around what the body expectation (if any) points at, else its start.
 */
export function responseEvidence(response: HttpResponse, redactor: Redactor, expect?: HttpExpect): ResponseEvidence {
  const evidence: ResponseEvidence = {
    status: response.status,
    headers: redactor.headers(response.headers),
    bodyBytes: response.wireBytes,
    truncated: response.truncated,
  };
  const type = headerValues(response.headers, 'content-type')[0] ?? '';
  if (response.body.length > 0) {
    if (TEXT_TYPES.test(type) || type === '') {
      const text = response.body.toString('utf8');
      // Redacted before it is cut, so a cut can never leave half a secret.
      const redacted = redactor.fragment(text, { end: response.truncated });
      const focus = expect?.body !== undefined ? bodyFocus(expect.body, redacted) : undefined;
      evidence.body = excerpt(redacted, focus, BODY_EXCERPT);
    } else {
      evidence.body = `(${response.body.length} bytes of ${type})`;
    }
  }
  if (response.hops.length > 0) evidence.redirects = response.hops.map((hop) => redactor.text(`${hop.status} ${hop.url} → ${hop.location}`));
  return evidence;
}
