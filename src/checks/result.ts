// What a check says about one item: an honest outcome, a one-line reason and the
// evidence behind it. Plain data; every later stage (policy, report) reads it as is.

/**
 * pass / fail: evaluated. error: could not be evaluated (refused, timeout, no data).
 * skip: a precondition was not met (the summary says which). flaky: passed only after
 * a retry (set by the engine). pending / signed: manual items.
 */
export type Outcome = 'pass' | 'fail' | 'error' | 'skip' | 'flaky' | 'pending' | 'signed';

export const OUTCOMES: readonly Outcome[] = ['fail', 'error', 'flaky', 'skip', 'pending', 'signed', 'pass'];

/** One expectation, evaluated: "status: expected one of [301, 308], got 200". */
export interface Assertion {
  /** What was looked at: "status", "header strict-transport-security", "$.count", "cookie csrftoken Secure". */
  subject: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface ResponseEvidence {
  status: number;
  /** Header lines as received (repeats kept), sensitive values redacted. */
  headers: [string, string][];
  /** The start of the body, redacted; absent for empty bodies. */
  body?: string;
  bodyBytes: number;
  truncated: boolean;
  /** Redirect hops before this response: "301 → https://…". */
  redirects?: string[];
}

export interface StepEvidence {
  name: string;
  outcome: Outcome;
  summary: string;
  request?: string;
  response?: ResponseEvidence;
  assertions?: Assertion[];
  durationMs?: number;
}

export interface Evidence {
  /** The request line as sent: "GET https://staging.example.com/health/". */
  request?: string;
  response?: ResponseEvidence;
  assertions?: Assertion[];
  /** Multi-step checks (flows, built-ins that probe several URLs). */
  steps?: StepEvidence[];
  /** Measured facts: certificate subject, p95, exit code… */
  facts?: Record<string, string | number | boolean>;
  /** The tail of a command's output, redacted. */
  output?: string;
  /** Plain remarks: limits of the measurement, preconditions, hints. */
  notes?: string[];
}

export interface CheckResult {
  outcome: Exclude<Outcome, 'flaky'>;
  /** One line a user can act on: what failed and how, or why it was skipped. */
  summary: string;
  evidence: Evidence;
  /** A transport error or 502/503/504: worth another attempt under the item's retry policy. */
  retryable?: boolean;
}

export function failedAssertions(assertions: Assertion[] | undefined): Assertion[] {
  return (assertions ?? []).filter((assertion) => !assertion.ok);
}

export function assertionLine(assertion: Assertion): string {
  return `${assertion.subject}: expected ${assertion.expected}, got ${assertion.actual}`;
}

/** pass when every assertion holds, else fail with the first failed one as the summary. */
export function resultFromAssertions(assertions: Assertion[], evidence: Evidence, passSummary: string): CheckResult {
  const failed = failedAssertions(assertions);
  if (failed.length === 0) return { outcome: 'pass', summary: passSummary, evidence: { ...evidence, assertions } };
  const more = failed.length > 1 ? ` (+${failed.length - 1} more)` : '';
  return { outcome: 'fail', summary: `${assertionLine(failed[0] as Assertion)}${more}`, evidence: { ...evidence, assertions } };
}
