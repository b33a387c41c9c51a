// Runs the plan's items concurrently: a limit on items in flight, a timeout per
// attempt, retries with backoff for transient failures, a deadline for the whole run,
// and a cancel signal (a cancelled workflow). One slow or broken check never holds up
// the verdict of the others. A stopped attempt gets a bounded grace to stop cleanly
// (kill its processes, send a flow's cleanup) and report what it did.
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
  /** performance.now() when the run's deadline began (the wait for staging counts); default: now. */
  startedAt?: number;
  /** Cancels the run: running items stop (within their grace, at most CANCEL_GRACE_MS), queued ones are not run. */
  signal?: AbortSignal;
  /** How long an item stopped by its timeout, the deadline or a cancel may take to stop cleanly. Default: no grace. */
  stopGrace?: (item: PlanItem) => StopGrace;
  onProgress?: (event: ProgressEvent) => void;
}

export interface StopGrace {
  ms: number;
  /** What may be left undone when the grace runs out too ("its cleanup steps did not finish"). */
  undone?: string;
}

/** A cancelled workflow is killed a few seconds after its signal: no item waits longer than this to stop. */
export const CANCEL_GRACE_MS = 3000;

/** Runs one attempt of one item; the signal is aborted when its time is up. */
export type AttemptRunner = (item: PlanItem, signal: AbortSignal) => Promise<CheckResult>;

export async function runItems(items: PlanItem[], runAttempt: AttemptRunner, options: EngineOptions): Promise<ItemResult[]> {
  // Aborted by the deadline or a cancel, whichever comes first; its reason says which.
  const deadline = new AbortController();
  const remainingMs = Math.max(0, options.deadlineMs - (performance.now() - (options.startedAt ?? performance.now())));
  const deadlineTimer = setTimeout(() => deadline.abort(new Error(`the run's deadline (${formatDuration(options.deadlineMs)}) passed`)), remainingMs);
  if (remainingMs === 0) deadline.abort(new Error(`the run's deadline (${formatDuration(options.deadlineMs)}) passed`));
  const cancel = options.signal;
  const onCancel = () => deadline.abort(cancelReason(cancel as AbortSignal));
  cancel?.addEventListener('abort', onCancel, { once: true });
  if (cancel?.aborted) onCancel();
  const grace = (item: PlanItem): StopGrace => {
    const wanted = options.stopGrace?.(item) ?? { ms: 0 };
    return cancel?.aborted ? { ...wanted, ms: Math.min(wanted.ms, CANCEL_GRACE_MS) } : wanted;
  };
  const results = new Array<ItemResult>(items.length);
  let done = 0;
  // Items start in order, except that one waiting for its host (see host-gate.ts) lets the
  // ones behind it that can run go first.
  const gate = new HostGate(items);

  const worker = async () => {
    for (let next = await gate.next(); next !== undefined; next = await gate.next()) {
      const { index, release } = next;
      const item = items[index] as PlanItem;
      options.onProgress?.({ type: 'start', item });
      let result: ItemResult;
      try {
        result = deadline.signal.aborted ? notStarted(item, deadline.signal.reason) : await runItem(item, runAttempt, deadline.signal, grace);
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
    cancel?.removeEventListener('abort', onCancel);
  }
  return results;
}

async function runItem(item: PlanItem, runAttempt: AttemptRunner, deadline: AbortSignal, grace: (item: PlanItem) => StopGrace): Promise<ItemResult> {
  const started = performance.now();
  const earlier: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(item, runAttempt, deadline, grace);
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

async function attemptOnce(item: PlanItem, runAttempt: AttemptRunner, deadline: AbortSignal, grace: (item: PlanItem) => StopGrace): Promise<CheckResult> {
  const controller = new AbortController();
  const onDeadline = () => controller.abort(deadline.reason);
  deadline.addEventListener('abort', onDeadline, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${formatDuration(item.timeoutMs)}`)), item.timeoutMs);
  let graceTimer: NodeJS.Timeout | undefined;
  let settled = false;
  // Whether the runner answered before or after it was told to stop.
  const running = runAttempt(item, controller.signal)
    .catch(internalError)
    .then((result) => ({ result, stopped: controller.signal.aborted }));
  // A runner that ignores its signal still cannot hold the item past its time and grace.
  const gaveUp = new Promise<{ undone: StopGrace }>((resolve) => {
    controller.signal.addEventListener(
      'abort',
      () => {
        if (settled) return;
        const stopGrace = grace(item);
        graceTimer = setTimeout(() => resolve({ undone: stopGrace }), stopGrace.ms);
      },
      { once: true },
    );
  });
  try {
    const first = await Promise.race([running, gaveUp]);
    if ('result' in first && !first.stopped) return first.result;
    const reason = reasonText(controller.signal.reason);
    if ('undone' in first) return { outcome: 'error', summary: first.undone.undone ? `${reason}; ${first.undone.undone}` : reason, evidence: {} };
    return stoppedResult(first.result, reason);
  } finally {
    settled = true;
    clearTimeout(timer);
    clearTimeout(graceTimer);
    deadline.removeEventListener('abort', onDeadline);
    if (!controller.signal.aborted) controller.abort(new Error('finished'));
  }
}

/** What a runner reported after it was stopped: an error that leads with why, its evidence kept. */
function stoppedResult(result: CheckResult, reason: string): CheckResult {
  const summary = result.summary.includes(reason) ? result.summary : `${reason} (${result.summary})`;
  return { outcome: 'error', summary, evidence: result.evidence };
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : 'stopped';
}

function cancelReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name !== 'AbortError' ? reason : new Error('the run was cancelled');
}

function internalError(error: unknown): CheckResult {
  const message = error instanceof Error ? error.message : String(error);
  return { outcome: 'error', summary: `the check failed to run: ${message}`, evidence: {} };
}

function notStarted(item: PlanItem, reason: unknown): ItemResult {
  return { id: item.id, outcome: 'error', summary: `not run: ${reasonText(reason)} first`, evidence: {}, durationMs: 0, attempts: 0 };
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
