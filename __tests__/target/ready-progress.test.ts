// While staging is not ready, each failed try reports how long of target.ready's timeout
// has gone, so a CLI or a CI log says what it waits for and for how much longer.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { waitUntilReady, type WaitProgress } from '../../src/target/ready.ts';
import { HttpClient } from '../../src/http/client.ts';
import { Redactor } from '../../src/util/redact.ts';
import { waitingLine } from '../../src/report/terminal.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

let staging: RunningServer;
beforeAll(async () => {
  staging = await startServer((_req, res) => {
    res.statusCode = 404;
    res.end('not found');
  });
});
afterAll(async () => {
  await staging.close();
});

test('every failed try reports the elapsed time and the timeout; the CLI prints them as one line', async () => {
  const http = new HttpClient({ perHost: 1 });
  // A clock that moves 10 s per sleep, so the 30 s wait takes no real time.
  let clock = 0;
  const tries: { attempt: number; problem: string; wait: WaitProgress }[] = [];
  try {
    const result = await waitUntilReady(
      { request: 'GET /health/', expect: { status: 200 }, timeout: '30s', interval: '10s' },
      {
        http,
        scope: { env: {}, git: {}, redactor: new Redactor() },
        defaults: { timeoutMs: 2000, baseUrl: new URL(staging.url) },
        now: () => clock,
        sleep: (ms) => {
          clock += ms;
          return Promise.resolve();
        },
        onAttempt: (attempt, problem, wait) => tries.push({ attempt, problem, wait }),
      },
    );
    expect(result).toEqual({ ready: false, reason: `staging not ready after 30s (4 tries): GET ${staging.url}/health/ → status: expected 200, got 404` });
  } finally {
    await http.close();
  }
  expect(tries.map((entry) => [entry.attempt, entry.wait])).toEqual([
    [1, { elapsedMs: 0, timeoutMs: 30_000 }],
    [2, { elapsedMs: 10_000, timeoutMs: 30_000 }],
    [3, { elapsedMs: 20_000, timeoutMs: 30_000 }],
    [4, { elapsedMs: 30_000, timeoutMs: 30_000 }],
  ]);
  const second = tries[1] as (typeof tries)[number];
  expect(waitingLine(second.attempt, second.problem, second.wait)).toBe(`waiting for staging (try 2, 10s of 30s): GET ${staging.url}/health/ → status: expected 200, got 404`);
  expect(waitingLine(3, 'x', { elapsedMs: 65_400, timeoutMs: 90_000 })).toBe('waiting for staging (try 3, 1m05s of 1m30s): x');
  // Staging's words stay on the line: no break can start a workflow command in the action log.
  expect(waitingLine(1, 'got "a"\n::add-mask::x\r\n::stop-commands::y', { elapsedMs: 0, timeoutMs: 90_000 }).split(/[\r\n]/)).toHaveLength(1);
});
