import { describe, expect, test } from '@jest/globals';
import { evaluateSignoffs, resolvePolicy, signCommandIds, type PullEvidence, type ReviewRecord, type ResolvedPolicy } from '../../src/policy/signoff.ts';

const HEAD = 'def5678'.padEnd(40, '0');
const OLD = 'abc1234'.padEnd(40, '0');

const policy = resolvePolicy({
  roles: {
    'technical lead': { users: ['alice'], teams: ['acme/tech-leads'] },
    'operations lead': { teams: ['acme/sre'] },
    'business lead': { users: ['bob', 'carol'] },
  },
  signOff: { via: 'review' },
}) as ResolvedPolicy;

const ITEMS = [
  { id: 'security-review', signers: ['technical lead', 'operations lead'] },
  { id: 'rollback-plan', signers: ['technical lead'] },
  { id: 'business-ok', signers: ['business lead'] },
];

let reviewId = 1;
function review(user: string, fields: Partial<ReviewRecord> = {}): ReviewRecord {
  const id = reviewId++;
  return { id, user, state: 'APPROVED', commitId: HEAD, body: '', submittedAt: `2026-12-0${Math.min(id, 9)}T10:00:00Z`, ...fields };
}

function pull(fields: Partial<PullEvidence> = {}): PullEvidence {
  return {
    number: 7,
    author: 'mallory',
    headSha: HEAD,
    reviews: [],
    comments: [],
    teams: { 'acme/sre': { dave: 'active', erin: 'absent', alice: 'absent', bob: 'absent', mallory: 'active' }, 'acme/tech-leads': { dave: 'absent', erin: 'absent', bob: 'absent', mallory: 'active' } },
    ...fields,
  };
}

const run = (evidence: PullEvidence, p: ResolvedPolicy = policy) => evaluateSignoffs(p, ITEMS, evidence);

