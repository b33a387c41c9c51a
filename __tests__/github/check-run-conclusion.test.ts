// A GitHub outage that begins after the check run was created must not leave it in
// progress: the concluding write is retried longer than other writes, and when it still
// fails the error says how to re-run. Against the fake GitHub with injected 5xx answers.
import { afterEach, describe, expect, test } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import { CONCLUDE_RETRY_DELAYS_MS, RequiredCheck, type Conclusion } from '../../src/github/check-run.ts';

const SHA = 'a'.repeat(40);
const fakes: FakeGitHub[] = [];

afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function started(delays: number[]): Promise<{ fake: FakeGitHub; check: RequiredCheck; log: string[] }> {
  const fake = await startFakeGitHub({ pulls: [{ number: 7, headSha: SHA }] });
  fakes.push(fake);
  const log: string[] = [];
  const github = createGitHubClient({ token: 'ghs_x', baseUrl: fake.url, log: (message) => log.push(message) });
  const check = new RequiredCheck({
    github,
    repo: { owner: 'acme', repo: 'travel' },
    sha: SHA,
    name: 'Production readiness',
    detailsUrl: 'https://github.com/acme/travel/actions/runs/4242',
    log: (message) => log.push(message),
    concludeRetryDelaysMs: delays,
  });
  await check.start();
  return { fake, check, log };
}

const done: Conclusion = { conclusion: 'success', title: 'Ready', summary: 'all good', annotations: [] };
const patches = (fake: FakeGitHub) => fake.requests.filter((request) => request.method === 'PATCH').map((request) => request.status);

describe('concluding the check run through an outage', () => {
  test('the default schedule keeps trying for a minute or more, longer than the client retries other writes (1+4+9 s)', () => {
    const total = CONCLUDE_RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0);
    expect(total).toBeGreaterThanOrEqual(60_000);
    expect(total).toBeLessThanOrEqual(120_000);
  });

  // The client spaces writes 1 s apart (throttling), so each case takes a few seconds.
  test.each([502, 503, 500] as const)('%s answers that begin after the check was created: concluded once GitHub answers again', async (status) => {
    const { fake, check, log } = await started([5, 5, 5, 5, 5, 5, 5, 5]);
    fake.addFault({ kind: 'status', status, match: { method: 'PATCH', path: /check-runs\/\d+$/ }, times: 4 });
    await check.finish(done);
    // More 5xx in a row than the client's own retries (3) would have survived.
    expect(patches(fake)).toEqual([status, status, status, status, 200]);
    expect(fake.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(log.filter((line) => line.includes('trying again'))).toHaveLength(4);
  });

  test('an outage longer than the schedule: the error says the check stays in progress and how to re-run', async () => {
    const { fake, check } = await started([5, 5]);
    fake.addFault({ kind: 'status', status: 502, match: { method: 'PATCH', path: /check-runs\/\d+$/ }, times: 100 });
    const failure = await check.finish(done).then(() => undefined, (error: unknown) => error as Error);
    expect(failure?.message).toContain('3 tries');
    expect(failure?.message).toContain('stays in progress');
    expect(failure?.message).toContain('re-run this job');
    expect(failure?.message).toContain('https://github.com/acme/travel/actions/runs/4242');
    expect(patches(fake)).toEqual([502, 502, 502]);
  });

  test('GitHub answering again between tries of a cancelled conclusion', async () => {
    const { fake, check } = await started([5, 5]);
    fake.addFault({ kind: 'status', status: 503, match: { method: 'PATCH', path: /check-runs\/\d+$/ }, times: 2 });
    await check.finish({ ...done, conclusion: 'cancelled', title: 'Cancelled' });
    expect(fake.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
  });
});
