// The report as a checklist for a terminal: one line per item, the reason below
// anything that did not pass, pending sign-offs one line per owner, then a recap of
// what failed (blocking first), the counts and the verdict at the end. The same lines
// feed the Actions log, folded into one ::group:: per section.
import { styleText } from 'node:util';
import { assertionLine, failedAssertions, type Outcome } from '../checks/result.ts';
import { allItems, type ItemReport, type Report, type SectionReport } from './model.ts';
import { isWarning, needsAttention, pendingByActor } from './attention.ts';
import { plainText, singleLine } from './escape.ts';
import { formatDuration } from '../manifest/units.ts';
import { policyTerminalLines, scoreText, signedText, waiverText } from './policy-lines.ts';

export interface TerminalOptions {
  color: boolean;
  /** List every pending sign-off under its section instead of one line per owner. */
  verbose?: boolean;
  /** Who a pending sign-off waits for (default: the item's owner). */
  actorOf?: (item: ItemReport) => string | undefined;
}

type Style = Parameters<typeof styleText>[0];
type Paint = (style: Style, text: string) => string;

const SYMBOL: Record<Outcome, string> = {
  pass: '✔',
  fail: '✘',
  error: '!',
  flaky: '~',
  skip: '⏭',
  pending: '⏳',
  signed: '✔',
};

const COLOR: Record<Outcome, Style> = {
  pass: 'green',
  fail: 'red',
  error: 'red',
  flaky: 'yellow',
  skip: 'gray',
  pending: 'cyan',
  signed: 'green',
};

const ASSERTIONS_SHOWN = 3;
const RECAP_WIDTH = 160;

function painter(color: boolean): Paint {
  // validateStream: false because the caller already decided (shouldUseColor) and the
  // text may be written somewhere other than stdout.
  return (style, text) => (color ? styleText(style, text, { validateStream: false }) : text);
}

/** An item's line and, for anything that did not pass, the reason below it. */
function itemLines(item: ItemReport, indent: string, paint: Paint): string[] {
  const advisory = item.severity === 'advisory' && (item.outcome === 'fail' || item.outcome === 'error') ? paint('dim', ' (advisory)') : '';
  const lines = [`${indent}${paint(item.outcome === 'fail' && isWarning(item) ? 'yellow' : COLOR[item.outcome], SYMBOL[item.outcome])} ${plain(item.title)}${advisory}`];
  const detail = `${indent}    `;
  const signed = signedText(item);
  if (signed) lines.push(`${detail}${paint('dim', plain(signed))}`);
  if (item.outcome === 'pass' || item.outcome === 'signed') return lines;
  const waiver = waiverText(item);
  if (waiver) lines.push(`${detail}${paint('yellow', plain(waiver))}`);
  const summary = item.outcome === 'flaky' ? `flaky: passed after ${item.attempts} attempts — ${plain(item.summary)}` : plain(item.summary);
  lines.push(`${detail}${paint('dim', summary)}`);
  // The summary often is the first failed assertion already; do not say it twice.
  const assertions = failedAssertions(item.evidence.assertions)
    .map((assertion) => plain(assertionLine(assertion)))
    .filter((line) => !summary.startsWith(line))
    .slice(0, ASSERTIONS_SHOWN);
  for (const line of assertions) lines.push(`${detail}${paint('dim', line)}`);
  return lines;
}

export function renderTerminal(report: Report, options: TerminalOptions): string {
  const paint = painter(options.color);
  const lines: string[] = [];

  const renderSection = (section: SectionReport, depth: number) => {
    const indent = '  '.repeat(depth);
    lines.push(`${indent}${paint('bold', plain(section.title))}`);
    const pending = section.items.filter((item) => item.outcome === 'pending');
    for (const item of section.items) {
      if (item.outcome === 'pending' && !options.verbose) continue;
      lines.push(...itemLines(item, `${indent}  `, paint));
    }
    if (pending.length > 0 && !options.verbose) lines.push(`${indent}  ${paint('cyan', SYMBOL.pending)} ${plural(pending.length, 'sign-off')} pending`);
    for (const child of section.sections) renderSection(child, depth + 1);
  };
  for (const section of report.sections) renderSection(section, 0);

  lines.push(...recap(report, paint, options.actorOf));
  lines.push('');
  for (const notice of report.notices) lines.push(`${paint('yellow', '!')} ${plain(notice)}`);
  for (const line of policyTerminalLines(report)) lines.push(`${paint('cyan', '→')} ${plain(line)}`);
  lines.push(paint('dim', `${countsText(report)} · score ${scoreText(report)} · ${formatDuration(report.durationMs)}`));
  const verdict = report.verdict.ready ? paint(['bold', 'green'], '✔') : paint(['bold', 'red'], '✘');
  lines.push(`${verdict} ${paint('bold', plain(plainText(report.verdict.headline)))}`);
  return `${lines.join('\n')}\n`;
}

/**
 * After a long checklist, what a reader scrolls up for: who must sign off (one line per
 * owner), then what failed or could not be checked, blocking first, one line each.
 */
