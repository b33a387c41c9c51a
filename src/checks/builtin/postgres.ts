// postgres/* built-ins: facts the staging database states about itself, read with the
// app's own connection (read-only, rolled back). Each query is a step of the evidence.
// What the role may not read, or a catalog with nothing to judge, cannot tell: skip.
import type { BuiltinParams } from '../../manifest/builtins.ts';
import { parseDuration, formatDuration } from '../../manifest/units.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult, Evidence, StepEvidence } from '../result.ts';
import { resolveSource } from '../sources.ts';
import { DATABASE_URL_WHERE, showRows } from '../sql.ts';
import { DatabaseError, DatabaseUrlError, parseDatabaseUrl, readOnlyQuery, type DatabaseUrl, type QueryResult, type SslMode } from '../sql/postgres.ts';
import { firstAndMore, plural } from './words.ts';

/** Ends a built-in early with this result (a permission it lacks, a connection error). */
class Stop extends Error {
  readonly result: CheckResult;

  constructor(result: CheckResult) {
    super(result.summary);
    this.result = result;
  }
}

interface Session {
  url: DatabaseUrl;
  /** Runs one query read-only as a recorded step; `what` names what it reads, for a permission skip. */
  ask(name: string, sql: string, what?: string): Promise<QueryResult>;
  /** Tries a connection with another sslmode; the error is returned, not thrown. */
  tryConnect(sslmode: SslMode): Promise<{ ok: true; result: QueryResult } | { ok: false; error: DatabaseError }>;
  evidence(): Evidence;
  note(text: string): void;
}

const PERMISSION_DENIED = '42501';

/**
 * Resolves the database URL (a missing secret is a skip), then runs the body with a
 * session whose queries are recorded. A connection or query error ends in `error`, a
 * refused read (permission denied) in `skip` naming what to grant.
 */
async function withDatabase(template: string | undefined, context: CheckContext, body: (session: Session) => Promise<CheckResult>): Promise<CheckResult> {
  const source = resolveSource(template, 'database URL', DATABASE_URL_WHERE, context.scope);
  if (!source.ok) return source.result;
  let url: DatabaseUrl;
  try {
    url = parseDatabaseUrl(source.url, context.redactor);
  } catch (error) {
    if (error instanceof DatabaseUrlError) return { outcome: 'error', summary: context.redactor.text(error.message), evidence: {} };
    throw error;
  }
  const steps: StepEvidence[] = [];
  const notes: string[] = [];
  const evidence = (): Evidence => {
    const out: Evidence = { facts: { database: context.redactor.text(url.shown) }, steps };
    if (notes.length > 0) out.notes = notes;
    return out;
  };
  const record = (name: string, sql: string): StepEvidence => {
    const step: StepEvidence = { name, outcome: 'pass', summary: '', request: sql.replace(/\s+/g, ' ').trim() };
    steps.push(step);
    return step;
  };
  const session: Session = {
    url,
    async ask(name, sql, what) {
      const step = record(name, sql);
      try {
        const result = await readOnlyQuery(url, sql, { timeoutMs: context.requestTimeoutMs, signal: context.signal, ...(context.databaseSessions ? { sessions: context.databaseSessions } : {}) });
        // The rows are the evidence: shown in the step's summary, capped.
        const shown = result.rows.length > 0 ? `: ${showRows(result.rows, context.redactor)}` : '';
        step.summary = `${plural(result.rows.length, 'row')}${shown.length > 600 ? `${shown.slice(0, 600)}…` : shown}`;
        return result;
      } catch (error) {
        if (!(error instanceof DatabaseError)) throw error;
        step.outcome = 'error';
        step.summary = context.redactor.text(error.message);
        if (error.code === PERMISSION_DENIED && what) {
          throw new Stop({ outcome: 'skip', summary: `cannot tell: ${url.user} may not read ${what}; grant pg_monitor to it (or run this check with a monitoring role's URL)`, evidence: evidence() });
        }
        const result: CheckResult = { outcome: 'error', summary: step.summary, evidence: evidence() };
        if (error.retryable) result.retryable = true;
        throw new Stop(result);
      }
    },
    async tryConnect(sslmode) {
      const step = record(`connect with sslmode=${sslmode}`, 'select 1');
      try {
        // Always a new session: what is checked is whether the server lets this one in.
        const result = await readOnlyQuery(url, 'select 1', { timeoutMs: context.requestTimeoutMs, signal: context.signal, sslmode });
        step.summary = 'connected';
        return { ok: true, result };
      } catch (error) {
        if (!(error instanceof DatabaseError)) throw error;
        step.summary = context.redactor.text(error.message);
        return { ok: false, error };
      }
    },
    evidence,
    note(text) {
      if (!notes.includes(text)) notes.push(text);
    },
  };
  try {
    return await body(session);
  } catch (error) {
    if (error instanceof Stop) return error.result;
    throw error;
  }
}

