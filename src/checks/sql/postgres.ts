// One read-only conversation with PostgreSQL (node-postgres): the connection URL read
// with libpq's meaning of sslmode, every query in a READ ONLY transaction that is rolled
// back, under a statement timeout, and every failure turned into a sentence a user can
// act on. The URL's password is registered with the redactor before anything is sent.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { Redactor } from '../../util/redact.ts';
import { describeChainError } from '../../http/tls-errors.ts';
import type { IdleSession, IdleSessions } from '../idle-sessions.ts';

/** libpq's sslmode values; prefer is libpq's default. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface DatabaseUrl {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  sslmode: SslMode;
  /** PEM file of the CA for verify-ca / verify-full (libpq's sslrootcert). */
  sslrootcert?: string;
  /** The URL as a report may show it: the password replaced. */
  shown: string;
}

/** The URL cannot be used: a usage problem, reported as `error`. */
export class DatabaseUrlError extends Error {}

/** A query that could not be answered: connection, TLS, authentication, timeout, SQL. */
export class DatabaseError extends Error {
  /** SQLSTATE when the server answered, else a Node error code. */
  readonly code: string | undefined;
  readonly retryable: boolean;
  /** The query ran on a kept session that the server or the network had closed (tried again on a new one). */
  readonly sessionLost: boolean;

  constructor(message: string, code: string | undefined, retryable: boolean, sessionLost = false) {
    super(message);
    this.name = 'DatabaseError';
    this.code = code;
    this.retryable = retryable;
    this.sessionLost = sessionLost;
  }
}

/** Reads postgres://user:password@host:port/database?sslmode=…; registers the password. */
export function parseDatabaseUrl(text: string, redactor: Redactor): DatabaseUrl {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new DatabaseUrlError('the database URL is not a URL; write postgres://USER:PASSWORD@HOST:5432/DATABASE');
  }
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  if (password !== undefined) {
    redactor.add(password);
    redactor.add(url.password);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(`the database URL must start with postgres:// (got ${url.protocol}//)`);
  }
  if (url.hostname === '') throw new DatabaseUrlError('the database URL names no host');
  const mode = url.searchParams.get('sslmode') ?? 'prefer';
  if (!SSL_MODES.includes(mode as SslMode)) throw new DatabaseUrlError(`sslmode=${mode} is not one of ${SSL_MODES.join(', ')}`);
  const shownUrl = new URL(url.href);
  if (shownUrl.password !== '') shownUrl.password = 'REDACTED';
  const parsed: DatabaseUrl = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 5432 : Number(url.port),
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username),
    sslmode: mode as SslMode,
    shown: shownUrl.href.replace('REDACTED', '[redacted]'),
  };
  if (password !== undefined) parsed.password = password;
  const rootCert = url.searchParams.get('sslrootcert');
  if (rootCert) parsed.sslrootcert = rootCert;
  return parsed;
}

export interface QueryOptions {
  /** Statement timeout (the server cancels the query). */
  timeoutMs: number;
  /** Connect timeout (TCP, TLS and login). Default: timeoutMs. */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  /** Overrides the URL's sslmode (postgres/ssl tries `disable` on purpose). */
  sslmode?: SslMode;
  /** The run's idle sessions: one to the same database is used instead of a new one, and this one is put back. */
  sessions?: IdleSessions;
}

export interface QueryResult {
  rows: Record<string, unknown>[];
  columns: string[];
  /** The connection was encrypted (TLS). */
  encrypted: boolean;
}

/**
 * Runs one statement read-only and returns its rows. The session starts with
 * default_transaction_read_only, the statement runs inside BEGIN READ ONLY … ROLLBACK
 * under its own statement_timeout (SET LOCAL), and the extended protocol refuses a second
 * statement (so "select 1; commit; delete …" cannot leave the transaction). With
 * `options.sessions`, an idle session of the run to the same database is used, and this
 * one is kept for the next query.
 */
export async function readOnlyQuery(url: DatabaseUrl, sql: string, options: QueryOptions): Promise<QueryResult> {
  const mode = options.sslmode ?? url.sslmode;
  // prefer/allow: TLS first, plaintext when the server has no TLS, as libpq does.
  if (mode === 'prefer' || mode === 'allow') {
    try {
      return await queryOnce(url, sql, options, 'require');
    } catch (error) {
      if (error instanceof DatabaseError && error.code === 'NO_SSL') return queryOnce(url, sql, options, 'disable');
      throw error;
    }
  }
  return queryOnce(url, sql, options, mode);
}

