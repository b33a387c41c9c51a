// Who signed which manual item, decided from what GitHub recorded (plain data fetched
// through the REST API): approving reviews and, with `review+command`, never-edited
// `/readiness sign` comments, by members of the item's roles. Never the PR author, a
// dismissed review, a review on an older commit (invalidateOnPush), an edited comment,
// a ticked box in our own comment (it is not an input here at all) or a non-member.
// Team membership that cannot be read keeps the item pending, with the reason.
import type { Policy } from '../manifest/schema.ts';
import type { Reason, RoleCall, Signature, SignoffReport } from './model.ts';

export interface ReviewRecord {
  id: number;
  user: string;
  /** As the REST API says: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING. */
  state: string;
  commitId: string;
  body: string;
  submittedAt: string;
}

export interface CommentRecord {
  id: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

/** GET /orgs/{org}/teams/{slug}/memberships/{user}: 200 active, 200 pending or 404 (absent), 403 (the token cannot read it). */
export type TeamMembership = 'active' | 'absent' | 'forbidden';

export interface PullEvidence {
  number: number;
  author: string;
  headSha: string;
  reviews: ReviewRecord[];
  comments: CommentRecord[];
  /** "org/slug" → login (lowercase) → membership, for every team of the policy and every candidate signer. */
  teams: Record<string, Record<string, TeamMembership>>;
  /** What a 403 on a team lookup means, said once ("the token needs …; set policy-token"). */
  teamsForbidden?: string;
  /** When GitHub saw the head commit pushed; comments older than that are stale under invalidateOnPush. */
  headPushedAt?: string;
}

export interface ResolvedPolicy {
  roles: Record<string, { users: string[]; teams: string[] }>;
  via: 'review' | 'review+command';
  invalidateOnPush: boolean;
  distinctPeople: boolean;
  waivers?: { approvers: string[]; maxDays: number };
}

export function resolvePolicy(policy: Policy | undefined): ResolvedPolicy | undefined {
  if (!policy) return undefined;
  const roles: ResolvedPolicy['roles'] = {};
  for (const [name, role] of Object.entries(policy.roles ?? {})) roles[name] = { users: role.users ?? [], teams: role.teams ?? [] };
  return {
    roles,
    via: policy.signOff?.via ?? 'review',
    invalidateOnPush: policy.signOff?.invalidateOnPush ?? true,
    distinctPeople: policy.signOff?.distinctPeople ?? false,
    ...(policy.waivers ? { waivers: { approvers: policy.waivers.approvers, maxDays: policy.waivers.maxDays ?? 30 } } : {}),
  };
}

export interface SignItem {
  id: string;
  /** Roles that must all sign. */
  signers: string[];
}

const COMMAND = /^[ \t]*\/readiness[ \t]+sign[ \t]+([^\r\n]+)$/gm;

/** Item ids named by `/readiness sign a b, c` lines; undefined when the text has no command. */
export function signCommandIds(text: string): Set<string> | undefined {
  let ids: Set<string> | undefined;
  for (const match of text.matchAll(COMMAND)) {
    ids ??= new Set();
    for (const id of (match[1] ?? '').split(/[\s,]+/)) if (id) ids.add(id);
  }
  return ids;
}

export function short(sha: string): string {
  return sha.slice(0, 7);
}

const lower = (login: string) => login.toLowerCase();

/** The members a role names, as mentions: "@alice", "@acme/sre". */
export function roleCall(policy: ResolvedPolicy, role: string): RoleCall {
  const spec = policy.roles[role];
  return { role, members: spec ? [...spec.users.map((user) => `@${user}`), ...spec.teams.map((team) => `@${team}`)] : [] };
}

type Membership = 'member' | 'not-member' | 'unknown';

export function roleMembership(policy: ResolvedPolicy, role: string, login: string, pull: Pick<PullEvidence, 'teams'>): Membership {
  const spec = policy.roles[role];
  if (!spec) return 'not-member';
  if (spec.users.some((user) => lower(user) === lower(login))) return 'member';
  let unknown = false;
  for (const team of spec.teams) {
    const state = pull.teams[team]?.[lower(login)];
    if (state === 'active') return 'member';
    if (state === 'forbidden' || state === undefined) unknown = true;
  }
  return unknown ? 'unknown' : 'not-member';
}

/** One source that may sign: an approving review or a command comment, with the items it names. */
interface Source {
  login: string;
  via: 'review' | 'comment';
  commit?: string;
  at: string;
  /** undefined: every item of the signer's roles. */
  ids: Set<string> | undefined;
}

interface Sources {
  valid: Source[];
  /** Sources that do not count, with why, keyed to the items they would have signed. */
  refused: { source: Source; reason: Reason }[];
}

/** Approving reviews and command comments that count, and the ones that do not (with the reason). */
export function signatureSources(policy: ResolvedPolicy, pull: PullEvidence): Sources {
  const valid: Source[] = [];
  const refused: Sources['refused'] = [];
  const author = lower(pull.author);
  // A later "changes requested" withdraws that reviewer's earlier approvals.
  const withdrawn = new Set<string>();
  const byTime = [...pull.reviews].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.id - b.id);
  const lastDecision = new Map<string, string>();
  for (const review of byTime) if (review.state === 'APPROVED' || review.state === 'CHANGES_REQUESTED') lastDecision.set(lower(review.user), review.state);
  for (const [login, state] of lastDecision) if (state === 'CHANGES_REQUESTED') withdrawn.add(login);