function recap(report: Report, paint: Paint, actorOf?: (item: ItemReport) => string | undefined, failures = true): string[] {
  const lines: string[] = [];
  const actors = pendingByActor(report, actorOf);
  if (actors.length > 0) {
    lines.push('', paint('bold', 'Pending sign-offs'));
    for (const group of actors) {
      const required = group.required ? paint('red', ` (${group.required} required)`) : '';
      lines.push(`  ${paint('cyan', SYMBOL.pending)} ${group.actor === undefined ? 'no owner set' : plain(group.actor)}: ${group.items.length}${required}`);
    }
  }
  const attention = needsAttention(report).filter((item) => item.outcome === 'fail' || item.outcome === 'error');
  if (failures && attention.length > 0) {
    lines.push('', paint('bold', 'Failed or not checked'));
    for (const item of attention) {
      const tag = item.blocks ? paint('red', 'blocking') : paint('yellow', 'advisory');
      const symbol = paint(item.blocks ? 'red' : 'yellow', SYMBOL[item.outcome]);
      lines.push(`  ${symbol} ${tag} ${singleLine(`${plainText(item.title)} — ${item.summary}`, RECAP_WIDTH)}`);
    }
  }
  return lines;
}

/** One line for an item that just finished, for logs that are not a terminal. */
export function finishedLine(item: { title: string }, result: { outcome: Outcome; summary: string; durationMs: number }, done: number, total: number): string {
  const width = String(total).length;
  const summary = result.outcome === 'pass' ? '' : ` — ${result.summary}`;
  return singleLine(`[${String(done).padStart(width)}/${total}] ${SYMBOL[result.outcome]} ${plainText(item.title)}${summary} (${formatDuration(result.durationMs)})`, 240);
}

// A line that starts with "::" is a workflow command to the runner; log text never is one.
function logText(text: string): string {
  return plain(text).replace(/::/g, ':\u200B:');
}

/**
 * The checklist for the Actions log: each top-level section in a ::group:: block (folded
 * in the log viewer, its title saying how it went), then the pending sign-offs by owner
 * (the action logs the failures itself, after the headline), or the whole recap.
 */
export function renderLogGroups(report: Report, options: Omit<TerminalOptions, 'color'> & { failures?: boolean } = {}): string {
  const paint = painter(false);
  const lines: string[] = [];
  for (const section of report.sections) {
    const items = allItems({ sections: [section] });
    const passed = items.filter((item) => item.outcome === 'pass').length;
    const failed = items.filter((item) => item.blocks && item.outcome !== 'pending').length;
    const warnings = items.filter(isWarning).length;
    const pending = items.filter((item) => item.outcome === 'pending').length;
    const tally = [`${passed} of ${items.length} passed`];
    if (failed) tally.push(`${failed} blocking`);
    if (warnings) tally.push(plural(warnings, 'warning'));
    if (pending) tally.push(`${pending} pending`);
    lines.push(`::group::${logText(plainText(section.title))} — ${tally.join(' · ')}`);
    const walk = (current: SectionReport, depth: number) => {
      if (depth > 0) lines.push(`${'  '.repeat(depth - 1)}${logText(current.title)}`);
      for (const item of current.items) {
        if (item.outcome === 'pending' && !options.verbose) continue;
        lines.push(...itemLines(item, '  '.repeat(depth), paint).map(logText));
      }
      const waiting = current.items.filter((item) => item.outcome === 'pending').length;
      if (waiting > 0 && !options.verbose) lines.push(`${'  '.repeat(depth)}${SYMBOL.pending} ${plural(waiting, 'sign-off')} pending`);
      for (const child of current.sections) walk(child, depth + 1);
    };
    walk(section, 0);
    lines.push('::endgroup::');
  }
  lines.push(...recap(report, paint, options.actorOf, options.failures ?? false).map(logText));
  return lines.join('\n');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function countsText(report: Report): string {
  const { counts } = report;
  const parts = [`${counts.pass} passed`, `${counts.fail} failed`];
  if (counts.error) parts.push(`${counts.error} ${counts.error === 1 ? 'error' : 'errors'}`);
  if (counts.flaky) parts.push(`${counts.flaky} flaky`);
  if (counts.skip) parts.push(`${counts.skip} skipped`);
  if (counts.pending) parts.push(`${counts.pending} pending`);
  if (counts.signed) parts.push(`${counts.signed} signed`);
  if (counts.waived) parts.push(`${counts.waived} waived`);
  return parts.join(', ');
}

/** Any text on one line without control characters: server text could carry terminal escape sequences. */
function plain(text: string): string {
  return singleLine(text, 500);
}

/** Colour per no-color.org and the FORCE_COLOR convention, else only on a terminal. */
export function shouldUseColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  // no-color.org: "when present and not an empty string (regardless of its value)".
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true;
}

const PROGRESS_WIDTH = 72;

/** "[12/40] 30% Strong SECRET_KEY" on one short line, no newline: the CLI rewrites it with "\r". */
export function progressLine(done: number, total: number, current?: string): string {
  const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
  const head = `[${done}/${total}] ${percent}%`;
  if (!current) return head;
  return singleLine(`${head} ${current}`, PROGRESS_WIDTH);
}

/** One line per failed try while staging is not ready: what it answered, and how long of the timeout has gone. */
export function waitingLine(attempt: number, problem: string, wait: { elapsedMs: number; timeoutMs: number }): string {
  // Whole seconds, minutes past one ("1m05s"): readable in a log line every few seconds.
  const seconds = (ms: number) => {
    const total = Math.round(ms / 1000);
    return total < 60 ? `${total}s` : `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
  };
  // One line whatever staging answered: in the action log a line break could start a workflow command.
  return `waiting for staging (try ${attempt}, ${seconds(wait.elapsedMs)} of ${seconds(wait.timeoutMs)}): ${singleLine(problem, 400)}`;
}
