// postgres/* built-ins against a real PostgreSQL 15: for each, a setup that passes, one
// that fails with the fix in the summary, and what cannot tell (a view the role may not
// read, nothing to judge, no answer) ending in skip or error, never in pass.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runBuiltinCheck } from '../../../src/checks/builtin/index.ts';
import type { CheckResult } from '../../../src/checks/result.ts';
import { HttpClient } from '../../../src/http/client.ts';
import type { BuiltinName } from '../../../src/manifest/builtins.ts';
import { checkContext } from '../../../test-support/check-context.ts';
import { postgresMissing, ROLES, seedSkyway, setArchiveCommand, startPostgres, type RunningPostgres } from '../../../test-support/postgres.ts';

const missing = postgresMissing();
if (missing) console.warn(`skipping postgres built-in tests: ${missing}`);

(missing ? describe.skip : describe)('postgres/* built-ins (PostgreSQL 15)', () => {
  let pg: RunningPostgres;
  let http: HttpClient;

  beforeAll(async () => {
    pg = await startPostgres();
    await seedSkyway(pg);
    http = new HttpClient({ perHost: 2 });
  }, 60_000);
  afterAll(async () => {
    await http?.close();
    await pg?.stop();
  });

  const urlOf = (role: { user: string; password: string }, database = 'skyway', query = 'sslmode=require') => pg.url(role.user, role.password, database, query);
  const app = () => urlOf(ROLES.app);
  const run = (name: BuiltinName, params: Record<string, unknown>, env: Record<string, string> = {}): Promise<CheckResult> =>
    runBuiltinCheck(name, params, checkContext({ http, env, requestTimeoutMs: 5000 }));
  const superuser = () => ({ user: 'postgres', password: pg.superPassword });

  async function waitFor(sql: string, expected: string): Promise<void> {
    for (let tries = 0; tries < 60; tries += 1) {
      if ((await pg.psql(sql)) === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${sql} never returned ${expected}`);
  }

  test('without the URL secret every postgres/ built-in is a skip naming it', async () => {
    for (const name of ['postgres/ssl', 'postgres/least-privilege', 'postgres/slow-query-log', 'postgres/statistics', 'postgres/foreign-keys', 'postgres/backups'] as const) {
      const result = await run(name, { url: '{{ secrets.STAGING_DATABASE_URL }}' });
      expect({ name, outcome: result.outcome, summary: result.summary }).toEqual({ name, outcome: 'skip', summary: expect.stringContaining('secret STAGING_DATABASE_URL is not set') });
    }
  });

  test('no answer from the database is an error, not a verdict', async () => {
    const result = await run('postgres/least-privilege', { url: 'postgres://app:pw-12345@127.0.0.1:1/skyway' });
    expect(result).toMatchObject({ outcome: 'error', summary: 'cannot connect to 127.0.0.1:1: connection refused', retryable: true });
  });

  test('postgres/least-privilege: the app role passes; CREATEROLE/CREATEDB and a superuser fail', async () => {
    const ok = await run('postgres/least-privilege', { url: app() });
    expect(ok).toMatchObject({ outcome: 'pass', summary: 'skyway_app: not a superuser, no CREATEROLE/CREATEDB/REPLICATION/BYPASSRLS; owns objects only in skyway' });
    const powerful = await run('postgres/least-privilege', { url: urlOf(ROLES.powerful) });
    expect(powerful).toMatchObject({ outcome: 'fail', summary: 'skyway_admin can create roles (CREATEROLE); ALTER ROLE skyway_admin NOCREATEROLE (+1 more)' });
    const root = await run('postgres/least-privilege', { url: urlOf(superuser()) });
    expect(root.outcome).toBe('fail');
    expect(root.summary).toMatch(/^postgres is a superuser; connect Django with a role created without SUPERUSER/);
    const narrow = await run('postgres/least-privilege', { url: app(), schemas: ['public'] });
    expect(narrow).toMatchObject({ outcome: 'fail', summary: expect.stringContaining('owns objects in schemas it should not (skyway)') });
    expect(JSON.stringify([ok, powerful, root])).not.toMatch(new RegExp(`${ROLES.app.password}|${ROLES.powerful.password}|${pg.superPassword}`));
  });

  test('postgres/slow-query-log: off fails, a bound above max fails, 500ms passes', async () => {
    expect(await run('postgres/slow-query-log', { url: app() })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^slow queries are not logged \(log_min_duration_statement = -1\); set log_min_duration_statement = 1s/) });
    await pg.psql('alter database skyway set log_min_duration_statement = 5000');
    expect(await run('postgres/slow-query-log', { url: app() })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^only queries slower than 5s are logged/) });
    await pg.psql('alter database skyway set log_min_duration_statement = 500');
    expect(await run('postgres/slow-query-log', { url: app() })).toMatchObject({ outcome: 'pass', summary: 'queries slower than 500ms are logged (≤ 1s)' });
    expect(await run('postgres/slow-query-log', { url: app(), max: '100ms' })).toMatchObject({ outcome: 'fail' });
  });

  test('postgres/statistics: never analyzed fails, ANALYZE passes, no tables cannot tell', async () => {
    const before = await run('postgres/statistics', { url: app() });
    expect(before).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^skyway\.auth_user was never analyzed; run ANALYZE .* \(\+2 more\)$/) });
    await pg.psql('analyze', 'skyway');
    expect(await run('postgres/statistics', { url: app() })).toMatchObject({ outcome: 'pass', summary: '3 tables analyzed within 7 days' });
    expect(await run('postgres/statistics', { url: urlOf(ROLES.app, 'postgres') })).toMatchObject({ outcome: 'skip', summary: expect.stringMatching(/^cannot tell: no user tables/) });
  });

  test('postgres/foreign-keys: NOT VALID fails, validated passes with the unindexed key listed', async () => {
    const before = await run('postgres/foreign-keys', { url: app() });
    expect(before).toMatchObject({
      outcome: 'fail',
      summary: 'payment: payment_booking_fk is NOT VALID (existing rows were never checked); ALTER TABLE payment VALIDATE CONSTRAINT payment_booking_fk',
    });
    await pg.psql('alter table skyway.payment validate constraint payment_booking_fk', 'skyway');
    const after = await run('postgres/foreign-keys', { url: app() });
    expect(after).toMatchObject({ outcome: 'pass', summary: '2 foreign keys validated; 1 without an index' });
    expect(after.evidence.notes).toEqual(['payment: payment_booking_fk → booking has no index on its columns (deletes on booking scan payment)']);
    expect(await run('postgres/foreign-keys', { url: app(), requireIndexes: true })).toMatchObject({ outcome: 'fail', summary: expect.stringContaining('has no index') });
    expect(await run('postgres/foreign-keys', { url: urlOf(ROLES.app, 'postgres') })).toMatchObject({ outcome: 'skip', summary: expect.stringMatching(/^cannot tell: no foreign keys/) });
  });

  test('postgres/backups: nothing archived fails, an archived segment passes, a failing archiver fails, an unreadable view skips', async () => {
    expect(await run('postgres/backups', { url: app() })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^no WAL segment has been archived yet \(archive_mode = on\)/) });
    await pg.psql('create table wal_filler as select generate_series(1, 1000) as n; select pg_switch_wal()');
    await waitFor('select archived_count > 0 from pg_stat_archiver', 't');
    expect(await run('postgres/backups', { url: app() })).toMatchObject({ outcome: 'pass', summary: expect.stringMatching(/^WAL archived within the hour \(1 segments?, last [0-9A-F]{24}\)$/) });

    await setArchiveCommand(pg, 'false');
    await pg.psql('insert into wal_filler select generate_series(1, 1000); select pg_switch_wal()');
    await waitFor('select failed_count > 0 from pg_stat_archiver', 't');
    expect(await run('postgres/backups', { url: app() })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^the last archive attempt failed \([0-9A-F]{24}, \d+ failures\); check archive_command/) });

    await pg.psql('revoke select on pg_catalog.pg_stat_archiver from public', 'skyway');
    const hidden = await run('postgres/backups', { url: app() });
    expect(hidden).toMatchObject({ outcome: 'skip', summary: 'cannot tell: skyway_app may not read pg_stat_archiver; grant pg_monitor to it (or run this check with a monitoring role\'s URL)' });
  }, 40_000);

  test('postgres/ssl: TLS-only passes; plaintext accepted, TLS off, and sslmode=disable fail; really tries plaintext', async () => {
    expect(await run('postgres/ssl', { url: app() })).toMatchObject({ outcome: 'pass', summary: expect.stringMatching(/^encrypted \(TLSv1\.3, [A-Z0-9_]+\); a plaintext connection is refused$/) });
    const verified = await run('postgres/ssl', { url: urlOf(ROLES.app, 'skyway', `sslmode=verify-full&sslrootcert=${pg.caFile}`) });
    expect(verified).toMatchObject({ outcome: 'pass' });
    expect(verified.evidence.notes).toBeUndefined();
    expect(await run('postgres/ssl', { url: urlOf(ROLES.app, 'skyway', 'sslmode=disable') })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^the database URL sets sslmode=disable/) });

    await pg.setSsl('optional');
    const plaintext = await run('postgres/ssl', { url: app() });
    expect(plaintext).toMatchObject({ outcome: 'fail', summary: 'the server accepted a plaintext connection (sslmode=disable) for skyway_app; allow only hostssl lines in pg_hba.conf (and hostnossl … reject)' });
    expect(plaintext.evidence.steps?.map((step) => step.name)).toEqual(['this connection', 'connect with sslmode=disable']);

    await pg.setSsl('off');
    expect(await run('postgres/ssl', { url: app() })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/does not offer TLS \(sslmode=require needs it\); set ssl = on/) });
    // libpq's default (prefer) falls back to plaintext: connected, but not encrypted.
    expect(await run('postgres/ssl', { url: urlOf(ROLES.app, 'skyway', '') })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^this connection is not encrypted/) });
    await pg.setSsl('required');
  });
});
