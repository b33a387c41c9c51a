// How long a stopped item (timeout, deadline, cancel) may take to stop cleanly: a command
// its kill grace, a flow its cleanup steps. Its own module so the pipeline can ask without
// loading the command and flow runners (they load only when an item of their kind runs).
import type { FlowStep } from '../manifest/schema.ts';
import { parseDuration } from '../manifest/units.ts';
import type { PlanItem } from '../plan/plan.ts';
import type { StopGrace } from '../engine/run.ts';

/** Time a stopped command gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;

/** The time the cleanup steps may take together: each step's own request timeout, and a moment more so those fire first. */
export function cleanupTimeoutsMs(steps: FlowStep[], requestTimeoutMs: number): number {
  return steps.reduce((sum, step) => sum + ((typeof step.request !== 'string' && step.request.timeout && parseDuration(step.request.timeout)) || requestTimeoutMs), 500);
}

export function stopGrace(item: PlanItem): StopGrace {
  const check = item.check;
  if (check.kind === 'command') return { ms: KILL_GRACE_MS + 2000, undone: 'its processes did not stop in time' };
  if (check.kind === 'flow' && check.flow.finally?.length) {
    // Its cleanup budget and a moment to report.
    return { ms: cleanupTimeoutsMs(check.flow.finally, item.requestTimeoutMs) + 1000, undone: 'its finally (cleanup) steps did not finish in time, so what the flow created may be left on staging' };
  }
  return { ms: 1000 };
}
