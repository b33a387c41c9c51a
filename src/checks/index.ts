// One entry point for every check kind: the plan's check spec → its runner. Each kind's
// code is imported the first time an item of that kind runs ("eager": in this bundle,
// evaluated on import), so a manifest of http items never evaluates TLS, load or flows.
import type { CheckSpec } from '../plan/plan.ts';
import type { CheckContext } from './context.ts';
import type { CheckResult } from './result.ts';

export async function runCheck(spec: CheckSpec, context: CheckContext): Promise<CheckResult> {
  switch (spec.kind) {
    case 'http':
      return (await import(/* webpackMode: "eager" */ './http.ts')).runHttpCheck(spec.http, context);
    case 'tls':
      return (await import(/* webpackMode: "eager" */ './tls.ts')).runTlsCheck(spec.tls, context);
    case 'load':
      return (await import(/* webpackMode: "eager" */ './load.ts')).runLoadCheck(spec.load, context);
    case 'flow':
      return (await import(/* webpackMode: "eager" */ './flow.ts')).runFlowCheck(spec.flow, context);
    case 'command':
      return (await import(/* webpackMode: "eager" */ './command.ts')).runCommandCheck(spec.command, context);
    case 'file':
      return (await import(/* webpackMode: "eager" */ './file.ts')).runFileCheck(spec.file, context);
    case 'sql':
      return (await import(/* webpackMode: "eager" */ './sql.ts')).runSqlCheck(spec.sql, context);
    case 'metrics':
      return (await import(/* webpackMode: "eager" */ './metrics.ts')).runMetricsCheck(spec.metrics, context);
    case 'uses':
      return (await import(/* webpackMode: "eager" */ './builtin/index.ts')).runBuiltinCheck(spec.uses, spec.with, context);
    case 'manual':
      return (await import(/* webpackMode: "eager" */ './manual.ts')).manualResult(spec.manual);
  }
}
