// The sticky PR comment on GitHub: exactly one per manifest per pull request, found
// by its hidden marker on the FIRST line of a comment written by exactly the token's
// identity (anyone can paste a marker, and staging text quoted lower in our own comment
// can carry another manifest's), updated in place, left alone when nothing changed,
// never written by a run for a stale commit.
import type { GitHub } from './client.ts';
import type { Repo } from './context.ts';
import { commentMarker, readState, type CommentState } from '../report/comment.ts';

export interface IssueComment {
  id: number;
  body: string;
  html_url: string;
  created_at: string;
  user: { login: string; type?: string } | null;
}

/** Who the token writes as: login and account type, both compared exactly. */
export interface Identity {
  login: string;
  type: string;
}

/** GITHUB_TOKEN (and any installation token) comments as this bot. */
export const ACTIONS_BOT: Identity = { login: 'github-actions[bot]', type: 'Bot' };

export interface StickyTarget {
  github: GitHub;
  repo: Repo;
  pull: number;
  manifest: string;
  /** Who the token writes as (tokenIdentity); only comments by exactly this author are ours. */
  author: Identity;
}

/** Our comments for this manifest on this PR, oldest first (every page is read). */
export async function findStickyComments(target: StickyTarget): Promise<IssueComment[]> {
  const marker = commentMarker(target.manifest);
  const comments = (await target.github.paginate(target.github.rest.issues.listComments, {
    ...target.repo,
    issue_number: target.pull,
    per_page: 100,
  })) as IssueComment[];
  return comments
    .filter((comment) => sameAuthor(comment.user, target.author) && firstLine(comment.body ?? '') === marker)
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}

export function previousState(comments: IssueComment[]): CommentState | undefined {
  const oldest = comments[0];
  return oldest ? readState(oldest.body) : undefined;
}

export type CommentOutcome =
  | { action: 'created' | 'updated' | 'unchanged'; url: string }
  | { action: 'skipped'; reason: string };

export interface UpsertInput {
  body: string;
  state: CommentState;
  existing: IssueComment[];
  /** Create a comment when there is none (false: only keep an existing one current). */
  create: boolean;
  /** Rewrite even if the state is unchanged: someone edited our comment (ticked a box). */
  force?: boolean;
}

export async function upsertStickyComment(target: StickyTarget, input: UpsertInput): Promise<CommentOutcome> {
  const { github, repo } = target;
  const [keep, ...duplicates] = input.existing;
  let outcome: CommentOutcome;
  if (!keep) {
    if (!input.create) return { action: 'skipped', reason: 'no comment needed: ready, and comment is on-failure' };
    const created = await github.rest.issues.createComment({ ...repo, issue_number: target.pull, body: input.body });
    outcome = { action: 'created', url: created.data.html_url };
    // A concurrent run may have created its own at the same moment: converge on the oldest.
    const now = await findStickyComments(target);
    if (now.length > 1) return converge(target, now, input.body);
  } else if (!input.force && readState(keep.body)?.digest === input.state.digest) {
    outcome = { action: 'unchanged', url: keep.html_url };
  } else {
    const updated = await github.rest.issues.updateComment({ ...repo, comment_id: keep.id, body: input.body });
    outcome = { action: 'updated', url: updated.data.html_url };
  }
  for (const duplicate of duplicates) await deleteComment(target, duplicate.id);
  return outcome;
}

async function converge(target: StickyTarget, comments: IssueComment[], body: string): Promise<CommentOutcome> {
  const [keep, ...rest] = comments as [IssueComment, ...IssueComment[]];
  const updated = await target.github.rest.issues.updateComment({ ...target.repo, comment_id: keep.id, body });
  for (const duplicate of rest) await deleteComment(target, duplicate.id);
  return { action: 'updated', url: updated.data.html_url };
}

async function deleteComment(target: StickyTarget, id: number): Promise<void> {
  try {
    await target.github.rest.issues.deleteComment({ ...target.repo, comment_id: id });
  } catch (error) {
    // Another run deleted it first; that is the outcome we wanted.
    if ((error as { status?: number }).status !== 404) throw error;
  }
}

/** Exact login and type: a User named "github-actions" is not the github-actions[bot] Bot. */
function sameAuthor(user: IssueComment['user'], author: Identity): boolean {
  return user !== null && user.login === author.login && user.type === author.type;
}

function firstLine(body: string): string {
  const end = body.indexOf('\n');
  return (end === -1 ? body : body.slice(0, end)).replace(/\r$/, '');
}

/**
 * Who the token writes as. An installation token (GITHUB_TOKEN is one) may not call
 * GET /user, so it is not asked; any other token asks GET /user outside the client's
 * hooks, so a refusal is not logged as an API error, and falls back to the Actions bot.
 */
export async function tokenIdentity(github: GitHub): Promise<Identity> {
  const auth = (await github.auth()) as { token?: string; tokenType?: string };
  if (auth.tokenType === 'installation' || !auth.token) return ACTIONS_BOT;
  try {
    const { data } = await github.request('GET /user', {
      headers: { authorization: `token ${auth.token}` },
      // Bypasses the plugins' hooks (request log, retries): a quiet, single probe.
      request: { hook: (request: (options: unknown) => Promise<unknown>, options: unknown) => request(options) },
    });
    return typeof data.login === 'string' && typeof data.type === 'string' ? { login: data.login, type: data.type } : ACTIONS_BOT;
  } catch {
    return ACTIONS_BOT;
  }
}
