// `uses: NAME` → the built-in's runner, its `with:` parameters parsed (defaults are
// applied by each runner, so the manifest's own values stay visible in the plan).
import type { z } from 'zod';
import { BUILTIN_PARAMS, type BuiltinName, type BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { runTlsCheck, tlsCheckFromBuiltin } from '../tls.ts';
import { runAuthRequired } from './auth-required.ts';
import { runSecureCookies } from './cookies.ts';
import { runCors } from './cors.ts';
import { runCsrfActive } from './csrf.ts';
import { runAllowedHosts, runDebugOff } from './django.ts';
import { runFrameOptions, runHsts, runNosniff } from './headers.ts';
import { runHealth } from './health.ts';
import { runHttpsRedirect } from './https-redirect.ts';
import { runPerformanceSlo } from './performance.ts';
import { runPostgresBackups, runPostgresForeignKeys, runPostgresLeastPrivilege, runPostgresSlowQueryLog, runPostgresSsl, runPostgresStatistics } from './postgres.ts';
import { runAlertmanagerReceiver, runAlertRule, runSlo, runTargetUp } from './prometheus.ts';
import { runStaticAssets } from './static-assets.ts';

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
  tls: (params, context) => runTlsCheck(tlsCheckFromBuiltin(params), context),
  'performance-slo': runPerformanceSlo,
  'postgres/ssl': runPostgresSsl,
  'postgres/least-privilege': runPostgresLeastPrivilege,
  'postgres/slow-query-log': runPostgresSlowQueryLog,
  'postgres/statistics': runPostgresStatistics,
  'postgres/foreign-keys': runPostgresForeignKeys,
  'postgres/backups': runPostgresBackups,
  'prometheus/alert-rule': runAlertRule,
  'prometheus/target-up': runTargetUp,
  'prometheus/slo': runSlo,
  'alertmanager/receiver': runAlertmanagerReceiver,
};

export async function runBuiltinCheck(name: BuiltinName, params: Record<string, unknown>, context: CheckContext): Promise<CheckResult> {
  // The manifest was validated against the same schema; this parse only types the values.
  const parsed = (BUILTIN_PARAMS[name] as z.ZodType).safeParse(params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(with)'}: ${issue.message}`).join('; ');
    return { outcome: 'error', summary: `invalid with: for ${name}: ${problems}`, evidence: {} };
  }
  const run = RUNNERS[name] as (params: unknown, context: CheckContext) => Promise<CheckResult>;
  return run(parsed.data, context);
}
