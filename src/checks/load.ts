// The `load` check: `warmup` unmeasured requests, then `samples` measured ones with
// exactly `concurrency` in flight (a closed loop, like autocannon's connections with
// pipelining 1). Nearest-rank latency percentiles and an error rate, and nothing claimed
// that the sample size cannot support: a check with no data or too few samples for its
// assertion is `error`, never a pass.
import { targetTrust } from '../http/trust.ts';
import { buildConnector, Client, type Dispatcher } from '../http/undici.ts';
import type { z } from 'zod/mini';
import type { HttpExpect, Predicate, loadCheck } from '../manifest/schema.ts';
import { toTransportError, type HttpResponse, type TransportError } from '../http/client.ts';
import { formatDuration, formatPercent, parseRatio } from '../manifest/units.ts';
import { interpolateDeep } from '../manifest/interpolate.ts';
import type { CheckContext, CheckRunner } from './context.ts';
import { evaluateParsedExpect, responseEvidence } from './http-expect.ts';
import { requestDefaults, unevaluated } from './http.ts';
import { evaluate, isPredicateMap } from './predicates.ts';
import { resolveRequest, type ResolvedRequest } from './request.ts';
import { assertionLine, type Assertion, type CheckResult, type Evidence, type ResponseEvidence } from './result.ts';

export type LoadCheck = z.infer<typeof loadCheck>;

const DEFAULT_SAMPLES = 100;
const DEFAULT_CONCURRENCY = 1;
const DEFAULT_WARMUP = 5;
/** Bytes of each body kept for evidence; the rest is counted and dropped. */
const EVIDENCE_BYTES = 2048;
/** Bytes kept when `expect.body` needs the text (the http check reads as much). */
const BODY_ASSERT_BYTES = 1024 * 1024;

