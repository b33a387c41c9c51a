// The run-level cancel signal and the grace a stopped attempt gets to stop cleanly.
import { describe, expect, test } from '@jest/globals';
import { CANCEL_GRACE_MS, runItems } from '../../src/engine/run.ts';
import type { PlanItem } from '../../src/plan/plan.ts';
import type { CheckResult } from '../../src/checks/result.ts';
import { planItem } from '../../test-support/plan-item.ts';

const item = (id: string, overrides: Partial<PlanItem> = {}): PlanItem => planItem(id, { timeoutMs: 60_000, retry: { attempts: 3, backoffMs: 10 }, ...overrides });

const pass: CheckResult = { outcome: 'pass', summary: '200 OK', evidence: {} };

/** A runner that answers only when stopped, after `stopMs`, with what it did. */
const stopsAfter = (stopMs: number) => (_item: PlanItem, signal: AbortSignal) =>
  new Promise<CheckResult>((resolve) => {
    signal.addEventListener('abort', () => {
      setTimeout(() => resolve({ outcome: 'error', summary: 'cleanup done', evidence: { notes: ['sent DELETE'] } }), stopMs);
    });
  });

describe('cancelling a run', () => {
  test('running items stop with the reason, queued ones are not run, nothing is retried', async () => {
    const cancel = new AbortController();
    let calls = 0;
    const promise = runItems(
      [item('a'), item('b'), item('c')],
      (current, signal) => {
        calls++;
        if (current.id === 'a') return Promise.resolve(pass);
        setTimeout(() => cancel.abort(new Error('the workflow was cancelled (SIGTERM)')), 20);
        return new Promise<CheckResult>((resolve) => signal.addEventListener('abort', () => resolve({ outcome: 'error', summary: 'stopped', evidence: {}, retryable: true })));
      },
      { concurrency: 1, deadlineMs: 60_000, signal: cancel.signal, stopGrace: () => ({ ms: 1000 }) },
    );
    const results = await promise;
    expect(results[0]).toMatchObject({ outcome: 'pass' });
    expect(results[1]).toMatchObject({ outcome: 'error', summary: 'the workflow was cancelled (SIGTERM) (stopped)', attempts: 1 });
    expect(results[2]).toMatchObject({ outcome: 'error', summary: 'not run: the workflow was cancelled (SIGTERM) first', attempts: 0 });
    expect(calls).toBe(2);
  });

  test('a signal already aborted runs nothing', async () => {
    const cancel = new AbortController();
    cancel.abort(new Error('the workflow was cancelled (SIGINT)'));
    let calls = 0;
    const results = await runItems([item('a')], () => {
      calls++;
      return Promise.resolve(pass);
    }, { concurrency: 1, deadlineMs: 60_000, signal: cancel.signal });
    expect(calls).toBe(0);
    expect(results[0]?.summary).toBe('not run: the workflow was cancelled (SIGINT) first');
  });

  test('a cancel caps every grace at CANCEL_GRACE_MS', async () => {
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(new Error('cancelled')), 10);
    const results = await runItems([item('a')], () => new Promise<CheckResult>(() => {}), {
      concurrency: 1,
      deadlineMs: 60_000,
      signal: cancel.signal,
      stopGrace: () => ({ ms: 10 * 60_000, undone: 'its cleanup did not finish' }),
    });
    expect(results[0]?.summary).toBe('cancelled; its cleanup did not finish');
    expect(results[0]?.durationMs).toBeLessThan(CANCEL_GRACE_MS + 30_000);
  }, 60_000);
});

describe('the grace of a stopped attempt', () => {
  test('a runner that stops within its grace keeps its evidence, under the reason it was stopped', async () => {
    const [result] = await runItems([item('a', { timeoutMs: 30, retry: { attempts: 1, backoffMs: 10 } })], stopsAfter(20), {
      concurrency: 1,
      deadlineMs: 60_000,
      stopGrace: () => ({ ms: 5000 }),
    });
    expect(result).toMatchObject({ outcome: 'error', summary: 'timed out after 30ms (cleanup done)' });
    expect(result?.evidence.notes).toEqual(['sent DELETE']);
  });

  test('a runner that does not stop within its grace is reported with what may be left undone', async () => {
    const [result] = await runItems([item('a', { timeoutMs: 30, retry: { attempts: 1, backoffMs: 10 } })], stopsAfter(10_000), {
      concurrency: 1,
      deadlineMs: 60_000,
      stopGrace: () => ({ ms: 50, undone: 'its cleanup steps did not finish in time' }),
    });
    expect(result).toMatchObject({ outcome: 'error', summary: 'timed out after 30ms; its cleanup steps did not finish in time' });
  });
});
