// What the built-in checks share: a recorder that sends requests through the run's
// client and keeps every exchange as a step of the evidence, random probe names, the
// DEBUG page markers, and the few words every check's summary needs.
import { randomBytes } from 'node:crypto';
import { headerValues, TransportError, type CookieStore, type HttpResponse } from '../../http/client.ts';
import { MissingValueError } from '../../manifest/interpolate.ts';
import type { CheckContext } from '../context.ts';
import { responseEvidence } from '../http-expect.ts';
import { RequestSpecError, resolveUrl } from '../request.ts';
import type { Assertion, CheckResult, Evidence, Outcome, StepEvidence } from '../result.ts';
import { firstAndMore } from './words.ts';

/** A label no deployment has: `prg-` and 10 random hex digits. */
export function randomLabel(): string {
  return `prg-${randomBytes(5).toString('hex')}`;
}

/** A path no URL pattern matches: `/prg-<random>/`. */
export function randomPath(): string {
  return `/${randomLabel()}/`;
}

/**
 * Django's DEBUG pages: technical_404.html, technical_500.html/.txt and the help
 * section of csrf_403.html all say "because you have DEBUG = True" (with <code> in
 * HTML); the 404 page lists the URL patterns and the DisallowedHost page names itself
 * (its technical_500 title breaks the line between "DisallowedHost" and "at /").
 */
const DEBUG_MARKERS = [/because you have (?:<code>)?DEBUG\s*=\s*True/, /Django tried these URL patterns/, /DisallowedHost\s+at /, /Invalid HTTP_HOST header/];

/** The first DEBUG marker in the body, as found; undefined when there is none. */
export function debugMarker(response: HttpResponse): string | undefined {
  const text = response.body.toString('utf8');
  for (const marker of DEBUG_MARKERS) {
    const match = marker.exec(text);
    if (match) return match[0].replace(/<\/?code>/g, '').replace(/\s+/g, ' ');
  }
  return undefined;
}

/** The seed's HSTS max-age and the cache lifetime of hashed static files. */
export const ONE_YEAR_SECONDS = 31_536_000;

export const ACCEPT_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