export const LATENCY_STATS = ['p50', 'p90', 'p95', 'p99', 'max', 'mean'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

/** Nearest-rank percentile of ascending values: the value at rank ⌈p/100 × N⌉ (1-based). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('no values');
  // p × n is exact for integer p, so the division is exact whenever the rank is whole.
  const rank = Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
  return sorted[rank - 1] as number;
}

/**
 * Fewest samples for which pXX is more than "the largest sample": N ≥ 100 / (100 − XX).
 * p50 needs 2, p90 10, p95 20, p99 100. Below that, pXX is just the maximum.
 */
export function minSamplesFor(p: number): number {
  return Math.ceil(100 / (100 - p) - 1e-9);
}

/**
 * Rule of three: with 0 errors in N samples the 95% upper bound of the error rate is
 * about 3/N, so showing "rate < bound" needs N ≥ 3 / bound.
 */
export function minSamplesForRate(bound: number): number {
  return Math.ceil(3 / bound - 1e-9);
}

interface Failure {
  /** 1-based index among the measured samples. */
  index: number;
  reason: string;
  response?: ResponseEvidence;
}

/** What a measurement saw: its warmup, its samples and how long the samples took. */
interface Measurement {
  warm: Tally;
  measured: Tally;
  windowMs: number;
}

/**
 * Everything that decides what a measurement sees: what is sent (method, URL, the headers
 * and body as sent), the load (samples, concurrency, warmup, the per-request timeout) and
 * what each sample is checked for (status, headers, body). Bounds on the whole (latency,
 * errorRate) are not in it: each item judges the samples with its own. Kept in memory only.
 */
function measurementKey(request: ResolvedRequest, spec: LoadCheck, settings: Settings, context: CheckContext): string {
  const { status, headers, body } = spec.expect ?? {};
  return JSON.stringify([request.method, request.url.href, requestHeaders(request, context), request.body ?? null, settings, request.timeoutMs, status ?? null, headers ?? null, body ?? null]);
}

/** What one phase (warmup or measurement) saw. */
interface Tally {
  /** Samples finished, with or without a response. */
  done: number;
  errors: number;
  /** Latencies (ms) of the samples that got a response. */
  latencies: Float64Array;
  responses: number;
  bodyBytes: number;
  /** "200", "500", or a transport error code, with counts. */
  outcomes: Map<string, number>;
  firstFailure?: Failure;
  firstResponse?: ResponseEvidence;
  firstTransportError?: TransportError;
  finishedAt: number;
}

interface Judged {
  assertion: Assertion;
  /** The sample size cannot support this assertion either way. */
  unsupported: boolean;
}

export const runLoadCheck: CheckRunner<LoadCheck> = async (written, context) => {
  let request: ResolvedRequest;
  let spec: LoadCheck;
  try {
    request = resolveRequest(written.request, context.scope, requestDefaults(context));
    // Placeholders in expected values are filled once, not per sample.
    spec = written.expect ? { ...written, expect: interpolateDeep(written.expect, context.scope) } : written;
  } catch (error) {
    return unevaluated(error);
  }
  if (!context.http.isAllowed(request.url)) {
    return { outcome: 'error', summary: `${request.url.host} is not a host the manifest names; requests stay on the target and the URLs written in the manifest`, evidence: { request: request.line } };
  }
  const samples = spec.samples ?? DEFAULT_SAMPLES;
  const concurrency = spec.concurrency ?? DEFAULT_CONCURRENCY;
  const warmup = spec.warmup ?? DEFAULT_WARMUP;
  const settings = { samples, concurrency, warmup };

  // The same measurement made earlier in this run: judged again, with this item's bounds.
  const key = measurementKey(request, spec, settings, context);
  const earlier = (await context.measurements?.get(key)) as Measurement | undefined;
  if (earlier !== undefined) {
    const result = verdict(spec, request, context, settings, earlier.warm, earlier.measured, earlier.windowMs);
    result.evidence.notes?.push('the samples of an earlier item of this run that made the same measurement (same requests, samples, concurrency, warmup and per-sample checks): judged again, not measured twice');
    return result;
  }
  let share: (measurement: Measurement | undefined) => void = () => {};
  context.measurements?.set(key, new Promise<Measurement | undefined>((resolve) => (share = resolve)));

  // Connections of its own, one per worker of the closed loop, like autocannon's. The
  // run's shared client allows only `perHost` connections (default 6): above that, a load
  // check would measure time queued inside undici as latency. Same trust store as the
  // shared client. Each worker has one request in flight on its own connection, so a pool
  // has nothing to schedule.
  const connect = buildConnector({ timeout: request.timeoutMs, ...targetTrust(context.ca) });
  const clients = Array.from({ length: concurrency }, () => new Client(request.url.origin, { pipelining: 1, connect }));
  const signal = context.signal;
  // Stopping destroys the connections: requests in flight end at once, no new ones start.
  const onAbort = () => {
    for (const client of clients) void client.destroy().catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });

  const send = sampler(request, spec.expect, context);
  // One watchdog for every connection instead of a timer per request.
  const watchdog = setInterval(() => {
    const now = performance.now();
    for (const loop of loops) loop.abortIfOlderThan(now - request.timeoutMs);
  }, Math.max(5, Math.min(request.timeoutMs / 4, 250)));
  watchdog.unref();
  const loops: ConnectionLoop[] = [];
  try {
    const warm = newTally(warmup);
    await closedLoop(warmup, clients, send.request, signal, loops, (index, result) => send.record(index, result, warm));
    const measured = newTally(samples);
    const started = performance.now();
    await closedLoop(samples, clients, send.request, signal, loops, (index, result) => send.record(index, result, measured));
    const measurement = { warm, measured, windowMs: measured.finishedAt - started };
    // Only a whole measurement with responses is shared: a stopped one, or one that got no
    // response (which the engine may retry), is measured again by whoever asks next.
    if (!signal.aborted && measured.responses > 0) share(measurement);
    else context.measurements?.delete(key);
    return verdict(spec, request, context, settings, warm, measured, measurement.windowMs);
  } finally {
    share(undefined);
    clearInterval(watchdog);
    signal.removeEventListener('abort', onAbort);
    await Promise.all(clients.map((client) => (signal.aborted ? client.destroy() : client.close()).catch(() => {})));
  }
};

