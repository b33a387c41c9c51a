// The CLI's output as people see it: through a pseudo-terminal (util-linux `script`), one
// progress line rewritten in place and colours; through a pipe (a CI log), one line per
// item as it finishes. Both end with a recap after the checklist. Also --only and --list.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { runProcess, type ProcessOutput } from '../../test-support/run-process.ts';

let dir: string;
let staging: RunningServer;

const MANIFEST = `version: 1
sections:
  - title: Security
    items:
      - title: "\`SECURE_HSTS_SECONDS = 31536000\`"
        id: hsts
        http: { request: GET /, expect: { headers: { strict-transport-security: { exists: true } } } }
      - title: Content-Security-Policy set
        id: csp
        severity: advisory
        http: { request: GET /, expect: { headers: { content-security-policy: { exists: true } } } }
  - title: Operations
    items:
      - title: Home page answers
        id: home
        http: { request: GET /, expect: { status: 200 } }
      - title: Backups restored
        manual: { owner: dba }
      - title: Restore drill done
        manual: { owner: dba }
      - title: Runbook reviewed
        manual: { owner: sre }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'readiness-tty-'));
  // dist/ whole: the entry imports its chunks from beside it.
  await cp('dist', join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'readiness.yml'), MANIFEST);
  staging = await startServer((_req, res) => res.end('<h1>Skyway</h1>'));
});

afterAll(async () => {
  await staging.close();
  await rm(dir, { recursive: true, force: true });
});

type Run = ProcessOutput;

function collect(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runProcess(command, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env } });
}

const piped = (args: string[]) => collect(process.execPath, [join(dir, 'bin/cli.js'), ...args]);

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
/** The CLI with a pseudo-terminal as stdin, stdout and stderr: `script` records what it wrote. */
const inTerminal = (args: string[]) => collect('script', ['-qec', [process.execPath, join(dir, 'bin/cli.js'), ...args].map(quote).join(' '), '/dev/null'], { TERM: 'xterm-256color' });

describe('through a pipe (a CI log)', () => {
  test('one line per item as it finishes on stderr, the checklist and a recap on stdout, no escape sequences', async () => {
    const { code, stdout, stderr } = await piped(['run', '--url', staging.url, '-m', 'readiness.yml']);
    expect(code).toBe(1);
    const progress = stderr.trim().split('\n');
    expect(progress).toHaveLength(6);
    expect(progress.every((line) => /^\[\d\/6\] /.test(line))).toBe(true);
    expect(progress).toContainEqual(expect.stringMatching(/^\[\d\/6\] ✘ SECURE_HSTS_SECONDS = 31536000 — header strict-transport-security: expected present, got nothing \(\d+(\.\d+)?m?s\)$/));
    expect(progress).toContainEqual(expect.stringMatching(/^\[\d\/6\] ⏳ Runbook reviewed — /));
    expect(stdout + stderr).not.toContain('\u001b');

    const lines = stdout.split('\n');
    // Pending sign-offs are counted in their section and listed once per owner after it.
    expect(lines).toContain('  ⏳ 3 sign-offs pending');
    expect(lines).not.toContain('  ⏳ Backups restored');
    const recap = lines.slice(lines.indexOf('Pending sign-offs'));
    expect(recap.slice(0, 3)).toEqual(['Pending sign-offs', '  ⏳ dba: 2', '  ⏳ sre: 1']);
    const failed = recap.indexOf('Failed or not checked');
    expect(recap.slice(failed + 1, failed + 3)).toEqual([
      '  ✘ blocking SECURE_HSTS_SECONDS = 31536000 — header strict-transport-security: expected present, got nothing',
      '  ✘ advisory Content-Security-Policy set — header content-security-policy: expected present, got nothing',
    ]);
    expect(lines.at(-2)).toBe('✘ Not ready: 1 blocking item failed (SECURE_HSTS_SECONDS = 31536000) — header strict-transport-security: expected present, got nothing');
  }, 60_000);

  test('--verbose lists every pending sign-off under its section', async () => {
    const { stdout } = await piped(['run', '--url', staging.url, '-m', 'readiness.yml', '--verbose']);
    expect(stdout.split('\n')).toEqual(expect.arrayContaining(['  ⏳ Backups restored', '  ⏳ Restore drill done', '  ⏳ Runbook reviewed']));
  }, 60_000);
});

describe('through a pseudo-terminal', () => {
  test('one progress line rewritten in place, colours, and the same recap', async () => {
    const { code, stdout } = await inTerminal(['run', '--url', staging.url, '-m', 'readiness.yml']);
    expect(code).toBe(1);
    // The progress line is erased and rewritten, never one line per item.
    expect(stdout).toContain('\r\u001b[2K[');
    expect(stdout).not.toMatch(/^\[\d\/6\] /m);
    expect(stdout).toContain('\u001b[31m✘\u001b[39m');
    // eslint-disable-next-line no-control-regex -- the colours are what this removes
    const plain = stdout.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
    expect(plain).toContain('Pending sign-offs\n  ⏳ dba: 2\n  ⏳ sre: 1\n');
    expect(plain).toContain('Failed or not checked\n  ✘ blocking SECURE_HSTS_SECONDS = 31536000');
  }, 60_000);
});

describe('--only and --list', () => {
  test('--list shows every item with the id --only takes, without running anything', async () => {
    const { code, stdout } = await piped(['run', '--list', '-m', 'readiness.yml']);
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'hsts                http     Security › `SECURE_HSTS_SECONDS = 31536000`',
      'csp                 http     Security › Content-Security-Policy set',
      'home                http     Operations › Home page answers',
      'backups-restored    manual   Operations › Backups restored',
      'restore-drill-done  manual   Operations › Restore drill done',
      'runbook-reviewed    manual   Operations › Runbook reviewed',
      '6 items',
      '',
    ]);
    expect((await piped(['run', '--list', '--only', 'operations', '-m', 'readiness.yml'])).stdout).toContain('\n4 items\n');
  });

  test('--only by id and by section title, repeatable', async () => {
    const one = await piped(['run', '--url', staging.url, '-m', 'readiness.yml', '--only', 'home']);
    expect(one.code).toBe(0);
    expect(one.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^\[1\/1\] ✔ Home page answers \(/)]);
    const two = await piped(['run', '--url', staging.url, '-m', 'readiness.yml', '--only', 'Security', '--only', 'runbook-reviewed']);
    expect(two.code).toBe(1);
    expect(two.stderr.trim().split('\n')).toHaveLength(3);
    expect(two.stdout).not.toContain('Home page answers');
  }, 60_000);

  test('--only that names nothing: exit 2 with a suggestion', async () => {
    const { code, stderr } = await piped(['run', '--url', staging.url, '-m', 'readiness.yml', '--only', 'hstss']);
    expect(code).toBe(2);
    expect(stderr).toBe('readiness-gate run: --only "hstss" (did you mean "hsts"?) names no item id or section of readiness.yml; "run --list" shows them\n');
  });
});
