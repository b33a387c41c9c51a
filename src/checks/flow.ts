// The `flow` check: ordered requests sharing one cookie jar (login, then act as the
// logged-in user), captures handed from step to step, and `finally` steps that always
// run with the captures made so far (delete the booking the flow created).
import type { z } from 'zod/mini';
import { CookieJar } from 'tough-cookie';
import type { flowCheck, FlowStep, HttpExpect } from '../manifest/schema.ts';
import { headerValues, TransportError, type CookieStore, type HttpResponse } from '../http/client.ts';
import { jarCookieStore } from '../http/cookie-jar.ts';
import { interpolateDeep, MissingValueError, type Scope } from '../manifest/interpolate.ts';
import { formatDuration } from '../manifest/units.ts';
import type { CheckContext, CheckRunner } from './context.ts';
import { absentEndpoint, evaluateHttpExpect, responseEvidence } from './http-expect.ts';
import { jsonPathValue } from './jsonpath.ts';
import { requestDefaults } from './http.ts';
import { RequestSpecError, resolveRequest, type ResolvedRequest } from './request.ts';
import { patternExec } from '../util/pattern.ts';
import { cleanupTimeoutsMs } from './stop-grace.ts';
import { assertionLine, failedAssertions, type Assertion, type CheckResult, type Outcome, type StepEvidence } from './result.ts';

export type FlowCheck = z.infer<typeof flowCheck>;
type CaptureSpec = NonNullable<FlowStep['capture']>[string];

const RETRYABLE_STATUS = new Set([502, 503, 504]);

/** What one flow run carries from step to step. */
interface FlowState {
  jar: CookieJar;
  cookies: CookieStore;
  captures: Record<string, string>;
  /** The page the last response came from: the Referer of the next same-origin step. */
  page?: URL;
}

interface StepRun {
  evidence: StepEvidence;
  /** The first step's transport error or 502/503/504: nothing was changed yet. */
  retryable: boolean;
  note?: string;
}

interface Problem {
  label: string;
  outcome: Outcome;
  summary: string;
}

export const runFlowCheck: CheckRunner<FlowCheck> = async (spec, context) => {
  const jar = new CookieJar();
  const state: FlowState = { jar, cookies: jarCookieStore(jar), captures: {} };
  const steps: StepEvidence[] = [];
  const notes: string[] = [];
  let failure: (Problem & { retryable: boolean }) | undefined;

  for (const [index, step] of spec.steps.entries()) {
    const label = `step ${index + 1} (${stepName(step)})`;
    if (failure) {
      const why = failure.outcome === 'fail' ? 'failed' : 'could not be evaluated';
      steps.push({ name: stepName(step), outcome: 'skip', summary: `not run: ${failure.label} ${why}` });
      continue;
    }
    const run = await runStep(step, state, context, { cleanup: false, signal: context.signal });
    steps.push(run.evidence);
    if (run.note) notes.push(`${label}: ${run.note}`);
    if (run.evidence.outcome !== 'pass') {
      failure = { label, outcome: run.evidence.outcome, summary: run.evidence.summary, retryable: index === 0 && run.retryable };
    }
  }

  // Cleanup runs whatever happened, on a budget of its own rather than the item's signal
  // (the engine waits that long for it): a flow that ran out of time still deletes what
  // it created, and says whether it could.
  const stopped = context.signal.aborted;
  const cleanupSteps = spec.finally ?? [];
  const budgetMs = cleanupTimeoutsMs(cleanupSteps, context.requestTimeoutMs);
  const budget = new AbortController();
  const budgetTimer = setTimeout(() => budget.abort(new Error(`the cleanup budget (${formatDuration(budgetMs)}) ran out`)), budgetMs);
  const cleanupSignal = budget.signal;
  const cleanupProblems: Problem[] = [];
  for (const [index, step] of cleanupSteps.entries()) {
    const label = `cleanup step ${index + 1} (${stepName(step)})`;
    const run = await runStep(step, state, context, { cleanup: true, signal: cleanupSignal });
    steps.push(run.evidence);
    if (run.note) notes.push(`${label}: ${run.note}`);
    if (run.evidence.outcome !== 'pass') cleanupProblems.push({ label, outcome: run.evidence.outcome, summary: run.evidence.summary });
  }
  clearTimeout(budgetTimer);
  // A cleanup step that failed says more than one skipped for want of a capture.
  const cleanupProblem = cleanupProblems.find((problem) => problem.outcome !== 'skip') ?? cleanupProblems[0];

  const evidence = notes.length > 0 ? { steps, notes } : { steps };
  if (failure) {
    let cleanup = cleanupProblem && cleanupProblem.outcome !== 'skip' ? `; ${cleanupLine(cleanupProblem)}` : '';
    // A flow stopped midway may have created something: say what its cleanup did.
    if (stopped && cleanupSteps.length > 0) {
      cleanup = cleanupProblem ? `; ${cleanupLine(cleanupProblem)}` : `; ${cleanupSteps.length === 1 ? 'its cleanup step' : `all ${cleanupSteps.length} cleanup steps`} passed`;
    }
    const result: CheckResult = { outcome: failure.outcome === 'fail' ? 'fail' : 'error', summary: `${failure.label}: ${failure.summary}${cleanup}`, evidence };
    if (failure.retryable) result.retryable = true;
    return result;
  }
  if (cleanupProblem) {
    // The cleanup is part of the contract: a flow that cannot undo what it did fails.
    return { outcome: cleanupProblem.outcome === 'fail' ? 'fail' : 'error', summary: cleanupLine(cleanupProblem), evidence };
  }
  const cleanupCount = spec.finally?.length ?? 0;
  const summary = `${plural(spec.steps.length, 'step')}${cleanupCount > 0 ? ` and ${plural(cleanupCount, 'cleanup step')}` : ''} passed`;
  return { outcome: 'pass', summary, evidence };
};


