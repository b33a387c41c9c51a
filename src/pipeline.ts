// The whole run, one direction: manifest → plan → target → engine → policy → report.
// The CLI and the action call this with plain values and render what comes back.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ManifestError } from './manifest/load.ts';
import type { RequestDefaults } from './checks/request.ts';
import type { Scope } from './manifest/interpolate.ts';
import { buildPlan, PlanError, type Plan, type PlanItem } from './plan/plan.ts';
import { selectItems } from './plan/select.ts';
import { HttpClient } from './http/client.ts';
import { caFileProblem } from './http/trust.ts';
import { runCheck } from './checks/index.ts';
import type { CheckContext } from './checks/context.ts';
import { IdleSessions } from './checks/idle-sessions.ts';
import type { CheckResult } from './checks/result.ts';
import { runItems, type ItemResult, type ProgressEvent } from './engine/run.ts';
import { stopGrace } from './checks/stop-grace.ts';
import { formatDuration } from './manifest/units.ts';
import { checkServedVersion, waitUntilReady, type ProbeDeps, type WaitProgress } from './target/ready.ts';
import { buildReport } from './report/build.ts';
import { applyPolicy, type PolicyInput } from './policy/verdict.ts';
import { resolvePolicy } from './policy/signoff.ts';
import type { Report } from './report/model.ts';
import { Redactor, redactDeep } from './util/redact.ts';
import { runnerCredentials } from './util/command-env.ts';
import { VERSION } from './version.ts';

export interface RunInput {
  manifestText: string;
  /** As the user wrote it; errors and annotations point here. */
  manifestFile: string;
  /** Staging URL override (--url, the staging-url input, the deployment_status event). */
  url?: string;
  env: Readonly<Record<string, string | undefined>>;
  git: { sha?: string; ref?: string };
  /** The repository checkout: command and file checks run here, target.ca is read from here. */
  workspace: string;
  commandsAllowed?: CheckContext['commandsAllowed'];
  onProgress?: (event: ProgressEvent) => void;
  /** Progress of the wait for staging, one call per failed try. */
  onWaiting?: (attempt: number, problem: string, wait: WaitProgress) => void;
  /** Secrets are registered here so the caller can mask them (core.setSecret) too. */
  redactor?: Redactor;
  /**
   * Sign-off evidence and the policy in force, from GitHub (the action). Without it the
   * manifest's own policy applies and nobody has signed (the CLI).
   */
  policy?: Partial<Omit<PolicyInput, 'waivers'>>;
  /** Today, for waiver expiry. Default: now. */
  today?: Date;
  /** Cancels the run (SIGTERM/SIGINT): checks stop, their processes are killed, the report says what finished. */
  signal?: AbortSignal;
  /** Run only the items these ids or section titles name (`run --only`). */
  only?: string[];
}

export type RunOutcome =
  | { status: 'invalid'; errors: ManifestError[] }
  | { status: 'unusable'; message: string }
  | { status: 'done'; report: Report; plan: Plan };

