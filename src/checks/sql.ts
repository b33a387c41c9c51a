// The `sql` check: one read-only query on PostgreSQL, its row count and JSONPath over the
// rows judged with the predicates of an http expect.
import type { z } from 'zod/mini';
import type { Predicate, sqlCheck } from '../manifest/schema.ts';
import { interpolateDeep, MissingValueError } from '../manifest/interpolate.ts';
import { parseDuration } from '../manifest/units.ts';
import type { Redactor } from '../util/redact.ts';
import type { CheckContext, CheckRunner } from './context.ts';
import { jsonPathValue } from './jsonpath.ts';
import { evaluate, show } from './predicates.ts';
import { resultFromAssertions, type Assertion, type CheckResult, type Evidence } from './result.ts';
import { resolveSource } from './sources.ts';
import { DatabaseError, DatabaseUrlError, parseDatabaseUrl, readOnlyQuery, type DatabaseUrl, type QueryResult, type SslMode } from './sql/postgres.ts';

export type SqlCheck = z.infer<typeof sqlCheck>;

export const DATABASE_URL_WHERE = 'sql.url (or with: { url } for a postgres/ built-in), defaults.sql.url or target.database';
const SHOWN_ROWS = 20;
const SHOWN_CHARS = 4000;

export const runSqlCheck: CheckRunner<SqlCheck> = async (spec, context) => {
  const timeoutMs = spec.timeout ? (parseDuration(spec.timeout) as number) : context.requestTimeoutMs;
  const connected = await connectAndQuery(spec.url, spec.query, context, timeoutMs);
  if (!connected.ok) return connected.result;
  const { result, evidence } = connected;
  let expect: SqlCheck['expect'];
  try {
    expect = spec.expect && interpolateDeep(spec.expect, context.scope);
  } catch (error) {
    if (error instanceof MissingValueError) return { outcome: 'error', summary: error.message, evidence };
    throw error;
  }
  // No data is never a pass: an empty result only passes when the manifest asked for it.
  if (result.rows.length === 0 && expect?.rows === undefined) {
    return { outcome: 'error', summary: 'the query returned no rows (add expect.rows: 0 if none is the good answer)', evidence };
  }
  const assertions = rowAssertions(expect, result.rows, context.redactor);
  return resultFromAssertions(assertions, evidence, `${plural(result.rows.length, 'row')} as expected`);
};

export type Queried = { ok: true; url: DatabaseUrl; result: QueryResult; evidence: Evidence } | { ok: false; result: CheckResult };

/**
 * Resolves the database URL (a missing secret is a skip), runs the query read-only and
 * returns its rows with the evidence a report shows, or the result that stops the check.
 */
export async function connectAndQuery(template: string | undefined, query: string, context: CheckContext, timeoutMs: number, sslmode?: SslMode): Promise<Queried> {
  const source = resolveSource(template, 'database URL', DATABASE_URL_WHERE, context.scope);
  if (!source.ok) return source;
  let url: DatabaseUrl;
  try {
    url = parseDatabaseUrl(source.url, context.redactor);
  } catch (error) {
    if (error instanceof DatabaseUrlError) return { ok: false, result: { outcome: 'error', summary: context.redactor.text(error.message), evidence: {} } };
    throw error;
  }
  const evidence: Evidence = { request: context.redactor.text(`${url.shown} ${oneLine(query)}`) };
  try {
    const result = await readOnlyQuery(url, query, { timeoutMs, connectTimeoutMs: Math.max(timeoutMs, context.requestTimeoutMs), signal: context.signal, ...(sslmode ? { sslmode } : {}), ...(context.databaseSessions ? { sessions: context.databaseSessions } : {}) });
    evidence.facts = { rows: result.rows.length, encrypted: result.encrypted };
    if (result.rows.length > 0) evidence.output = showRows(result.rows, context.redactor);
    return { ok: true, url, result, evidence };
  } catch (error) {
    return { ok: false, result: databaseErrorResult(error, evidence, context.redactor) };
  }
}

export function databaseErrorResult(error: unknown, evidence: Evidence, redactor: Redactor): CheckResult {
  if (error instanceof DatabaseError || error instanceof DatabaseUrlError) {
    const result: CheckResult = { outcome: 'error', summary: redactor.text(error.message), evidence };
    if (error instanceof DatabaseError && error.retryable) result.retryable = true;
    return result;
  }
  throw error;
}

function rowAssertions(expect: SqlCheck['expect'], rows: Record<string, unknown>[], redactor: Redactor): Assertion[] {
  const assertions: Assertion[] = [];
  const check = (subject: string, predicate: Predicate, actual: unknown) => {
    const result = evaluate(predicate, actual);
    assertions.push({ subject, expected: redactor.text(result.expected), actual: redactor.text(show(actual)), ok: result.ok });
  };
  if (expect?.rows !== undefined) check('rows', expect.rows, rows.length);
  // JSON-safe copies: JSONPath reads plain data.
  const document = JSON.parse(JSON.stringify(rows)) as unknown;
  for (const [path, predicate] of Object.entries(expect?.json ?? {})) check(path, predicate, jsonPathValue(document, path));
  if (assertions.length === 0) assertions.push({ subject: 'rows', expected: 'at least 1', actual: String(rows.length), ok: rows.length > 0 });
  return assertions;
}

/** The first rows as JSON lines, redacted and capped, for the report. */
export function showRows(rows: Record<string, unknown>[], redactor: Redactor): string {
  const lines = rows.slice(0, SHOWN_ROWS).map((row) => JSON.stringify(row));
  if (rows.length > SHOWN_ROWS) lines.push(`… ${rows.length - SHOWN_ROWS} more rows`);
  const text = lines.join('\n');
  return redactor.text(text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text);
}

function oneLine(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
