// The `http` check: one request, its expectations.
import type { z } from 'zod/mini';
import type { HttpExpect, httpCheck } from '../manifest/schema.ts';
import { TransportError } from '../http/client.ts';
import { interpolateDeep, MissingValueError } from '../manifest/interpolate.ts';
import type { CheckRunner, CheckContext } from './context.ts';
import { absentEndpoint, evaluateHttpExpect, responseEvidence } from './http-expect.ts';
import { RequestSpecError, resolveRequest, type RequestDefaults, type ResolvedRequest } from './request.ts';
import { resultFromAssertions, type CheckResult, type Evidence } from './result.ts';

export type HttpCheck = z.infer<typeof httpCheck>;

const RETRYABLE_STATUS = new Set([502, 503, 504]);

export const runHttpCheck: CheckRunner<HttpCheck> = async (spec, context) => {
  let request: ResolvedRequest;
  let expect: HttpExpect | undefined;
  try {
    request = resolveRequest(spec.request, context.scope, requestDefaults(context));
    // Expected values may use placeholders too: { startsWith: "https://{{ target.host }}" }.
    expect = spec.expect && interpolateDeep(spec.expect, context.scope);
  } catch (error) {
    return unevaluated(error);
  }
  return sendAndEvaluate(request, expect, context);
};

export function requestDefaults(context: CheckContext): RequestDefaults {
  return context.baseUrl ? { timeoutMs: context.requestTimeoutMs, baseUrl: context.baseUrl } : { timeoutMs: context.requestTimeoutMs };
}

/** Sends one resolved request and evaluates it; shared by checks that make a single request. */
export async function sendAndEvaluate(request: ResolvedRequest, expect: HttpExpect | undefined, context: CheckContext): Promise<CheckResult> {
  try {
    const response = await context.http.send({ ...request, signal: context.signal });
    const assertions = await evaluateHttpExpect(expect, response, context.redactor);
    const evidence: Evidence = { request: request.line, response: responseEvidence(response, context.redactor, expect) };
    const stopped = response.redirectStopped;
    if (stopped) {
      evidence.notes = [`redirect ${stopped.message}`];
      // Asked to follow, but the end was never reached: a loop fails; anything else cannot be judged.
      const outcome = stopped.reason === 'too-many' ? 'fail' : 'error';
      return { outcome, summary: `redirect ${stopped.message}`, evidence: { ...evidence, assertions } };
    }
    const result = resultFromAssertions(assertions, evidence, `${response.status} ${response.statusText}`.trim());
    // Absence is never a pass: a probe of an endpoint that is not there tested nothing.
    const absent = result.outcome === 'pass' ? absentEndpoint(expect, response) : undefined;
    if (absent !== undefined) return { ...result, outcome: 'error', summary: absent };
    if (result.outcome === 'fail' && RETRYABLE_STATUS.has(response.status)) result.retryable = true;
    return result;
  } catch (error) {
    if (error instanceof TransportError) {
      return { outcome: 'error', summary: error.message, evidence: { request: request.line }, retryable: error.retryable };
    }
    throw error;
  }
}

/** Errors that stop a check before anything is sent: a missing secret, a path without a base URL. */
export function unevaluated(error: unknown): CheckResult {
  if (error instanceof MissingValueError || error instanceof RequestSpecError) {
    return { outcome: 'error', summary: error.message, evidence: {} };
  }
  throw error;
}
