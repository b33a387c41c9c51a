// One entry point for every check kind: the plan's check spec → its runner. Each kind's
// code is imported the first time an item of that kind runs (in the bundle, a chunk of its
// own), so a manifest of http items never reads or evaluates TLS, load or flows. Named
// chunks are shared with the built-ins that run the same kind (src/checks/builtin/index.ts).
import type { CheckSpec } from '../plan/plan.ts';
import type { CheckContext } from './context.ts';
import type { CheckResult } from './result.ts';

export async function runCheck(spec: CheckSpec, context: CheckContext): Promise<CheckResult> {
  switch (spec.kind) {
    case 'http':
      return (await import('./http.ts')).runHttpCheck(spec.http, context);
    case 'tls':
      return (await import(/* webpackChunkName: "tls" */ './tls.ts')).runTlsCheck(spec.tls, context);
    case 'load':
      return (await import(/* webpackChunkName: "load" */ './load.ts')).runLoadCheck(spec.load, context);
    case 'flow':
      return (await import('./flow.ts')).runFlowCheck(spec.flow, context);
    case 'command':
      return (await import('./command.ts')).runCommandCheck(spec.command, context);
    case 'file':
      return (await import('./file.ts')).runFileCheck(spec.file, context);
    case 'sql':
      return (await import(/* webpackChunkName: "sql" */ './sql.ts')).runSqlCheck(spec.sql, context);
    case 'metrics':
      return (await import(/* webpackChunkName: "metrics" */ './metrics.ts')).runMetricsCheck(spec.metrics, context);
    case 'uses':
      return (await import('./builtin/index.ts')).runBuiltinCheck(spec.uses, spec.with, context);
    case 'manual':
      return (await import('./manual.ts')).manualResult(spec.manual);
  }
}
