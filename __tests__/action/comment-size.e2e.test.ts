// The comment at 10,000 items, end to end: `node dist/index.js` against the local GitHub
// that answers 422 to a comment over 65,536 characters, as GitHub does. Before the hidden
// state was bounded it grew with every item and GitHub refused the comment from about
// 3,400 items on; now the comment is accepted at any size, twice (create, then update).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.ts';
import { runActionProcess } from '../../test-support/action-process.ts';

const HEAD = 'a'.repeat(40);
const ITEMS = 10_000;

let staging: RunningServer;
let gh: FakeGitHub;
let ws: string;

beforeAll(async () => {
  staging = await startServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<h1>Skyway</h1>');
  });
  gh = await startFakeGitHub({ pulls: [{ number: 7, headSha: HEAD }] });
  ws = await mkdtemp(join(tmpdir(), 'readiness-ws-'));
  await mkdir(join(ws, '.github'), { recursive: true });
  await writeFile(join(ws, 'present.txt'), 'here\n');
  // 40 sections of 250: one blocking HTTP failure titled with `code`, 625 advisory
  // failures (missing files), a quarter manual items for 12 owners, the rest passing.
  const sections: string[] = [];
  for (let s = 0; s < 40; s++) {
    const items: string[] = [];
    for (let j = 0; j < 250; j++) {
      const i = s * 250 + j;
      if (i === 0) items.push(`      - title: "\`DEBUG = False\` in production"\n        http: { request: GET /, expect: { status: 204 } }`);
      else if (i % 16 === 3) items.push(`      - title: Optional file ${i}\n        id: optional-file-number-${i}\n        severity: advisory\n        file: { path: missing-${i}.txt }`);
      else if (i % 4 === 1) items.push(`      - title: Sign-off ${i}\n        manual: { owner: "@team-${i % 12}" }`);
      else items.push(`      - title: Present file ${i}\n        file: { path: present.txt, contains: here }`);
    }
    sections.push(`  - title: Area ${s}\n    items:\n${items.join('\n')}`);
  }
  await writeFile(join(ws, '.github/readiness.yml'), `version: 1\nsections:\n${sections.join('\n')}\n`);
}, 60_000);

afterAll(async () => {
  await staging.close();
  await gh.close();
  await rm(ws, { recursive: true, force: true });
});

const run = () =>
  runActionProcess({
    eventName: 'pull_request',
    event: { action: 'synchronize', number: 7, pull_request: { number: 7, head: { sha: HEAD, ref: 'feature', repo: { full_name: 'acme/travel' } }, base: { ref: 'main', repo: { full_name: 'acme/travel' } } } },
    workspace: ws,
    apiUrl: gh.url,
    sha: 'm'.repeat(40),
    inputs: { 'github-token': 'ghs_test_token', 'staging-url': staging.url },
    timeoutMs: 240_000,
  });

test(`${ITEMS.toLocaleString('en-US')} items: GitHub accepts the comment, and the check title shows code without backticks`, async () => {
  const first = await run();
  expect(first.code).toBe(1);
  expect(first.outputs.failed).toBe('626');
  const comments = gh.comments(7);
  expect(comments).toHaveLength(1);
  const body = comments[0]?.body ?? '';
  expect(body.length).toBeLessThanOrEqual(65_536);
  expect(body).toMatch(/### Who must act\n\n- \*\*@\u200Dteam-[159]\*\* — 83\d sign-offs pending\n/);
  expect(body).toContain('⚠️ **625** warnings');
  // Never refused: no comment write answered 422.
  const commentWrites = gh.requests.filter((request) => request.method !== 'GET' && request.path.includes('/comments'));
  expect(commentWrites.map((request) => request.status)).toEqual([201]);
  // The log folds the checklist into one group per section.
  expect(first.stdout).toContain('\n::group::Area 0 — 170 of 250 passed · 1 blocking · 16 warnings · 63 pending\n');
  expect(first.stdout.split('\n').filter((line) => line === '::endgroup::')).toHaveLength(40);
  expect(gh.checkRuns[0]?.output.title).toBe('Not ready: 1 blocking item failed (DEBUG = False in production) — status: expected 204, got 200');

  // The second run reads the bounded state back and updates the comment in place.
  await writeFile(join(ws, 'missing-3.txt'), 'now here\n');
  const second = await run();
  expect(second.code).toBe(1);
  const updated = gh.comments(7)[0]?.body ?? '';
  expect(updated.length).toBeLessThanOrEqual(65_536);
  expect(updated).toContain('✅ fixed: Optional file 3');
  expect(updated).toContain('**Score over the last runs:** 68% → 68%');
  expect(gh.requests.filter((request) => request.method !== 'GET' && request.path.includes('/comments')).map((request) => request.status)).toEqual([201, 200]);
}, 600_000);
