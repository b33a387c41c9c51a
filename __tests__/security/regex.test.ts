// Manifest regular expressions meet hostile staging text: catastrophic patterns against long
// bodies, headers, command output and files end with their real outcome, and a pattern the
// linear-time engine cannot run is a manifest error with file:line:column.
// The run is the bundled CLI in a child process, killed if it ever hangs, so a regression
// fails this test instead of freezing the test runner.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatError, loadManifest } from '../../src/manifest/load.ts';
import type { Report } from '../../src/report/model.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { evaluate } from '../../src/checks/predicates.ts';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** Far more than a linear engine needs, far less than backtracking would take. */
const HANG_LIMIT_MS = 90_000;

let dir: string;
let staging: RunningServer;

const A_BANG = `${'a'.repeat(60_000)}!`;
const WORDS = `${'word '.repeat(20_000)}!`;
const XS = 'x'.repeat(60_000);

/** Catastrophic for a backtracking engine on the body it is paired with; none of them match. */
const CATASTROPHIC: { pattern: string; body: string }[] = [
  { pattern: '(a+)+$', body: A_BANG },
  { pattern: '(a|aa)+$', body: A_BANG },
  { pattern: '(a|a)+$', body: A_BANG },
  { pattern: '(a*)*b', body: A_BANG },
  { pattern: '^(a+)+b', body: A_BANG },
  { pattern: '(.*a){20}$', body: A_BANG },
  { pattern: '^(\\w+\\s?)*$', body: WORDS },
  { pattern: '(x+x+)+y', body: XS },
  { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', body: XS },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'readiness-regex-'));
  staging = await startServer((req, res) => {
    const index = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
    res.setHeader('x-hostile', `${'a'.repeat(8000)}!`);
    res.setHeader('content-type', 'text/plain');
    res.end(req.url?.startsWith('/match') ? A_BANG : (CATASTROPHIC[index]?.body ?? ''));
  });
  await writeFile(join(dir, 'hostile.txt'), `${A_BANG}\n${WORDS}\n`);
});

afterAll(async () => {
  await staging.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
  let stdout = '';
  let stderr = '';
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, HANG_LIMIT_MS);
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    }),
  );
}

function yamlString(text: string): string {
  return JSON.stringify(text);
}

describe('manifest regexes against hostile text', () => {
  test('catastrophic patterns in body, header, capture, command and file predicates finish with their real outcome', async () => {
    const items: string[] = [];
    CATASTROPHIC.forEach(({ pattern }, n) => {
      items.push(`      - { id: body-${n}, title: body ${n}, http: { request: "GET /?n=${n}", expect: { body: { matches: ${yamlString(pattern)} } } } }`);
    });
    items.push(
      `      - { id: header, title: header, http: { request: GET /, expect: { headers: { x-hostile: { matches: "(a+)+$" } } } } }`,
      `      - { id: header-not, title: header not, http: { request: GET /, expect: { headers: { x-hostile: { not: { matches: "(a|aa)+$" } } } } } }`,
      `      - { id: body-match, title: body match, http: { request: GET /match, expect: { body: { matches: "(a+)+!$" } } } }`,
      `      - id: capture
        title: capture
        flow:
          steps:
            - { request: GET /match, capture: { tail: { regex: "(a|aa)+(!)" } } }
            - { request: "GET /match?got={{ tail }}", expect: { status: 200 } }`,
      `      - id: capture-none
        title: capture none
        flow:
          steps:
            - { request: GET /match, capture: { tail: { regex: "(a+)+b" } } }`,
      `      - { id: command-output, title: command output, command: { run: "cat hostile.txt", expect: { output: { matches: "(a+)+$" } } } }`,
      `      - { id: file, title: file, file: { path: hostile.txt, matches: "^(a|aa)+$" } }`,
    );
    await writeFile(join(dir, 'readiness.yml'), `version: 1\nsections:\n  - title: Hostile\n    items:\n${items.join('\n')}\n`);

    const run = await cli(['run', '--manifest', 'readiness.yml', '--url', staging.url, '--format', 'json']);
    expect(run.killed).toBe(false);
    // stderr carries the progress lines; never a crash.
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    const report = JSON.parse(run.stdout) as Report;
    const outcomes = Object.fromEntries(report.sections.flatMap((section) => section.items).map((item) => [item.id, item.outcome]));
    const expected: Record<string, string> = {
      header: 'fail',
      'header-not': 'pass',
      'body-match': 'pass',
      capture: 'pass',
      'capture-none': 'fail',
      'command-output': 'fail',
      file: 'fail',
    };
    CATASTROPHIC.forEach((_, n) => (expected[`body-${n}`] = 'fail'));
    expect(outcomes).toEqual(expected);
    expect(run.code).toBe(1);
  }, HANG_LIMIT_MS + 30_000);

  test('predicates evaluate hostile values with the linear engine (many patterns, long inputs)', () => {
    for (const { pattern, body } of CATASTROPHIC) expect(evaluate({ matches: pattern }, body).ok).toBe(false);
    expect(evaluate({ matches: '(a+)+!$' }, A_BANG).ok).toBe(true);
    expect(evaluate({ matches: '^max-age=\\d+' }, 'max-age=31536000; includeSubDomains').ok).toBe(true);
    expect(evaluate({ matches: '(?i)REDIS' }, 'django_redis.cache.RedisCache').ok).toBe(true);
    expect(evaluate({ matches: 'a/b' }, 'x a/b y').ok).toBe(true);
    expect(evaluate({ matches: '\\u00e9t\\u00e9' }, 'été').ok).toBe(true);
  });

  test('a pattern the engine cannot run is a manifest error at its line and column', () => {
    for (const [pattern, said] of [
      ['(?=lookahead)', 'invalid or unsupported Perl syntax: `(?='],
      ['(?<!behind)x', '(?<!behind)x'],
      ['(a)\\1', 'invalid escape sequence: `\\1`'],
      ['[unclosed', 'missing closing ]'],
      ['a{2000}', 'invalid repeat count'],
    ] as const) {
      const text = `version: 1\nsections:\n  - title: S\n    items:\n      - title: t\n        http:\n          request: GET /\n          expect: { body: { matches: ${yamlString(pattern)} } }\n`;
      const loaded = loadManifest(text, 'readiness.yml');
      expect(loaded.ok).toBe(false);
      if (loaded.ok) continue;
      expect(loaded.errors).toHaveLength(1);
      const message = formatError(loaded.errors[0] as (typeof loaded.errors)[0]);
      expect(message).toMatch(/^readiness\.yml:8:38 {2}sections\[0\]\.items\[0\]\.http\.expect\.body\.matches {2}expected a regular expression that runs in linear time/);
      expect(message).toContain(said);
    }
  });
});
