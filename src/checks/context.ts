// What every check runner is given. Plain values and one HTTP client: no globals,
// no process.env, so each runner is tested by calling it.
import type { HttpClient } from '../http/client.ts';
import type { Scope } from '../manifest/interpolate.ts';
import type { Redactor } from '../util/redact.ts';
import type { IdleSessions } from './idle-sessions.ts';
import type { CheckResult } from './result.ts';

export interface CheckContext {
  http: HttpClient;
  scope: Scope;
  redactor: Redactor;
  /** Aborted when the item's time is up or the run's deadline passes. */
  signal: AbortSignal;
  /** Timeout of one request unless the request sets its own. */
  requestTimeoutMs: number;
  /** The staging URL relative paths resolve against. */
  baseUrl?: URL;
  /** The repository checkout (for command and file checks). */
  workspace: string;
  /** Commands may run (false under pull_request_target with a fork's code, unless allowed). */
  commandsAllowed: { allowed: true } | { allowed: false; reason: string };
  /** PEM text of extra trusted CAs for the target (target.ca). */
  ca?: string;
  /**
   * The run's load measurements, by what was measured: an item that asks for a measurement
   * an earlier item of the run already made (same requests, load and per-sample checks) is
   * judged on those samples instead of loading staging again. One map per run.
   */
  measurements?: Map<string, Promise<unknown>>;
  /** The run's database sessions that ended their last query cleanly, for the next query to the same database. */
  databaseSessions?: IdleSessions;
}

export type CheckRunner<Spec> = (spec: Spec, context: CheckContext) => Promise<CheckResult>;