function newTally(capacity: number): Tally {
  return { done: 0, errors: 0, latencies: new Float64Array(capacity), responses: 0, bodyBytes: 0, outcomes: new Map(), finishedAt: performance.now() };
}

/** What one sample brought back: a response or the error that stopped it. */
type SampleResult = Exchange | { ok: false; error: unknown };

/** A response (the sample's handler itself: no objects per sample beyond undici's own). */
interface Exchange {
  readonly ok: true;
  latencyMs: number;
  /** performance.now() at the response's last byte. */
  endedAt: number;
  status: number;
  statusText: string;
  /** Header lines, converted only when needed (Buffer → string costs on every sample). */
  headers(): [string, string][];
  /** The start of the body; the rest was counted, not kept. */
  body: Buffer;
  wireBytes: number;
}

/** The abort reason of a sample that ran out of time. */
const TIMEOUT = Object.assign(new Error('timed out'), { code: 'TIMEOUT' });
const EMPTY = Buffer.alloc(0);

/**
 * `count` samples over the connections, each with exactly one request in flight (a closed
 * loop, like autocannon's connections with pipelining 1).
 */
function closedLoop(count: number, clients: Client[], sample: SampleRequest, signal: AbortSignal, loops: ConnectionLoop[], record: (index: number, result: SampleResult) => void): Promise<void> {
  let next = 0;
  // Read once per sample: a flag, not AbortSignal's getter.
  let stopped = signal.aborted;
  const onAbort = () => (stopped = true);
  signal.addEventListener('abort', onAbort, { once: true });
  const take = () => (next < count && !stopped ? next++ : undefined);
  loops.length = 0;
  return new Promise<void>((resolve) => {
    let running = 0;
    const finished = () => {
      if (--running === 0) resolve();
    };
    for (const client of clients.slice(0, count)) {
      const loop = new ConnectionLoop(client, sample, take, record, finished);
      loops.push(loop);
      running++;
      loop.start();
    }
    if (running === 0) resolve();
  }).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * One connection's share of the closed loop. The next request is handed to undici while
 * the current one is in flight: with pipelining 1 undici writes it the moment the
 * response ends, where a socket found idle would first wait an event-loop turn to be
 * validated. Callbacks all the way (no promise, no timer per request).
 */
class ConnectionLoop {
  /** Samples handed to undici and not finished: at most 2 (one in flight, one queued). */
  private outstanding = 0;
  private inFlight: SampleHandler | undefined;
  private done = false;
  readonly client: Client;
  readonly request: SampleRequest;
  private readonly take: () => number | undefined;
  private readonly record: (index: number, result: SampleResult) => void;
  private readonly finished: () => void;

  constructor(client: Client, request: SampleRequest, take: () => number | undefined, record: (index: number, result: SampleResult) => void, finished: () => void) {
    this.client = client;
    this.request = request;
    this.take = take;
    this.record = record;
    this.finished = finished;
  }

  start(): void {
    this.fill();
    this.settleIfIdle();
  }

  /** The watchdog: a request in flight since before `cutoff` ran out of time. */
  abortIfOlderThan(cutoff: number): void {
    const handler = this.inFlight;
    if (handler !== undefined && handler.started < cutoff) handler.timeOut();
  }

  begun(handler: SampleHandler): void {
    this.inFlight = handler;
  }

  end(handler: SampleHandler, result: SampleResult): void {
    if (this.inFlight === handler) this.inFlight = undefined;
    this.outstanding--;
    this.record(handler.index, result);
    if (result.ok) {
      this.fill();
      this.settleIfIdle();
      return;
    }
    // undici fails every queued request of a broken connection in one loop: dispatch
    // again only once it is done.
    queueMicrotask(() => {
      this.fill();
      this.settleIfIdle();
    });
  }

  private fill(): void {
    while (this.outstanding < 2) {
      const index = this.take();
      if (index === undefined) return;
      this.outstanding++;
      new SampleHandler(this, index).send();
    }
  }

  private settleIfIdle(): void {
    if (this.outstanding === 0 && !this.done) {
      this.done = true;
      this.finished();
    }
  }
}

/** What every sample sends, and how much of each body it keeps. */
interface SampleRequest {
  options: Dispatcher.DispatchOptions;
  keepBytes: number;
}

/**
 * One request through undici's handler API, timed from the moment undici writes it to
 * the connection (onRequestStart) to the last byte of the body, both read in undici's
 * own callbacks as autocannon does. Not counted: connecting (TCP, TLS), as in k6's
 * http_req_duration.
 */
class SampleHandler implements Dispatcher.DispatchHandler, Exchange {
  readonly ok = true;
  started = Infinity;
  latencyMs = 0;
  endedAt = 0;
  status = 0;
  statusText = '';
  body: Buffer = EMPTY;
  wireBytes = 0;
  private controller: Dispatcher.DispatchController | undefined;
  private timedOut = false;
  private rawHeaders: Dispatcher.DispatchController['rawHeaders'] = undefined;
  private parsedHeaders: Record<string, string | string[] | undefined> = {};
  private kept: Buffer = EMPTY;
  private more: Buffer[] | undefined;
  private readonly keepBytes: number;
  private readonly loop: ConnectionLoop;
  readonly index: number;

  constructor(loop: ConnectionLoop, index: number) {
    this.loop = loop;
    this.index = index;
    this.keepBytes = loop.request.keepBytes;
  }

  send(): void {
    this.loop.client.dispatch(this.loop.request.options, this);
  }

  timeOut(): void {
    this.timedOut = true;
    this.controller?.abort(TIMEOUT);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.started = performance.now();
    this.loop.begun(this);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.status = statusCode;
    this.statusText = statusMessage ?? '';
    this.rawHeaders = controller.rawHeaders;
    this.parsedHeaders = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.wireBytes += chunk.length;
    const room = this.keepBytes - this.keptLength();
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (this.kept.length === 0) this.kept = part;
    else (this.more ??= [this.kept]).push(part);
  }

  onResponseEnd(): void {
    this.endedAt = performance.now();
    this.latencyMs = this.endedAt - this.started;
    this.body = this.more === undefined ? this.kept : Buffer.concat(this.more);
    this.loop.end(this, this);
  }

  headers(): [string, string][] {
    return headerLines(this.rawHeaders, this.parsedHeaders);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.loop.end(this, { ok: false, error: this.timedOut ? TIMEOUT : error });
  }

  private keptLength(): number {
    if (this.more === undefined) return this.kept.length;
    let length = 0;
    for (const part of this.more) length += part.length;
    return length;
  }
}

/** Records one finished sample; only a failed one builds the words that say why. */
function sampler(request: ResolvedRequest, expect: LoadCheck['expect'], context: CheckContext): { request: SampleRequest; record: (index: number, sample: SampleResult, tally: Tally) => void } {
  const judge = sampleJudge(request, expect, context);
  const options: Dispatcher.DispatchOptions = {
    origin: request.url.origin,
    path: `${request.url.pathname}${request.url.search}`,
    method: request.method,
    headers: requestHeaders(request, context),
    body: request.body ?? null,
    // Off: the watchdog times the whole request, and undici's timers are coarse.
    headersTimeout: 0,
    bodyTimeout: 0,
  };

  const record = (index: number, sample: SampleResult, tally: Tally): void => {
    if (!sample.ok) {
      if (context.signal.aborted) return; // stopped: the verdict says so, not as an error of the target
      tally.done++;
      tally.finishedAt = performance.now();
      const error = sample.error;
      const failure = toTransportError(error, request.url, request.timeoutMs, error === TIMEOUT);
      tally.errors++;
      count(tally.outcomes, failure.code);
      tally.firstTransportError ??= failure;
      tally.firstFailure ??= { index: index + 1, reason: failure.message };
      return;
    }
    const result = sample;
    tally.done++;
    tally.finishedAt = result.endedAt;
    tally.latencies[tally.responses++] = result.latencyMs;
    tally.bodyBytes += result.wireBytes;
    count(tally.outcomes, String(result.status));
    if (tally.firstResponse === undefined) tally.firstResponse = responseEvidence(sampleResponse(request, result, true), context.redactor);
    if (judge.passes(result)) return;
    tally.errors++;
    if (tally.firstFailure === undefined) {
      tally.firstFailure = { index: index + 1, reason: judge.reason(result), response: responseEvidence(sampleResponse(request, result, true), context.redactor) };
    }
  };
  return { request: { options, keepBytes: expect?.body !== undefined ? BODY_ASSERT_BYTES : EVIDENCE_BYTES }, record };
}

function sampleResponse(request: ResolvedRequest, result: Exchange, withHeaders: boolean): HttpResponse {
  return {
    url: request.url.href,
    status: result.status,
    statusText: result.statusText,
    headers: withHeaders ? result.headers() : [],
    body: result.body,
    wireBytes: result.wireBytes,
    truncated: result.wireBytes > result.body.length,
    hops: [],
    timings: { ttfbMs: result.latencyMs, totalMs: result.latencyMs },
  };
}

/** A status is expected to be 2xx unless `expect.status` says otherwise (a redirect is not the page). */
const DEFAULT_STATUS = { test: (status: number) => status >= 200 && status < 300, expected: '2xx' };

/**
 * What every sample must meet: the expected status (default 2xx), and `expect.headers` /
 * `expect.body` when written. `passes` is the per-sample cost and builds no text; the
 * status verdict is computed once per distinct status code.
 */
function sampleJudge(request: ResolvedRequest, expect: LoadCheck['expect'], context: CheckContext) {
  const statusPredicate = expect?.status;
  const byStatus = new Map<number, boolean>();
  const statusOk = (status: number): boolean => {
    if (statusPredicate === undefined) return DEFAULT_STATUS.test(status);
    let ok = byStatus.get(status);
    if (ok === undefined) byStatus.set(status, (ok = evaluate(statusPredicate, status).ok));
    return ok;
  };
  const rest: HttpExpect | undefined =
    expect?.headers !== undefined || expect?.body !== undefined
      ? { ...(expect.headers !== undefined ? { headers: expect.headers } : {}), ...(expect.body !== undefined ? { body: expect.body } : {}) }
      : undefined;
  const restFailures = (result: Exchange): Assertion[] =>
    rest === undefined ? [] : evaluateParsedExpect(rest, sampleResponse(request, result, rest.headers !== undefined), context.redactor).filter((assertion) => !assertion.ok);
  return {
    passes: (result: Exchange): boolean => statusOk(result.status) && (rest === undefined || restFailures(result).length === 0),
    reason: (result: Exchange): string => {
      const failed: Assertion[] = [];
      if (!statusOk(result.status)) {
        const expected = statusPredicate === undefined ? DEFAULT_STATUS.expected : context.redactor.text(evaluate(statusPredicate, result.status).expected);
        failed.push({ subject: 'status', expected, actual: String(result.status), ok: false });
      }
      failed.push(...restFailures(result));
      return failed.map(assertionLine).join('; ');
    },
  };
}

/** The headers of every sample: what HttpClient.send would send (target headers on its host, the user agent). */
function requestHeaders(request: ResolvedRequest, context: CheckContext): Record<string, string> {
  const headers = context.http.headersFor(request.url, request);
  if (request.body === undefined) delete headers['content-type'];
  return headers;
}

/** Header lines as received when undici has them raw, else from its parsed object. */
function headerLines(raw: Dispatcher.DispatchController['rawHeaders'], parsed: Record<string, string | string[] | undefined>): [string, string][] {
  const lines: [string, string][] = [];
  if (Array.isArray(raw)) {
    for (let index = 0; index + 1 < raw.length; index += 2) lines.push([String(raw[index]), String(raw[index + 1])]);
    return lines;
  }
  for (const [name, value] of Object.entries(parsed)) {
    for (const one of Array.isArray(value) ? value : [value ?? '']) lines.push([name, one]);
  }
  return lines;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Milliseconds as evidence shows them: to the microsecond below a second (as the facts hold them). */
function ms(value: number): string {
  return value < 1000 ? `${roundUs(value)}ms` : formatDuration(value);
}

/** Milliseconds to the microsecond: the resolution latencies are measured and judged at. */
function roundUs(value: number): number {
  return Number(value.toFixed(3));
}

function round1(value: number): number {
  return Number(value.toFixed(1));
}

/** "301" or "301 and 302" when every response was a redirect, else undefined. */
function allRedirects(outcomes: Map<string, number>, responses: number): string | undefined {
  const codes = [...outcomes.keys()].filter((key) => /^3\d\d$/.test(key));
  const redirected = codes.reduce((sum, code) => sum + (outcomes.get(code) as number), 0);
  return responses > 0 && redirected === responses ? codes.join(' and ') : undefined;
}

/** The tightest upper bound (lt / lte) of an error-rate predicate, as a ratio. */
function upperBound(predicate: Predicate): number | undefined {
  if (!isPredicateMap(predicate)) return undefined;
  const bounds = [predicate.lt, predicate.lte]
    .filter((value) => value !== undefined)
    .map((value) => parseRatio(value) ?? Number(value))
    .filter((value) => Number.isFinite(value));
  return bounds.length > 0 ? Math.min(...bounds) : undefined;
}

interface Settings {
  samples: number;
  concurrency: number;
  warmup: number;
}

function verdict(spec: LoadCheck, request: ResolvedRequest, context: CheckContext, settings: Settings, warm: Tally, tally: Tally, windowMs: number): CheckResult {
  const { samples, concurrency, warmup } = settings;
  const n = tally.responses;
  const evidence: Evidence = { request: request.line };
  const notes: string[] = [];
  const facts: Record<string, string | number | boolean> = { samples: tally.done, responses: n, concurrency, warmup, errors: tally.errors };
  evidence.facts = facts;
  evidence.notes = notes;
  if (tally.outcomes.size > 0) facts.statusCounts = [...tally.outcomes].map(([key, times]) => `${key}: ${times}`).join(', ');

  if (context.signal.aborted) {
    const reason = context.signal.reason instanceof Error ? context.signal.reason.message : 'cancelled';
    return { outcome: 'error', summary: `stopped after ${tally.done} of ${samples} samples: ${reason}`, evidence };
  }
  if (n === 0) {
    const first = tally.firstTransportError;
    const why = first ? first.message : 'nothing was sent';
    return { outcome: 'error', summary: `no data: none of the ${tally.done} samples got a response (${why})`, evidence, retryable: first?.retryable ?? false };
  }

  // Redirects measure the redirect, not the page: with no status written, that is a wrong URL.
  const redirects = spec.expect?.status === undefined ? allRedirects(tally.outcomes, n) : undefined;
  if (redirects !== undefined) {
    const location = tally.firstResponse?.headers.find(([name]) => name.toLowerCase() === 'location')?.[1];
    const where = location !== undefined ? ` (it redirects to ${location})` : '';
    return { outcome: 'error', summary: `all ${n} samples answered ${redirects}${where}; point it at the final URL`, evidence };
  }

  const sorted = tally.latencies.subarray(0, n).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  const stats: Record<LatencyStat, number> = {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[n - 1] as number,
    mean: sum / n,
  };
  const errorRate = tally.errors / tally.done;
  for (const stat of LATENCY_STATS) facts[stat] = roundUs(stats[stat]);
  facts.errorRate = formatPercent(errorRate);
  facts.throughput = windowMs > 0 ? round1((n / windowMs) * 1000) : 0;
  facts.bodyBytes = tally.bodyBytes;

  const failedWithoutResponse = tally.done - n;
  notes.push(
    `latency = request sent → last byte of the body (connection setup not counted); nearest-rank percentiles over the ${n} samples that got a response` +
      (failedWithoutResponse > 0 ? ` (${failedWithoutResponse} failed without one: they count as errors but have no latency)` : '') +
      '; latencies in ms to the microsecond, throughput in responses/s over the measured window',
  );
  if (warm.errors > 0) notes.push(`${warm.errors} of ${warm.done} warmup requests failed (not counted)`);
  if (typeof spec.request === 'object' && spec.request.follow_redirects) notes.push('redirects are not followed: each sample is one request and response');

  const judged: Judged[] = [];
  for (const stat of LATENCY_STATS) {
    const predicate = spec.expect?.latency?.[stat];
    if (predicate === undefined) continue;
    const subject = `latency ${stat}`;
    const p = stat.startsWith('p') ? Number(stat.slice(1)) : undefined;
    const result = evaluate(predicate, roundUs(stats[stat]), 'duration');
    if (p !== undefined && n < minSamplesFor(p)) {
      const need = minSamplesFor(p);
      notes.push(`${stat} needs at least ${need} samples with a response, this run has ${n}: with fewer, ${stat} is just the largest sample`);
      judged.push({ assertion: { subject, expected: result.expected, actual: `not supported by N=${n} (${stat} needs ≥ ${need}; the largest of ${n} was ${ms(stats.max)})`, ok: false }, unsupported: true });
      continue;
    }
    judged.push({ assertion: { subject, expected: result.expected, actual: ms(stats[stat]), ok: result.ok }, unsupported: false });
  }

  const observed = `${formatPercent(errorRate)} (${tally.errors} of ${tally.done})`;
  const ratePredicate = spec.expect?.errorRate;
  if (ratePredicate === undefined) {
    judged.push({ assertion: { subject: 'errors', expected: '0 (no errorRate set)', actual: `${tally.errors} of ${tally.done} samples`, ok: tally.errors === 0 }, unsupported: false });
  } else {
    const result = evaluate(ratePredicate, errorRate, 'ratio');
    const bound = upperBound(ratePredicate);
    // An observed rate already past the bound is a plain fail whatever N is; a rate
    // under it proves nothing when even 0 errors could not show the bound.
    if (result.ok && bound !== undefined && bound > 0 && tally.done < minSamplesForRate(bound)) {
      const need = minSamplesForRate(bound);
      notes.push(`errorRate ${result.expected} needs ≥ ${need} samples; ${tally.done} samples can only show < ${formatPercent(3 / tally.done)} (rule of three: 0 errors in N samples bound the rate at ≈ 3/N with 95% confidence)`);
      judged.push({ assertion: { subject: 'errorRate', expected: result.expected, actual: `${observed}, not supported by N=${tally.done} (needs ≥ ${need})`, ok: false }, unsupported: true });
    } else {
      judged.push({ assertion: { subject: 'errorRate', expected: result.expected, actual: observed, ok: result.ok }, unsupported: false });
    }
  }

  if (tally.firstFailure) {
    notes.push(`first failing sample (#${tally.firstFailure.index} of ${tally.done}): ${tally.firstFailure.reason}`);
    if (tally.firstFailure.response) evidence.response = tally.firstFailure.response;
  }
  if (!evidence.response && tally.firstResponse) evidence.response = tally.firstResponse;
  evidence.assertions = judged.map((entry) => entry.assertion);

  const tallyLine = `${tally.errors} error${tally.errors === 1 ? '' : 's'} in ${tally.done} samples at concurrency ${concurrency}`;
  const failed = judged.filter((entry) => !entry.assertion.ok && !entry.unsupported);
  const unsupported = judged.filter((entry) => entry.unsupported);
  if (failed.length > 0) {
    const more = failed.length > 1 ? ` (+${failed.length - 1} more)` : '';
    return { outcome: 'fail', summary: `${assertionLine((failed[0] as Judged).assertion)}${more}; ${tallyLine}`, evidence };
  }
  if (unsupported.length > 0) {
    const what = unsupported.map((entry) => `${entry.assertion.subject} ${entry.assertion.expected}`).join(', ');
    return { outcome: 'error', summary: `not enough samples to show ${what}; ${tallyLine}`, evidence };
  }
  const asserted = LATENCY_STATS.filter((stat) => spec.expect?.latency?.[stat] !== undefined);
  const shown = (asserted.length > 0 ? asserted : (['p50', 'p95'] as const)).map((stat) => `${stat} ${ms(stats[stat])}`);
  return { outcome: 'pass', summary: `${shown.join(', ')}, ${tallyLine}`, evidence };
}
