// Where the policy and the sign-offs of a run come from, gathered from GitHub before
// the checks run: on a pull request the policy on the BASE branch (so a PR cannot make
// its author a signer) and the PR's reviews and comments; on a push the merged PR of
// the commit, on its final head. Plain data for the policy stage.
import { loadManifest } from '../manifest/load.ts';
import type { Policy, Waiver } from '../manifest/schema.ts';
import type { EventContext } from '../github/context.ts';
import type { GitHub } from '../github/client.ts';
import { baselineScore, fetchPull, fetchPullEvidence, fileAt, headPushedAt, mergedPullOf, type PullFacts } from '../github/policy-evidence.ts';
import { resolvePolicy, type ResolvedPolicy } from '../policy/signoff.ts';
import type { PolicyInput } from '../policy/verdict.ts';
import type { Reason } from '../policy/model.ts';

export interface PolicySourceInput {
  github: GitHub;
  /** Reads team membership (the policy-token input, else github-token). */
  teams: GitHub;
  context: EventContext;
  checkName: string;
  manifestText: string;
  /** The manifest's path inside the repository, for the contents API. */
  manifestPath: string;
}

export type GatheredPolicy = Partial<Omit<PolicyInput, 'waivers'>>;

/** At most this many older commits are read to see whether they carried a waiver an approver approved there. */
const WAIVER_COMMITS = 5;

export async function gatherPolicy({ github, teams, context, checkName, manifestText, manifestPath }: PolicySourceInput): Promise<GatheredPolicy> {
  const head = loadManifest(manifestText, manifestPath);
  // An invalid manifest is reported by the pipeline; nothing to gather for it.
  if (!head.ok) return {};
  const headPolicy = head.value.manifest.policy;
  const waivers = head.value.manifest.waivers ?? [];
  const notes: Reason[] = [];
  let pull: PullFacts | undefined;
  let policy: ResolvedPolicy | undefined = resolvePolicy(headPolicy);
  let source: PolicyInput['source'] = 'manifest';
  let baseline: PolicyInput['baseline'];

  // A merge group is judged by the sign-offs of the pull request it queues.
  const pullNumber = context.pullRequest?.number ?? context.queuedPull;
  if (pullNumber !== undefined) {
    pull = await fetchPull(github, context.repo, pullNumber);
    source = 'base branch';
    const base = await basePolicy(github, context, manifestPath, pull);
    if (base.status === 'ok') {
      policy = resolvePolicy(base.policy);
      if (JSON.stringify(base.policy ?? null) !== JSON.stringify(headPolicy ?? null)) {
        notes.push({ code: 'policy-changed-in-pr', message: `this pull request changes the policy in ${manifestPath}; the policy of ${pull.baseRef} applies until the change is merged` });
      }
    } else if (base.status === 'missing') {
      policy = undefined;
      if (headPolicy) notes.push({ code: 'policy-changed-in-pr', message: `this pull request adds a policy (${manifestPath} does not exist on ${pull.baseRef}); it applies once merged` });
    } else {
      // Fail closed: the roles are unknown, so nobody can sign.
      policy = headPolicy ? { roles: {}, via: 'review', invalidateOnPush: true, distinctPeople: false } : undefined;
      if (headPolicy) notes.push({ code: 'base-policy-unavailable', message: `cannot read the policy of ${pull.baseRef}: ${base.message}; nobody can sign until it can be read` });
    }
    const score = await baselineScore(github, context.repo, pull.baseRef, checkName);
    if (score !== undefined) baseline = { branch: pull.baseRef, score };
  } else if (context.eventName === 'push' && (policy || waivers.length > 0)) {
    pull = await mergedPullOf(github, context.repo, context.sha);
    source = 'merged pull request';
    if (!pull) notes.push({ code: 'no-pull-request', message: `no merged pull request contains ${context.sha.slice(0, 7)}, so nobody has signed and no waiver is approved` });
  }

  const gathered: GatheredPolicy = { source, notes, ...(policy ? { policy } : {}), ...(baseline ? { baseline } : {}) };
  if (!pull || (!policy && waivers.length === 0)) return gathered;
  const teamNames = [...new Set(Object.values(policy?.roles ?? {}).flatMap((role) => role.teams))];
  const evidence = await fetchPullEvidence(github, teams, context.repo, pull, teamNames);
  if (policy?.via === 'review+command' && policy.invalidateOnPush) {
    const pushed = await headPushedAt(github, context.repo, pull.headSha);
    if (pushed) evidence.headPushedAt = pushed;
  }
  gathered.pull = evidence;
  if (context.commentEditedBy && policy) {
    const roles = Object.keys(policy.roles).join(', ');
    notes.push({ code: 'checkbox-is-not-signing', message: `@${context.commentEditedBy} edited this comment: ticking a box is not signing; approve the pull request as ${roles || 'a role of the policy'} instead` });
  }
  if (waivers.length > 0) gathered.waiversAt = await waiversAtReviewedCommits(github, context, manifestPath, evidence.headSha, evidence.reviews.filter((review) => review.state === 'APPROVED').map((review) => review.commitId));
  return gathered;
}

async function basePolicy(github: GitHub, context: EventContext, path: string, pull: PullFacts): Promise<{ status: 'ok'; policy: Policy | undefined } | { status: 'missing' } | { status: 'unreadable'; message: string }> {
  const file = await fileAt(github, context.repo, path, pull.baseSha);
  if (file.status !== 'ok') return file;
  const loaded = loadManifest(file.text, path);
  if (!loaded.ok) return { status: 'unreadable', message: `its ${path} is invalid (${loaded.errors.length} ${loaded.errors.length === 1 ? 'problem' : 'problems'})` };
  return { status: 'ok', policy: loaded.value.manifest.policy };
}

/** The waivers each older reviewed commit carried, so an approval there counts only for a waiver it saw. */
async function waiversAtReviewedCommits(github: GitHub, context: EventContext, path: string, headSha: string, commits: string[]): Promise<Record<string, Waiver[]>> {
  const out: Record<string, Waiver[]> = {};
  for (const commit of [...new Set(commits)].filter((sha) => sha && sha !== headSha).slice(0, WAIVER_COMMITS)) {
    const file = await fileAt(github, context.repo, path, commit);
    if (file.status !== 'ok') continue;
    const loaded = loadManifest(file.text, path);
    if (loaded.ok) out[commit] = loaded.value.manifest.waivers ?? [];
  }
  return out;
}
