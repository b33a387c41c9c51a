// The CLI as users run it: the bundled dist/cli.js, copied away from node_modules,
// as a child process. Exit codes: 0 ready, 1 not ready, 2 usage or manifest error.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { runProcess, type ProcessOutput } from '../../test-support/run-process.ts';

let dir: string;
let staging: RunningServer;
let hsts = true;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'readiness-cli-'));
  // Only the bundle: it must run without node_modules.
  // dist/ whole: the entry imports its chunks from beside it.
  await cp('dist', join(dir, 'bin'), { recursive: true });
  staging = await startServer((_req, res) => {
    if (hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    res.end('<h1>Skyway</h1>');
  });
});

afterAll(async () => {
  await staging.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}): Promise<ProcessOutput> {
  return runProcess(process.execPath, [join(dir, 'bin/cli.js'), ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env } });
}

const MANIFEST = `version: 1
sections:
  - title: Security
    sections:
      - title: Django Security Settings
        items:
          - title: "\`SECURE_HSTS_SECONDS = 31536000\`"
            http: { request: GET /, expect: { headers: { strict-transport-security: { matches: "max-age=31536000" } } } }
          - title: Content-Security-Policy set
            severity: advisory
            http: { request: GET /, expect: { headers: { content-security-policy: { exists: true } } } }
  - title: Operations
    items:
      - title: Backups restored
        manual: { owner: dba }
`;

async function manifest(text = MANIFEST, name = 'readiness.yml'): Promise<string> {
  await writeFile(join(dir, name), text);
  return name;
}

describe('readiness-gate run', () => {
  test('ready: exit 0, the checklist on stdout without colours when not a terminal', async () => {
    hsts = true;
    const file = await manifest();
    const { code, stdout, stderr } = await cli(['run', '--manifest', file, '--url', staging.url]);
    // Not a terminal: one line per item as it finishes, nothing else.
    expect(stderr.trim().split('\n')).toHaveLength(3);
    expect(code).toBe(0);
    expect(stdout).toContain('Django Security Settings');
    expect(stdout).toContain('✔ `SECURE_HSTS_SECONDS = 31536000`');
    expect(stdout).toContain('✘ Content-Security-Policy set (advisory)');
    expect(stdout).toContain('Ready: 1 check passed, 1 advisory item failed, 1 manual item pending');
    expect(stdout).not.toContain('\u001b[');
  });

  test('not ready: exit 1', async () => {
    hsts = false;
    const { code, stdout } = await cli(['run', '--manifest', await manifest(), '--url', staging.url]);
    expect(code).toBe(1);
    expect(stdout).toContain('Not ready: 1 blocking item failed');
    hsts = true;
  });

  test('--format markdown, json, junit and --out', async () => {
    const file = await manifest();
    const markdown = await cli(['run', '-m', file, '-u', staging.url, '--format', 'markdown']);
    expect(markdown.stdout).toContain('### Django Security Settings');
    expect(markdown.stdout).toContain('- [x] `SECURE_HSTS_SECONDS = 31536000`');
    const json = await cli(['run', '-m', file, '-u', staging.url, '-f', 'json']);
    const report = JSON.parse(json.stdout) as { verdict: { ready: boolean }; counts: { pass: number; fail: number; pending: number } };
    expect(report.verdict.ready).toBe(true);
    expect(report.counts).toMatchObject({ pass: 1, fail: 1, pending: 1 });
    const junit = await cli(['run', '-m', file, '-u', staging.url, '-f', 'junit']);
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(junit.stdout.match(/<testcase /g)).toHaveLength(3);

    const out = await cli(['run', '-m', file, '-u', staging.url, '--out', 'reports']);
    expect(out.stderr).toContain('reports written to');
    expect(JSON.parse(await readFile(join(dir, 'reports/report.json'), 'utf8'))).toMatchObject({ schemaVersion: 1 });
    expect(await readFile(join(dir, 'reports/report.md'), 'utf8')).toContain('## ✅ Ready');
    expect(await readFile(join(dir, 'reports/junit.xml'), 'utf8')).toContain('<testsuites');
    expect(await readFile(join(dir, 'reports/report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  test('secrets from the environment are redacted from every format', async () => {
    const file = await manifest(`version: 1\nsections:\n  - title: A\n    items:\n      - title: echo\n        http: { request: "GET /?key={{ secrets.API_KEY }}", expect: { status: 500 } }\n`, 'secret.yml');
    for (const format of ['terminal', 'markdown', 'json', 'junit']) {
      const { stdout } = await cli(['run', '-m', file, '-u', staging.url, '-f', format], { API_KEY: 'do-not-print-me' });
      expect(stdout).not.toContain('do-not-print-me');
    }
  });

  test('an invalid manifest: every problem with file:line:column, exit 2, no stack trace', async () => {
    const file = await manifest(`version: 1\nsections:\n  - title: A\n    items:\n      - title: x\n        timeout: 10\n        http: { request: GET /, expect: { stauts: 200 } }\n`, 'bad.yml');
    const { code, stderr, stdout } = await cli(['run', '-m', file, '-u', staging.url]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('bad.yml:6:18  sections[0].items[0].timeout  expected a duration such as 300ms, 10s, 5m or 1h, got 10');
    expect(stderr).toContain('bad.yml:7:43  sections[0].items[0].http.expect.stauts  unknown key `stauts`; did you mean `status`?');
    expect(stderr).toContain('bad.yml is not a valid manifest (2 problems).');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('usage errors exit 2 with a message', async () => {
    expect(await cli(['run', '--format', 'pdf'])).toMatchObject({ code: 2, stderr: 'readiness-gate run: --format must be one of terminal, markdown, json, junit, not "pdf"\n' });
    expect((await cli(['run', '--bogus'])).code).toBe(2);
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2 });
    const missing = await cli(['run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('readiness-gate: cannot read .github/readiness.yml: no such file (create one with "readiness-gate init", or pass --manifest)\n');
    const noUrl = await cli(['run', '-m', await manifest()]);
    expect(noUrl).toMatchObject({ code: 2, stderr: 'readiness-gate run: no staging URL: set target.url in the manifest, or pass --url (the staging-url input in the action)\n' });
  });

  test('--help on each command, and --version', async () => {
    for (const command of ['run', 'validate', 'init', 'schema']) {
      const { code, stdout } = await cli([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: readiness-gate ${command}`);
    }
    expect((await cli(['--help'])).stdout).toContain('Exit codes: 0 ready, 1 not ready, 2 usage or manifest error.');
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('readiness-gate validate and schema', () => {
  test('validate: a summary for a valid manifest, the problems for an invalid one', async () => {
    expect(await cli(['validate', await manifest()])).toMatchObject({ code: 0, stdout: 'readiness.yml is valid: 2 sections, 3 items (2 automated, 1 manual).\n' });
    const bad = await cli(['validate', await manifest('version: 1\nsections: []\n', 'empty.yml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('empty.yml:2:11  sections  needs at least 1 entry');
  });

  test('schema prints the committed JSON Schema', async () => {
    const { code, stdout } = await cli(['schema']);
    expect(code).toBe(0);
    expect(stdout).toBe(await readFile('schema/readiness.schema.json', 'utf8'));
  });
});
