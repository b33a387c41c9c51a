// The bundled CLI (dist/cli.js, node-postgres inside) runs sql and postgres/ items against a
// real PostgreSQL: a failure and a pass, a skip for the missing Prometheus variable, exit 1,
// and the database password nowhere in any report format.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allItems, type Report } from '../../src/report/model.ts';
import { postgresMissing, ROLES, seedSkyway, startPostgres, type RunningPostgres } from '../../test-support/postgres.ts';
import { runProcess, type ProcessOutput } from '../../test-support/run-process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const missing = postgresMissing();
if (missing) console.warn(`skipping CLI data-check tests: ${missing}`);

function runCli(args: string[], env: Record<string, string>): Promise<ProcessOutput> {
  return runProcess(process.execPath, [join(root, 'dist/cli.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
}

(missing ? describe.skip : describe)('readiness-gate run with sql items (bundled)', () => {
  let pg: RunningPostgres;
  let dir: string;

  beforeAll(async () => {
    pg = await startPostgres();
    await seedSkyway(pg);
    dir = await mkdtemp(join(tmpdir(), 'rg-data-cli-'));
    await writeFile(
      join(dir, 'readiness.yml'),
      `version: 1
defaults:
  sql: { url: "{{ secrets.STAGING_DATABASE_URL }}" }
  metrics: { url: "{{ env.PROMETHEUS_URL }}" }
sections:
  - title: Data
    items:
      - title: Test data removed
        sql: { query: "select count(*) as n from auth_user where username like 'test%'", expect: { json: { "$[0].n": 0 } } }
      - { title: Database user with limited permissions, uses: postgres/least-privilege }
      - { title: Uptime monitoring, uses: prometheus/target-up, with: { job: django } }
`,
    );
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('fails, passes and skips with the reasons; the password never appears', async () => {
    const url = pg.url(ROLES.app.user, ROLES.app.password, 'skyway', 'sslmode=require');
    const result = await runCli(['run', '--manifest', join(dir, 'readiness.yml'), '--format', 'json', '--out', join(dir, 'out')], { STAGING_DATABASE_URL: url });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(allItems(report).map(({ title, outcome, summary }) => ({ title, outcome, summary }))).toEqual([
      { title: 'Test data removed', outcome: 'fail', summary: '$[0].n: expected 0, got 2' },
      { title: 'Database user with limited permissions', outcome: 'pass', summary: expect.stringMatching(/^skyway_app: not a superuser/) },
      { title: 'Uptime monitoring', outcome: 'skip', summary: 'no Prometheus URL to read: environment variable PROMETHEUS_URL is not set' },
    ]);
    const written = await Promise.all(['report.json', 'report.md', 'junit.xml'].map((name) => readFile(join(dir, 'out', name), 'utf8')));
    for (const text of [result.stdout, result.stderr, ...written]) expect(text).not.toContain(ROLES.app.password);
  }, 60_000);
});
