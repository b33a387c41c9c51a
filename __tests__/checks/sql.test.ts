// The `sql` check against a real PostgreSQL 15: rows and JSONPath judged like http, every
// query read-only and rolled back, timeouts and connection/TLS problems as errors, the
// URL's password nowhere in the result, and a missing URL secret a skip.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { IdleSessions } from '../../src/checks/idle-sessions.ts';
import { runSqlCheck } from '../../src/checks/sql.ts';
import type { CheckResult } from '../../src/checks/result.ts';
import { HttpClient } from '../../src/http/client.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { buildPlan } from '../../src/plan/plan.ts';
import { Redactor } from '../../src/util/redact.ts';
import { checkContext } from '../../test-support/check-context.ts';
import { PG_BIN, postgresMissing, ROLES, seedSkyway, startPostgres, type RunningPostgres } from '../../test-support/postgres.ts';

const missing = postgresMissing();
if (missing) console.warn(`skipping sql check tests: ${missing}`);

(missing ? describe.skip : describe)('sql check (PostgreSQL 15)', () => {
  let pg: RunningPostgres;
  let http: HttpClient;
  let appUrl: string;

  beforeAll(async () => {
    pg = await startPostgres();
    await seedSkyway(pg);
    http = new HttpClient({ perHost: 2 });
    appUrl = pg.url(ROLES.app.user, ROLES.app.password, 'skyway', 'sslmode=require');
  }, 60_000);
  afterAll(async () => {
    await http?.close();
    await pg?.stop();
  });

  const context = (env: Record<string, string> = {}) => checkContext({ http, env: { DB: appUrl, ...env }, requestTimeoutMs: 5000 });

  test('rows and JSONPath over them, with the predicates of http', async () => {
    const clean = await runSqlCheck(
      { url: '{{ secrets.DB }}', query: "select count(*) as n from auth_user where username like 'zz%'", expect: { rows: 1, json: { '$[0].n': 0 } } },
      context(),
    );
    expect(clean).toMatchObject({ outcome: 'pass', summary: '1 row as expected', evidence: { facts: { rows: 1, encrypted: true } } });

    const dirty = await runSqlCheck({ url: '{{ secrets.DB }}', query: "select count(*) as n from auth_user where username like 'test%'", expect: { json: { '$[0].n': 0 } } }, context());
    expect(dirty).toMatchObject({ outcome: 'fail', summary: '$[0].n: expected 0, got 2' });

    const names = await runSqlCheck({ url: '{{ secrets.DB }}', query: 'select username from auth_user order by id', expect: { rows: { gte: 4 }, json: { '$[*].username': { contains: 'alice' } } } }, context());
    expect(names.outcome).toBe('pass');
    expect(names.evidence.output).toContain('{"username":"alice"}');
  });

  test('an empty result is an error unless rows were expected', async () => {
    const query = "select id from auth_user where username = 'nobody'";
    expect(await runSqlCheck({ url: '{{ secrets.DB }}', query }, context())).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^the query returned no rows/) });
    expect(await runSqlCheck({ url: '{{ secrets.DB }}', query, expect: { rows: 0 } }, context())).toMatchObject({ outcome: 'pass' });
  });

  test('runs read-only: a write, and a second statement that would commit first, are refused', async () => {
    const write = await runSqlCheck({ url: '{{ secrets.DB }}', query: "delete from auth_user where username like 'test%'", expect: { rows: 0 } }, context());
    expect(write).toMatchObject({ outcome: 'error', summary: expect.stringContaining('read-only') });
    const escape = await runSqlCheck({ url: '{{ secrets.DB }}', query: "select 1; commit; delete from auth_user where username like 'test%'", expect: { rows: 0 } }, context());
    expect(escape.outcome).toBe('error');
    expect(escape.summary).toContain('multiple commands');
    expect(await pg.psql('select count(*) from skyway.auth_user', 'skyway')).toBe('4');
  });

  test('a query past the statement timeout is an error that says so', async () => {
    const result = await runSqlCheck({ url: '{{ secrets.DB }}', query: 'select pg_sleep(10)', timeout: '300ms' }, context());
    expect(result).toMatchObject({ outcome: 'error', summary: expect.stringContaining('statement timeout') });
  });

  test('connection and TLS problems are errors with the reason', async () => {
    const closed = await runSqlCheck({ url: `postgres://u:p@127.0.0.1:1/db`, query: 'select 1' }, context());
    expect(closed).toMatchObject({ outcome: 'error', summary: 'cannot connect to 127.0.0.1:1: connection refused', retryable: true });

    // verify-full without the private CA: the chain is not trusted.
    const untrusted = await runSqlCheck({ url: pg.url(ROLES.app.user, ROLES.app.password, 'skyway', 'sslmode=verify-full'), query: 'select 1' }, context());
    expect(untrusted).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^TLS to 127\.0\.0\.1:\d+ failed: .*untrusted CA.*; for a private CA add sslrootcert=<CA file> to the URL$/) });

    const verified = await runSqlCheck({ url: pg.url(ROLES.app.user, ROLES.app.password, 'skyway', `sslmode=verify-full&sslrootcert=${pg.caFile}`), query: 'select 1 as one' }, context());
    expect(verified).toMatchObject({ outcome: 'pass', evidence: { facts: { encrypted: true } } });

    const wrong = await runSqlCheck({ url: pg.url(ROLES.app.user, 'not-the-password', 'skyway'), query: 'select 1' }, context());
    expect(wrong).toMatchObject({ outcome: 'error', summary: expect.stringContaining(`refused the login of ${ROLES.app.user}`) });
    expect(JSON.stringify(wrong)).not.toContain('not-the-password');
  });

  test("the URL's password never appears in a result, even when a row holds it", async () => {
    const redactor = new Redactor();
    const ctx = checkContext({ http, env: {}, redactor });
    const url = pg.url(ROLES.app.user, ROLES.app.password, 'skyway');
    const result = await runSqlCheck({ url, query: `select '${ROLES.app.password}' as leaked, 1 as n`, expect: { json: { '$[0].leaked': 'x' } } }, ctx);
    expect(result.outcome).toBe('fail');
    const text = JSON.stringify(result);
    expect(text).not.toContain(ROLES.app.password);
    expect(text).toContain('[redacted]');
    expect(redactor.values).toContain(ROLES.app.password);
  });

  describe("the run's sessions", () => {
    /** The evidence shows one JSON object per row. */
    const pidIn = (result: CheckResult) => (JSON.parse((result.evidence.output as string).split('\n')[0] as string) as { pid: number }).pid;
    const pidOf = async (sessions: IdleSessions, options: { timeout?: string; signal?: AbortSignal } = {}) => {
      const ctx = { ...checkContext({ http, env: { DB: appUrl }, requestTimeoutMs: 5000, ...(options.signal ? { signal: options.signal } : {}) }), databaseSessions: sessions };
      const result = await runSqlCheck({ url: '{{ secrets.DB }}', query: 'select pg_backend_pid() as pid', ...(options.timeout ? { timeout: options.timeout } : {}) }, ctx);
      expect(result.outcome).toBe('pass');
      return pidIn(result);
    };
    const ours = async () => Number(await pg.psql("select count(*) from pg_stat_activity where application_name = 'readiness-gate'"));
    /** The server notices a closed session a moment after the client closed it. */
    const untilOurs = async (count: number) => {
      for (let attempt = 0; attempt < 50 && (await ours()) !== count; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
      return ours();
    };

    test('a query after another to the same database uses its session; the run closes it at the end', async () => {
      const sessions = new IdleSessions();
      const first = await pidOf(sessions);
      expect(await pidOf(sessions)).toBe(first);
      expect(await pidOf(sessions, { timeout: '2s' })).toBe(first);
      // Another database URL (here: another sslmode) is another session.
      const other = await runSqlCheck({ url: pg.url(ROLES.app.user, ROLES.app.password, 'skyway', `sslmode=verify-full&sslrootcert=${pg.caFile}`), query: 'select pg_backend_pid() as pid' }, { ...context(), databaseSessions: sessions });
      expect(pidIn(other)).not.toBe(first);
      expect(await untilOurs(2)).toBe(2);
      await sessions.close();
      expect(await untilOurs(0)).toBe(0);
    });

    test('queries at the same time each get a session: none waits for another', async () => {
      const sessions = new IdleSessions();
      const ctx = { ...context(), databaseSessions: sessions };
      const [a, b] = await Promise.all(
        [1, 2].map((n) => runSqlCheck({ url: '{{ secrets.DB }}', query: `select pg_backend_pid() as pid, pg_sleep(0.2)::text as slept, ${n} as n` }, ctx)),
      );
      const pids = [a, b].map((result) => pidIn(result as CheckResult));
      expect(new Set(pids).size).toBe(2);
      // Both are kept, and used again.
      expect(pids).toContain(await pidOf(sessions));
      await sessions.close();
    });

    test('nothing a statement does to its session reaches the next query on it, and it stays read-only', async () => {
      const sessions = new IdleSessions();
      const ctx = { ...context(), databaseSessions: sessions };
      const query = (sql: string, expect: Record<string, unknown> = { rows: { gte: 0 } }) => runSqlCheck({ url: '{{ secrets.DB }}', query: sql, expect }, ctx);
      const pid = await pidOf(sessions);
      // A session-level advisory lock, a prepared statement and settings outlive a rollback
      // unless the session is reset.
      expect((await query('select pg_advisory_lock(42)')).outcome).toBe('pass');
      expect((await query('prepare leftover as select 1')).outcome).toBe('pass');
      expect((await query("select set_config('default_transaction_read_only', 'off', false)")).outcome).toBe('pass');
      expect((await query("select set_config('statement_timeout', '0', false)")).outcome).toBe('pass');
      expect(await pidOf(sessions)).toBe(pid);
      const state = await query(
        "select (select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as locks, (select count(*) from pg_prepared_statements) as prepared, current_setting('default_transaction_read_only') as read_only",
        { json: { '$[0].locks': 0, '$[0].prepared': 0, '$[0].read_only': 'on' } },
      );
      expect(state).toMatchObject({ outcome: 'pass' });
      const write = await query("delete from auth_user where username like 'test%'", { rows: 0 });
      expect(write).toMatchObject({ outcome: 'error', summary: expect.stringContaining('read-only') });
      expect(await pg.psql('select count(*) from skyway.auth_user', 'skyway')).toBe('4');
      // Each query keeps its own statement timeout on a shared session.
      const slow = await runSqlCheck({ url: '{{ secrets.DB }}', query: 'select pg_sleep(10)', timeout: '300ms' }, ctx);
      expect(slow).toMatchObject({ outcome: 'error', summary: expect.stringContaining('statement timeout (300 ms)') });
      await sessions.close();
    });

    test('a session that failed, was stopped or was closed by the server is not used again', async () => {
      const sessions = new IdleSessions();
      const ctx = { ...context(), databaseSessions: sessions };
      const first = await pidOf(sessions);
      const failed = await runSqlCheck({ url: '{{ secrets.DB }}', query: 'select * from no_such_table' }, ctx);
      expect(failed).toMatchObject({ outcome: 'error', summary: expect.stringContaining('no_such_table') });
      const second = await pidOf(sessions);
      expect(second).not.toBe(first);

      const stop = new AbortController();
      // (The server notices the closed connection when the sleep ends, so a short one.)
      const stopped = runSqlCheck({ url: '{{ secrets.DB }}', query: 'select pg_sleep(1)' }, { ...ctx, signal: stop.signal });
      await new Promise((resolve) => setTimeout(resolve, 200));
      stop.abort();
      expect((await stopped).outcome).toBe('error');
      const third = await pidOf(sessions);
      expect(third).not.toBe(second);

      // Ended by the server while idle (a restart, idle_session_timeout, an admin): the next query runs on a new session.
      expect(await pg.psql(`select pg_terminate_backend(${third})`)).toBe('t');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const fourth = await pidOf(sessions);
      expect(fourth).not.toBe(third);
      // The same, with this process kept from hearing of it (psql runs synchronously, then the
      // query starts at once): the idle session still looks open, the query finds it closed and
      // runs again on a new session.
      const superUrl = pg.url('postgres', pg.superPassword, 'postgres', 'sslmode=require');
      const ended = () => {
        execFileSync(join(PG_BIN, 'psql'), [superUrl, '-qAt', '-c', `select pg_terminate_backend(${fourth})`]);
        // Until the server process is gone, so its connection is closed.
        execFileSync(join(PG_BIN, 'psql'), [superUrl, '-qAt', '-c', `do $$ begin while exists (select 1 from pg_stat_activity where pid = ${fourth}) loop perform pg_sleep(0.01); end loop; end $$`]);
      };
      ended();
      expect(await pidOf(sessions)).not.toBe(fourth);
      await sessions.close();
      expect(await untilOurs(0)).toBe(0);
    });
  });

  test('without the URL secret the item is a skip naming it', async () => {
    const result = await runSqlCheck({ url: '{{ secrets.STAGING_DATABASE_URL }}', query: 'select 1' }, checkContext({ http, env: {} }));
    expect(result).toMatchObject({ outcome: 'skip', summary: expect.stringContaining('secret STAGING_DATABASE_URL is not set') });
    const none = await runSqlCheck({ query: 'select 1' }, checkContext({ http, env: {} }));
    expect(none).toMatchObject({ outcome: 'error', summary: expect.stringContaining('defaults.sql.url') });
  });
});