async function queryOnce(url: DatabaseUrl, sql: string, options: QueryOptions, mode: SslMode): Promise<QueryResult> {
  const key = sessionKey(url, mode);
  const idle = options.sessions?.take<Session>(key);
  if (idle !== undefined) {
    try {
      return await converse(idle, sql, options);
    } catch (error) {
      // Closed by the server or the network while it sat idle: the read-only query runs
      // once more, on a new session.
      if (!(error instanceof DatabaseError && error.sessionLost) || options.signal?.aborted) throw error;
    }
  }
  return converse(new Session(url, mode, options, key), sql, options);
}

/** One pg connection, reusable within a run (src/checks/idle-sessions.ts). */
class Session implements IdleSession {
  readonly key: string;
  readonly client: pg.Client;
  readonly url: DatabaseUrl;
  readonly mode: SslMode;
  connected = false;
  private ended = false;

  constructor(url: DatabaseUrl, mode: SslMode, options: QueryOptions, key: string) {
    this.key = key;
    this.url = url;
    this.mode = mode;
    this.client = new pg.Client({
      host: url.host,
      port: url.port,
      user: url.user,
      ...(url.password !== undefined ? { password: url.password } : {}),
      database: url.database,
      ssl: tlsOptions(url, mode),
      connectionTimeoutMillis: options.connectTimeoutMs ?? options.timeoutMs,
      // Every transaction is read-only unless it says otherwise, and ours never does.
      options: '-c default_transaction_read_only=on',
      application_name: 'readiness-gate',
      types: { getTypeParser: typeParser },
    });
    this.client.on('error', () => undefined);
    this.client.on('end', () => (this.ended = true));
  }

  get open(): boolean {
    return this.connected && !this.ended;
  }

  async close(): Promise<void> {
    this.ended = true;
    await this.client.end().catch(() => undefined);
  }
}

/** What a session connects as and to: a session is only reused for exactly the same. */
function sessionKey(url: DatabaseUrl, mode: SslMode): string {
  return JSON.stringify([url.host, url.port, url.user, url.password ?? null, url.database, mode, url.sslrootcert ?? null]);
}

/**
 * The statement in BEGIN READ ONLY … ROLLBACK under its statement timeout, on `session`
 * (connecting it first if it is new). Put back for the run's next query only when all of
 * it succeeded and the session was reset; anything else closes it.
 */
