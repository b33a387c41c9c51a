// `secure-cookies`: the flags of every cookie the site sets over https, the session
// cookie above all. Django sets sessionid only when the session changes (at login), so
// the check can log in first; without a session cookie it never passes.
import { CookieJar } from 'tough-cookie';
import type { BuiltinParams } from '../../manifest/builtins.ts';
import { headerValues, type CookieStore, type HttpResponse } from '../../http/client.ts';
import { parseSetCookie, type ParsedCookie } from '../../http/cookies.ts';
import { jarCookieStore } from '../../http/cookie-jar.ts';
import { interpolate } from '../../manifest/interpolate.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { ACCEPT_HTML, isSuccess, pathOf, runProbe, type Probe } from './shared.ts';
import { firstAndMore } from './words.ts';

type Params = BuiltinParams<'secure-cookies'>;
type Login = NonNullable<Params['login']>;

const DEFAULT_PATHS = ['/', '/accounts/login/', '/admin/login/'];

interface Seen {
  cookie: ParsedCookie;
  /** The SameSite attribute was written (a value tough-cookie did not accept is invalid). */
  sameSiteWritten: boolean;
  /** The path of the response that set it. */
  where: string;
}

type Kind = 'session' | 'csrf' | 'other';

/** Which findings lead the summary: a session cookie's exposure is the worst. */
const SEVERITY: Record<Kind, number> = { session: 0, csrf: 1, other: 2 };

/** `Set-Cookie: trackerid123` has no name, and browsers store it all the same. */
function displayName(name: string): string {
  return name === '' ? 'a nameless cookie' : name;
}

/**
 * Probes `paths` (default /, /accounts/login/, /admin/login/) and, with `login`, logs in
 * the way a browser does. Every Set-Cookie over https is judged: the session cookie
 * (sessionCookie, or a name with "sess"/"login") needs Secure and HttpOnly and a valid
 * SameSite; the CSRF cookie needs Secure and SameSite but not HttpOnly (Django's
 * JavaScript reads it); any other cookie needs Secure. Deletion cookies are not judged.
 * FAIL on any finding; else SKIP when no session cookie was seen (never a pass by
 * absence), ERROR when the configured login set none; else PASS.
 */
