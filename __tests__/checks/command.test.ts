import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckContext } from '../../src/checks/context.ts';
import { KILL_GRACE_MS, runCommandCheck } from '../../src/checks/command.ts';
import { HttpClient } from '../../src/http/client.ts';
import { checkContext } from '../../test-support/check-context.ts';

let workspace: string;
const http = new HttpClient({ perHost: 1 });

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'readiness-command-'));
  await mkdir(path.join(workspace, 'app'));
});
afterAll(async () => {
  await http.close();
  await rm(workspace, { recursive: true, force: true });
});

function contextFor(options: { env?: Record<string, string>; signal?: AbortSignal; allowed?: CheckContext['commandsAllowed'] } = {}): CheckContext {
  return checkContext({
    http,
    workspace,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.allowed ? { commandsAllowed: options.allowed } : {}),
  });
}

/** Running and not a zombie: a killed child whose parent is gone may wait for a reaper that never comes. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}

async function waitUntilGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('command check', () => {
  test('exit code 0 passes; the output tail is the evidence', async () => {
    const result = await runCommandCheck({ run: 'echo "System check identified no issues (0 silenced)."' }, contextFor());

    expect(result.outcome).toBe('pass');
    expect(result.summary).toMatch(/^exit code 0 in \d+ms$/);
    expect(result.evidence.output).toBe('System check identified no issues (0 silenced).');
    expect(result.evidence.facts).toMatchObject({ exitCode: 0, command: 'echo "System check identified no issues (0 silenced)."' });
  });

  test('an unexpected exit code fails with the tail of stdout and stderr, interleaved', async () => {
    const result = await runCommandCheck({ run: 'echo "checking…"; echo "?: (security.W018) You should not have DEBUG set to True" >&2; exit 3' }, contextFor());

    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('exit code: expected 0, got 3 — ?: (security.W018) You should not have DEBUG set to True');
    expect(result.evidence.output).toBe('checking…\n?: (security.W018) You should not have DEBUG set to True');
    expect(result.evidence.facts?.exitCode).toBe(3);
  });

  test('the expected exit code and an output predicate', async () => {
    expect((await runCommandCheck({ run: 'exit 1', expect: { exitCode: { in: [0, 1] } } }, contextFor())).outcome).toBe('pass');
    const warned = await runCommandCheck({ run: 'echo "WARNINGS: 2 issues"', expect: { output: { notContains: 'WARNINGS' } } }, contextFor());
    expect(warned.outcome).toBe('fail');
    expect(warned.summary).toBe('output: expected not containing "WARNINGS", got "WARNINGS: 2 issues\\n" — WARNINGS: 2 issues');
  });

  test('spec.env is added to the run environment; secrets are filled and redacted from the output', async () => {
    const result = await runCommandCheck(
      { run: 'echo "$GREETING, connecting with $DB_PASSWORD as {{ env.DB_USER }}"', env: { GREETING: 'hello', DB_PASSWORD: '{{ secrets.DB_PASSWORD }}' } },
      contextFor({ env: { DB_PASSWORD: 'hunter2-staging', DB_USER: 'readiness' } }),
    );

    expect(result.outcome).toBe('pass');
    expect(result.evidence.output).toBe('hello, connecting with [redacted] as readiness');
  });

  test('a missing secret is an error naming it', async () => {
    const result = await runCommandCheck({ run: 'true', env: { TOKEN: '{{ secrets.DEPLOY_TOKEN }}' } }, contextFor());
    expect(result).toMatchObject({ outcome: 'error', summary: 'secret DEPLOY_TOKEN is not set (pass it to the step as env DEPLOY_TOKEN)' });
  });

  test('a command that hangs is stopped at its timeout, children that ignore SIGTERM included', async () => {
    const started = Date.now();
    const result = await runCommandCheck({ run: 'trap "" TERM; echo "shell $$"; sleep 30 & echo "child $!"; wait', timeout: '300ms' }, contextFor());
    const elapsed = Date.now() - started;

    expect(result.outcome).toBe('error');
    expect(result.summary).toBe('timed out after 300ms; the command was stopped');
    const pids = [...(result.evidence.output ?? '').matchAll(/(?:shell|child) (\d+)/g)].map((match) => Number(match[1]));
    expect(pids).toHaveLength(2);
    expect(await waitUntilGone(pids, 2000)).toEqual([]);
    expect(elapsed).toBeLessThan(300 + KILL_GRACE_MS + 3000);
  });

  test('a command that stops on SIGTERM does not wait for the grace period', async () => {
    const started = Date.now();
    const result = await runCommandCheck({ run: 'sleep 30', timeout: '200ms' }, contextFor());
    expect(result.summary).toBe('timed out after 200ms; the command was stopped');
    expect(Date.now() - started).toBeLessThan(200 + KILL_GRACE_MS / 2);
  });

  test('a background process left behind by a finished command is stopped too', async () => {
    const result = await runCommandCheck({ run: 'sleep 30 >/dev/null 2>&1 & echo "left $!"' }, contextFor());
    expect(result.outcome).toBe('pass');
    const pid = Number(/left (\d+)/.exec(result.evidence.output ?? '')?.[1]);
    expect(await waitUntilGone([pid], 2000)).toEqual([]);
  });

  test('cancelling the item stops the command', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timed out after 1m')), 100);
    const result = await runCommandCheck({ run: 'sleep 30' }, contextFor({ signal: controller.signal }));
    expect(result).toMatchObject({ outcome: 'error', summary: 'the command was stopped: timed out after 1m' });
  });

  test('megabytes of output: only the tail is kept', async () => {
    // 5 MB of x in 100-character lines, then a last line.
    const result = await runCommandCheck({ run: "head -c 5000000 /dev/zero | tr '\\0' x | fold -w 100; echo; echo END" }, contextFor());

    expect(result.outcome).toBe('pass');
    const lines = (result.evidence.output ?? '').split('\n');
    expect(lines).toHaveLength(40);
    expect(lines.at(-1)).toBe('END');
    expect(lines[0]).toBe('x'.repeat(100));
    expect(result.evidence.notes).toEqual(['the output is shortened to its last 40 lines (5050004 bytes in all)']);
  });

  test('not allowed (a fork under pull_request_target): skipped with the reason, nothing runs', async () => {
    const marker = path.join(workspace, 'ran');
    const reason = 'commands from a fork do not run under pull_request_target (set allow-untrusted-commands: true to allow them)';
    const result = await runCommandCheck({ run: `touch ${marker}` }, contextFor({ allowed: { allowed: false, reason } }));

    expect(result).toEqual({ outcome: 'skip', summary: reason, evidence: {} });
    expect(() => readFileSync(marker)).toThrow();
  });

  test('exit code 127 says which command was not found', async () => {
    const result = await runCommandCheck({ run: 'DJANGO_SETTINGS_MODULE=x no-such-python-here manage.py check --deploy' }, contextFor());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('exit code 127: command not found — is no-such-python-here installed in the job?');
  });

  test('cwd is inside the workspace; one that leaves it is refused', async () => {
    const inApp = await runCommandCheck({ run: 'pwd', cwd: 'app' }, contextFor());
    expect(inApp.outcome).toBe('pass');
    expect(inApp.evidence.output?.endsWith(`${path.sep}app`)).toBe(true);

    expect(await runCommandCheck({ run: 'pwd', cwd: '../' }, contextFor())).toMatchObject({ outcome: 'error', summary: 'cwd "../" is outside the repository' });
    expect(await runCommandCheck({ run: 'pwd', cwd: '/tmp' }, contextFor())).toMatchObject({
      outcome: 'error',
      summary: 'cwd "/tmp" must be a path relative to the repository, not an absolute one',
    });
    expect(await runCommandCheck({ run: 'pwd', cwd: 'missing' }, contextFor())).toMatchObject({ outcome: 'error', summary: 'cwd "missing" does not exist in the workspace' });
  });
});
