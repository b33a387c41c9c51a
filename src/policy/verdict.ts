// The policy stage: engine results + what GitHub recorded → per item the outcome after
// sign-offs, its waiver and whether it blocks; for the run, the verdict and who must act.
// Ready when nothing blocks; awaiting sign-off when only sign-offs are missing.
import type { PlanItem } from '../plan/plan.ts';
import type { ItemResult } from '../engine/run.ts';
import type { Outcome } from '../checks/result.ts';
import type { Waiver } from '../manifest/schema.ts';
import type { AwaitingRole, Counts, ItemPolicy, PolicyReport, Reason, Verdict } from './model.ts';
import { blocks, isProblem, isWaived } from './outcomes.ts';
import { evaluateSignoffs, roleCall, type PullEvidence, type ResolvedPolicy } from './signoff.ts';
import { evaluateWaiver } from './waivers.ts';

export interface PolicyInput {
  /** The policy in force (the base branch's on a pull request). Absent: manual items behave as plain pending items. */
  policy?: ResolvedPolicy;
  /** What GitHub recorded on the pull request (absent outside a PR: nobody has signed). */
  pull?: PullEvidence;
  waivers: Waiver[];
  today: Date;
  source: PolicyReport['source'];
  notes: Reason[];
  waiversAt?: Record<string, Waiver[]>;
  /** The base branch's score, for "Score 82% (▲ 6 vs main)". */
  baseline?: { branch: string; score: number };
}

export interface PolicyOutcome {
  items: ItemPolicy[];
  verdict: Verdict;
  counts: Counts;
  policy?: PolicyReport;
}

export function applyPolicy(items: PlanItem[], results: ItemResult[], input: PolicyInput, notices: string[] = []): PolicyOutcome {
  const { policy } = input;
  const signersOf = (item: PlanItem): string[] => {
    if (item.check.kind !== 'manual') return [];
    const manual = item.check.manual;
    return manual.signers ?? (manual.owner !== undefined ? [manual.owner] : []);
  };
  const governed = (item: PlanItem) => policy !== undefined && Object.keys(policy.roles).length > 0 && signersOf(item).length > 0;
  const signoffs =
    policy && input.pull
      ? evaluateSignoffs(policy, items.filter(governed).map((item) => ({ id: item.id, signers: signersOf(item) })), input.pull)
      : undefined;

  const states: ItemPolicy[] = items.map((item, index) => {
    const result = results[index] as ItemResult;
    let outcome: Outcome = result.outcome;
    let summary = result.summary;
    const state: Partial<ItemPolicy> = {};
    let signOffRequired = item.check.kind === 'manual' && item.check.manual.required === true;
    if (governed(item) && policy) {
      signOffRequired = item.check.kind === 'manual' && item.check.manual.required !== false;
      const signoff = signoffs?.get(item.id) ?? { state: 'pending' as const, signatures: [], awaiting: signersOf(item).map((role) => roleCall(policy, role)), reasons: [] };
      state.signoff = signoff;
      if (signoff.state === 'signed') {
        outcome = 'signed';
        summary = `signed by ${signoff.signatures.map((signature) => `@${signature.login} (${signature.role})`).join(', ')}`;
      } else {
        summary = `awaiting ${signoff.awaiting.map((call) => `${call.role}${call.members.length ? `: ${call.members.join(', ')}` : ''}`).join('; ')}`;
      }
    }
    const waiver = input.waivers.find((entry) => entry.item === item.id);
    if (waiver) state.waiver = evaluateWaiver(waiver, outcome, { policy, pull: input.pull, today: input.today, ...(input.waiversAt ? { waiversAt: input.waiversAt } : {}) });
    return {
      ...state,
      outcome,
      summary,
      blocks: blocks({ severity: item.severity, outcome, signOffRequired, ...(state.waiver ? { waiver: state.waiver.status } : {}) }),
    };
  });

  const counts = countOutcomes(states.map((state) => state.outcome));
  counts.waived = states.filter((state) => isWaived(state.outcome, state.waiver?.status)).length;
  const blocking = items.filter((_, index) => (states[index] as ItemPolicy).blocks);
  const awaiting = awaitingRoles(states, policy);
  const problems = blocking.filter((item) => isProblem((states[items.indexOf(item)] as ItemPolicy).outcome));
  const state: Verdict['state'] = blocking.length === 0 ? 'ready' : problems.length === 0 && awaiting.length > 0 ? 'awaiting-sign-off' : 'not-ready';
  const done = counts.pass + counts.flaky + counts.signed;
  const applicable = counts.total - counts.skip;
  const score = applicable === 0 ? 0 : Math.floor((100 * done) / applicable);
  const verdict: Verdict = {
    ready: state === 'ready',
    state,
    headline: headline(items, states, blocking, counts, notices, state, awaiting),
    score,
    blocking: blocking.map((item) => item.id),
    awaiting,
    ...(input.baseline ? { baseline: input.baseline } : {}),
  };

  const outcome: PolicyOutcome = { items: states, verdict, counts };
  if (policy || input.waivers.length > 0 || input.notes.length > 0) {
    outcome.policy = {
      source: input.source,
      notes: input.notes,
      waivers: items.flatMap((item, index) => {
        const waiver = (states[index] as ItemPolicy).waiver;
        if (waiver?.status !== 'active' || !isWaived((states[index] as ItemPolicy).outcome, 'active')) return [];
        return [{ id: item.id, title: item.title, reason: waiver.reason, expires: waiver.expires, daysLeft: waiver.daysLeft, ...(waiver.approver ? { approver: waiver.approver } : {}) }];
      }),
    };
  }
  return outcome;
}