export function runSecureCookies(params: Params, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const target = probe.target;
    if (target.protocol !== 'https:') {
      return probe.result('skip', `the target is ${target.origin}: the Secure flag is about https, so cookies can only be checked on an https target`);
    }
    const sessionName = params.sessionCookie ?? 'sessionid';
    const csrfName = params.csrfCookie ?? 'csrftoken';
    const ignored = new Set(params.ignoreCookies ?? []);
    const kindOf = (name: string): Kind => {
      if (name === csrfName || (name !== sessionName && /csrf/i.test(name))) return 'csrf';
      if (name === sessionName || /sess|login/i.test(name)) return 'session';
      return 'other';
    };

    const seen: Seen[] = [];
    const collect = (response: HttpResponse): Seen[] => {
      const found: Seen[] = [];
      for (const line of headerValues(response.headers, 'set-cookie')) {
        const cookie = parseSetCookie(line);
        if (!cookie) continue;
        found.push({ cookie, sameSiteWritten: /;\s*samesite\s*=/i.test(line), where: pathOf(response.url) });
      }
      seen.push(...found);
      return found;
    };

    const jar = new CookieJar();
    const cookies = jarCookieStore(jar);
    const paths = params.paths ?? DEFAULT_PATHS;
    for (const path of paths) collect((await probe.send(`GET ${path}`, probe.url(path), { headers: { accept: ACCEPT_HTML }, cookies })).response);
    const loginProblem = params.login ? await logIn(probe, params.login, csrfName, cookies, jar, (response) => collect(response).some((entry) => kindOf(entry.cookie.name) === 'session')) : undefined;

    const problems: { kind: Kind; text: string }[] = [];
    const judged = new Set<string>();
    let sessionSeen: string | undefined;
    for (const { cookie, sameSiteWritten, where } of seen) {
      const name = cookie.name;
      if (cookie.deletion) {
        probe.note(`${displayName(name)} was deleted by ${where} (Max-Age=0, or a past Expires without Max-Age); deletions are not judged`);
        continue;
      }
      if (ignored.has(name)) {
        probe.note(`${name} is ignored (with.ignoreCookies)`);
        continue;
      }
      const shape = describe(cookie, sameSiteWritten);
      const key = `${name} ${shape}`;
      if (judged.has(key)) continue;
      judged.add(key);
      const kind = kindOf(name);
      if (kind === 'session') sessionSeen ??= name;
      probe.facts[`${displayName(name)} (${kind}, set by ${where})`] = shape;
      problems.push(...cookieProblems(cookie, kind, sameSiteWritten, where, name === sessionName || name === csrfName, probe).map((text) => ({ kind, text })));
    }

    // The most serious finding leads: the session cookie's, then the CSRF cookie's, then the rest.
    if (problems.length > 0) return probe.result('fail', firstAndMore(problems.sort((a, b) => SEVERITY[a.kind] - SEVERITY[b.kind]).map((problem) => problem.text)));
    if (loginProblem !== undefined) {
      if (sessionSeen === undefined) return probe.result('error', `cannot check the session cookie: ${loginProblem}`);
      probe.note(`${loginProblem}; the session cookie the pages set was judged instead`);
    }
    if (sessionSeen === undefined) {
      const csrf = seen.find((entry) => entry.cookie.name === csrfName && !entry.cookie.deletion);
      if (csrf) probe.note(`${csrfName} was seen and is fine (${describe(csrf.cookie, csrf.sameSiteWritten)})`);
      const by = params.login ? `${paths.join(', ')} or the login` : paths.join(', ');
      return probe.result('skip', `no session cookie was set by ${by}; configure with.login so Django sets ${sessionName} (it is only set when the session changes, usually at login)`);
    }
    const live = seen.filter((entry) => !entry.cookie.deletion);
    const session = live.find((entry) => entry.cookie.name === sessionSeen) as Seen;
    const others = [...new Set(live.map((entry) => entry.cookie.name))].filter((name) => name !== sessionSeen && !ignored.has(name)).map(displayName);
    const also = others.length > 0 ? `; ${others.join(', ')} also fine` : '';
    return probe.result('pass', `session cookie ${sessionSeen}: ${describe(session.cookie, session.sameSiteWritten)}${also}`);
  });
}

/** "Secure; HttpOnly; SameSite=Lax" */
function describe(cookie: ParsedCookie, sameSiteWritten: boolean): string {
  const flags = [cookie.secure ? 'Secure' : 'no Secure', cookie.httpOnly ? 'HttpOnly' : 'no HttpOnly'];
  flags.push(cookie.sameSite ? `SameSite=${cookie.sameSite}` : sameSiteWritten ? 'SameSite invalid' : 'no SameSite');
  return flags.join('; ');
}

/** Each attribute as a Django setting suffix and value, and as the attribute itself. */
const ATTRIBUTES = {
  secure: { setting: 'SECURE = True', attribute: 'Secure' },
  httpOnly: { setting: 'HTTPONLY = True', attribute: 'HttpOnly' },
  sameSite: { setting: "SAMESITE = 'Lax'", attribute: 'SameSite=Lax' },
};