describe('sign-off from GitHub records', () => {
  test('no reviews: everything pending, awaiting every role with its members', () => {
    const result = run(pull());
    expect(result.get('security-review')).toEqual({
      state: 'pending',
      signatures: [],
      awaiting: [
        { role: 'technical lead', members: ['@alice', '@acme/tech-leads'] },
        { role: 'operations lead', members: ['@acme/sre'] },
      ],
      reasons: [],
    });
  });

  test('an approving review by a member signs every item of that role; all signer roles are needed', () => {
    const result = run(pull({ reviews: [review('alice'), review('dave')] }));
    expect(result.get('security-review')?.state).toBe('signed');
    expect(result.get('security-review')?.signatures).toEqual([
      expect.objectContaining({ login: 'alice', role: 'technical lead', via: 'review', commit: HEAD }),
      expect.objectContaining({ login: 'dave', role: 'operations lead', via: 'review', commit: HEAD }),
    ]);
    expect(result.get('rollback-plan')?.state).toBe('signed');
    expect(result.get('business-ok')?.state).toBe('pending');

    const onlyAlice = run(pull({ reviews: [review('alice')] }));
    expect(onlyAlice.get('security-review')).toMatchObject({ state: 'pending', awaiting: [{ role: 'operations lead', members: ['@acme/sre'] }] });
  });

  test('/readiness sign in the review body limits it to the named items', () => {
    const result = run(pull({ reviews: [review('alice', { body: 'Looks fine.\n/readiness sign rollback-plan' })] }));
    expect(result.get('rollback-plan')?.state).toBe('signed');
    expect(result.get('security-review')?.awaiting.map((call) => call.role)).toEqual(['technical lead', 'operations lead']);
    expect(signCommandIds('/readiness sign a, b\n  /readiness sign c\nnot /readiness sign d')).toEqual(new Set(['a', 'b', 'c']));
    expect(signCommandIds('nothing here')).toBeUndefined();
  });

  test('the PR author never signs, even as a member of the role', () => {
    const result = run(pull({ reviews: [review('mallory')] }));
    expect(result.get('rollback-plan')).toMatchObject({ state: 'pending', reasons: [{ code: 'author-cannot-sign' }] });
  });

  test('dismissed reviews, comments-only reviews and withdrawn approvals do not sign', () => {
    expect(run(pull({ reviews: [review('alice', { state: 'DISMISSED' })] })).get('rollback-plan')?.state).toBe('pending');
    expect(run(pull({ reviews: [review('alice', { state: 'COMMENTED' })] })).get('rollback-plan')?.state).toBe('pending');
    const withdrawn = run(pull({ reviews: [review('alice'), review('alice', { state: 'CHANGES_REQUESTED' })] }));
    expect(withdrawn.get('rollback-plan')?.state).toBe('pending');
    // A comment after an approval does not withdraw it.
    expect(run(pull({ reviews: [review('alice'), review('alice', { state: 'COMMENTED' })] })).get('rollback-plan')?.state).toBe('signed');
  });

  test('invalidateOnPush: a review on an older commit says re-sign; without it, it counts', () => {
    const stale = run(pull({ reviews: [review('alice', { commitId: OLD })] }));
    expect(stale.get('rollback-plan')).toMatchObject({ state: 'pending', reasons: [{ code: 'signed-on-older-commit', message: '@alice signed on abc1234, re-sign for def5678' }] });
    const lenient = { ...policy, invalidateOnPush: false };
    expect(run(pull({ reviews: [review('alice', { commitId: OLD })] }), lenient).get('rollback-plan')?.state).toBe('signed');
  });

  test('a non-member never signs; naming the item says so', () => {
    const result = run(pull({ reviews: [review('erin', { body: '/readiness sign rollback-plan' })] }));
    expect(result.get('rollback-plan')).toMatchObject({ state: 'pending', reasons: [{ code: 'not-a-member' }] });
    expect(run(pull({ reviews: [review('zed')] })).get('business-ok')?.state).toBe('pending');
  });

  test('users are matched case-insensitively', () => {
    expect(run(pull({ reviews: [review('Carol')] })).get('business-ok')?.state).toBe('signed');
  });

  test('a team lookup the token may not read keeps the item pending and names the permission', () => {
    const evidence = pull({
      reviews: [review('alice'), review('dave')],
      teams: { 'acme/sre': { dave: 'forbidden', alice: 'forbidden' }, 'acme/tech-leads': { dave: 'forbidden' } },
      teamsForbidden: 'the token cannot read team membership (it needs the organization permission "Members: read"); set the policy-token input',
    });
    const result = run(evidence).get('security-review');
    expect(result?.state).toBe('pending');
    expect(result?.awaiting.map((call) => call.role)).toEqual(['operations lead']);
    const why = 'the token cannot read team membership (it needs the organization permission "Members: read"); set the policy-token input';
    expect(result?.reasons).toEqual([
      { code: 'team-unreadable', message: `cannot tell whether @alice is in @acme/sre: ${why}` },
      { code: 'team-unreadable', message: `cannot tell whether @dave is in @acme/sre: ${why}` },
    ]);
  });

  test('review+command: a never-edited comment by a member signs the named items; an edited one never does', () => {
    const commands = { ...policy, via: 'review+command' as const, invalidateOnPush: false };
    const fresh = { id: 1, user: 'bob', body: '/readiness sign business-ok', createdAt: '2026-12-05T10:00:00Z', updatedAt: '2026-12-05T10:00:00Z' };
    expect(run(pull({ comments: [fresh] }), commands).get('business-ok')).toMatchObject({ state: 'signed', signatures: [{ login: 'bob', via: 'comment' }] });
    const edited = { ...fresh, updatedAt: '2026-12-05T11:00:00Z' };
    expect(run(pull({ comments: [edited] }), commands).get('business-ok')).toMatchObject({ state: 'pending', reasons: [{ code: 'edited-comment' }] });
    // Plain review mode ignores comments altogether.
    expect(run(pull({ comments: [fresh] })).get('business-ok')?.state).toBe('pending');
    // With invalidateOnPush, a comment counts only after the head was pushed.
    const strict = { ...commands, invalidateOnPush: true };
    expect(run(pull({ comments: [fresh], headPushedAt: '2026-12-05T12:00:00Z' }), strict).get('business-ok')).toMatchObject({ state: 'pending', reasons: [{ code: 'comment-before-push' }] });
    expect(run(pull({ comments: [fresh], headPushedAt: '2026-12-05T09:00:00Z' }), strict).get('business-ok')?.state).toBe('signed');
  });

  test('distinctPeople: one person in two roles cannot sign both roles of one item', () => {
    const both = { ...policy, roles: { ...policy.roles, 'operations lead': { users: ['alice'], teams: [] } } };
    expect(run(pull({ reviews: [review('alice')] }), both).get('security-review')?.state).toBe('signed');
    const distinct = { ...both, distinctPeople: true };
    const result = run(pull({ reviews: [review('alice')] }), distinct).get('security-review');
    expect(result).toMatchObject({ state: 'pending', reasons: [{ code: 'same-person-two-roles' }] });
    expect(result?.signatures).toHaveLength(1);
    // A second person completes it, whichever role the first one took.
    const two = { ...distinct, roles: { ...distinct.roles, 'technical lead': { users: ['alice', 'zoe'], teams: [] } } };
    expect(run(pull({ reviews: [review('alice'), review('zoe')] }), two).get('security-review')?.signatures.map((s) => [s.role, s.login])).toEqual([
      ['technical lead', 'zoe'],
      ['operations lead', 'alice'],
    ]);
  });

  test('a role the policy in force does not define cannot be signed', () => {
    const result = evaluateSignoffs(policy, [{ id: 'x', signers: ['release manager'] }], pull({ reviews: [review('alice')] }));
    expect(result.get('x')).toMatchObject({ state: 'pending', reasons: [{ code: 'role-undefined' }], awaiting: [{ role: 'release manager', members: [] }] });
  });
});
