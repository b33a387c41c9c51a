// The whole pipeline against real local servers: waiting for staging, the served
// version, retries against a flaky server, and what makes a run unusable.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReadiness, type RunInput } from '../src/pipeline.ts';
import { allItems, type ItemReport, type Report } from '../src/report/model.ts';
import { createCa, localhostCert } from '../test-support/certs.ts';
import { startServer, type RunningServer } from '../test-support/servers.ts';

let staging: RunningServer;
let secure: RunningServer;
let workspace: string;
const state = { healthCalls: 0, readyAfter: 0, version: 'abc1234', flakyCalls: 0 };

beforeAll(async () => {
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.url === '/health/') {
      state.healthCalls++;
      res.statusCode = state.healthCalls > state.readyAfter ? 200 : 503;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', commit: state.version }));
      return;
    }
    if (req.url === '/flaky') {
      // Every second request fails, as a deploy in progress does.
      state.flakyCalls++;
      res.statusCode = state.flakyCalls % 2 === 1 ? 503 : 200;
      res.end();
      return;
    }
    res.end(`<h1>Skyway</h1> key=${String(req.headers['x-staging-key'])}`);
  };
  staging = await startServer(handler);
  const ca = await createCa();
  secure = await startServer(handler, { tls: await localhostCert(ca) });
  workspace = await mkdtemp(join(tmpdir(), 'readiness-pipeline-'));
  await writeFile(join(workspace, 'staging-ca.pem'), ca.cert);
  await writeFile(join(workspace, 'RUNBOOK.md'), '# Escalation\n');
});

afterAll(async () => {
  await staging.close();
  await secure.close();
  await rm(workspace, { recursive: true, force: true });
});

const ITEMS = `
sections:
  - title: Checks
    items:
      - title: Home
        http: { request: GET /, expect: { body: { contains: Skyway } } }
      - title: Runbook
        file: { path: RUNBOOK.md, contains: Escalation }
      - title: Sign-off
        manual: { owner: ops }
`;

async function run(manifest: string, extra: Partial<RunInput> = {}): Promise<Report> {
  const outcome = await runReadiness({ manifestText: manifest, manifestFile: 'readiness.yml', url: staging.url, env: {}, git: { sha: 'abc1234def5678' }, workspace, ...extra });
  if (outcome.status !== 'done') throw new Error(`expected a report, got ${JSON.stringify(outcome)}`);
  return outcome.report;
}

const byTitle = (report: Report, title: string): ItemReport => allItems(report).find((item) => item.title === title) as ItemReport;

describe('waiting for staging', () => {
  test('target.ready polls until the deployment answers, then runs the checks', async () => {
    state.healthCalls = 0;
    state.readyAfter = 2;
    const waits: string[] = [];
    const outcome = await runReadiness({
      manifestText: `version: 1\ntarget: { ready: { request: GET /health/, interval: 50ms, timeout: 5s } }${ITEMS}`,
      manifestFile: 'readiness.yml',
      url: staging.url,
      env: {},
      git: {},
      workspace,
      onWaiting: (attempt, problem) => waits.push(`${attempt}: ${problem}`),
    });
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(state.healthCalls).toBe(3);
    expect(waits).toEqual([`1: GET ${staging.url}/health/ → status: expected < 400, got 503`, `2: GET ${staging.url}/health/ → status: expected < 400, got 503`]);
    expect(outcome.report.verdict.ready).toBe(true);
  });

  test('staging never ready: every item that needs staging is an error with that one reason, said once', async () => {
    state.healthCalls = 0;
    state.readyAfter = 1000;
    const report = await run(`version: 1\ntarget: { ready: { request: GET /health/, expect: { status: 200 }, interval: 50ms, timeout: 300ms } }${ITEMS}`);
    expect(report.notices).toHaveLength(1);
    expect(report.notices[0]).toMatch(/^staging not ready after \d+ms \(\d+ tries\): GET http:\/\/127\.0\.0\.1:\d+\/health\/ → status: expected 200, got 503$/);
    expect(byTitle(report, 'Home')).toMatchObject({ outcome: 'error', summary: report.notices[0] });
    // Items that do not need staging still run.
    expect(byTitle(report, 'Runbook').outcome).toBe('pass');
    expect(byTitle(report, 'Sign-off').outcome).toBe('pending');
    expect(report.verdict.headline).toBe(`Not ready: 1 blocking item could not be checked (Home) — ${report.notices[0]}`);
  });

  test('target.version: a deployment serving another commit is not certified; the same commit (short SHA) is', async () => {
    state.readyAfter = 0;
    const manifest = `version: 1\ntarget: { version: { request: GET /health/, json: $.commit, equals: "{{ git.sha }}" } }${ITEMS}`;
    state.version = 'fff0000';
    const stale = await run(manifest);
    expect(stale.notices).toEqual(['staging serves version fff0000, not the one under test (abc1234def5678); it may still be deploying']);
    expect(byTitle(stale, 'Home').outcome).toBe('error');
    state.version = 'abc1234';
    const current = await run(manifest);
    expect(current.notices).toEqual([]);
    expect(byTitle(current, 'Home').outcome).toBe('pass');
  });
});

