// The PR comment: the markdown checklist plus what the sticky-comment logic needs
// to find it again (a hidden marker per manifest) and to say what changed since the
// previous run (a hidden state: the ids that failed, capped, and the recent scores).
// Hidden state is only ever used for display ("newly failing", "fixed", the score
// trend); the verdict never depends on it. It is bounded, so the comment is too.
import { createHash } from 'node:crypto';
import type { Outcome } from '../checks/result.ts';
import { allItems, type ItemReport, type Report } from './model.ts';
import { renderMarkdown } from './markdown.ts';
import { scoreChart } from './charts.ts';

/** GitHub rejects comment bodies over 65,536 characters. */
export const COMMENT_LIMIT = 65_536;
/** What the comment aims at: a reader sees the verdict, who must act and what failed in a few screens. */
export const COMMENT_TARGET = 15_000;
/** Characters of failing ids the state keeps; past it, changes are said to be incomplete. */
export const STATE_IDS_BUDGET = 4_000;
/** Runs of the PR whose score the state remembers. */
export const HISTORY_RUNS = 10;

export interface ScorePoint {
  /** Short commit. */
  sha: string;
  score: number;
  ready: boolean;
}

export interface CommentState {
  sha: string;
  digest: string;
  /** Ids of the items that failed or could not be checked, up to STATE_IDS_BUDGET characters. */
  bad: string[];
  /** How many more failed than `bad` holds (0: `bad` is complete). */
  more: number;
  /** This run and the ones before it on this PR, oldest first. */
  history: ScorePoint[];
}

export interface ComposeOptions {
  manifest: string;
  sha: string;
  runUrl?: string;
  /** The state embedded in the comment of the previous run, if there is one. */
  previous?: CommentState;
  /** Heading shown above the checklist, e.g. the check name. */
  title?: string;
  limit?: number;
  /** The length to aim for before evidence is shortened (default COMMENT_TARGET). */
  target?: number;
}

export function commentMarker(manifest: string): string {
  return `<!-- readiness-gate:comment ${encodeURIComponent(manifest)} -->`;
}

const STATE_PREFIX = '<!-- readiness-gate:state ';

const BAD: ReadonlySet<Outcome> = new Set(['fail', 'error']);

export function stateOf(report: Report, sha: string, previous?: CommentState): CommentState {
  const items = allItems(report);
  const failing = items.filter((item) => BAD.has(item.outcome)).map((item) => item.id);
  const bad: string[] = [];
  let used = 0;
  for (const id of failing) {
    used += id.length + 3;
    if (used > STATE_IDS_BUDGET) break;
    bad.push(id);
  }
  // What the comment shows, minus what changes on every run (timings, run links).
  const stable = JSON.stringify([sha, report.verdict.ready, report.verdict.headline, items.map((item) => [item.id, item.outcome, item.blocks, item.title])]);
  const point: ScorePoint = { sha: sha.slice(0, 7), score: report.verdict.score, ready: report.verdict.ready };
  // One point per run whose result changed: a run that changes nothing leaves the comment (and its state) as it was.
  const earlier = previous?.history ?? [];
  return {
    sha,
    digest: createHash('sha256').update(stable).digest('hex').slice(0, 16),
    bad,
    more: failing.length - bad.length,
    history: [...earlier, point].slice(-HISTORY_RUNS),
  };
}

export function readState(body: string): CommentState | undefined {
  const start = body.indexOf(STATE_PREFIX);
  if (start === -1) return undefined;
  const end = body.indexOf(' -->', start);
  try {
    const parsed = JSON.parse(Buffer.from(body.slice(start + STATE_PREFIX.length, end), 'base64').toString('utf8')) as Partial<CommentState> & {
      outcomes?: Record<string, Outcome>;
    };
    if (typeof parsed.sha !== 'string' || typeof parsed.digest !== 'string') return undefined;
    // Comments written before the state was bounded carry every outcome.
    const bad = Array.isArray(parsed.bad)
      ? parsed.bad.filter((id): id is string => typeof id === 'string')
      : Object.entries(parsed.outcomes ?? {})
          .filter(([, outcome]) => BAD.has(outcome))
          .map(([id]) => id);
    const history = Array.isArray(parsed.history)
      ? parsed.history
          .filter((point) => typeof point?.sha === 'string' && /^[0-9a-f]{1,40}$/i.test(point.sha) && typeof point.score === 'number' && point.score >= 0 && point.score <= 100)
          .map((point) => ({ sha: point.sha, score: point.score, ready: point.ready === true }))
          .slice(-HISTORY_RUNS)
      : [];
    return { sha: parsed.sha, digest: parsed.digest, bad, more: typeof parsed.more === 'number' ? parsed.more : 0, history };
  } catch {
    return undefined;
  }
}

