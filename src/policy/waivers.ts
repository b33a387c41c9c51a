// Waivers: written in the manifest, inert until a waiver approver (not the PR author)
// approves a review on a head that contains the waiver. Active and unexpired, a waiver
// keeps a failing item from blocking; on or after its expiry the item blocks again.
import type { Outcome } from '../checks/result.ts';
import type { Waiver } from '../manifest/schema.ts';
import type { WaiverReport } from './model.ts';
import { isDone } from './outcomes.ts';
import { roleCall, roleMembership, type PullEvidence, type ResolvedPolicy } from './signoff.ts';

const DAY_MS = 86_400_000;
/** "expires in N days" is said within this many days of the expiry. */
export const EXPIRY_WARNING_DAYS = 7;

export interface WaiverContext {
  policy: ResolvedPolicy | undefined;
  pull: PullEvidence | undefined;
  today: Date;
  /** The manifest's waivers at other commits that approvals were given on (absent: unknown, so those approvals do not count). */
  waiversAt?: Record<string, Waiver[]>;
}

export function evaluateWaiver(waiver: Waiver, outcome: Outcome, context: WaiverContext): WaiverReport {
  const today = Date.UTC(context.today.getUTCFullYear(), context.today.getUTCMonth(), context.today.getUTCDate());
  const daysLeft = Math.round((Date.parse(`${waiver.expires}T00:00:00Z`) - today) / DAY_MS);
  const base = { reason: waiver.reason, expires: waiver.expires, daysLeft };
  if (isDone(outcome) || outcome === 'skip') {
    return { ...base, status: 'not-needed', note: { code: 'waiver-not-needed', message: `the waiver of this item is no longer needed (it ${outcome === 'skip' ? 'was skipped' : 'passes'}); remove it` } };
  }
  if (daysLeft <= 0) return { ...base, status: 'expired', note: { code: 'waiver-expired', message: `waiver expired on ${waiver.expires}` } };
  const approver = approverOf(waiver, context);
  if (!approver) {
    const roles = context.policy?.waivers?.approvers ?? [];
    const who = roles.map((role) => `${role}${context.policy ? ` (${roleCall(context.policy, role).members.join(', ')})` : ''}`).join(' or ');
    return { ...base, status: 'unapproved', note: { code: 'waiver-awaits-approval', message: `the waiver awaits an approving review by ${who || 'a waiver approver (policy.waivers.approvers)'}` } };
  }
  const soon = daysLeft <= EXPIRY_WARNING_DAYS ? ` — expires in ${daysLeft} ${daysLeft === 1 ? 'day' : 'days'}` : '';
  return { ...base, status: 'active', approver, note: { code: 'waiver-active', message: `waived by @${approver} until ${waiver.expires}${soon}` } };
}

/** The first approver whose approving review is on a head containing this very waiver. */
function approverOf(waiver: Waiver, { policy, pull, waiversAt }: WaiverContext): string | undefined {
  if (!policy?.waivers || !pull) return undefined;
  const author = pull.author.toLowerCase();
  const sorted = [...pull.reviews].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.id - b.id);
  for (const review of sorted) {
    if (review.state !== 'APPROVED' || review.user.toLowerCase() === author) continue;
    const contains = review.commitId === pull.headSha || (waiversAt?.[review.commitId] ?? []).some((other) => same(other, waiver));
    if (!contains) continue;
    if (policy.waivers.approvers.some((role) => roleMembership(policy, role, review.user, pull) === 'member')) return review.user;
  }
  return undefined;
}

function same(a: Waiver, b: Waiver): boolean {
  return a.item === b.item && a.reason === b.reason && a.expires === b.expires;
}
