// One entry point for every check kind: the plan's check spec → its runner.
import type { CheckSpec } from '../plan/plan.ts';
import type { CheckContext } from './context.ts';
import type { CheckResult } from './result.ts';
import { runHttpCheck } from './http.ts';
import { runTlsCheck } from './tls.ts';
import { runLoadCheck } from './load.ts';
import { runFlowCheck } from './flow.ts';
import { runCommandCheck } from './command.ts';
import { runFileCheck } from './file.ts';
import { manualResult } from './manual.ts';
import { runBuiltinCheck } from './builtin/index.ts';
import { runSqlCheck } from './sql.ts';
import { runMetricsCheck } from './metrics.ts';

export async function runCheck(spec: CheckSpec, context: CheckContext): Promise<CheckResult> {
  switch (spec.kind) {
    case 'http':
      return runHttpCheck(spec.http, context);
    case 'tls':
      return runTlsCheck(spec.tls, context);
    case 'load':
      return runLoadCheck(spec.load, context);
    case 'flow':
      return runFlowCheck(spec.flow, context);
    case 'command':
      return runCommandCheck(spec.command, context);
    case 'file':
      return runFileCheck(spec.file, context);
    case 'sql':
      return runSqlCheck(spec.sql, context);
    case 'metrics':
      return runMetricsCheck(spec.metrics, context);
    case 'uses':
      return runBuiltinCheck(spec.uses, spec.with, context);
    case 'manual':
      return manualResult(spec.manual);
  }
}
