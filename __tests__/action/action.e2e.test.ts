// The action as the runner runs it: `node dist/index.js` with INPUT_*/GITHUB_* variables
// and an event file, against a local staging server and a local server that speaks the
// GitHub REST endpoints the action uses (with GitHub's limits and error answers).
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../../test-support/fake-github.ts';
import { runActionProcess, type ActionProcessResult } from '../../test-support/action-process.ts';
import { startDemoStaging } from '../../examples/staging-server.ts';

const HEAD = 'a'.repeat(40);
const MERGE = 'm'.repeat(40);
const MARKER = '<!-- readiness-gate:comment .github%2Freadiness.yml -->';

const MANIFEST = `version: 1
sections:
  - title: Security
    items:
      - title: HSTS for a year
        id: hsts
        http:
          request: GET /
          expect: { headers: { strict-transport-security: { matches: "max-age=31536000" } } }
      - title: Health check passed
        id: health
        http: { request: GET /health/, expect: { status: 200 } }
  - title: Operations
    items:
      - title: Rollback plan ready
        manual: { owner: release manager }
`;

// The staging server: HSTS can be switched off to make the blocking item fail.
const staging = { hsts: true };
let stagingServer: RunningServer;
const servers: FakeGitHub[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  stagingServer = await startServer((req: IncomingMessage, res: ServerResponse) => {
    if (staging.hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (req.url?.startsWith('/huge/')) {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<p>${'x'.repeat(4000)} @octocat </p>`.repeat(5));
      return;
    }
    res.setHeader('Content-Type', req.url === '/health/' ? 'application/json' : 'text/html');
    res.end(req.url === '/health/' ? '{"status":"ok"}' : '<h1>Skyway</h1>');
  });
});

afterAll(async () => {
  await stagingServer.close();
});

afterEach(async () => {
  staging.hsts = true;
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function github(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const server = await startFakeGitHub({ pulls: [{ number: 7, headSha: HEAD }], ...options });
  servers.push(server);
  return server;
}

async function workspace(manifest = MANIFEST): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'readiness-ws-'));
  dirs.push(dir);
  await mkdir(join(dir, '.github'), { recursive: true });
  await writeFile(join(dir, '.github/readiness.yml'), manifest);
  return dir;
}

function pullRequestEvent(headRepo = 'acme/travel') {
  return { action: 'synchronize', number: 7, pull_request: { number: 7, head: { sha: HEAD, ref: 'feature', repo: { full_name: headRepo } }, base: { ref: 'main', repo: { full_name: 'acme/travel' } } } };
}

interface RunOptions {
  gh: FakeGitHub;
  ws: string;
  eventName?: string;
  event?: Record<string, unknown>;
  inputs?: Record<string, string>;
  sha?: string;
}

function run({ gh, ws, eventName = 'pull_request', event = pullRequestEvent(), inputs = {}, sha = MERGE }: RunOptions): Promise<ActionProcessResult> {
  return runActionProcess({
    eventName,
    event,
    workspace: ws,
    apiUrl: gh.url,
    sha,
    inputs: { 'github-token': 'ghs_test_token', 'staging-url': stagingServer.url, ...inputs },
    timeoutMs: 90_000,
  });
}

const writes = (gh: FakeGitHub) => gh.requests.filter((request) => request.method !== 'GET');

describe('the action on a pull request', () => {
  test('first run: creates the checklist comment and a concluded check run on the PR head SHA', async () => {
    const gh = await github();
    const ws = await workspace();
    const result = await run({ gh, ws });

    expect(result.code).toBe(0);
    const comments = gh.comments(7);
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? '';
    expect(body).toContain(MARKER);
    expect(body).toContain('- [x] HSTS for a year');
    expect(body).toContain('Rollback plan ready');
    expect(body).toContain('https://github.com/acme/travel/actions/runs/4242');

    expect(gh.checkRuns).toHaveLength(1);
    const check = gh.checkRuns[0];
    expect(check).toMatchObject({ name: 'Production readiness', head_sha: HEAD, status: 'completed', conclusion: 'success' });
    expect(check?.output.title).toBe('Ready: 2 checks passed, 1 manual item pending');
    expect(check?.details_url).toBe('https://github.com/acme/travel/actions/runs/4242');

    expect(result.outputs).toMatchObject({ ready: 'true', score: '66', passed: '2', failed: '0', errored: '0', pending: '1', report: 'readiness-report/report.json' });
    expect(result.outputs['comment-url']).toMatch(/^https:\/\/github\.com\/acme\/travel\/pull\/7#issuecomment-\d+$/);
    expect(result.outputs['check-run-url']).toMatch(/^https:\/\/github\.com\/acme\/travel\/runs\/\d+$/);
    expect(result.summary).toContain('- [x] HSTS for a year');
    const report = JSON.parse(await readFile(join(ws, 'readiness-report/report.json'), 'utf8')) as { verdict: { ready: boolean }; counts: { total: number } };
    expect(report.verdict.ready).toBe(true);
    expect(report.counts.total).toBe(3);
  }, 120_000);

  test('five re-runs leave one comment, rewritten only when the result changes', async () => {
    const gh = await github();
    const ws = await workspace();
    for (let i = 0; i < 5; i++) expect((await run({ gh, ws })).code).toBe(0);

    expect(gh.comments(7)).toHaveLength(1);
    const commentWrites = writes(gh).filter((request) => request.path.includes('/issues/'));
    expect(commentWrites.map((request) => request.method)).toEqual(['POST']);
    expect(gh.checkRuns).toHaveLength(5);

    // HSTS disappears: the blocking item fails, the comment says what changed, the step fails.
    staging.hsts = false;
    const failing = await run({ gh, ws });
    expect(failing.code).toBe(1);
    const body = gh.comments(7)[0]?.body ?? '';
    expect(body).toContain('**Since the last run:** ❌ newly failing: HSTS for a year');
    expect(body).toContain('- [ ] HSTS for a year');
    expect(gh.checkRuns.at(-1)).toMatchObject({ conclusion: 'failure' });
    expect(gh.checkRuns.at(-1)?.output.title).toBe('Not ready: 1 blocking item failed (HSTS for a year) — header strict-transport-security: expected matching /max-age=31536000/, got nothing');
    expect(failing.outputs.ready).toBe('false');
    expect(failing.commands.some((command) => command.command === 'error' && command.message.startsWith('Not ready: 1 blocking item failed'))).toBe(true);

    staging.hsts = true;
    await run({ gh, ws });
    expect(gh.comments(7)[0]?.body).toContain('✅ fixed: HSTS for a year');
    expect(gh.comments(7)).toHaveLength(1);
  }, 240_000);

  test('a run for an older head SHA does not overwrite the comment of the newer one', async () => {
    const gh = await github({ pulls: [{ number: 7, headSha: 'b'.repeat(40) }] });
    const result = await run({ gh, ws: await workspace() });
    expect(result.code).toBe(0);
    expect(gh.comments(7)).toHaveLength(0);
    expect(result.stdout).toContain('PR #7: its head is now bbbbbbb; this run checked aaaaaaa');
    // The check still lands on the commit it checked.
    expect(gh.checkRuns[0]).toMatchObject({ head_sha: HEAD, conclusion: 'success' });
  }, 120_000);

  test('duplicates left by a race are cleaned up: the oldest is kept, the rest deleted; planted markers of others are ignored', async () => {
    const bot = { login: 'github-actions[bot]', type: 'Bot' as const };
    const human = { login: 'mallory', type: 'User' as const };
    const comment = (id: number, user: typeof bot | typeof human) => ({
      id,
      body: `${MARKER}\nold`,
      user,
      created_at: `2026-11-0${id}T00:00:00Z`,
      updated_at: `2026-11-0${id}T00:00:00Z`,
      html_url: `https://github.com/acme/travel/pull/7#issuecomment-${id}`,
    });
    const gh = await github({ comments: { 7: [comment(1, human), comment(2, bot), comment(3, bot)] } });
    await run({ gh, ws: await workspace() });
    const remaining = gh.comments(7);
    expect(remaining.map((c) => c.id)).toEqual([1, 2]);
    expect(remaining[0]?.body).toBe(`${MARKER}\nold`);
    expect(remaining[1]?.body).toContain('- [x] HSTS for a year');
  }, 120_000);

  test('comment: on-failure creates nothing while ready; comment: never writes no comment', async () => {
    const gh = await github();
    const ws = await workspace();
    await run({ gh, ws, inputs: { comment: 'on-failure' } });
    expect(gh.comments(7)).toHaveLength(0);
    staging.hsts = false;
    await run({ gh, ws, inputs: { comment: 'on-failure' } });
    expect(gh.comments(7)).toHaveLength(1);
    await run({ gh, ws, inputs: { comment: 'never' } });
    expect(gh.requests.filter((request) => request.path.includes('/issues/') && request.method !== 'GET')).toHaveLength(1);
  }, 120_000);

  test('fail-on: never keeps the step green while the check run still fails; any fails on advisory failures', async () => {
    staging.hsts = false;
    const gh = await github();
    const never = await run({ gh, ws: await workspace(), inputs: { 'fail-on': 'never', comment: 'never' } });
    expect(never.code).toBe(0);
    expect(gh.checkRuns.at(-1)?.conclusion).toBe('failure');

    const advisory = MANIFEST.replace('        id: hsts\n', '        id: hsts\n        severity: advisory\n');
    const any = await run({ gh, ws: await workspace(advisory), inputs: { 'fail-on': 'any', comment: 'never' } });
    expect(any.code).toBe(1);
    expect(gh.checkRuns.at(-1)?.conclusion).toBe('success');
  }, 120_000);
});