/** Roles with blocking items pending their sign-off, in the order they first appear: one entry per role. */
function awaitingRoles(states: ItemPolicy[], policy: ResolvedPolicy | undefined): AwaitingRole[] {
  const roles = new Map<string, AwaitingRole>();
  states.forEach((state) => {
    if (!state.blocks || state.outcome !== 'pending' || !state.signoff) return;
    for (const call of state.signoff.awaiting) {
      const entry = roles.get(call.role) ?? { ...(policy ? roleCall(policy, call.role) : call), items: 0 };
      entry.items++;
      roles.set(call.role, entry);
    }
  });
  return [...roles.values()];
}

export function countOutcomes(outcomes: Outcome[]): Counts {
  const counts: Counts = { total: outcomes.length, pass: 0, fail: 0, error: 0, skip: 0, flaky: 0, pending: 0, signed: 0, waived: 0 };
  for (const outcome of outcomes) counts[outcome]++;
  return counts;
}

function headline(items: PlanItem[], states: ItemPolicy[], blocking: PlanItem[], counts: Counts, notices: string[], state: Verdict['state'], awaiting: AwaitingRole[]): string {
  const stateOf = (item: PlanItem) => states[items.indexOf(item)] as ItemPolicy;
  if (state === 'awaiting-sign-off') {
    return `Awaiting sign-off: ${awaiting.map((role) => `${role.role} (${plural(role.items, 'item')})`).join(', ')}`;
  }
  if (blocking.length > 0) {
    const failed = blocking.filter((item) => stateOf(item).outcome === 'fail');
    const errored = blocking.filter((item) => stateOf(item).outcome === 'error');
    const waiting = blocking.filter((item) => stateOf(item).outcome === 'pending');
    const parts: string[] = [];
    if (failed.length) parts.push(`${plural(failed.length, 'blocking item')} failed`);
    if (errored.length) parts.push(`${plural(errored.length, 'blocking item')} could not be checked`);
    if (waiting.length) parts.push(`${plural(waiting.length, 'required sign-off')} pending`);
    const names = blocking.slice(0, 3).map((item) => item.title).join(', ');
    const more = blocking.length > 3 ? `, +${blocking.length - 3} more` : '';
    // Say why when there is one reason: a run-level cause (staging down), or one summary all share.
    const summaries = new Set(blocking.map((item) => stateOf(item).summary));
    const reason = errored.length === blocking.length && notices[0] ? notices[0] : summaries.size === 1 ? [...summaries][0] : undefined;
    const cause = ` (${names}${more})${reason ? ` — ${reason}` : ''}`;
    return `Not ready: ${parts.join(', ')}${cause}`;
  }
  const checked = counts.pass + counts.flaky;
  const parts = [`${plural(checked, 'check')} passed`];
  const advisory = counts.fail + counts.error - counts.waived;
  if (advisory) parts.push(`${plural(advisory, 'advisory item')} failed`);
  if (counts.waived) parts.push(`${counts.waived} waived`);
  if (counts.flaky) parts.push(`${counts.flaky} flaky`);
  if (counts.signed) parts.push(`${counts.signed} signed`);
  if (counts.pending) parts.push(`${plural(counts.pending, 'manual item')} pending`);
  return `Ready: ${parts.join(', ')}`;
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
