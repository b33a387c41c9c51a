// Runs the plan's items concurrently: a limit on items in flight, a timeout per
// attempt, retries with backoff for transient failures, and a deadline for the whole
// run. One slow or broken check never holds up the verdict of the others.
import type { PlanItem } from '../plan/plan.ts';
import type { CheckResult, Evidence, Outcome } from '../checks/result.ts';
import { formatDuration } from '../manifest/units.ts';
import { HostGate } from './host-gate.ts';

export interface ItemResult {
  id: string;
  outcome: Outcome;
  summary: string;
  evidence: Evidence;
  durationMs: number;
  attempts: number;
}

export type ProgressEvent =
  | { type: 'start'; item: PlanItem }
  | { type: 'finish'; item: PlanItem; result: ItemResult; done: number; total: number };

export interface EngineOptions {
  concurrency: number;
  deadlineMs: number;
  onProgress?: (event: ProgressEvent) => void;
}

/** Runs one attempt of one item; the signal is aborted when its time is up. */
export type AttemptRunner = (item: PlanItem, signal: AbortSignal) => Promise<CheckResult>;

export async function runItems(items: PlanItem[], runAttempt: AttemptRunner, options: EngineOptions): Promise<ItemResult[]> {
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(), options.deadlineMs);
  const results = new Array<ItemResult>(items.length);
  let next = 0;
  let done = 0;
  // Measuring items run alone against their host (see host-gate.ts).
  const gate = new HostGate();

  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as PlanItem;
      const release = await gate.enter(item);
      options.onProgress?.({ type: 'start', item });
      let result: ItemResult;
      try {
        result = deadline.signal.aborted
          ? notStarted(item, options.deadlineMs)
          : await runItem(item, runAttempt, deadline.signal, options.deadlineMs);
      } finally {
        release();
      }
      results[index] = result;
      done++;
      options.onProgress?.({ type: 'finish', item, result, done, total: items.length });
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, items.length) }, worker));
  } finally {
    clearTimeout(deadlineTimer);
  }
  return results;
}

async function runItem(item: PlanItem, runAttempt: AttemptRunner, deadline: AbortSignal, deadlineMs: number): Promise<ItemResult> {
  const started = performance.now();
  const earlier: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(item, runAttempt, deadline, deadlineMs);
    const last = attempt >= item.retry.attempts || deadline.aborted;
    if (result.retryable && !last) {
      earlier.push(`attempt ${attempt}: ${result.summary}`);
      await sleep(item.retry.backoffMs * 2 ** (attempt - 1), deadline);
      continue;
    }
    const durationMs = Math.round(performance.now() - started);
    if (earlier.length === 0) return { id: item.id, outcome: result.outcome, summary: result.summary, evidence: result.evidence, durationMs, attempts: attempt };
    const evidence = { ...result.evidence, notes: [...(result.evidence.notes ?? []), ...earlier] };
    if (result.outcome === 'pass') {
      return { id: item.id, outcome: 'flaky', summary: `passed on attempt ${attempt} of ${item.retry.attempts} (${earlier[0]})`, evidence, durationMs, attempts: attempt };
    }
    return { id: item.id, outcome: result.outcome, summary: `${result.summary} (after ${attempt} attempts)`, evidence, durationMs, attempts: attempt };
  }
}

async function attemptOnce(item: PlanItem, runAttempt: AttemptRunner, deadline: AbortSignal, deadlineMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  const onDeadline = () => controller.abort(new Error(`the run's deadline (${formatDuration(deadlineMs)}) passed`));
  deadline.addEventListener('abort', onDeadline, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${formatDuration(item.timeoutMs)}`)), item.timeoutMs);
  // A runner that ignores its signal still cannot hold the item past its time.
  const stopped = new Promise<CheckResult>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve(abortedResult(controller.signal.reason)), { once: true });
  });
  try {
    return await Promise.race([runAttempt(item, controller.signal).catch(internalError), stopped]);
  } finally {
    clearTimeout(timer);
    deadline.removeEventListener('abort', onDeadline);
    if (!controller.signal.aborted) controller.abort(new Error('finished'));
  }
}

function abortedResult(reason: unknown): CheckResult {
  const message = reason instanceof Error ? reason.message : 'stopped';
  return { outcome: 'error', summary: message, evidence: {} };
}

function internalError(error: unknown): CheckResult {
  const message = error instanceof Error ? error.message : String(error);
  return { outcome: 'error', summary: `the check failed to run: ${message}`, evidence: {} };
}

function notStarted(item: PlanItem, deadlineMs: number): ItemResult {
  return { id: item.id, outcome: 'error', summary: `not run: the run's deadline (${formatDuration(deadlineMs)}) passed first`, evidence: {}, durationMs: 0, attempts: 0 };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
