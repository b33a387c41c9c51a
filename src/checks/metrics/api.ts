// The Prometheus and Alertmanager HTTP APIs through the run's HttpClient (so the allowed
// hosts, CA and per-host limits apply): a base URL from the manifest, credentials from
// secrets, JSON answers, and every failure a sentence with what to set.
import { TransportError } from '../../http/client.ts';
import { interpolate, MissingValueError } from '../../manifest/interpolate.ts';
import type { MetricsAuth } from '../../manifest/metrics-auth.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult, Evidence } from '../result.ts';
import { resolveSource } from '../sources.ts';

export interface Api {
  /** The API's base URL, e.g. http://prometheus:9090 (a path prefix kept). */
  base: URL;
  headers: Record<string, string>;
  /** "Prometheus" or "Alertmanager", for messages. */
  name: string;
}

/** An answer that cannot be used: transport error, HTTP error, not JSON, an API error. */
export class ApiError extends Error {
  readonly retryable: boolean;

  constructor(message: string, retryable = false) {
    super(message);
    this.name = 'ApiError';
    this.retryable = retryable;
  }
}

export type ResolvedApi = { ok: true; api: Api } | { ok: false; result: CheckResult };

/** The API base URL (a missing env/secret is a skip) and its Authorization header. */
export function resolveApi(name: string, template: string | undefined, auth: MetricsAuth | undefined, whereToSet: string, context: CheckContext): ResolvedApi {
  const source = resolveSource(template, `${name} URL`, whereToSet, context.scope);
  if (!source.ok) return source;
  let base: URL;
  try {
    base = new URL(source.url);
  } catch {
    return { ok: false, result: { outcome: 'error', summary: context.redactor.text(`the ${name} URL "${source.url}" is not a URL; write it with its scheme, e.g. http://prometheus:9090`), evidence: {} } };
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    return { ok: false, result: { outcome: 'error', summary: `the ${name} URL must be http or https`, evidence: {} } };
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  try {
    if (auth?.bearer !== undefined) headers.authorization = `Bearer ${interpolate(auth.bearer, context.scope)}`;
    else if (auth?.username !== undefined && auth.password !== undefined) {
      const password = interpolate(auth.password, context.scope);
      context.redactor.add(password);
      headers.authorization = `Basic ${Buffer.from(`${interpolate(auth.username, context.scope)}:${password}`).toString('base64')}`;
    }
  } catch (error) {
    if (error instanceof MissingValueError) return { ok: false, result: { outcome: 'skip', summary: `no ${name} credentials: ${error.message}`, evidence: {} } };
    throw error;
  }
  return { ok: true, api: { base, headers, name } };
}

/** GET a path under the API's base URL and parse its JSON; the request line goes to `evidence`. */
export async function getJson(api: Api, path: string, query: Record<string, string>, context: CheckContext, evidence: Evidence): Promise<unknown> {
  const prefix = api.base.pathname.replace(/\/+$/, '');
  const url = new URL(`${prefix}${path}`, api.base.origin);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const line = context.redactor.text(`GET ${url.href}`);
  evidence.request = evidence.request ? `${evidence.request}; ${line}` : line;
  let response;
  try {
    response = await context.http.send({ method: 'GET', url, headers: api.headers, followRedirects: false, timeoutMs: context.requestTimeoutMs, signal: context.signal });
  } catch (error) {
    if (error instanceof TransportError) throw new ApiError(`${api.name} at ${url.host}: ${error.message}`, error.retryable);
    throw error;
  }
  const text = response.body.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status === 401 || response.status === 403) {
    throw new ApiError(`${api.name} refused the request (${response.status}): set auth (bearer, or username and password) with the credentials it expects`);
  }
  const apiError = (body as { error?: unknown } | undefined)?.error;
  if (response.status < 200 || response.status >= 300) {
    const why = typeof apiError === 'string' ? `: ${apiError}` : '';
    throw new ApiError(context.redactor.text(`${api.name} answered ${response.status} to ${url.pathname}${why}`), [502, 503, 504].includes(response.status));
  }
  if (body === undefined) throw new ApiError(`${api.name} did not answer JSON at ${url.pathname}; is ${api.base.href} the ${api.name} base URL?`);
  return body;
}

/** The `data` of a Prometheus API answer ({status: "success", data}). */
export function prometheusData(body: unknown): unknown {
  const answer = body as { status?: unknown; data?: unknown; error?: unknown };
  if (answer?.status !== 'success') throw new ApiError(`Prometheus answered status ${String(answer?.status)}${typeof answer?.error === 'string' ? `: ${answer.error}` : ''}`);
  return answer.data;
}

/** A failure of the API as the check's result: always `error`, the evidence kept. */
export function apiErrorResult(error: unknown, evidence: Evidence): CheckResult {
  if (error instanceof ApiError) {
    const result: CheckResult = { outcome: 'error', summary: error.message, evidence };
    if (error.retryable) result.retryable = true;
    return result;
  }
  throw error;
}