describe('sql items in the plan', () => {
  const plan = (text: string, env: Record<string, string> = {}) => {
    const loaded = loadManifest(text, 'readiness.yml');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const redactor = new Redactor();
    return { plan: buildPlan(loaded.value, { env, git: {}, redactor }), redactor };
  };

  test('defaults.sql.url, then target.database, fill items that name no URL; no staging URL needed', () => {
    const { plan: withDefaults } = plan(`version: 1
defaults: { sql: { url: "{{ secrets.DB }}" } }
target: { database: "postgres://other/db" }
sections:
  - title: Data
    items:
      - { title: Test data removed, sql: { query: "select 1" } }
      - { title: Own URL, sql: { url: "postgres://mine/db", query: "select 1" } }
      - { title: SSL, uses: postgres/ssl }
`);
    expect(withDefaults.items.map((item) => item.check)).toEqual([
      { kind: 'sql', sql: { url: '{{ secrets.DB }}', query: 'select 1' } },
      { kind: 'sql', sql: { url: 'postgres://mine/db', query: 'select 1' } },
      { kind: 'uses', uses: 'postgres/ssl', with: { url: '{{ secrets.DB }}' } },
    ]);
    expect(withDefaults.items.every((item) => !item.usesTarget)).toBe(true);

    const { plan: fromTarget } = plan(`version: 1
target: { database: "postgres://other/db" }
sections: [{ title: Data, items: [{ title: T, sql: { query: "select 1" } }] }]
`);
    expect(fromTarget.items[0]?.check).toEqual({ kind: 'sql', sql: { url: 'postgres://other/db', query: 'select 1' } });
  });

  test('a password written in a database URL is redacted from the start', () => {
    const { redactor } = plan(`version: 1
sections: [{ title: Data, items: [{ title: T, sql: { url: "postgres://app:s3cret-pw@db/app", query: "select 1" } }] }]
`);
    expect(redactor.text('postgres://app:s3cret-pw@db/app')).toBe('postgres://app:[redacted]@db/app');
  });
});
