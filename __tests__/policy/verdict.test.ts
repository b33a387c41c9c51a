import { describe, expect, test } from '@jest/globals';
import { applyPolicy, type PolicyInput } from '../../src/policy/verdict.ts';
import { resolvePolicy, type PullEvidence, type ResolvedPolicy } from '../../src/policy/signoff.ts';
import type { PlanItem } from '../../src/plan/plan.ts';
import type { ItemResult } from '../../src/engine/run.ts';
import type { Outcome } from '../../src/checks/result.ts';
import { planItem } from '../../test-support/plan-item.ts';

const HEAD = 'd'.repeat(40);
const TODAY = new Date('2027-01-10T12:00:00Z');

const item = (id: string, check: PlanItem['check'] = { kind: 'http', http: { request: 'GET /' } }): PlanItem => planItem(id, { check, usesTarget: false });
const manual = (id: string, owner: string, signers?: string[]) => item(id, { kind: 'manual', manual: { owner, ...(signers ? { signers } : {}) } });
const result = (id: string, outcome: Outcome): ItemResult => ({ id, outcome, summary: outcome === 'fail' ? 'p95 1.2s > 500ms' : outcome, evidence: {}, durationMs: 1, attempts: 1 });

const policy = resolvePolicy({
  roles: { 'operations lead': { teams: ['acme/sre'] }, 'business lead': { users: ['bob', 'carol'] } },
  waivers: { approvers: ['operations lead'], maxDays: 30 },
}) as ResolvedPolicy;

const pull = (reviews: PullEvidence['reviews'] = []): PullEvidence => ({ number: 7, author: 'mallory', headSha: HEAD, reviews, comments: [], teams: { 'acme/sre': { dave: 'active', mallory: 'active' } } });
const approve = (user: string, id = 1) => ({ id, user, state: 'APPROVED', commitId: HEAD, body: '', submittedAt: `2027-01-0${id}T00:00:00Z` });

function input(fields: Partial<PolicyInput>): PolicyInput {
  return { policy, waivers: [], today: TODAY, source: 'base branch', notes: [], ...fields };
}

describe('the policy stage', () => {
  const items = [item('p95'), manual('ops-1', 'operations lead'), manual('ops-2', 'operations lead'), manual('ops-3', 'operations lead'), manual('biz', 'business lead')];
  const results = items.map((entry) => result(entry.id, entry.check.kind === 'manual' ? 'pending' : 'pass'));

  test('only sign-offs missing: awaiting-sign-off, one entry per role, headline names roles and counts', () => {
    const { verdict, counts } = applyPolicy(items, results, input({ pull: pull() }));
    expect(verdict).toMatchObject({ ready: false, state: 'awaiting-sign-off', headline: 'Awaiting sign-off: operations lead (3 items), business lead (1 item)' });
    expect(verdict.awaiting).toEqual([
      { role: 'operations lead', members: ['@acme/sre'], items: 3 },
      { role: 'business lead', members: ['@bob', '@carol'], items: 1 },
    ]);
    expect(counts.pending).toBe(4);
  });

  test('signed items are done; a blocking failure is not-ready even with sign-offs missing', () => {
    const signed = applyPolicy(items, results, input({ pull: pull([approve('dave'), approve('bob', 2)]) }));
    expect(signed.verdict).toMatchObject({ ready: true, state: 'ready', score: 100 });
    expect(signed.items[1]).toMatchObject({ outcome: 'signed', summary: 'signed by @dave (operations lead)', blocks: false });
    const failing = applyPolicy(items, [result('p95', 'fail'), ...results.slice(1)], input({ pull: pull() }));
    expect(failing.verdict.state).toBe('not-ready');
  });

  test('without a policy, manual items behave as before: pending, not blocking', () => {
    const outcome = applyPolicy(items, results, { waivers: [], today: TODAY, source: 'manifest', notes: [] });
    expect(outcome.verdict).toMatchObject({ ready: true, state: 'ready' });
    expect(outcome.items[1]).toMatchObject({ outcome: 'pending', blocks: false });
  });

  describe('waivers', () => {
    const failing = [item('p95')];
    const failed = [result('p95', 'fail')];
    const waiver = { item: 'p95', reason: 'Vendor sandbox rate limited; JIRA-123', expires: '2027-01-15' };

    test('inert until approved by a waiver approver (not the author)', () => {
      for (const reviews of [[], [approve('mallory')], [approve('bob')]]) {
        const outcome = applyPolicy(failing, failed, input({ pull: pull(reviews), waivers: [waiver] }));
        expect(outcome.verdict.ready).toBe(false);
        expect(outcome.items[0]?.waiver).toMatchObject({ status: 'unapproved', note: { code: 'waiver-awaits-approval' } });
      }
    });

    test('approved and unexpired: the item keeps its outcome, does not block, is listed; expires in N days near the end', () => {
      const outcome = applyPolicy(failing, failed, input({ pull: pull([approve('dave')]), waivers: [waiver] }));
      expect(outcome.verdict).toMatchObject({ ready: true, headline: 'Ready: 0 checks passed, 1 waived' });
      expect(outcome.items[0]).toMatchObject({ outcome: 'fail', blocks: false, waiver: { status: 'active', approver: 'dave', daysLeft: 5, note: { message: 'waived by @dave until 2027-01-15 — expires in 5 days' } } });
      expect(outcome.counts.waived).toBe(1);
      expect(outcome.policy?.waivers).toEqual([{ id: 'p95', title: 'p95', reason: waiver.reason, expires: '2027-01-15', daysLeft: 5, approver: 'dave' }]);
    });

    test('on the expiry day it blocks again; on a passing item it is no longer needed', () => {
      const expired = applyPolicy(failing, failed, input({ pull: pull([approve('dave')]), waivers: [waiver], today: new Date('2027-01-15T00:00:01Z') }));
      expect(expired.verdict.ready).toBe(false);
      expect(expired.items[0]?.waiver?.note).toEqual({ code: 'waiver-expired', message: 'waiver expired on 2027-01-15' });
      const passing = applyPolicy(failing, [result('p95', 'pass')], input({ pull: pull([approve('dave')]), waivers: [waiver] }));
      expect(passing.items[0]?.waiver).toMatchObject({ status: 'not-needed', note: { code: 'waiver-not-needed' } });
    });

    test('an approval on another commit counts only if that commit carried the same waiver', () => {
      const old = { ...approve('dave'), commitId: 'a'.repeat(40) };
      expect(applyPolicy(failing, failed, input({ pull: pull([old]), waivers: [waiver] })).verdict.ready).toBe(false);
      expect(applyPolicy(failing, failed, input({ pull: pull([old]), waivers: [waiver], waiversAt: { ['a'.repeat(40)]: [waiver] } })).verdict.ready).toBe(true);
    });
  });
});
