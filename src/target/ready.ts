// Before any check: wait until staging answers as the manifest says it should
// (deploys take minutes), and optionally that it serves the commit under test.
import type { z } from 'zod/mini';
import type { readyProbe, versionProbe } from '../manifest/schema.ts';
import { interpolate, interpolateDeep, MissingValueError, type Scope } from '../manifest/interpolate.ts';
import { formatDuration, parseDuration } from '../manifest/units.ts';
import { headerValue, TransportError, type HttpClient } from '../http/client.ts';
import { evaluateHttpExpect } from '../checks/http-expect.ts';
import { jsonPathValue } from '../checks/jsonpath.ts';
import { resolveRequest, RequestSpecError, type RequestDefaults } from '../checks/request.ts';
import { assertionLine, failedAssertions } from '../checks/result.ts';

export interface ProbeDeps {
  http: HttpClient;
  scope: Scope;
  defaults: RequestDefaults;
  /** Injected so tests need not wait in real time. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** After each failed try: what staging answered, and how long of the timeout has gone. */
  onAttempt?: (attempt: number, problem: string, wait: WaitProgress) => void;
  /** The run's deadline or a cancel: stops the wait and the probe in flight; its reason says why. */
  signal?: AbortSignal;
}

export interface WaitProgress {
  elapsedMs: number;
  timeoutMs: number;
}

export type ReadyResult = { ready: true; attempts: number; elapsedMs: number } | { ready: false; reason: string };

const DEFAULT_READY_TIMEOUT_MS = 300_000;
const DEFAULT_READY_INTERVAL_MS = 5_000;

export async function waitUntilReady(probe: z.infer<typeof readyProbe>, deps: ProbeDeps): Promise<ReadyResult> {
  const sleep = deps.sleep ?? ((ms: number) => abortableSleep(ms, deps.signal));
  const now = deps.now ?? Date.now;
  const timeoutMs = probe.timeout ? (parseDuration(probe.timeout) as number) : DEFAULT_READY_TIMEOUT_MS;
  const intervalMs = probe.interval ? (parseDuration(probe.interval) as number) : DEFAULT_READY_INTERVAL_MS;
  const started = now();
  const tries = (attempt: number) => `${attempt} ${attempt === 1 ? 'try' : 'tries'}`;
  let lastAnswer: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const problem = await probeOnce(probe, deps);
    if (problem === undefined) return { ready: true, attempts: attempt, elapsedMs: now() - started };
    const elapsed = now() - started;
    if (deps.signal?.aborted) {
      // The probe the deadline cut short says nothing about staging; the try before it does.
      const said = lastAnswer ?? problem.message;
      return { ready: false, reason: `staging not ready when ${reasonText(deps.signal.reason)} (${formatDuration(elapsed)}, ${tries(attempt)}): ${said}` };
    }
    if (problem.final) return { ready: false, reason: problem.message };
    deps.onAttempt?.(attempt, problem.message, { elapsedMs: elapsed, timeoutMs });
    lastAnswer = problem.message;
    if (elapsed + intervalMs > timeoutMs) {
      return { ready: false, reason: `staging not ready after ${formatDuration(elapsed)} (${tries(attempt)}): ${problem.message}` };
    }
    await sleep(intervalMs);
  }
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : 'the run was stopped';
}

async function probeOnce(probe: z.infer<typeof readyProbe>, deps: ProbeDeps): Promise<{ message: string; final: boolean } | undefined> {
  try {
    const request = resolveRequest(probe.request, deps.scope, deps.defaults);
    const expect = probe.expect && interpolateDeep(probe.expect, deps.scope);
    const response = await deps.http.send(withSignal(request, deps.signal));
    const failed = failedAssertions(await evaluateHttpExpect(expect, response, deps.scope.redactor));
    if (failed.length === 0) return undefined;
    return { message: `${request.line} → ${assertionLine(failed[0] as (typeof failed)[number])}`, final: false };
  } catch (error) {
    if (error instanceof TransportError) return { message: error.message, final: !error.retryable && error.code === 'HOST_NOT_ALLOWED' };
    if (error instanceof MissingValueError || error instanceof RequestSpecError) return { message: `target.ready: ${error.message}`, final: true };
    throw error;
  }
}

export type VersionResult = { matches: true; served: string } | { matches: false; reason: string };

/** Compares the version staging serves with the one under test ({{ git.sha }}). */
export async function checkServedVersion(probe: z.infer<typeof versionProbe>, deps: ProbeDeps): Promise<VersionResult> {
  let expected: string;
  try {
    expected = interpolate(probe.equals, deps.scope);
  } catch (error) {
    if (error instanceof MissingValueError) return { matches: false, reason: `target.version: ${error.message}` };
    throw error;
  }
  try {
    const request = resolveRequest(probe.request, deps.scope, deps.defaults);
    const response = await deps.http.send(withSignal(request, deps.signal));
    let served: unknown;
    if (probe.header !== undefined) {
      served = headerValue(response.headers, probe.header)?.trim();
    } else {
      try {
        served = jsonPathValue(JSON.parse(response.body.toString('utf8')), probe.json as string);
      } catch {
        return { matches: false, reason: `target.version: ${request.line} did not answer JSON (status ${response.status})` };
      }
    }
    if (served === undefined || served === null) {
      return { matches: false, reason: `target.version: ${request.line} does not say which version it serves (${probe.header ? `no ${probe.header} header` : `nothing at ${probe.json}`})` };
    }
    const text = typeof served === 'string' ? served : JSON.stringify(served);
    // A short sha on one side and the full sha on the other name the same commit.
    const same = text === expected || (isSha(text) && isSha(expected) && (expected.startsWith(text) || text.startsWith(expected)));
    if (same) return { matches: true, served: text };
    return { matches: false, reason: `staging serves version ${text}, not the one under test (${expected}); it may still be deploying` };
  } catch (error) {
    if (error instanceof TransportError || error instanceof RequestSpecError || error instanceof MissingValueError) {
      return { matches: false, reason: `target.version: ${error.message}` };
    }
    throw error;
  }
}

function withSignal<T extends object>(request: T, signal: AbortSignal | undefined): T & { signal?: AbortSignal } {
  return signal ? { ...request, signal } : request;
}

function isSha(text: string): boolean {
  return /^[0-9a-f]{7,40}$/i.test(text);
}
