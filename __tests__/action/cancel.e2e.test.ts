// A cancelled workflow: the runner signals `node dist/index.js` (SIGINT, then SIGTERM).
// The action must stop its checks, kill the command's whole process group, conclude the
// check run as cancelled with what finished, update an existing comment, and exit non-zero,
// long before the command's own sleep would have ended.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { access, mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { startFakeGitHub, type FakeComment, type FakeGitHub } from '../../test-support/fake-github.ts';
import { runActionProcess } from '../../test-support/action-process.ts';

const HEAD = 'a'.repeat(40);
const MARKER = '<!-- readiness-gate:comment .github%2Freadiness.yml -->';
/** The command sleeps far longer than the test may take: the action must not wait for it. */
const SLEEP_S = 600;

const MANIFEST = `version: 1
sections:
  - title: Operations
    items:
      - title: Health check passed
        id: health
        http: { request: GET /health/, expect: { status: 200 } }
      - title: Migrations applied
        id: migrate
        command:
          # The shell leads the group; a grandchild (sh -c) and its sleep outlive nothing.
          run: "echo $$ > group.pid; sh -c 'trap \\"\\" TERM; sleep ${SLEEP_S}' & sleep ${SLEEP_S} & touch started; wait"
          timeout: 20m
`;

let staging: RunningServer;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  staging = await startServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"ok"}');
  });
});

afterAll(async () => {
  await staging.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'readiness-cancel-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, '.github'));
  await writeFile(join(dir, '.github/readiness.yml'), MANIFEST);
  return dir;
}

async function github(withComment: boolean): Promise<FakeGitHub> {
  const at = '2026-11-01T00:00:00Z';
  const comments: Record<number, FakeComment[]> = withComment
    ? { 7: [{ id: 11, body: `${MARKER}\nold checklist`, user: { login: 'github-actions[bot]', type: 'Bot' as const }, created_at: at, updated_at: at, html_url: 'https://github.com/acme/travel/pull/7#issuecomment-11' }] }
    : {};
  const gh = await startFakeGitHub({ pulls: [{ number: 7, headSha: HEAD }], comments });
  cleanups.push(() => gh.close());
  return gh;
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Live (not zombie) processes in a process group, from /proc: zombies cannot hold anything. */
async function liveInGroup(pgid: number): Promise<string[]> {
  const live: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp ...; comm may contain spaces, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') live.push(`${entry} ${stat.slice(0, stat.lastIndexOf(')') + 1)}`);
  }
  return live;
}

describe('a cancelled workflow', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s mid-run: check run cancelled with what finished, process group gone, comment updated, exit non-zero', async (signal) => {
    const gh = await github(true);
    const ws = await workspace();
    const result = await runActionProcess({
      eventName: 'pull_request',
      event: { action: 'synchronize', number: 7, pull_request: { number: 7, head: { sha: HEAD, ref: 'f', repo: { full_name: 'acme/travel' } }, base: { ref: 'main', repo: { full_name: 'acme/travel' } } } },
      workspace: ws,
      apiUrl: gh.url,
      sha: HEAD,
      inputs: { 'github-token': 'ghs_test_token', 'staging-url': staging.url },
      // Well before the command's own sleep (600 s): a hang fails here, not by timing.
      timeoutMs: 90_000,
      interrupt: { signal, when: () => until(() => access(join(ws, 'started')).then(() => true, () => false)) },
    });

    expect(result.exitAfterSignalMs).toBeDefined();
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toContain(`Received ${signal}`);

    expect(gh.checkRuns).toHaveLength(1);
    const check = gh.checkRuns[0];
    expect(check).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect(check?.output.title).toContain(`cancelled (${signal})`);
    // What finished is in the summary: the health check passed, the command was stopped.
    expect(check?.output.summary).toContain('Health check passed');
    expect(check?.output.summary).toContain(`the command was stopped: the workflow was cancelled (${signal})`);

    // The existing comment is brought up to date; no new one.
    const comments = gh.comments(7);
    expect(comments.map((c) => c.id)).toEqual([11]);
    expect(comments[0]?.body).toContain(`the workflow was cancelled (${signal})`);

    // Nothing of the command's process group outlives the action (a TERM-ignoring grandchild included).
    const pgid = Number((await readFile(join(ws, 'group.pid'), 'utf8')).trim());
    expect(pgid).toBeGreaterThan(1);
    expect(await liveInGroup(pgid)).toEqual([]);
    expect(result.exitAfterSignalMs as number).toBeLessThan(SLEEP_S * 1000);
  }, 120_000);

  test('no comment yet: a cancelled run does not create one', async () => {
    const gh = await github(false);
    const ws = await workspace();
    const result = await runActionProcess({
      eventName: 'pull_request',
      event: { action: 'synchronize', number: 7, pull_request: { number: 7, head: { sha: HEAD, ref: 'f', repo: { full_name: 'acme/travel' } }, base: { ref: 'main', repo: { full_name: 'acme/travel' } } } },
      workspace: ws,
      apiUrl: gh.url,
      sha: HEAD,
      inputs: { 'github-token': 'ghs_test_token', 'staging-url': staging.url },
      timeoutMs: 90_000,
      interrupt: { signal: 'SIGTERM', when: () => until(() => access(join(ws, 'started')).then(() => true, () => false)) },
    });
    expect(result.code).not.toBe(0);
    expect(gh.checkRuns[0]).toMatchObject({ conclusion: 'cancelled' });
    expect(gh.comments(7)).toHaveLength(0);
    const pgid = Number((await readFile(join(ws, 'group.pid'), 'utf8')).trim());
    expect(await liveInGroup(pgid)).toEqual([]);
  }, 120_000);
});
