// `uses: NAME` → the built-in's runner, its `with:` parameters parsed (defaults are
// applied by each runner, so the manifest's own values stay visible in the plan).
import type { z } from 'zod/mini';
import { builtinParams, type BuiltinName, type BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { runAuthRequired } from './auth-required.ts';
import { runSecureCookies } from './cookies.ts';
import { runCors } from './cors.ts';
import { runCsrfActive } from './csrf.ts';
import { runAllowedHosts, runDebugOff } from './django.ts';
import { runFrameOptions, runHsts, runNosniff } from './headers.ts';
import { runHealth } from './health.ts';
import { runHttpsRedirect } from './https-redirect.ts';
import { runStaticAssets } from './static-assets.ts';

// Built-ins that are another check kind underneath load with that kind, in its chunk
// (the chunk names match src/checks/index.ts): the bundle holds one copy of the TLS, load,
// SQL and Prometheus code, and a run of http built-ins reads none of it.
const loadTls = () => import(/* webpackChunkName: "tls" */ '../tls.ts');
const loadPerformance = () => import(/* webpackChunkName: "load" */ './performance.ts');
const loadPostgres = () => import(/* webpackChunkName: "sql" */ './postgres.ts');
const loadPrometheus = () => import(/* webpackChunkName: "metrics" */ './prometheus.ts');

type Runners = { [Name in BuiltinName]: (params: BuiltinParams<Name>, context: CheckContext) => Promise<CheckResult> };

const RUNNERS: Runners = {
  'django/debug-off': runDebugOff,
  'django/allowed-hosts': runAllowedHosts,
  'https-redirect': runHttpsRedirect,
  hsts: runHsts,
  nosniff: runNosniff,
  'frame-options': runFrameOptions,
  'secure-cookies': runSecureCookies,
  'csrf-active': runCsrfActive,
  cors: runCors,
  'auth-required': runAuthRequired,
  'static-assets': runStaticAssets,
  health: runHealth,
  tls: async (params, context) => {
    const { runTlsCheck, tlsCheckFromBuiltin } = await loadTls();
    return runTlsCheck(tlsCheckFromBuiltin(params), context);
  },
  'performance-slo': async (params, context) => (await loadPerformance()).runPerformanceSlo(params, context),
  'postgres/ssl': async (params, context) => (await loadPostgres()).runPostgresSsl(params, context),
  'postgres/least-privilege': async (params, context) => (await loadPostgres()).runPostgresLeastPrivilege(params, context),
  'postgres/slow-query-log': async (params, context) => (await loadPostgres()).runPostgresSlowQueryLog(params, context),
  'postgres/statistics': async (params, context) => (await loadPostgres()).runPostgresStatistics(params, context),
  'postgres/foreign-keys': async (params, context) => (await loadPostgres()).runPostgresForeignKeys(params, context),
  'postgres/backups': async (params, context) => (await loadPostgres()).runPostgresBackups(params, context),
  'prometheus/alert-rule': async (params, context) => (await loadPrometheus()).runAlertRule(params, context),
  'prometheus/target-up': async (params, context) => (await loadPrometheus()).runTargetUp(params, context),
  'prometheus/slo': async (params, context) => (await loadPrometheus()).runSlo(params, context),
  'alertmanager/receiver': async (params, context) => (await loadPrometheus()).runAlertmanagerReceiver(params, context),
};

export async function runBuiltinCheck(name: BuiltinName, params: Record<string, unknown>, context: CheckContext): Promise<CheckResult> {
  // The manifest was validated against the same schema; this parse only types the values.
  const parsed = (builtinParams(name) as z.ZodMiniType).safeParse(params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(with)'}: ${issue.message}`).join('; ');
    return { outcome: 'error', summary: `invalid with: for ${name}: ${problems}`, evidence: {} };
  }
  const run = RUNNERS[name] as (params: unknown, context: CheckContext) => Promise<CheckResult>;
  return run(parsed.data, context);
}