  for (const review of byTime) {
    // Dismissed reviews come back with state DISMISSED; only APPROVED signs.
    if (review.state !== 'APPROVED' || withdrawn.has(lower(review.user))) continue;
    const source: Source = { login: review.user, via: 'review', commit: review.commitId, at: review.submittedAt, ids: signCommandIds(review.body) };
    if (lower(review.user) === author) refused.push({ source, reason: { code: 'author-cannot-sign', message: `@${review.user} opened this pull request; the author's approval does not sign` } });
    else if (policy.invalidateOnPush && review.commitId !== pull.headSha) {
      refused.push({ source, reason: { code: 'signed-on-older-commit', message: `@${review.user} signed on ${short(review.commitId)}, re-sign for ${short(pull.headSha)}` } });
    } else valid.push(source);
  }

  if (policy.via === 'review+command') {
    for (const comment of pull.comments) {
      const ids = signCommandIds(comment.body);
      if (!ids) continue;
      const source: Source = { login: comment.user, via: 'comment', at: comment.createdAt, ids };
      if (lower(comment.user) === author) refused.push({ source, reason: { code: 'author-cannot-sign', message: `@${comment.user} opened this pull request; the author's command does not sign` } });
      else if (comment.updatedAt !== comment.createdAt) {
        refused.push({ source, reason: { code: 'edited-comment', message: `@${comment.user}'s /readiness sign comment was edited, so it does not count; post a new one` } });
      } else if (policy.invalidateOnPush && (pull.headPushedAt === undefined || comment.createdAt < pull.headPushedAt)) {
        refused.push({ source, reason: { code: 'comment-before-push', message: `@${comment.user} signed before ${short(pull.headSha)} was pushed, re-sign for ${short(pull.headSha)}` } });
      } else valid.push(source);
    }
  }
  return { valid, refused };
}

const covers = (source: Source, id: string) => source.ids === undefined || source.ids.has(id);

/** Each item's sign-off: signed when every signer role has a valid signature by a member. */
export function evaluateSignoffs(policy: ResolvedPolicy, items: SignItem[], pull: PullEvidence): Map<string, SignoffReport> {
  const { valid, refused } = signatureSources(policy, pull);
  const out = new Map<string, SignoffReport>();
  for (const item of items) {
    const reasons: Reason[] = [];
    const say = (reason: Reason) => {
      if (!reasons.some((known) => known.message === reason.message)) reasons.push(reason);
    };
    // Candidates per role: members whose source covers this item.
    const candidates = new Map<string, Source[]>();
    const unreadable = new Map<string, Reason[]>();
    for (const role of item.signers) {
      if (!policy.roles[role]) {
        say({ code: 'role-undefined', message: `the policy in force defines no role \`${role}\`, so nobody can sign for it` });
        candidates.set(role, []);
        continue;
      }
      const members: Source[] = [];
      for (const source of valid.filter((entry) => covers(entry, item.id))) {
        const membership = roleMembership(policy, role, source.login, pull);
        if (membership === 'member') members.push(source);
        else if (membership === 'unknown') {
          const teams = policy.roles[role]?.teams.map((team) => `@${team}`).join(', ');
          unreadable.set(role, [...(unreadable.get(role) ?? []), { code: 'team-unreadable', message: `cannot tell whether @${source.login} is in ${teams}: ${pull.teamsForbidden ?? 'team membership could not be read'}` }]);
        }
      }
      candidates.set(role, members);
    }
    const assignment = assign(item.signers, candidates, policy.distinctPeople);
    const signatures: Signature[] = [];
    const awaiting: RoleCall[] = [];
    for (const role of item.signers) {
      const source = assignment.get(role);
      if (source) signatures.push({ login: source.login, role, via: source.via, ...(source.commit ? { commit: source.commit } : {}), at: source.at });
      else awaiting.push(roleCall(policy, role));
    }
    if (awaiting.length > 0) {
      for (const { role } of awaiting) for (const reason of unreadable.get(role) ?? []) say(reason);
      if (policy.distinctPeople && item.signers.some((role) => (candidates.get(role) ?? []).length > 0 && !assignment.has(role))) {
        say({ code: 'same-person-two-roles', message: 'one person cannot sign for two roles of this item (distinctPeople)' });
      }
      for (const { source, reason } of refused) {
        if (!covers(source, item.id)) continue;
        // Only reasons about people who could sign for a role still awaited matter here.
        const relevant = awaiting.some(({ role }) => roleMembership(policy, role, source.login, pull) !== 'not-member');
        if (relevant) say(reason);
      }
      for (const source of valid) {
        if (source.ids?.has(item.id) && item.signers.every((role) => roleMembership(policy, role, source.login, pull) === 'not-member')) {
          say({ code: 'not-a-member', message: `@${source.login} is not in ${item.signers.join(' or ')}, so their sign-off does not count` });
        }
      }
    }
    out.set(item.id, { state: awaiting.length === 0 ? 'signed' : 'pending', signatures, awaiting, reasons });
  }
  return out;
}

/** Role → the source that signs for it; with distinctPeople no login signs twice (a small matching). */
function assign(roles: string[], candidates: Map<string, Source[]>, distinct: boolean): Map<string, Source> {
  if (!distinct) {
    const result = new Map<string, Source>();
    for (const role of roles) {
      const first = candidates.get(role)?.[0];
      if (first) result.set(role, first);
    }
    return result;
  }
  let best = new Map<string, Source>();
  const walk = (index: number, used: Set<string>, current: Map<string, Source>) => {
    if (current.size > best.size) best = new Map(current);
    if (index === roles.length || best.size === roles.length) return;
    const role = roles[index] as string;
    for (const source of candidates.get(role) ?? []) {
      const login = lower(source.login);
      if (used.has(login)) continue;
      used.add(login);
      current.set(role, source);
      walk(index + 1, used, current);
      current.delete(role);
      used.delete(login);
    }
    walk(index + 1, used, current);
  };
  walk(0, new Set(), new Map());
  return best;
}
