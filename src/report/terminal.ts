// The report as a checklist for a terminal: one line per item, the reason below
// anything that did not pass, counts and the verdict at the end.
import { styleText } from 'node:util';
import { assertionLine, failedAssertions, type Outcome } from '../checks/result.ts';
import type { ItemReport, Report, SectionReport } from './model.ts';
import { singleLine } from './escape.ts';
import { formatDuration } from '../manifest/units.ts';
import { policyTerminalLines, scoreText, signedText, waiverText } from './policy-lines.ts';

export interface TerminalOptions {
  color: boolean;
}

type Style = Parameters<typeof styleText>[0];

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

export function renderTerminal(report: Report, options: TerminalOptions): string {
  // validateStream: false because the caller already decided (shouldUseColor) and the
  // text may be written somewhere other than stdout.
  const paint = (style: Style, text: string) => (options.color ? styleText(style, text, { validateStream: false }) : text);
  const lines: string[] = [];

  const renderItem = (item: ItemReport, indent: string) => {
    const advisory = item.severity === 'advisory' && (item.outcome === 'fail' || item.outcome === 'error') ? paint('dim', ' (advisory)') : '';
    lines.push(`${indent}${paint(COLOR[item.outcome], SYMBOL[item.outcome])} ${plain(item.title)}${advisory}`);
    const detail = `${indent}    `;
    const signed = signedText(item);
    if (signed) lines.push(`${detail}${paint('dim', plain(signed))}`);
    if (item.outcome === 'pass' || item.outcome === 'signed') return;
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
  };

  const renderSection = (section: SectionReport, depth: number) => {
    const indent = '  '.repeat(depth);
    lines.push(`${indent}${paint('bold', plain(section.title))}`);
    for (const item of section.items) renderItem(item, `${indent}  `);
    for (const child of section.sections) renderSection(child, depth + 1);
  };

  for (const section of report.sections) renderSection(section, 0);

  lines.push('');
  for (const notice of report.notices) lines.push(`${paint('yellow', '!')} ${plain(notice)}`);
  for (const line of policyTerminalLines(report)) lines.push(`${paint('cyan', '→')} ${plain(line)}`);
  lines.push(paint('dim', `${countsText(report)} · score ${scoreText(report)} · ${formatDuration(report.durationMs)}`));
  const verdict = report.verdict.ready ? paint(['bold', 'green'], '✔') : paint(['bold', 'red'], '✘');
  lines.push(`${verdict} ${paint('bold', plain(report.verdict.headline))}`);
  return `${lines.join('\n')}\n`;
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