function verdict(session: Session, problems: string[], passSummary: string): CheckResult {
  return problems.length > 0 ? { outcome: 'fail', summary: firstAndMore(problems), evidence: session.evidence() } : { outcome: 'pass', summary: passSummary, evidence: session.evidence() };
}

// ---------------------------------------------------------------- postgres/ssl

/**
 * PASS when this connection is encrypted AND the server refuses the same login without
 * TLS (sslmode=disable is really tried). FAIL when either is not so; ERROR when the
 * plaintext attempt cannot tell (no answer).
 */
export function runPostgresSsl(params: BuiltinParams<'postgres/ssl'>, context: CheckContext): Promise<CheckResult> {
  return withDatabase(params.url, context, async (session) => {
    const { url } = session;
    if (url.sslmode === 'disable') {
      return { outcome: 'fail', summary: 'the database URL sets sslmode=disable; use sslmode=verify-full (Django: DATABASES OPTIONS {"sslmode": "verify-full"})', evidence: session.evidence() };
    }
    let mine: QueryResult;
    try {
      mine = await session.ask('this connection', 'select ssl, version, cipher from pg_stat_ssl where pid = pg_backend_pid()');
    } catch (error) {
      if (error instanceof Stop && /does not offer TLS/.test(error.result.summary)) {
        return { outcome: 'fail', summary: `${error.result.summary}; set ssl = on in postgresql.conf with a certificate`, evidence: error.result.evidence };
      }
      throw error;
    }
    const row = mine.rows[0] as { ssl?: boolean; version?: string; cipher?: string } | undefined;
    if (!mine.encrypted || row?.ssl !== true) {
      return { outcome: 'fail', summary: 'this connection is not encrypted: the server does not offer TLS; set ssl = on in postgresql.conf and sslmode=verify-full in the URL', evidence: session.evidence() };
    }
    if (url.sslmode !== 'verify-full') session.note(`sslmode=${url.sslmode} does not check the server's certificate and name; use sslmode=verify-full with sslrootcert`);
    const plain = await session.tryConnect('disable');
    const how = `${row.version ?? 'TLS'}${row.cipher ? `, ${row.cipher}` : ''}`;
    if (plain.ok) {
      return {
        outcome: 'fail',
        summary: `the server accepted a plaintext connection (sslmode=disable) for ${url.user}; allow only hostssl lines in pg_hba.conf (and hostnossl … reject)`,
        evidence: session.evidence(),
      };
    }
    const { error } = plain;
    // 28000 is pg_hba.conf refusing the connection: exactly what a TLS-only server does.
    if (error.code === '28000') return { outcome: 'pass', summary: `encrypted (${how}); a plaintext connection is refused`, evidence: session.evidence() };
    if (error.code === '28P01') {
      return { outcome: 'fail', summary: `the server asked for a password over a plaintext connection (sslmode=disable); allow only hostssl lines in pg_hba.conf`, evidence: session.evidence() };
    }
    return { outcome: 'error', summary: `encrypted (${how}), but the plaintext attempt cannot tell: ${context.redactor.text(error.message)}`, evidence: session.evidence() };
  });
}

// ---------------------------------------------------------------- postgres/least-privilege

const PRIVILEGED_ROLES = ['pg_read_all_data', 'pg_write_all_data', 'pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files', 'pg_signal_backend', 'pg_checkpoint'];

interface RoleRow {
  rolname: string;
  rolsuper: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  privileged: string[];
  schemas: string[];
  databases: string[];
}

/**
 * PASS when the URL's role is no superuser, cannot create roles or databases, replicate
 * or bypass row security, is in no pg_* role that reads or writes everything, and owns
 * objects in one schema (or only the `schemas` given).
 */
