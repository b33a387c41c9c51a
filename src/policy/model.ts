// What the policy stage hands the report: per item, the outcome after sign-offs, whether
// it blocks, who signed or must sign, its waiver; for the run, the verdict. Plain data.
import type { Outcome } from '../checks/result.ts';

/** A reason as data: renderers show `message`, code decides (never compare sentences). */
export interface Reason {
  code:
    | 'author-cannot-sign'
    | 'signed-on-older-commit'
    | 'edited-comment'
    | 'comment-before-push'
    | 'not-a-member'
    | 'team-unreadable'
    | 'role-undefined'
    | 'same-person-two-roles'
    | 'checkbox-is-not-signing'
    | 'policy-changed-in-pr'
    | 'base-policy-unavailable'
    | 'no-pull-request'
    | 'waiver-awaits-approval'
    | 'waiver-expired'
    | 'waiver-not-needed'
    | 'waiver-active';
  message: string;
}

export interface Signature {
  login: string;
  role: string;
  via: 'review' | 'comment';
  /** The commit a review was given on. */
  commit?: string;
  at: string;
}

export interface RoleCall {
  role: string;
  /** "@alice", "@acme/sre": who can sign for the role. */
  members: string[];
}

export interface SignoffReport {
  state: 'signed' | 'pending';
  signatures: Signature[];
  /** Roles that still have to sign, with who may. */
  awaiting: RoleCall[];
  reasons: Reason[];
}

export type WaiverStatus = 'active' | 'expired' | 'unapproved' | 'not-needed';

export interface WaiverReport {
  status: WaiverStatus;
  reason: string;
  /** YYYY-MM-DD: the first day it no longer applies. */
  expires: string;
  /** Days left while active (0 on the last day before `expires`… never: expires is exclusive). */
  daysLeft: number;
  approver?: string;
  /** What to say about it: "waiver expired on 2027-01-15". */
  note: Reason;
}

export interface Counts {
  total: number;
  pass: number;
  fail: number;
  error: number;
  skip: number;
  flaky: number;
  pending: number;
  signed: number;
  /** Items whose failure an approved waiver keeps from blocking (their outcome stays as measured). */
  waived: number;
}

export type VerdictState = 'ready' | 'awaiting-sign-off' | 'not-ready';

export interface AwaitingRole extends RoleCall {
  /** Blocking items this role still has to sign. */
  items: number;
}

export interface Verdict {
  ready: boolean;
  /** ready; awaiting-sign-off: only sign-offs are missing; not-ready: something blocking failed. */
  state: VerdictState;
  /** The one sentence that leads the comment, the check title and the log. */
  headline: string;
  /** Share of items done (pass, flaky, signed) among items not skipped, 0–100. */
  score: number;
  /** Ids of the items that keep the verdict from being ready. */
  blocking: string[];
  /** Who must act: roles with blocking items pending their sign-off, one entry per role. */
  awaiting: AwaitingRole[];
  /** The score of the base branch's head, when its check run said. */
  baseline?: { branch: string; score: number };
}

export interface ItemPolicy {
  outcome: Outcome;
  summary: string;
  blocks: boolean;
  signoff?: SignoffReport;
  waiver?: WaiverReport;
}

/** Run-level policy facts: where the policy came from and anything the reader must know. */
export interface PolicyReport {
  source: 'manifest' | 'base branch' | 'merged pull request';
  notes: Reason[];
  /** Active waivers, for the list at the top. */
  waivers: { id: string; title: string; reason: string; expires: string; daysLeft: number; approver?: string }[];
}