async function converse(session: Session, sql: string, options: QueryOptions): Promise<QueryResult> {
  const reused = session.connected;
  const abort = () => void session.close();
  options.signal?.addEventListener('abort', abort, { once: true });
  let clean = false;
  try {
    if (!reused) {
      try {
        await session.client.connect();
        session.connected = true;
      } catch (error) {
        throw connectError(error, session.url, session.mode);
      }
    }
    try {
      // A server that stops answering mid-query: the client gives up a little after the server would.
      const queryTimeout = options.timeoutMs + 2000;
      await session.client.query({ text: `BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.round(options.timeoutMs))}`, query_timeout: queryTimeout } as pg.QueryConfig);
      const result = await session.client.query({ text: sql, queryMode: 'extended', query_timeout: queryTimeout } as pg.QueryConfig);
      await session.client.query({ text: 'ROLLBACK', query_timeout: queryTimeout } as pg.QueryConfig);
      const encrypted = (session.client as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted === true;
      clean = true;
      return { rows: result.rows as Record<string, unknown>[], columns: result.fields.map((field) => field.name), encrypted };
    } catch (error) {
      throw queryError(error, options.timeoutMs, reused);
    }
  } finally {
    // Still listening while the session is reset: a stop then closes it instead of waiting.
    if (clean && options.sessions !== undefined && !options.signal?.aborted) await release(session, options.sessions, options.timeoutMs);
    else await session.close();
    options.signal?.removeEventListener('abort', abort);
  }
}

/**
 * Back to the run's idle sessions, with what a read-only statement can leave behind in a
 * session despite the rollback (advisory locks, prepared statements, cursors, LISTEN)
 * discarded first.
 */
async function release(session: Session, sessions: IdleSessions, timeoutMs: number): Promise<void> {
  try {
    await session.client.query({ text: 'DISCARD ALL', query_timeout: timeoutMs + 2000 } as pg.QueryConfig);
  } catch {
    return session.close();
  }
  // Closed by a stop while it was being reset: put() closes what is no longer open.
  await sessions.put(session);
}

function tlsOptions(url: DatabaseUrl, mode: SslMode): false | ConnectionOptions {
  if (mode === 'disable') return false;
  const ca = url.sslrootcert ? readCa(url.sslrootcert) : undefined;
  // libpq: require checks nothing, unless a root certificate is given (then as verify-ca).
  const verify = mode === 'verify-ca' || mode === 'verify-full' || (mode === 'require' && ca !== undefined);
  const options: ConnectionOptions = { rejectUnauthorized: verify };
  if (ca !== undefined) options.ca = ca;
  if (mode !== 'verify-full') options.checkServerIdentity = () => undefined;
  return options;
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DatabaseUrlError(`sslrootcert ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** int8 and numeric as numbers when exact enough, dates and timestamps as the server wrote them. */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (format === 'binary') return pg.types.getTypeParser(oid, 'binary') as (value: string) => unknown;
  switch (oid) {
    case 20: // int8 (count(*))
      return (value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value);
    case 1700: // numeric
      return (value) => (Number.isFinite(Number(value)) ? Number(value) : value);
    case 1082: // date
    case 1114: // timestamp
    case 1184: // timestamptz
      return (value) => value;
    default:
      return pg.types.getTypeParser(oid, 'text') as (value: string) => unknown;
  }
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'CONNECT_TIMEOUT', '57P03']);

function connectError(error: unknown, url: DatabaseUrl, mode: SslMode): DatabaseError {
  const where = `${url.host}:${url.port}`;
  const err = error as Error & { code?: string };
  const message = err?.message ?? String(error);
  let code = err?.code;
  let text: string;
  if (/does not support SSL/i.test(message)) {
    code = 'NO_SSL';
    text = `${where} does not offer TLS (sslmode=${mode} needs it)`;
  } else if (code !== undefined && /^[A-Z_]+$/.test(code) && /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_TLS|ALTNAME/.test(code)) {
    // The HTTP hint names tls.ca; a database URL takes its CA as sslrootcert.
    const why = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `the certificate does not name ${url.host}` : describeChainError(code).replace(/;? ?for a private CA set tls\.ca or target\.ca/, '').replace(' ()', '');
    text = `TLS to ${where} failed: ${why}; for a private CA add sslrootcert=<CA file> to the URL`;
  } else if (/timeout/i.test(message) && code === undefined) {
    code = 'CONNECT_TIMEOUT';
    text = `no answer from ${where} (connection timed out)`;
  } else if (code === 'ECONNREFUSED') {
    text = `cannot connect to ${where}: connection refused`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    text = `cannot resolve ${url.host}`;
  } else if (code === '28P01' || code === '28000') {
    text = `${where} refused the login of ${url.user}: ${message}`;
  } else {
    text = `cannot connect to ${where}: ${message}`;
  }
  return new DatabaseError(text, code, RETRYABLE_CODES.has(code ?? ''));
}

function queryError(error: unknown, timeoutMs: number, reused: boolean): DatabaseError {
  const err = error as Error & { code?: string };
  const code = err?.code;
  const message = err?.message ?? String(error);
  // On a reused session: the connection closed under it (no SQLSTATE, and not our own read
  // timeout), or the server said it was ending the session (57P01-57P03 shutting down, 08 connection).
  const lost = code && /^[0-9A-Z]{5}$/.test(code) ? /^57P0[123]$|^08/.test(code) : !/Query read timeout/i.test(message);
  if (reused && lost) {
    return new DatabaseError(`the reused session was closed: ${message}`, code, true, true);
  }
  if (code === '57014') return new DatabaseError(`the query ran longer than the statement timeout (${timeoutMs} ms) and was cancelled`, code, false);
  if (/Query read timeout/i.test(message)) return new DatabaseError(`no answer to the query within ${timeoutMs + 2000} ms`, 'QUERY_TIMEOUT', true);
  if (code === '25006') return new DatabaseError(`the query tried to write, and runs read-only: ${message}`, code, false);
  return new DatabaseError(code && /^[0-9A-Z]{5}$/.test(code) ? `${message} (SQLSTATE ${code})` : message, code, RETRYABLE_CODES.has(code ?? ''));
}