export function runPostgresLeastPrivilege(params: BuiltinParams<'postgres/least-privilege'>, context: CheckContext): Promise<CheckResult> {
  return withDatabase(params.url, context, async (session) => {
    const sql = `select r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
      array(select b.rolname::text from pg_auth_members m join pg_roles b on b.oid = m.roleid
            where m.member = r.oid and b.rolname in (${PRIVILEGED_ROLES.map((name) => `'${name}'`).join(', ')}) order by 1) as privileged,
      array(select distinct n.nspname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relowner = r.oid and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%' order by 1) as schemas,
      array(select d.datname::text from pg_database d where d.datdba = r.oid order by 1) as databases
      from pg_roles r where r.rolname = current_user`;
    const { rows } = await session.ask('the role of this connection', sql, 'pg_roles');
    const role = rows[0] as RoleRow | undefined;
    if (!role) return { outcome: 'skip', summary: 'cannot tell: pg_roles has no row for this connection’s role', evidence: session.evidence() };
    const name = role.rolname;
    const problems: string[] = [];
    if (role.rolsuper) problems.push(`${name} is a superuser; connect Django with a role created without SUPERUSER`);
    if (role.rolcreaterole) problems.push(`${name} can create roles (CREATEROLE); ALTER ROLE ${name} NOCREATEROLE`);
    if (role.rolcreatedb) problems.push(`${name} can create databases (CREATEDB); ALTER ROLE ${name} NOCREATEDB (the test runner needs it only in CI)`);
    if (role.rolreplication) problems.push(`${name} can start replication (REPLICATION); ALTER ROLE ${name} NOREPLICATION`);
    if (role.rolbypassrls) problems.push(`${name} bypasses row-level security (BYPASSRLS); ALTER ROLE ${name} NOBYPASSRLS`);
    for (const member of role.privileged) problems.push(`${name} is a member of ${member}; REVOKE ${member} FROM ${name}`);
    const allowed = params.schemas;
    const extra = allowed ? role.schemas.filter((schema) => !allowed.includes(schema)) : role.schemas.length > 1 ? role.schemas : [];
    if (extra.length > 0) {
      problems.push(`${name} owns objects in ${allowed ? `schemas it should not (${extra.join(', ')})` : `${role.schemas.length} schemas (${role.schemas.join(', ')})`}; keep the app's tables in its own schema`);
    }
    if (role.databases.length > 0) session.note(`${name} owns the database${role.databases.length > 1 ? 's' : ''} ${role.databases.join(', ')} (it may drop ${role.databases.length > 1 ? 'them' : 'it'}); a separate owner role for migrations is safer`);
    const where = role.schemas.length > 0 ? `owns objects only in ${role.schemas.join(', ')}` : 'owns no tables';
    return verdict(session, problems, `${name}: not a superuser, no CREATEROLE/CREATEDB/REPLICATION/BYPASSRLS; ${where}`);
  });
}

// ---------------------------------------------------------------- postgres/slow-query-log

/** PASS when log_min_duration_statement (as this connection sees it) is on and at most `max` (default 1s). */
export function runPostgresSlowQueryLog(params: BuiltinParams<'postgres/slow-query-log'>, context: CheckContext): Promise<CheckResult> {
  const maxMs = parseDuration(params.max ?? '1s') as number;
  return withDatabase(params.url, context, async (session) => {
    const { rows } = await session.ask('log_min_duration_statement', "select setting::int as ms, current_setting('log_min_duration_statement') as shown from pg_settings where name = 'log_min_duration_statement'", 'pg_settings');
    const row = rows[0] as { ms: number; shown: string } | undefined;
    if (!row) return { outcome: 'skip', summary: 'cannot tell: pg_settings has no log_min_duration_statement', evidence: session.evidence() };
    const fix = `set log_min_duration_statement = ${formatDuration(maxMs)} (ALTER SYSTEM, or ALTER DATABASE … SET)`;
    if (row.ms < 0) return { outcome: 'fail', summary: `slow queries are not logged (log_min_duration_statement = -1); ${fix}`, evidence: session.evidence() };
    if (row.ms > maxMs) return { outcome: 'fail', summary: `only queries slower than ${row.shown} are logged (log_min_duration_statement); ${fix}`, evidence: session.evidence() };
    if (row.ms === 0) session.note('log_min_duration_statement = 0 logs every statement: a lot of log volume in production');
    return { outcome: 'pass', summary: `queries slower than ${row.shown} are logged (≤ ${formatDuration(maxMs)})`, evidence: session.evidence() };
  });
}

// ---------------------------------------------------------------- postgres/statistics

/** PASS when every user table was analyzed (ANALYZE or autovacuum) within `maxAgeDays` (default 7). SKIP without tables. */
export function runPostgresStatistics(params: BuiltinParams<'postgres/statistics'>, context: CheckContext): Promise<CheckResult> {
  const maxDays = params.maxAgeDays ?? 7;
  return withDatabase(params.url, context, async (session) => {
    const sql = `select schemaname || '.' || relname as "table", greatest(last_analyze, last_autoanalyze)::text as analyzed,
      extract(epoch from now() - greatest(last_analyze, last_autoanalyze)) / 86400 as days
      from pg_stat_user_tables order by 1`;
    const { rows } = await session.ask('when each table was analyzed', sql, 'pg_stat_user_tables');
    const tables = rows as { table: string; analyzed: string | null; days: number | null }[];
    if (tables.length === 0) return { outcome: 'skip', summary: 'cannot tell: no user tables in this database (is the URL the app’s database?)', evidence: session.evidence() };
    const problems: string[] = [];
    for (const table of tables) {
      if (table.analyzed === null || table.days === null) problems.push(`${table.table} was never analyzed`);
      else if (table.days > maxDays) problems.push(`${table.table} was last analyzed ${Math.floor(table.days)} days ago`);
    }
    if (problems.length > 0) problems[0] += `; run ANALYZE (or vacuumdb --analyze-only) after migrations and keep autovacuum on`;
    return verdict(session, problems, `${plural(tables.length, 'table')} analyzed within ${plural(maxDays, 'day')}`);
  });
}