export function isHtml(response: HttpResponse): boolean {
  return /^\s*(text\/html|application\/xhtml\+xml)/i.test(headerValues(response.headers, 'content-type')[0] ?? '');
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

export function isRedirectStatus(status: number): boolean {
  return status >= 300 && status < 400;
}

/** The Location of a response resolved against its URL; undefined without one (or when unparsable). */
export function locationOf(response: HttpResponse): URL | undefined {
  const location = headerValues(response.headers, 'location')[0]?.trim();
  if (location === undefined) return undefined;
  try {
    return new URL(location, response.url);
  } catch {
    return undefined;
  }
}

/** A path and query as a user reads it: "/accounts/login/?next=/". */
export function pathOf(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.pathname}${parsed.search}`;
}

/** What a redirect loop behind a TLS-terminating proxy means for Django. */
export const PROXY_SSL_HINT = "Django does not see the request as secure: behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')";

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  followRedirects?: boolean;
  cookies?: CookieStore;
}

export interface Sent {
  response: HttpResponse;
  /** The step this exchange is recorded as; `judge` sets its outcome. */
  step: StepEvidence;
}

/**
 * Sends a built-in's requests and records each as a step of the evidence. A transport
 * error is recorded on its step and thrown on as is; `runProbe` turns it into `error`.
 */
export class Probe {
  readonly context: CheckContext;
  readonly steps: StepEvidence[] = [];
  readonly notes: string[] = [];
  readonly facts: Record<string, string | number | boolean> = {};

  constructor(context: CheckContext) {
    this.context = context;
  }

  /** A path on the target, appended to the target URL's own path. */
  url(path: string): URL {
    return resolveUrl(path, this.context.baseUrl);
  }

  /** The target URL; a check that needs one says so when there is none. */
  get target(): URL {
    const base = this.context.baseUrl;
    if (!base) throw new RequestSpecError('no staging URL to check (set target.url or pass --url)');
    return base;
  }

  async send(name: string, url: URL, options: SendOptions = {}): Promise<Sent> {
    const { context } = this;
    const method = options.method ?? 'GET';
    const step: StepEvidence = { name, outcome: 'pass', summary: '', request: context.redactor.text(`${method} ${url.href}`) };
    this.steps.push(step);
    const started = performance.now();
    try {
      const response = await context.http.send({
        method,
        url,
        headers: options.headers ?? {},
        ...(options.body !== undefined ? { body: options.body } : {}),
        followRedirects: options.followRedirects ?? false,
        timeoutMs: context.requestTimeoutMs,
        signal: context.signal,
        ...(options.cookies ? { cookies: options.cookies } : {}),
      });
      step.response = responseEvidence(response, context.redactor);
      step.summary = `${response.status} ${response.statusText}`.trim();
      if (response.redirectStopped) step.summary += `; redirect ${response.redirectStopped.message}`;
      return { response, step };
    } catch (error) {
      if (error instanceof TransportError) {
        step.outcome = 'error';
        step.summary = error.message;
      }
      throw error;
    } finally {
      step.durationMs = Math.round(performance.now() - started);
    }
  }

  /** Sets a step's verdict (the last one wins); the summary starts with the status it got. */
  judge(step: StepEvidence, outcome: Outcome, summary: string, assertions?: Assertion[]): void {
    step.outcome = outcome;
    step.summary = step.response ? `${step.response.status}: ${summary}` : summary;
    if (assertions) step.assertions = [...(step.assertions ?? []), ...assertions];
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  evidence(): Evidence {
    const evidence: Evidence = {};
    // One exchange reads best as a request and a response; several as steps.
    const only = this.steps.length === 1 ? this.steps[0] : undefined;
    if (only) {
      if (only.request) evidence.request = only.request;
      if (only.response) evidence.response = only.response;
      if (only.assertions) evidence.assertions = only.assertions;
    } else if (this.steps.length > 1) {
      evidence.steps = this.steps;
    }
    if (Object.keys(this.facts).length > 0) evidence.facts = this.facts;
    if (this.notes.length > 0) evidence.notes = this.notes;
    return evidence;
  }

  result(outcome: CheckResult['outcome'], summary: string, retryable = false): CheckResult {
    const result: CheckResult = { outcome, summary, evidence: this.evidence() };
    if (retryable) result.retryable = true;
    return result;
  }

  /** fail with the first problem (+N more), or pass with `passSummary`. */
  verdict(problems: string[], passSummary: string): CheckResult {
    return problems.length > 0 ? this.result('fail', firstAndMore(problems)) : this.result('pass', passSummary);
  }
}

/** GET a page as a browser would ask for it, following redirects on the hosts the manifest names. */
export function fetchPage(probe: Probe, path: string): Promise<Sent> {
  return probe.send(`GET ${path}`, probe.url(path), { headers: { accept: ACCEPT_HTML }, followRedirects: true });
}

/**
 * Why a fetched page cannot be judged, as a sentence about its URL ("/x/ answered 404",
 * "https://…/ redirects to itself; …"), or undefined for a 2xx at the end of its redirects.
 */
export function notEvaluable(response: HttpResponse): string | undefined {
  const loop = response.hops.find((hop) => hop.url === hop.location);
  if (loop) return `${loop.url} redirects to itself; ${PROXY_SSL_HINT}`;
  if (response.redirectStopped) return `${pathOf(response.hops[0]?.url ?? response.url)}: redirect ${response.redirectStopped.message}`;
  if (!isSuccess(response.status)) return `${pathOf(response.url)} answered ${response.status}`;
  return undefined;
}

/**
 * Runs a built-in with a fresh Probe. Whatever stops it before a verdict becomes
 * `error` with the evidence gathered so far: a transport error (named by its step), a
 * missing secret, a path without a staging URL.
 */
export async function runProbe(context: CheckContext, body: (probe: Probe) => Promise<CheckResult>): Promise<CheckResult> {
  const probe = new Probe(context);
  try {
    return await body(probe);
  } catch (error) {
    if (error instanceof TransportError) {
      const step = probe.steps[probe.steps.length - 1];
      const where = step && probe.steps.length > 1 ? `${step.name}: ` : '';
      return probe.result('error', `${where}${error.message}`, error.retryable);
    }
    if (error instanceof RequestSpecError || error instanceof MissingValueError) return probe.result('error', error.message);
    throw error;
  }
}
