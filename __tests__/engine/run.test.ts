import { describe, expect, test } from '@jest/globals';
import { runItems, type ProgressEvent } from '../../src/engine/run.ts';
import type { CheckResult } from '../../src/checks/result.ts';
import { planItem } from '../../test-support/plan-item.ts';

const item = planItem;

const pass: CheckResult = { outcome: 'pass', summary: '200 OK', evidence: {} };
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runItems', () => {
  test('runs items concurrently up to the limit and keeps manifest order in the results', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const items = Array.from({ length: 10 }, (_, i) => item(`i${i}`));
    const results = await runItems(
      items,
      async (current) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await wait(current.id === 'i0' ? 60 : 10);
        inFlight--;
        return { ...pass, summary: current.id };
      },
      { concurrency: 3, deadlineMs: 5000 },
    );
    expect(maxInFlight).toBe(3);
    expect(results.map((result) => result.summary)).toEqual(items.map((i) => i.id));
  });

  test('a hanging check becomes an error at its timeout without delaying the others', async () => {
    const started = Date.now();
    const results = await runItems(
      [item('hangs', { timeoutMs: 150 }), item('quick')],
      (current) => (current.id === 'hangs' ? new Promise<CheckResult>(() => {}) : Promise.resolve(pass)),
      { concurrency: 2, deadlineMs: 5000 },
    );
    expect(results[0]).toMatchObject({ outcome: 'error', summary: 'timed out after 150ms' });
    expect(results[1]).toMatchObject({ outcome: 'pass' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('the signal given to a check is aborted at its timeout', async () => {
    let aborted = false;
    await runItems(
      [item('x', { timeoutMs: 50 })],
      (_current, signal) =>
        new Promise<CheckResult>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve(pass);
          });
        }),
      { concurrency: 1, deadlineMs: 5000 },
    );
    expect(aborted).toBe(true);
  });

  test('a check that throws is an error that says so, not a crash', async () => {
    const [result] = await runItems([item('x')], () => Promise.reject(new Error('boom')), { concurrency: 1, deadlineMs: 1000 });
    expect(result).toMatchObject({ outcome: 'error', summary: 'the check failed to run: boom' });
  });

  test('retryable failures are retried; a pass after a retry is flaky, with the earlier failure noted', async () => {
    let calls = 0;
    const [result] = await runItems(
      [item('x', { retry: { attempts: 3, backoffMs: 5 } })],
      () => {
        calls++;
        return Promise.resolve(calls < 2 ? { outcome: 'error', summary: 'connection refused by x', evidence: {}, retryable: true } : pass);
      },
      { concurrency: 1, deadlineMs: 5000 },
    );
    expect(calls).toBe(2);
    expect(result).toMatchObject({ outcome: 'flaky', attempts: 2, summary: 'passed on attempt 2 of 3 (attempt 1: connection refused by x)' });
    expect(result?.evidence.notes).toEqual(['attempt 1: connection refused by x']);
  });

  test('retries stop at the attempt limit and the last outcome stands', async () => {
    let calls = 0;
    const [result] = await runItems(
      [item('x', { retry: { attempts: 2, backoffMs: 5 } })],
      () => {
        calls++;
        return Promise.resolve({ outcome: 'fail', summary: 'status: expected 200, got 503', evidence: {}, retryable: true });
      },
      { concurrency: 1, deadlineMs: 5000 },
    );
    expect(calls).toBe(2);
    expect(result).toMatchObject({ outcome: 'fail', attempts: 2, summary: 'status: expected 200, got 503 (after 2 attempts)' });
  });

  test('non-retryable failures are not retried', async () => {
    let calls = 0;
    await runItems(
      [item('x', { retry: { attempts: 3, backoffMs: 5 } })],
      () => {
        calls++;
        return Promise.resolve({ outcome: 'fail', summary: 'no', evidence: {} });
      },
      { concurrency: 1, deadlineMs: 5000 },
    );
    expect(calls).toBe(1);
  });

  test('the run deadline stops running items and marks queued ones as not run', async () => {
    const results = await runItems(
      [item('a', { timeoutMs: 10_000 }), item('b', { timeoutMs: 10_000 })],
      () => new Promise<CheckResult>(() => {}),
      { concurrency: 1, deadlineMs: 100 },
    );
    expect(results[0]).toMatchObject({ outcome: 'error', summary: "the run's deadline (100ms) passed" });
    expect(results[1]).toMatchObject({ outcome: 'error', summary: "not run: the run's deadline (100ms) passed first", attempts: 0 });
  });

  test('progress events count finished items', async () => {
    const events: ProgressEvent[] = [];
    await runItems([item('a'), item('b')], () => Promise.resolve(pass), { concurrency: 2, deadlineMs: 1000, onProgress: (event) => events.push(event) });
    const finished = events.filter((event) => event.type === 'finish');
    expect(finished.map((event) => (event.type === 'finish' ? `${event.done}/${event.total}` : ''))).toEqual(['1/2', '2/2']);
  });
});