function cleanupLine(problem: Problem): string {
  const verb = problem.outcome === 'fail' ? 'failed' : problem.outcome === 'skip' ? 'was skipped' : 'could not run';
  return `${problem.label} ${verb}: ${problem.summary}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The step's name, else its request as written in the manifest (placeholders unfilled, so no secrets). */
export function stepName(step: FlowStep): string {
  if (step.name !== undefined) return step.name;
  if (typeof step.request === 'string') return step.request.trim().replace(/\s+/, ' ');
  return `${(step.request.method ?? 'GET').toUpperCase()} ${step.request.url}`;
}

async function runStep(step: FlowStep, state: FlowState, context: CheckContext, options: { cleanup: boolean; signal?: AbortSignal }): Promise<StepRun> {
  const name = stepName(step);
  const started = performance.now();
  const done = (outcome: Outcome, summary: string, extra: Partial<StepEvidence> = {}, retryable = false): StepRun => ({
    evidence: { name, outcome, summary, ...extra, durationMs: Math.round(performance.now() - started) },
    retryable,
  });

  let request: ResolvedRequest;
  let expect: HttpExpect | undefined;
  try {
    ({ request, expect } = await resolveStep(step, state, context));
  } catch (error) {
    // A cleanup step that needs a capture the failed flow never made has nothing to clean up.
    if (error instanceof MissingValueError && options.cleanup) return done('skip', `not run: ${error.message}`);
    if (error instanceof MissingValueError || error instanceof RequestSpecError) return done('error', error.message);
    throw error;
  }

  // A browser sends the page it is on as the Referer of a same-origin request; Django's
  // CSRF check over HTTPS rejects a POST without one.
  if (state.page && state.page.origin === request.url.origin && request.headers.referer === undefined) {
    request.headers.referer = refererOf(state.page);
  }

  let response: HttpResponse;
  try {
    response = await context.http.send({ ...request, cookies: state.cookies, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (error instanceof TransportError) return done('error', error.message, { request: request.line }, error.retryable);
    throw error;
  }
  state.page = new URL(response.url);

  // Captured before the expectations are evaluated (a captured cookie is redacted from
  // their messages) and even when one fails: a booking created with an unexpected
  // status still has an id the cleanup needs.
  const captureProblems = await takeCaptures(step.capture ?? {}, response, state, context);
  const assertions = await evaluateHttpExpect(expect, response, context.redactor);
  const extra: Partial<StepEvidence> = { request: request.line, response: responseEvidence(response, context.redactor, expect), assertions };
  const failed = failedAssertions(assertions);
  const problems = [...failed.map((assertion: Assertion) => assertionLine(assertion)), ...captureProblems];
  // Absence is never a pass: a step whose endpoint is not there tested nothing.
  const absent = problems.length === 0 ? absentEndpoint(expect, response) : undefined;
  const run =
    problems.length > 0
      ? done('fail', `${problems[0] as string}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`, extra, RETRYABLE_STATUS.has(response.status))
      : absent !== undefined
        ? done('error', absent, extra)
        : done('pass', `${response.status} ${response.statusText}`.trim(), extra);
  if (response.redirectStopped) run.note = `redirect ${response.redirectStopped.message}`;
  return run;
}

/**
 * Fills the step's placeholders with `{{ cookies.NAME }}` read from the jar for the URL
 * the step is sent to, just before it is sent, so a token the server rotated in an
 * earlier step (Django rotates csrftoken at login) is the one used. The URL itself is
 * needed to pick the cookies, so it is resolved first with any cookie of that name.
 */
/** The step's request and expectations with every placeholder filled, cookies as the jar holds them for its URL now. */
async function resolveStep(step: FlowStep, state: FlowState, context: CheckContext): Promise<{ request: ResolvedRequest; expect: HttpExpect | undefined }> {
  const defaults = requestDefaults(context);
  const scope: Scope = { ...context.scope, captures: state.captures };
  const anyCookie = cookieMap(await state.jar.store.getAllCookies());
  const { url } = resolveRequest(step.request, { ...scope, cookie: (name) => anyCookie.get(name) }, defaults);
  const forUrl = cookieMap(await state.jar.getCookies(url.href));
  const stepScope: Scope = { ...scope, cookie: (name) => readCookie(forUrl, name, context) };
  return { request: resolveRequest(step.request, stepScope, defaults), expect: step.expect && interpolateDeep(step.expect, stepScope) };
}

/** The first cookie of each name: the jar lists the most specific path first, as browsers send them. */
function cookieMap(cookies: { key: string; value: string }[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const cookie of cookies) if (!map.has(cookie.key)) map.set(cookie.key, cookie.value);
  return map;
}

/** A cookie copied into a header, form or URL is still a credential: keep it out of reports. */
function readCookie(cookies: Map<string, string>, name: string, context: CheckContext): string | undefined {
  const value = cookies.get(name);
  if (value !== undefined) context.redactor.add(value);
  return value;
}

/** The page URL as a Referer: no fragment, no credentials (as browsers send it). */
function refererOf(page: URL): string {
  const referer = new URL(page.href);
  referer.hash = '';
  referer.username = '';
  referer.password = '';
  return referer.href;
}

async function takeCaptures(specs: Record<string, CaptureSpec>, response: HttpResponse, state: FlowState, context: CheckContext): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const captured = await captureOne(spec, response, state, context);
    if ('value' in captured) state.captures[name] = captured.value;
    else problems.push(`capture ${name}: ${captured.problem}`);
  }
  return problems;
}

async function captureOne(spec: CaptureSpec, response: HttpResponse, state: FlowState, context: CheckContext): Promise<{ value: string } | { problem: string }> {
  if (spec.json !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(response.body.toString('utf8'));
    } catch {
      return { problem: response.truncated ? `the body is larger than the ${response.body.length}-byte cap` : 'the body is not JSON' };
    }
    const value = capturedText(jsonPathValue(document, spec.json));
    return value === undefined ? { problem: `nothing at ${spec.json}` } : { value };
  }
  if (spec.header !== undefined) {
    const value = headerValues(response.headers, spec.header)[0]?.trim();
    return value === undefined ? { problem: `no ${spec.header.toLowerCase()} header in the response` } : { value };
  }
  if (spec.cookie !== undefined) {
    const value = cookieMap(await state.jar.getCookies(response.url)).get(spec.cookie);
    if (value === undefined) return { problem: `no ${spec.cookie} cookie in the jar` };
    context.redactor.add(value);
    return { value };
  }
  if (spec.regex !== undefined) {
    const match = patternExec(spec.regex, response.body.toString('utf8'));
    if (!match) return { problem: `nothing in the body matches /${spec.regex}/` };
    const value = match.length > 1 ? match[1] : match[0];
    return value === undefined ? { problem: `group 1 of /${spec.regex}/ matched nothing` } : { value };
  }
  return { problem: 'nothing to capture' };
}

/** Captures are text: numbers and booleans as written in JSON, objects and lists as JSON. */
function capturedText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length === 0) return undefined;
  return JSON.stringify(value);
}