function cookieProblems(cookie: ParsedCookie, kind: Kind, sameSiteWritten: boolean, where: string, djangoName: boolean, probe: Probe): string[] {
  const name = cookie.name;
  const label = kind === 'session' ? `the session cookie ${name}` : kind === 'csrf' ? `the CSRF cookie ${name}` : name === '' ? 'a nameless cookie' : `the cookie ${name}`;
  // Django's own names (or the ones the manifest gives) have settings; other cookies are set by code.
  const fix = (key: keyof typeof ATTRIBUTES): string => {
    if (kind === 'other' && key === 'secure') return otherSecureFix(name);
    const prefix = kind === 'session' ? 'SESSION_COOKIE_' : 'CSRF_COOKIE_';
    return kind !== 'other' && djangoName ? `set ${prefix}${ATTRIBUTES[key].setting}` : `add ${ATTRIBUTES[key].attribute} where ${name} is set`;
  };
  const problems: string[] = [];
  if (!cookie.secure) problems.push(`${label} has no Secure flag (set by ${where}); ${fix('secure')}`);
  if (kind === 'session' && !cookie.httpOnly) problems.push(`${label} has no HttpOnly flag (set by ${where}); ${fix('httpOnly')}`);
  if (kind !== 'other') {
    if (sameSiteWritten && cookie.sameSite === undefined) problems.push(`${label} has an invalid SameSite value (set by ${where}); ${fix('sameSite')}`);
    else if (cookie.sameSite === undefined && kind === 'csrf') problems.push(`${label} has no SameSite attribute (set by ${where}); ${fix('sameSite')}`);
    else if (cookie.sameSite === undefined) probe.note(`${label} has no SameSite attribute: browsers now default to Lax; ${fix('sameSite')} to say so explicitly`);
    else if (cookie.sameSite === 'None') probe.note(`${label} is SameSite=None: browsers send it on cross-site requests (${fix('sameSite')} unless another site must embed this one)`);
  }
  return problems;
}

function otherSecureFix(name: string): string {
  if (name === 'django_language') return 'set LANGUAGE_COOKIE_SECURE = True';
  if (name === 'messages') return 'set SESSION_COOKIE_SECURE = True (the messages cookie follows it)';
  if (name === '') return 'pass secure=True where it is set, and give it a name (a Set-Cookie line without "=")';
  return `pass secure=True where ${name} is set (response.set_cookie)`;
}

/**
 * GET the login page (collecting csrftoken), then POST the credentials with the page's
 * csrfmiddlewaretoken and a same-origin Referer and Origin, as a browser does. Returns why
 * the login did not work, or undefined when it set a session cookie.
 */
async function logIn(
  probe: Probe,
  login: Login,
  csrfName: string,
  cookies: CookieStore,
  jar: CookieJar,
  setsSession: (response: HttpResponse) => boolean,
): Promise<string | undefined> {
  const { context } = probe;
  const username = interpolate(login.username, context.scope);
  const password = interpolate(login.password, context.scope);
  // A password written in the manifest is a secret too.
  context.redactor.add(password);
  const url = probe.url(login.path);
  const page = await probe.send(`login: GET ${login.path}`, url, { headers: { accept: ACCEPT_HTML }, cookies });
  if (setsSession(page.response)) return undefined;
  if (!isSuccess(page.response.status)) {
    probe.judge(page.step, 'error', 'no login page');
    return `the login page ${login.path} answered ${page.response.status}`;
  }
  const token = formToken(page.response.body.toString('utf8')) ?? (await jar.getCookies(url.href)).find((cookie) => cookie.key === csrfName)?.value;
  if (token !== undefined) context.redactor.add(token);
  const form = new URLSearchParams();
  if (token !== undefined) form.set('csrfmiddlewaretoken', token);
  form.set(login.usernameField ?? 'username', username);
  form.set(login.passwordField ?? 'password', password);
  const post = await probe.send(`login: POST ${login.path}`, url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: ACCEPT_HTML, referer: url.href, origin: url.origin },
    body: form.toString(),
    cookies,
  });
  if (setsSession(post.response)) {
    probe.judge(post.step, 'pass', 'logged in');
    return undefined;
  }
  probe.judge(post.step, 'error', 'no session cookie');
  const status = post.response.status;
  const why = status === 403 ? 'rejected (CSRF failure?)' : isSuccess(status) ? 'the form came back (wrong username or password?)' : `answered ${status}`;
  return `the login POST ${login.path} set no session cookie: ${why}`;
}

/** The value of the form's csrfmiddlewaretoken input, whatever the attribute order. */
function formToken(html: string): string | undefined {
  for (const tag of html.match(/<input\b[^>]*>/gi) ?? []) {
    if (!/\bname\s*=\s*["']?csrfmiddlewaretoken\b/i.test(tag)) continue;
    return /\bvalue\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1];
  }
  return undefined;
}
