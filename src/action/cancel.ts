// A cancelled workflow: the runner sends SIGINT, then SIGTERM, then kills the job a few
// seconds later. The first signal aborts the run (checks stop, command process groups are
// killed) so the check run is still concluded as cancelled, with what finished.
import type { Conclusion } from '../github/check-run.ts';

export interface Cancellation {
  signal: AbortSignal;
  /** Stops listening (the run is over). */
  dispose(): void;
}

/**
 * Aborts the returned signal on the first SIGTERM or SIGINT; a second signal means "now",
 * and `exitNow` ends the process.
 */
export function cancelOnSignals(onFirst: (name: NodeJS.Signals) => void, exitNow: (code: number) => void): Cancellation {
  const controller = new AbortController();
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const [name, number] of [['SIGTERM', 15], ['SIGINT', 2]] as const) {
    const handler = () => {
      if (controller.signal.aborted) return exitNow(128 + number);
      onFirst(name);
      controller.abort(new Error(`the workflow was cancelled (${name})`));
    };
    handlers.set(name, handler);
    process.on(name, handler);
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

export function cancelReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'the run was cancelled';
}

/** The conclusion of a run cut short: cancelled, with the checks that finished in the summary. */
export function cancelledConclusion(finished: Conclusion, signal: AbortSignal | undefined): Conclusion {
  if (!signal?.aborted) return finished;
  const reason = cancelReason(signal);
  return {
    conclusion: 'cancelled',
    title: `Cancelled: ${reason}; the checks were stopped`,
    summary: `## ⏹️ Cancelled\n\n${upperFirst(reason)} before every check finished. What is known so far:\n\n${finished.summary}`,
    // Items that were stopped are not findings: no annotations for a cancelled run.
    annotations: [],
  };
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