describe('retries and outcomes', () => {
  test('a check against a flaky server passes only after a retry: flaky, with the first failure noted', async () => {
    state.flakyCalls = 0;
    const report = await run(`version: 1\ndefaults: { retry: { attempts: 3, backoff: 10ms } }\nsections:\n  - title: A\n    items:\n      - title: Flaky\n        http: { request: GET /flaky, expect: { status: 200 } }\n`);
    const item = byTitle(report, 'Flaky');
    expect(item).toMatchObject({ outcome: 'flaky', attempts: 2, summary: 'passed on attempt 2 of 3 (attempt 1: status: expected 200, got 503)' });
    expect(report.counts.flaky).toBe(1);
    expect(report.verdict.ready).toBe(true);
  });

  test('a required manual item keeps the verdict from ready while it is pending', async () => {
    const report = await run(`version: 1\nsections:\n  - title: A\n    items:\n      - title: Rollback plan approved\n        manual: { owner: release manager, required: true }\n`);
    expect(report.verdict).toMatchObject({ ready: false, blocking: ['rollback-plan-approved'] });
    expect(report.verdict.headline).toBe('Not ready: 1 required sign-off pending (Rollback plan approved) — awaiting sign-off by release manager');
  });

  test('commands that may not run are skipped with the reason', async () => {
    const report = await run(`version: 1\nsections:\n  - title: A\n    items:\n      - title: Deploy checks\n        command: { run: "echo hi" }\n`, {
      commandsAllowed: { allowed: false, reason: 'pull_request_target with a fork PR' },
    });
    expect(byTitle(report, 'Deploy checks')).toMatchObject({ outcome: 'skip', summary: expect.stringContaining('pull_request_target with a fork PR') });
  });
});

describe('target settings', () => {
  test('target.headers are filled from secrets and reach the target; a missing secret makes the run unusable', async () => {
    const manifest = `version: 1\ntarget: { headers: { X-Staging-Key: "{{ secrets.STAGING_KEY }}" } }\nsections:\n  - title: A\n    items:\n      - title: Key\n        http: { request: GET /, expect: { body: { contains: "key={{ secrets.STAGING_KEY }}" } } }\n`;
    const report = await run(manifest, { env: { STAGING_KEY: 's3cr3t-key' } });
    expect(byTitle(report, 'Key').outcome).toBe('pass');
    // The secret reached the server but never the report.
    expect(JSON.stringify(report)).not.toContain('s3cr3t-key');
    const missing = await runReadiness({ manifestText: manifest, manifestFile: 'readiness.yml', url: staging.url, env: {}, git: {}, workspace });
    expect(missing).toEqual({ status: 'unusable', message: 'target.headers.X-Staging-Key: secret STAGING_KEY is not set (pass it to the step as env STAGING_KEY)' });
  });

  test('target.ca: a private CA file in the repository is trusted; a missing one is said plainly', async () => {
    const manifest = (ca: string) => `version: 1\ntarget: { ca: ${ca} }\nsections:\n  - title: A\n    items:\n      - title: Home\n        http: { request: GET / }\n`;
    const url = secure.url.replace('127.0.0.1', 'localhost');
    expect(byTitle(await run(manifest('staging-ca.pem'), { url }), 'Home').outcome).toBe('pass');
    const missing = await runReadiness({ manifestText: manifest('nope.pem'), manifestFile: 'readiness.yml', url, env: {}, git: {}, workspace });
    expect(missing).toEqual({ status: 'unusable', message: `target.ca: cannot read ${join(workspace, 'nope.pem')}; give a PEM file of the CA that signed the staging certificate` });
    // Node ignores what it cannot parse: without this, a damaged file would only show as an unverified chain.
    await writeFile(join(workspace, 'damaged-ca.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    await writeFile(join(workspace, 'key-only.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const damaged = await runReadiness({ manifestText: manifest('damaged-ca.pem'), manifestFile: 'readiness.yml', url, env: {}, git: {}, workspace });
    expect(damaged).toEqual({ status: 'unusable', message: `target.ca: ${join(workspace, 'damaged-ca.pem')} holds a certificate that does not parse; give a PEM file of the CA that signed the staging certificate` });
    const keyOnly = await runReadiness({ manifestText: manifest('key-only.pem'), manifestFile: 'readiness.yml', url, env: {}, git: {}, workspace });
    expect(keyOnly).toEqual({ status: 'unusable', message: `target.ca: ${join(workspace, 'key-only.pem')} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give a PEM file of the CA that signed the staging certificate` });
  });

  test('a staging URL that is not a URL is a usage error', async () => {
    const outcome = await runReadiness({ manifestText: `version: 1${ITEMS}`, manifestFile: 'readiness.yml', url: 'staging.example.com', env: {}, git: {}, workspace });
    expect(outcome).toEqual({ status: 'unusable', message: 'staging URL "staging.example.com" is not a URL; write it with its scheme, e.g. https://staging.example.com' });
  });
});