export interface Changes {
  newlyFailing: ItemReport[];
  fixed: ItemReport[];
  /** The previous run failed more items than its state could hold: what is "new" is not known for all. */
  incomplete: boolean;
}

export function changesSince(previous: CommentState | undefined, report: Report): Changes | undefined {
  if (!previous) return undefined;
  const items = allItems(report);
  const before = new Set(previous.bad);
  const incomplete = previous.more > 0;
  return {
    // Past the cap, an item missing from the list may have failed before too: only a complete list says "new".
    newlyFailing: incomplete ? [] : items.filter((item) => BAD.has(item.outcome) && !before.has(item.id)),
    fixed: items.filter((item) => !BAD.has(item.outcome) && before.has(item.id)),
    incomplete,
  };
}

/** The whole comment body, always within GitHub's limit. */
export function composeComment(report: Report, options: ComposeOptions): { body: string; state: CommentState } {
  const state = stateOf(report, options.sha, options.previous);
  const head = `${commentMarker(options.manifest)}\n${STATE_PREFIX}${Buffer.from(JSON.stringify(state)).toString('base64')} -->\n`;
  const changes = changesSince(options.previous, report);
  const preamble = [changes ? changesLine(changes) : undefined, scoreTrend(state.history)].filter((line): line is string => line !== undefined);
  const limit = options.limit ?? COMMENT_LIMIT;
  const markdown = renderMarkdown(report, {
    maxLength: limit - head.length,
    targetLength: (options.target ?? COMMENT_TARGET) - head.length,
    sha: options.sha,
    ...(preamble.length ? { preamble: preamble.join('\n\n') } : {}),
    ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    ...(options.title ? { title: options.title } : {}),
  });
  return { body: `${head}${markdown}`, state };
}

/**
 * The comment of a run that checked nothing (invalid manifest, cannot run): it replaces
 * whatever an earlier run said, so the PR never keeps showing a stale "Ready". The
 * previous outcomes are carried over so the next real run still reports what changed.
 */
export function composeStoppedComment(markdown: string, options: Pick<ComposeOptions, 'manifest' | 'sha' | 'previous'>): { body: string; state: CommentState } {
  const digest = createHash('sha256').update(JSON.stringify([options.sha, 'stopped', markdown])).digest('hex').slice(0, 16);
  const previous = options.previous;
  const state: CommentState = { sha: options.sha, digest, bad: previous?.bad ?? [], more: previous?.more ?? 0, history: previous?.history ?? [] };
  const head = `${commentMarker(options.manifest)}\n${STATE_PREFIX}${Buffer.from(JSON.stringify(state)).toString('base64')} -->\n`;
  return { body: `${head}${markdown}\n`, state };
}

function changesLine(changes: Changes): string {
  const untracked = changes.incomplete ? ' (the previous run failed too many items to say which failures are new)' : '';
  if (changes.newlyFailing.length === 0 && changes.fixed.length === 0) return `**Since the last run:** no changes.${untracked}`;
  // Titles are trusted manifest markdown, `code` in them stays code.
  const list = (items: ItemReport[]) => items.slice(0, 10).map((item) => item.title.replace(/\s*[\r\n]+\s*/g, ' ')).join(', ') + (items.length > 10 ? `, +${items.length - 10} more` : '');
  const parts: string[] = [];
  if (changes.newlyFailing.length) parts.push(`❌ newly failing: ${list(changes.newlyFailing)}`);
  if (changes.fixed.length) parts.push(`✅ fixed: ${list(changes.fixed)}`);
  return `**Since the last run:** ${parts.join(' · ')}${untracked}`;
}

/** "Score over the last runs: 40% → 52% → 60%", once there is more than this run; a line chart from three runs on. */
function scoreTrend(history: ScorePoint[]): string | undefined {
  if (history.length < 2) return undefined;
  const line = `**Score over the last runs:** ${history.map((point) => `${point.score}%${point.ready ? ' ✅' : ''}`).join(' → ')}`;
  return history.length < 3 ? line : `${line}\n\n${scoreChart(history)}`;
}
