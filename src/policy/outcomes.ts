// The outcome classes, in one place: what counts as done, what is a problem, what
// blocks. Every renderer and publisher asks here, so a new state cannot be missed.
import type { Outcome } from '../checks/result.ts';
import type { WaiverStatus } from './model.ts';

/** Done: a check passed (flaky included) or the people the policy names signed. */
export function isDone(outcome: Outcome): boolean {
  return outcome === 'pass' || outcome === 'flaky' || outcome === 'signed';
}

/** A check failed or could not be evaluated. */
export function isProblem(outcome: Outcome): boolean {
  return outcome === 'fail' || outcome === 'error';
}

export function isAwaitingSignOff(outcome: Outcome): boolean {
  return outcome === 'pending';
}

export interface BlockingFacts {
  severity: 'blocking' | 'advisory';
  outcome: Outcome;
  /** A pending manual item keeps the verdict from being ready (required, or signers under a policy). */
  signOffRequired: boolean;
  waiver?: WaiverStatus;
}

/** Does this item keep the verdict from being ready? An active waiver lifts a problem; an expired one does not. */
export function blocks(facts: BlockingFacts): boolean {
  if (facts.severity !== 'blocking') return false;
  if (isProblem(facts.outcome)) return facts.waiver !== 'active';
  return isAwaitingSignOff(facts.outcome) && facts.signOffRequired;
}

/** An item shown as waived: a problem an active waiver keeps from blocking. */
export function isWaived(outcome: Outcome, waiver: WaiverStatus | undefined): boolean {
  return waiver === 'active' && isProblem(outcome);
}
