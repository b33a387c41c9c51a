// What the policy stage needs from GitHub, read through the REST API (so GitHub
// Enterprise Server works) and handed on as plain data: the pull request (author, head,
// base), its reviews and comments, team memberships of the people who signed, the
// manifest's policy on the base branch, the merged PR of a pushed commit, and the score
// the base branch's head had. Never from event deltas or from state kept in a comment.
import type { GitHub } from './client.ts';
import { apiError } from './client.ts';
import type { Repo } from './context.ts';
import type { CommentRecord, PullEvidence, ReviewRecord, TeamMembership } from '../policy/signoff.ts';

export interface PullFacts {
  number: number;
  author: string;
  headSha: string;
  baseSha: string;
  baseRef: string;
  fork: boolean;
  merged: boolean;
}

interface PullData {
  number: number;
  user: { login: string } | null;
  head: { sha: string; repo: { full_name: string } | null };
  base: { sha: string; ref: string };
  merged_at?: string | null;
  merge_commit_sha?: string | null;
}

function factsOf(pull: PullData, repo: Repo): PullFacts {
  return {
    number: pull.number,
    author: pull.user?.login ?? '',
    headSha: pull.head.sha,
    baseSha: pull.base.sha,
    baseRef: pull.base.ref,
    fork: (pull.head.repo?.full_name ?? '').toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase(),
    merged: Boolean(pull.merged_at),
  };
}

export async function fetchPull(github: GitHub, repo: Repo, number: number): Promise<PullFacts> {
  const { data } = await github.rest.pulls.get({ ...repo, pull_number: number });
  return factsOf(data, repo);
}

/** The merged pull request a pushed commit came from (its merge, squash or rebase commit). */
export async function mergedPullOf(github: GitHub, repo: Repo, sha: string): Promise<PullFacts | undefined> {
  const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
  const merged = (data as PullData[]).filter((pull) => pull.merged_at);
  const exact = merged.find((pull) => pull.merge_commit_sha === sha) ?? merged[0];
  return exact ? factsOf(exact, repo) : undefined;
}

export const TEAM_PERMISSION_HINT =
  'the token may not read team membership (GitHub answered 403); set the policy-token input to a token with the organization permission "Members: read" (GitHub App or fine-grained token) or the read:org scope (classic token): GITHUB_TOKEN cannot have it';

/** Reviews, comments and the team memberships of everyone who could have signed. */
export async function fetchPullEvidence(github: GitHub, teamsClient: GitHub, repo: Repo, pull: PullFacts, teams: string[]): Promise<PullEvidence> {
  const reviews = (await github.paginate(github.rest.pulls.listReviews, { ...repo, pull_number: pull.number, per_page: 100 })) as {
    id: number;
    user: { login: string } | null;
    state: string;
    commit_id: string | null;
    body: string | null;
    submitted_at?: string | null;
  }[];
  const comments = (await github.paginate(github.rest.issues.listComments, { ...repo, issue_number: pull.number, per_page: 100 })) as {
    id: number;
    user: { login: string } | null;
    body?: string | null;
    created_at: string;
    updated_at: string;
  }[];
  const reviewRecords: ReviewRecord[] = reviews
    .filter((review) => review.user)
    .map((review) => ({ id: review.id, user: review.user?.login ?? '', state: review.state, commitId: review.commit_id ?? '', body: review.body ?? '', submittedAt: review.submitted_at ?? '' }));
  const commentRecords: CommentRecord[] = comments
    .filter((comment) => comment.user)
    .map((comment) => ({ id: comment.id, user: comment.user?.login ?? '', body: comment.body ?? '', createdAt: comment.created_at, updatedAt: comment.updated_at }));

  // Only people who approved or posted a command can sign: look those up, nobody else.
  const candidates = new Set<string>();
  for (const review of reviewRecords) if (review.state === 'APPROVED') candidates.add(review.user.toLowerCase());
  for (const comment of commentRecords) if (/\/readiness[ \t]+sign/.test(comment.body)) candidates.add(comment.user.toLowerCase());

  const memberships: PullEvidence['teams'] = {};
  let forbidden = false;
  for (const team of teams) {
    const [org, slug] = team.split('/') as [string, string];
    memberships[team] = {};
    for (const login of candidates) {
      const state = await teamMembership(teamsClient, org, slug, login);
      if (state === 'forbidden') forbidden = true;
      (memberships[team])[login] = state;
    }
  }
  const evidence: PullEvidence = { number: pull.number, author: pull.author, headSha: pull.headSha, reviews: reviewRecords, comments: commentRecords, teams: memberships };
  if (forbidden) evidence.teamsForbidden = TEAM_PERMISSION_HINT;
  return evidence;
}

async function teamMembership(github: GitHub, org: string, team_slug: string, username: string): Promise<TeamMembership> {
  try {
    const { data } = await github.rest.teams.getMembershipForUserInOrg({ org, team_slug, username });
    // "pending": invited, not yet a member.
    return data.state === 'active' ? 'active' : 'absent';
  } catch (error) {
    const status = apiError(error)?.status;
    if (status === 404) return 'absent';
    if (status === 403 || status === 401) return 'forbidden';
    throw error;
  }
}

/** The first time GitHub saw the commit (its earliest check suite): comments before it predate the push. */
export async function headPushedAt(github: GitHub, repo: Repo, sha: string): Promise<string | undefined> {
  try {
    const { data } = await github.rest.checks.listSuitesForRef({ ...repo, ref: sha, per_page: 100 });
    const times = data.check_suites.map((suite) => suite.created_at).filter((time): time is string => typeof time === 'string').sort();
    return times[0];
  } catch {
    return undefined;
  }
}

export type FileAtRef = { status: 'ok'; text: string } | { status: 'missing' } | { status: 'unreadable'; message: string };

/** A file as it is at a commit (the contents API, base64). */
export async function fileAt(github: GitHub, repo: Repo, path: string, ref: string): Promise<FileAtRef> {
  try {
    const { data } = await github.rest.repos.getContent({ ...repo, path, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return { status: 'unreadable', message: `${path} at ${ref.slice(0, 7)} is not a file` };
    return { status: 'ok', text: Buffer.from(data.content, (data.encoding as BufferEncoding | undefined) ?? 'base64').toString('utf8') };
  } catch (error) {
    const api = apiError(error);
    if (api?.status === 404) return { status: 'missing' };
    return { status: 'unreadable', message: api ? `GitHub answered ${api.status}: ${api.message}` : String(error) };
  }
}

/** The score the base branch's head had, from our check run's external_id there ("score=82"). */
export async function baselineScore(github: GitHub, repo: Repo, ref: string, checkName: string): Promise<number | undefined> {
  try {
    const { data } = await github.rest.checks.listForRef({ ...repo, ref, check_name: checkName, filter: 'latest', per_page: 10 });
    for (const run of data.check_runs) {
      const match = /(?:^|;)score=(\d{1,3})(?:;|$)/.exec(run.external_id ?? '');
      if (run.status === 'completed' && match) return Number(match[1]);
    }
  } catch {
    // No baseline is fine: the score is shown without a comparison.
  }
  return undefined;
}