describe('other events', () => {
  test('push: a check run on the pushed SHA, no comment', async () => {
    const gh = await github();
    const result = await run({ gh, ws: await workspace(), eventName: 'push', event: { after: 'c'.repeat(40) }, sha: 'c'.repeat(40) });
    expect(result.code).toBe(0);
    expect(gh.checkRuns[0]).toMatchObject({ head_sha: 'c'.repeat(40), conclusion: 'success' });
    expect(gh.requests.some((request) => request.path.includes('/issues/'))).toBe(false);
  }, 120_000);

  test('merge_group: the check run goes on the merge group head', async () => {
    const gh = await github();
    await run({ gh, ws: await workspace(), eventName: 'merge_group', event: { merge_group: { head_sha: 'd'.repeat(40), base_sha: 'e'.repeat(40) } }, sha: 'f'.repeat(40) });
    expect(gh.checkRuns[0]).toMatchObject({ head_sha: 'd'.repeat(40) });
  }, 120_000);

  test('deployment_status success: the staging URL comes from the event, the comment goes to the open PRs of the SHA', async () => {
    const gh = await github();
    const event = {
      deployment_status: { state: 'success', environment_url: stagingServer.url, target_url: 'https://ci.example/logs' },
      deployment: { sha: HEAD, environment: 'preview' },
    };
    const result = await run({ gh, ws: await workspace(), eventName: 'deployment_status', event, sha: HEAD, inputs: { 'staging-url': '' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Staging: ${stagingServer.url}`);
    expect(gh.checkRuns[0]).toMatchObject({ head_sha: HEAD, conclusion: 'success' });
    expect(gh.comments(7)).toHaveLength(1);
  }, 120_000);

  test('deployment_status that did not succeed: nothing to check, nothing written', async () => {
    const gh = await github();
    const result = await run({ gh, ws: await workspace(), eventName: 'deployment_status', event: { deployment_status: { state: 'pending' }, deployment: { sha: HEAD } }, sha: HEAD });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to check: deployment_status is "pending"');
    expect(gh.requests).toHaveLength(0);
  }, 120_000);
});

describe('tokens that cannot write', () => {
  test('fork PR (read-only token): no writes, one warning pointing to the fork recipe, summary and outputs still written', async () => {
    const gh = await github({ readOnly: true });
    staging.hsts = false;
    const result = await run({ gh, ws: await workspace(), event: pullRequestEvent('someone/travel-fork') });
    expect(writes(gh)).toHaveLength(0);
    const warnings = result.commands.filter((command) => command.command === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('fork');
    expect(warnings[0]?.message).toContain('#fork-pull-requests');
    expect(result.summary).toContain('- [ ] HSTS for a year');
    expect(result.outputs.ready).toBe('false');
    // The verdict still decides the step result.
    expect(result.code).toBe(1);
  }, 120_000);

  test('a read-only token on a same-repo PR: writes are refused, one warning, no crash', async () => {
    const gh = await github({ readOnly: true });
    const result = await run({ gh, ws: await workspace() });
    expect(result.code).toBe(0);
    expect(result.commands.filter((command) => command.command === 'warning')).toHaveLength(1);
    expect(result.outputs.ready).toBe('true');
  }, 120_000);

  test('no checks: write: falls back to a commit status with the check name', async () => {
    const gh = await github({ checksForbidden: true });
    const result = await run({ gh, ws: await workspace() });
    expect(result.code).toBe(0);
    expect(gh.checkRuns).toHaveLength(0);
    expect(gh.statuses.map((status) => [status.sha, status.context, status.state])).toEqual([
      [HEAD, 'Production readiness', 'pending'],
      [HEAD, 'Production readiness', 'success'],
    ]);
    expect(result.stdout).toContain('reported as a commit status instead');
    expect(gh.comments(7)).toHaveLength(1);
  }, 120_000);
});

describe('GitHub API trouble', () => {
  test('a transient 502 and a rate limit are retried and the run succeeds', async () => {
    const gh = await github({
      faults: [
        { kind: 'status', status: 502, match: { method: 'POST', path: /check-runs$/ } },
        { kind: 'rate-limit', resetInSeconds: 1, match: { method: 'GET', path: /comments$/ } },
      ],
    });
    const result = await run({ gh, ws: await workspace() });
    expect(result.code).toBe(0);
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.checkRuns[0]?.conclusion).toBe('success');
    expect(gh.comments(7)).toHaveLength(1);
    expect(gh.requests.filter((request) => request.path !== '/user' && (request.status === 502 || request.status === 403))).toHaveLength(2);
    expect(result.stdout).toContain('GitHub API rate limit reached');
  }, 120_000);

  test('GitHub Enterprise Server: the API base URL comes from GITHUB_API_URL', async () => {
    const gh = await github({ pathPrefix: '/api/v3' });
    const result = await run({ gh, ws: await workspace() });
    expect(result.code).toBe(0);
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.requests.every((request) => request.path.startsWith('/api/v3/'))).toBe(true);
  }, 120_000);
});

describe('limits', () => {
  test('120 failing items: annotations on their manifest lines, at most 50 per request', async () => {
    const items = Array.from({ length: 120 }, (_, i) => `      - title: Item ${i}\n        severity: advisory\n        http: { request: GET /, expect: { status: 201 } }\n`).join('');
    const gh = await github();
    const result = await run({ gh, ws: await workspace(`version: 1\nsections:\n  - title: Many\n    items:\n${items}`), inputs: { comment: 'never' } });
    expect(result.code).toBe(0);
    const check = gh.checkRuns[0];
    expect(check?.annotations).toHaveLength(120);
    const batches = (check?.history ?? []).map((body) => ((body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length);
    expect(Math.max(...batches)).toBeLessThanOrEqual(50);
    expect(check?.annotations[0]).toMatchObject({ path: '.github/readiness.yml', start_line: 5, annotation_level: 'warning' });
    expect(check?.annotations[119]).toMatchObject({ start_line: 5 + 3 * 119 });
  }, 120_000);

  test('a huge report still fits in one comment and the check summary', async () => {
    const items = Array.from({ length: 300 }, (_, i) => `      - title: Page ${i} has no hidden text\n        http: { request: GET /huge/${i}, expect: { body: { notContains: "xxxx" } } }\n`).join('');
    const gh = await github();
    const result = await run({ gh, ws: await workspace(`version: 1\nsections:\n  - title: Pages\n    items:\n${items}`) });
    expect(result.code).toBe(1);
    const body = gh.comments(7)[0]?.body ?? '';
    expect(body.length).toBeGreaterThan(10_000);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).not.toContain('@octocat');
    expect(Buffer.byteLength(gh.checkRuns[0]?.output.summary ?? '')).toBeLessThanOrEqual(65_535);
  }, 120_000);
});

describe('the check always concludes', () => {
  test('an invalid manifest: a failed check run titled "Manifest invalid" with annotations at the errors', async () => {
    const gh = await github();
    const bad = `version: 1\nsections:\n  - title: A\n    items:\n      - title: x\n        http: { request: GET /, expect: { stauts: 200 } }\n`;
    const result = await run({ gh, ws: await workspace(bad) });
    expect(result.code).toBe(1);
    const check = gh.checkRuns[0];
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check?.output.title).toBe('Manifest invalid: 1 problem in .github/readiness.yml');
    expect(check?.annotations).toEqual([
      expect.objectContaining({ path: '.github/readiness.yml', start_line: 6, start_column: 43, annotation_level: 'failure', message: 'sections[0].items[0].http.expect.stauts: unknown key `stauts`; did you mean `status`?' }),
    ]);
    expect(result.commands).toContainEqual(expect.objectContaining({ command: 'error', properties: expect.objectContaining({ file: '.github/readiness.yml', line: '6', col: '43' }) }));
    expect(result.summary).toContain('.github/readiness.yml:6:43  sections[0].items[0].http.expect.stauts  unknown key `stauts`; did you mean `status`?');
    expect(result.outputs).toMatchObject({ ready: 'false', headline: 'Manifest invalid: 1 problem in .github/readiness.yml', report: '' });
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  }, 120_000);

  test('after a ready run, an invalid manifest or a run that cannot start replaces the comment; it never keeps saying Ready', async () => {
    const gh = await github();
    const ws = await workspace();
    await run({ gh, ws });
    expect(gh.comments(7)[0]?.body).toContain('✅ Ready');

    await writeFile(join(ws, '.github/readiness.yml'), `version: 1\nsections:\n  - title: A\n    items:\n      - title: x\n        http: { request: GET /, expect: { stauts: 200 } }\n`);
    const invalid = await run({ gh, ws });
    expect(invalid.code).toBe(1);
    expect(gh.comments(7)).toHaveLength(1);
    const body = gh.comments(7)[0]?.body ?? '';
    expect(body).toContain(MARKER);
    expect(body).not.toContain('✅ Ready');
    expect(body).toContain('❌ Manifest invalid: 1 problem in .github/readiness.yml');
    expect(body).toContain('did you mean `status`?');

    await rm(join(ws, '.github/readiness.yml'));
    await run({ gh, ws });
    expect(gh.comments(7)[0]?.body).toContain('❌ Cannot run: cannot read the manifest .github/readiness.yml');

    // The next real run takes the comment back.
    await writeFile(join(ws, '.github/readiness.yml'), MANIFEST);
    await run({ gh, ws });
    expect(gh.comments(7)[0]?.body).toContain('✅ Ready');
    expect(gh.comments(7)).toHaveLength(1);
  }, 240_000);

  test('staging down: a failed check titled with the reason', async () => {
    const gh = await github();
    const result = await run({ gh, ws: await workspace(), inputs: { 'staging-url': 'http://127.0.0.1:9' } });
    expect(result.code).toBe(1);
    expect(gh.checkRuns[0]?.conclusion).toBe('failure');
    expect(gh.checkRuns[0]?.output.title).toBe('Not ready: 2 blocking items could not be checked (HSTS for a year, Health check passed) — connection refused by 127.0.0.1:9');
  }, 120_000);

  test('an invalid input: a failed check that names the input and its allowed values', async () => {
    const gh = await github();
    const result = await run({ gh, ws: await workspace(), inputs: { comment: 'sometimes', 'fail-on': 'warnings' } });
    expect(result.code).toBe(1);
    expect(gh.checkRuns[0]).toMatchObject({ conclusion: 'failure' });
    expect(gh.checkRuns[0]?.output.title).toBe('Invalid input: input comment must be one of always, on-failure, never; got "sometimes"; input fail-on must be one of blocking, any, never; got "warnings"');
    expect(result.commands.filter((command) => command.command === 'error').map((command) => command.message)).toEqual([gh.checkRuns[0]?.output.title]);
  }, 120_000);

  test('no manifest: a failed check that says how to create one', async () => {
    const gh = await github();
    const ws = await workspace();
    await rm(join(ws, '.github/readiness.yml'));
    const result = await run({ gh, ws });
    expect(result.code).toBe(1);
    expect(gh.checkRuns[0]?.output.title).toContain('cannot read the manifest .github/readiness.yml');
    expect(result.summary).toContain('Nothing was checked.');
    expect(result.outputs.ready).toBe('false');
  }, 120_000);
});

describe('fork pull requests: the two-stage recipe', () => {
  test('stage 1 (pull_request, read-only) writes the report and the PR number; stage 2 (workflow_run) publishes them', async () => {
    const stage1 = await github({ readOnly: true });
    const ws = await workspace();
    const first = await run({ gh: stage1, ws, event: pullRequestEvent('someone/travel-fork') });
    expect(first.code).toBe(0);
    expect(JSON.parse(await readFile(join(ws, 'readiness-report/context.json'), 'utf8'))).toEqual({ sha: HEAD, pullRequest: 7 });

    const stage2 = await github();
    const event = { workflow_run: { id: 99, head_sha: HEAD, event: 'pull_request', pull_requests: [] } };
    const second = await run({ gh: stage2, ws, eventName: 'workflow_run', event, sha: 'e'.repeat(40), inputs: { report: 'readiness-report', 'staging-url': '' } });
    expect(second.code).toBe(0);
    expect(stage2.checkRuns[0]).toMatchObject({ head_sha: HEAD, conclusion: 'success' });
    expect(stage2.comments(7)).toHaveLength(1);
    expect(stage2.comments(7)[0]?.body).toContain('- [x] HSTS for a year');
  }, 120_000);
});

describe('the CI self-test: the demo manifest against the demo staging server', () => {
  test('ready, with the one advisory failure; a private CA trusted through NODE_EXTRA_CA_CERTS', async () => {
    const demo = await startDemoStaging({ password: 'smoke-password' });
    try {
      const ws = await workspace(await readFile('examples/readiness.yml', 'utf8'));
      await writeFile(join(ws, 'demo-ca.pem'), demo.caCert);
      const gh = await github();
      const result = await runActionProcess({
        eventName: 'pull_request',
        event: pullRequestEvent(),
        workspace: ws,
        apiUrl: gh.url,
        sha: MERGE,
        inputs: { 'github-token': 'ghs_test_token', 'staging-url': demo.url, 'check-name': 'Production readiness (self-test)' },
        env: { NODE_EXTRA_CA_CERTS: join(ws, 'demo-ca.pem'), SMOKE_PASSWORD: 'smoke-password', DEMO_HTTP_URL: demo.httpUrl },
        timeoutMs: 90_000,
      });
      expect(result.outputs).toMatchObject({ ready: 'true', failed: '1', errored: '0' });
      expect(result.code).toBe(0);
      expect(gh.checkRuns[0]).toMatchObject({ name: 'Production readiness (self-test)', conclusion: 'success' });
      expect(gh.checkRuns[0]?.annotations).toEqual([expect.objectContaining({ annotation_level: 'warning', title: 'Failed: Content-Security-Policy header set' })]);
      // The smoke password was masked in the log and never reached the comment.
      expect(result.stdout).toContain('::add-mask::smoke-password');
      expect(gh.comments(7)[0]?.body).not.toContain('smoke-password');
    } finally {
      await demo.close();
    }
  }, 120_000);
});

