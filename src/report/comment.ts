// The PR comment: the markdown checklist plus what the sticky-comment logic needs
// to find it again (a hidden marker per manifest) and to say what changed since the
// previous run (a hidden digest of item outcomes). Hidden state is only ever used
// for display ("newly failing", "fixed"); the verdict never depends on it.
import { createHash } from 'node:crypto';
import type { Outcome } from '../checks/result.ts';
import { allItems, type ItemReport, type Report } from './model.ts';
import { renderMarkdown } from './markdown.ts';

/** GitHub rejects comment bodies over 65,536 characters. */
export const COMMENT_LIMIT = 65_536;

export interface CommentState {
  sha: string;
  digest: string;
  outcomes: Record<string, Outcome>;
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
}

export function commentMarker(manifest: string): string {
  return `<!-- readiness-gate:comment ${encodeURIComponent(manifest)} -->`;
}

const STATE_PREFIX = '<!-- readiness-gate:state ';

export function stateOf(report: Report, sha: string): CommentState {
  const outcomes: Record<string, Outcome> = {};
  for (const item of allItems(report)) outcomes[item.id] = item.outcome;
  // What the comment shows, minus what changes on every run (timings, run links).
  const stable = JSON.stringify([sha, report.verdict.ready, report.verdict.headline, allItems(report).map((item) => [item.id, item.outcome, item.blocks, item.title])]);
  return { sha, digest: createHash('sha256').update(stable).digest('hex').slice(0, 16), outcomes };
}

export function readState(body: string): CommentState | undefined {
  const start = body.indexOf(STATE_PREFIX);
  if (start === -1) return undefined;
  const end = body.indexOf(' -->', start);
  try {
    const parsed = JSON.parse(Buffer.from(body.slice(start + STATE_PREFIX.length, end), 'base64').toString('utf8')) as CommentState;
    return typeof parsed.sha === 'string' && typeof parsed.digest === 'string' && parsed.outcomes ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export interface Changes {
  newlyFailing: ItemReport[];
  fixed: ItemReport[];
}

const BAD: ReadonlySet<Outcome> = new Set(['fail', 'error']);

export function changesSince(previous: CommentState | undefined, report: Report): Changes | undefined {
  if (!previous) return undefined;
  const items = allItems(report);
  return {
    newlyFailing: items.filter((item) => BAD.has(item.outcome) && !BAD.has(previous.outcomes[item.id] ?? 'pass')),
    fixed: items.filter((item) => !BAD.has(item.outcome) && BAD.has(previous.outcomes[item.id] ?? 'pass')),
  };
}

/** The whole comment body, always within GitHub's limit. */
export function composeComment(report: Report, options: ComposeOptions): { body: string; state: CommentState } {
  const state = stateOf(report, options.sha);
  const head = `${commentMarker(options.manifest)}\n${STATE_PREFIX}${Buffer.from(JSON.stringify(state)).toString('base64')} -->\n`;
  const changes = changesSince(options.previous, report);
  const markdown = renderMarkdown(report, {
    maxLength: (options.limit ?? COMMENT_LIMIT) - head.length,
    sha: options.sha,
    ...(changes ? { preamble: changesLine(changes) } : {}),
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
  const state: CommentState = { sha: options.sha, digest, outcomes: options.previous?.outcomes ?? {} };
  const head = `${commentMarker(options.manifest)}\n${STATE_PREFIX}${Buffer.from(JSON.stringify(state)).toString('base64')} -->\n`;
  return { body: `${head}${markdown}\n`, state };
}

function changesLine(changes: Changes): string {
  if (changes.newlyFailing.length === 0 && changes.fixed.length === 0) return '**Since the last run:** no changes.';
  const list = (items: ItemReport[]) => items.slice(0, 10).map((item) => item.title).join(', ') + (items.length > 10 ? `, +${items.length - 10} more` : '');
  const parts: string[] = [];
  if (changes.newlyFailing.length) parts.push(`❌ newly failing: ${list(changes.newlyFailing)}`);
  if (changes.fixed.length) parts.push(`✅ fixed: ${list(changes.fixed)}`);
  return `**Since the last run:** ${parts.join(' · ')}`;
}