// ---------------------------------------------------------------- postgres/foreign-keys

/**
 * FAIL on a foreign key added NOT VALID (its rows were never checked). Foreign keys
 * whose columns lead no index are listed (a failure with requireIndexes). SKIP without any.
 */
export function runPostgresForeignKeys(params: BuiltinParams<'postgres/foreign-keys'>, context: CheckContext): Promise<CheckResult> {
  return withDatabase(params.url, context, async (session) => {
    const sql = `select c.conrelid::regclass::text as "table", c.conname::text as name, c.convalidated as validated,
      c.confrelid::regclass::text as "references",
      exists (select 1 from pg_index i where i.indrelid = c.conrelid
              and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey) as indexed
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'f' and n.nspname not in ('pg_catalog', 'information_schema') order by 1, 2`;
    const { rows } = await session.ask('foreign keys', sql, 'pg_constraint');
    const keys = rows as { table: string; name: string; validated: boolean; references: string; indexed: boolean }[];
    if (keys.length === 0) return { outcome: 'skip', summary: 'cannot tell: no foreign keys in this database (is the URL the app’s database?)', evidence: session.evidence() };
    const problems = keys.filter((key) => !key.validated).map((key) => `${key.table}: ${key.name} is NOT VALID (existing rows were never checked); ALTER TABLE ${key.table} VALIDATE CONSTRAINT ${key.name}`);
    const unindexed = keys.filter((key) => !key.indexed).map((key) => `${key.table}: ${key.name} → ${key.references} has no index on its columns (deletes on ${key.references} scan ${key.table})`);
    if (params.requireIndexes) problems.push(...unindexed);
    else for (const line of unindexed) session.note(line);
    return verdict(session, problems, `${plural(keys.length, 'foreign key')} validated${unindexed.length ? `; ${unindexed.length} without an index` : ''}`);
  });
}

// ---------------------------------------------------------------- postgres/backups

/**
 * From pg_stat_archiver: PASS when WAL archiving is on, a segment was archived within
 * `maxAgeHours` (default 26) and the last attempt did not fail. SKIP when the role may
 * not read the view.
 */
export function runPostgresBackups(params: BuiltinParams<'postgres/backups'>, context: CheckContext): Promise<CheckResult> {
  const maxHours = params.maxAgeHours ?? 26;
  return withDatabase(params.url, context, async (session) => {
    const sql = `select current_setting('archive_mode') as archive_mode, archived_count, last_archived_wal, last_archived_time::text,
      failed_count, last_failed_wal, last_failed_time::text,
      extract(epoch from now() - last_archived_time) / 3600 as hours,
      (last_failed_time is not null and (last_archived_time is null or last_failed_time > last_archived_time)) as failing
      from pg_stat_archiver`;
    const { rows } = await session.ask('WAL archiving', sql, 'pg_stat_archiver');
    const row = rows[0] as
      | { archive_mode: string; archived_count: number; last_archived_wal: string | null; last_archived_time: string | null; failed_count: number; last_failed_wal: string | null; hours: number | null; failing: boolean }
      | undefined;
    if (!row) return { outcome: 'skip', summary: 'cannot tell: pg_stat_archiver returned no row', evidence: session.evidence() };
    const advice = 'set archive_mode = on with an archive_command (pgBackRest, WAL-G) or use the provider’s point-in-time recovery';
    if (row.archive_mode === 'off') return { outcome: 'fail', summary: `WAL archiving is off (archive_mode = off); ${advice}`, evidence: session.evidence() };
    if (row.failing) {
      return { outcome: 'fail', summary: `the last archive attempt failed (${row.last_failed_wal ?? 'a WAL segment'}, ${row.failed_count} failures); check archive_command and the server log`, evidence: session.evidence() };
    }
    if (row.last_archived_time === null || row.hours === null) return { outcome: 'fail', summary: `no WAL segment has been archived yet (archive_mode = ${row.archive_mode}); ${advice}`, evidence: session.evidence() };
    if (row.hours > maxHours) {
      return { outcome: 'fail', summary: `the last WAL segment was archived ${Math.floor(row.hours)} hours ago (at ${row.last_archived_time}); archiving has stopped`, evidence: session.evidence() };
    }
    session.note('WAL archiving is half of a backup: restore one into a scratch database now and then');
    return { outcome: 'pass', summary: `WAL archived ${row.hours < 1 ? 'within the hour' : `${Math.floor(row.hours)} hours ago`} (${row.archived_count} segments, last ${row.last_archived_wal ?? '?'})`, evidence: session.evidence() };
  });
}