export async function runReadiness(input: RunInput): Promise<RunOutcome> {
  const startedAt = new Date();
  const started = performance.now();
  const redactor = input.redactor ?? new Redactor();
  // The runner's tokens are never printed, whatever echoes them.
  for (const credential of runnerCredentials(input.env)) redactor.add(credential);

  const today = input.today ?? new Date();
  // A chunk of its own in the CLI bundle, shared with `validate` and `run --list`.
  const { loadManifest } = await import(/* webpackChunkName: "manifest" */ './manifest/load.ts');
  const loaded = loadManifest(input.manifestText, input.manifestFile, { today });
  if (!loaded.ok) return { status: 'invalid', errors: loaded.errors };

  let plan: Plan;
  let ca: string | undefined;
  try {
    plan = buildPlan(loaded.value, { ...(input.url !== undefined ? { url: input.url } : {}), env: input.env, git: input.git, redactor });
    if (input.only) plan = { ...plan, items: selectItems(plan.items, input.only).selected };
    if (plan.target.caFile) ca = readCa(plan.target.caFile, input.workspace);
  } catch (error) {
    if (error instanceof PlanError) return { status: 'unusable', message: redactor.text(error.message) };
    throw error;
  }

  registerTargetCredentials(plan, redactor);

  const http = new HttpClient({
    perHost: plan.limits.perHost,
    allowedHosts: plan.allowedHosts,
    userAgent: `readiness-gate/${VERSION}`,
    ...(ca !== undefined ? { ca } : {}),
    ...(plan.target.url ? { target: { host: plan.target.url.hostname, headers: plan.target.headers, protocol: plan.target.url.protocol } } : {}),
  });

  // limits.deadline bounds the whole run, the wait for staging included.
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(new Error(`the run's deadline (${formatDuration(plan.limits.deadlineMs)}) passed`)), plan.limits.deadlineMs);
  const stop = input.signal ? AbortSignal.any([input.signal, deadline.signal]) : deadline.signal;
  const databaseSessions = new IdleSessions();
  try {
    const scope = scopeFor(plan, input, redactor);
    const notices: string[] = [];
    const probeDeps: ProbeDeps = { http, scope, defaults: baseDefaults(plan), signal: stop, ...(input.onWaiting ? { onAttempt: input.onWaiting } : {}) };
    const targetProblem = await checkTarget(plan, probeDeps);
    if (targetProblem) notices.push(targetProblem);

    const measurements = new Map<string, Promise<unknown>>();
    const context = (item: PlanItem, signal: AbortSignal): CheckContext => ({
      measurements,
      databaseSessions,
      http,
      scope,
      redactor,
      signal,
      requestTimeoutMs: item.requestTimeoutMs,
      workspace: input.workspace,
      commandsAllowed: input.commandsAllowed ?? { allowed: true },
      ...(plan.target.url ? { baseUrl: plan.target.url } : {}),
      ...(ca !== undefined ? { ca } : {}),
    });
    const attempt = (item: PlanItem, signal: AbortSignal): Promise<CheckResult> => {
      // Staging is down or stale: one reason, given to every item that needs staging.
      if (targetProblem && item.usesTarget) return Promise.resolve({ outcome: 'error', summary: targetProblem, evidence: {} });
      return runCheck(item.check, context(item, signal));
    };
    const results: ItemResult[] = await runItems(plan.items, attempt, {
      concurrency: plan.limits.concurrency,
      deadlineMs: plan.limits.deadlineMs,
      startedAt: started,
      stopGrace,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
    const given = input.policy ?? {};
    // A caller that says where the policy came from (the base branch) decides it, even when there is none.
    const resolved = given.source !== undefined ? given.policy : resolvePolicy(loaded.value.manifest.policy);
    const policy = applyPolicy(
      plan.items,
      results,
      {
        ...(resolved ? { policy: resolved } : {}),
        ...(given.pull ? { pull: given.pull } : {}),
        ...(given.waiversAt ? { waiversAt: given.waiversAt } : {}),
        ...(given.baseline ? { baseline: given.baseline } : {}),
        waivers: loaded.value.manifest.waivers ?? [],
        today,
        source: given.source ?? 'manifest',
        notes: given.notes ?? [],
      },
      notices,
    );
    // Every string of the report, once more: whatever a check printed, no secret leaves.
    const report = redactDeep(buildReport({ plan, results, policy, notices, startedAt, durationMs: Math.round(performance.now() - started) }), redactor);
    return { status: 'done', report, plan };
  } finally {
    clearTimeout(deadlineTimer);
    // After a cancel nothing may linger: connections are dropped at once.
    await Promise.all([http.close(input.signal?.aborted ? 0 : undefined), databaseSessions.close()]);
  }
}


/** Waits for staging and checks its version; returns the reason it cannot be checked. */
async function checkTarget(plan: Plan, deps: ProbeDeps): Promise<string | undefined> {
  if (!plan.items.some((item) => item.usesTarget)) return undefined;
  if (plan.target.ready) {
    const ready = await waitUntilReady(plan.target.ready, deps);
    if (!ready.ready) return ready.reason;
  }
  if (plan.target.version) {
    const version = await checkServedVersion(plan.target.version, deps);
    if (!version.matches) return version.reason;
  }
  return undefined;
}

/** Headers that describe a request rather than grant access; every other target header is treated as a credential. */
const DESCRIPTIVE_HEADERS = new Set(['accept', 'accept-language', 'accept-encoding', 'user-agent', 'content-type', 'cache-control', 'pragma', 'origin', 'referer', 'x-requested-with', 'host']);

/** The staging URL's password and the target headers we send: an echo of them is redacted like a secret. */
function registerTargetCredentials(plan: Plan, redactor: Redactor): void {
  const password = plan.target.url?.password;
  if (password) {
    redactor.add(password);
    redactor.add(decodeURIComponent(password));
  }
  for (const [name, value] of Object.entries(plan.target.headers)) if (!DESCRIPTIVE_HEADERS.has(name.toLowerCase())) redactor.add(value);
}

function scopeFor(plan: Plan, input: RunInput, redactor: Redactor): Scope {
  const scope: Scope = { env: input.env, git: input.git, redactor };
  if (plan.target.values) scope.target = plan.target.values;
  return scope;
}

function baseDefaults(plan: Plan): RequestDefaults {
  const timeoutMs = plan.requestTimeoutMs;
  return plan.target.url ? { timeoutMs, baseUrl: plan.target.url } : { timeoutMs };
}

function readCa(file: string, workspace: string): string {
  const path = isAbsolute(file) ? file : join(workspace, file);
  let text: string;
  try {
    // Synchronously: node:fs/promises costs more to load (~8 ms) than reading one PEM file.
    text = readFileSync(path, 'utf8');
  } catch {
    throw new PlanError(`target.ca: cannot read ${path}; give a PEM file of the CA that signed the staging certificate`);
  }
  const problem = caFileProblem(text);
  if (problem !== undefined) throw new PlanError(`target.ca: ${path} ${problem}; give a PEM file of the CA that signed the staging certificate`);
  return text;
}
