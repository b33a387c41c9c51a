// The report as GitHub-flavoured markdown (PR comment, check run summary, job summary),
// shaped like the seed checklist: verdict and counts on top, failures first with their
// evidence in <details>, then every section with `- [x]` / `- [ ]` lines.
import { failedAssertions, type Assertion, type Evidence, type Outcome, type ResponseEvidence, type StepEvidence } from '../checks/result.ts';
import type { ItemReport, Report, SectionReport } from './model.ts';
import { allItems } from './model.ts';
import { codeBlock, escapeInline, inlineCode, truncate } from './escape.ts';
import { formatDuration } from '../manifest/units.ts';
import { isDone } from '../policy/outcomes.ts';
import { activeWaiversBlock, policyNotesBlock, policySuffix, scoreText, verdictLabel, whoMustActBlock } from './policy-lines.ts';

export interface MarkdownOptions {
  /** Longest result in characters (UTF-16 units, as GitHub counts a comment body). */
  maxLength?: number;
  /** Link to the workflow run, where the job summary holds the full report. */
  runUrl?: string;
  /** Start with the passing items of each section collapsed into one line. */
  collapsePassing?: boolean;
  /** Trusted markdown shown in the top heading, e.g. the check name. */
  title?: string;
  /** Trusted markdown placed under the verdict and counts ("since the last run: …"). */
  preamble?: string;
  /** The commit the report is about, shown in the footer. */
  sha?: string;
}

/** GitHub comments cap at 65,536 characters; the caller adds a marker and some slack. */
export const DEFAULT_MAX_LENGTH = 60_000;

type EvidenceDetail = 'full' | 'short' | 'none';

interface Layout {
  collapsePassing: boolean;
  detailFor: (item: ItemReport) => EvidenceDetail;
  /** Say that evidence was shortened or left out to fit. */
  evidenceTrimmed: boolean;
}

// Blocks (paragraphs, lists, <details>) are joined by one blank line, so the size of
// the document is the sum of its blocks plus separators. The size budget relies on it.
const BLOCK_SEPARATOR = '\n\n';

// The "short" evidence level keeps this much of a body or command output.
const SHORT_EXCERPT = 600;
const SHORT_ASSERTIONS = 3;

const OUTCOME_ICON: Record<Outcome, string> = {
  pass: '✅',
  fail: '❌',
  error: '⚠️',
  flaky: '🔁',
  skip: '⏭',
  pending: '⏳',
  signed: '✍️',
};

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;

  // 1. Everything; 2. passing items collapsed.
  for (const collapsePassing of options.collapsePassing ? [true] : [false, true]) {
    const text = renderDocument(report, options, { collapsePassing, detailFor: () => 'full', evidenceTrimmed: false });
    if (text.length <= maxLength) return text;
  }

  // 3. Evidence as room allows: the document without any evidence, then shortened
  //    evidence for as many items as fit (in attention order), then full evidence for
  //    as many of those as still fit. Breadth first: every failure deserves a look.
  const bare = renderDocument(report, options, { collapsePassing: true, detailFor: () => 'none', evidenceTrimmed: true });
  if (bare.length > maxLength) return truncateMarkdown(bare, maxLength, options.runUrl);
  let room = maxLength - bare.length;
  const cost = (item: ItemReport, detail: 'full' | 'short') => {
    const block = evidenceBlock(item.evidence, detail);
    return block === undefined ? 0 : BLOCK_SEPARATOR.length + block.length;
  };
  const chosen = new Map<ItemReport, EvidenceDetail>();
  const attention = needsAttention(report);
  for (const item of attention) {
    const short = cost(item, 'short');
    if (short > 0 && short <= room) {
      chosen.set(item, 'short');
      room -= short;
    }
  }
  for (const item of attention) {
    if (chosen.get(item) !== 'short') continue;
    const upgrade = cost(item, 'full') - cost(item, 'short');
    if (upgrade <= room) {
      chosen.set(item, 'full');
      room -= upgrade;
    }
  }
  const text = renderDocument(report, options, { collapsePassing: true, detailFor: (item) => chosen.get(item) ?? 'none', evidenceTrimmed: true });
  // 4. Cut at a line (only reached if the arithmetic above is ever wrong).
  return text.length <= maxLength ? text : truncateMarkdown(text, maxLength, options.runUrl);
}

/** Items to look at first: blocking ones (failed, errored, required sign-off pending), then advisory failures, then flaky. */
export function needsAttention(report: Pick<Report, 'sections'>): ItemReport[] {
  const items = allItems(report);
  const advisoryFailures = (item: ItemReport) => !item.blocks && (item.outcome === 'fail' || item.outcome === 'error');
  return [...items.filter((item) => item.blocks), ...items.filter(advisoryFailures), ...items.filter((item) => item.outcome === 'flaky')];
}

function renderDocument(report: Report, options: MarkdownOptions, layout: Layout): string {
  const blocks: string[] = [...headerBlocks(report, options)];

  const attention = needsAttention(report);
  if (attention.length > 0) {
    blocks.push(`## Needs attention (${attention.length})`);
    if (layout.evidenceTrimmed) blocks.push(trimmedNote(options.runUrl));
    for (const item of attention) {
      blocks.push(attentionItem(item));
      const detail = layout.detailFor(item);
      const evidence = detail === 'none' ? undefined : evidenceBlock(item.evidence, detail);
      if (evidence !== undefined) blocks.push(evidence);
    }
  }

  for (const section of report.sections) {
    blocks.push('---');
    blocks.push(...sectionBlocks(section, 2, layout.collapsePassing));
  }

  blocks.push(footer(report, options));
  return `${blocks.join(BLOCK_SEPARATOR)}\n`;
}

function headerBlocks(report: Report, options: MarkdownOptions): string[] {
  const verdict = verdictLabel(report);
  const title = options.title ? ` · ${oneLine(options.title)}` : '';
  // The headline quotes item titles (trusted) but also run notices, which can carry
  // server text, so all of it is escaped.
  const blocks = [`## ${verdict}${title}`, `**${escapeInline(report.verdict.headline.trim(), 1000)}**`];
  // Lead with who must act, then the numbers; active waivers and policy notes stay visible at the top.
  for (const block of [whoMustActBlock(report), countsLine(report), activeWaiversBlock(report), policyNotesBlock(report)]) if (block) blocks.push(block);
  if (report.notices.length > 0) {
    blocks.push(report.notices.map((notice) => `> ⚠️ ${escapeInline(notice, 1000)}`).join('\n>\n'));
  }
  if (options.preamble) blocks.push(options.preamble);
  return blocks;
}

function countsLine(report: Report): string {
  const { counts } = report;
  const parts = [`✅ **${counts.pass}** passed`, `❌ **${counts.fail}** failed`];
  if (counts.error) parts.push(`⚠️ **${counts.error}** ${counts.error === 1 ? 'error' : 'errors'}`);
  if (counts.flaky) parts.push(`🔁 ${counts.flaky} flaky`);
  if (counts.skip) parts.push(`⏭ ${counts.skip} skipped`);
  if (counts.pending) parts.push(`⏳ ${counts.pending} pending`);
  if (counts.signed) parts.push(`✍️ ${counts.signed} signed`);
  if (counts.waived) parts.push(`🛡 ${counts.waived} waived`);
  parts.push(`score **${scoreText(report)}**`);
  if (report.target.url) parts.push(`target ${inlineCode(report.target.url)}`);
  return parts.join(' · ');
}

function trimmedNote(runUrl: string | undefined): string {
  const where = runUrl ? `the full report is in the [job summary](${runUrl})` : 'the full report is in the job summary';
  return `_Some evidence was shortened or left out to stay under GitHub's comment size limit; ${where}._`;
}

function attentionItem(item: ItemReport): string {
  const lines = [`- ${checkbox(item.outcome)} **${oneLine(item.title)}** — ${escapeInline(item.summary)}`];
  const facts = [attentionMarker(item)];
  if (item.blocks) facts.push('**blocking**');
  else if (item.waiver?.status === 'active') facts.push('waived');
  else if (item.outcome === 'fail' || item.outcome === 'error') facts.push('advisory');
  if (item.sections.length > 0) facts.push(item.sections.map(oneLine).join(' › '));
  // Owners come from the manifest, but the comment is rewritten on every run: whether
  // to ping anyone is the caller's decision, so a handle here never pings.
  if (item.owner) facts.push(`owner: ${escapeInline(item.owner, 100)}`);
  if (item.attempts > 1) facts.push(`${item.attempts} attempts`);
  facts.push(formatDuration(item.durationMs));
  lines.push(`  - ${facts.join(' · ')}`);
  if (item.help) {
    // Help is trusted manifest markdown; continuation lines stay inside the list item.
    lines.push(`  - 💡 ${capHelp(item.help.trim(), item.line).split(/\r?\n/).join('\n    ')}`);
  }
  return lines.join('\n');
}

function attentionMarker(item: ItemReport): string {
  switch (item.outcome) {
    case 'fail':
      return '❌ failed';
    case 'error':
      return '⚠️ could not be checked';
    case 'flaky':
      return '🔁 flaky';
    case 'pending':
      return '⏳ sign-off pending';
    default:
      return `${OUTCOME_ICON[item.outcome]} ${item.outcome}`;
  }
}

function checkbox(outcome: Outcome): string {
  return isDone(outcome) ? '[x]' : '[ ]';
}

/** The short tag after an item in the checklist; empty for a plain pass. */
function checklistMarker(item: ItemReport): string {
  const advisory = item.severity === 'advisory' ? ' · advisory' : '';
  switch (item.outcome) {
    case 'pass':
      return '';
    case 'fail':
      return `❌ failed${advisory}`;
    case 'error':
      return `⚠️ error${advisory}`;
    case 'flaky':
      return '🔁 flaky';
    case 'skip':
      return `⏭ skipped: ${escapeInline(item.summary, 120)}`;
    case 'pending':
      if (item.signoff) return '';
      return `⏳ pending${item.owner ? ` (${escapeInline(item.owner, 100)})` : ''}${item.blocks ? ' · required' : ''}`;
    case 'signed':
      return item.signoff ? '' : `✍️ signed: ${escapeInline(item.summary, 120)}`;
  }
}

function sectionBlocks(section: SectionReport, depth: number, collapsePassing: boolean): string[] {
  const blocks = [`${'#'.repeat(Math.min(depth, 6))} ${oneLine(section.title)}`];
  const lines: string[] = [];
  let shown = section.items;
  if (collapsePassing) {
    const passed = section.items.filter((item) => item.outcome === 'pass').length;
    if (passed > 0) lines.push(`- [x] ${passed} passed ${passed === 1 ? 'item' : 'items'}`);
    shown = section.items.filter((item) => item.outcome !== 'pass');
  }
  for (const item of shown) {
    const marker = [checklistMarker(item), policySuffix(item)].filter(Boolean).join(' · ');
    lines.push(`- ${checkbox(item.outcome)} ${oneLine(item.title)}${marker ? ` — ${marker}` : ''}`);
  }
  if (lines.length > 0) blocks.push(lines.join('\n'));
  for (const child of section.sections) blocks.push(...sectionBlocks(child, depth + 1, collapsePassing));
  return blocks;
}

function footer(report: Report, options: MarkdownOptions): string {
  const parts = [`${oneLine(report.tool.name)} ${oneLine(report.tool.version)}`, inlineCode(report.manifest), formatDuration(report.durationMs)];
  if (options.sha) parts.push(`commit ${inlineCode(options.sha.slice(0, 7))}`);
  if (options.runUrl) parts.push(`[full run](${options.runUrl})`);
  return `<sub>${parts.join(' · ')}</sub>`;
}

// ---- evidence ----

/**
 * One item's evidence as a <details> block, or undefined when there is nothing to show.
 * It stands at the top level (not indented under the list item): a fenced block inside
 * a list item would need every line of the untrusted text indented to stay inside it.
 */
function evidenceBlock(evidence: Evidence, detail: Exclude<EvidenceDetail, 'none'>): string | undefined {
  const short = detail === 'short';
  const parts: string[] = [];
  if (evidence.request) parts.push(`**Request:** ${inlineCode(evidence.request)}`);
  const failed = failedAssertions(evidence.assertions);
  if (failed.length > 0) parts.push(`**Failed assertions:**\n\n${assertionList(failed, short)}`);
  if (evidence.response) parts.push(...responseParts('Response', evidence.response, short));
  if (evidence.steps && evidence.steps.length > 0) parts.push(...stepParts(evidence.steps, short));
  const facts = Object.entries(evidence.facts ?? {});
  if (facts.length > 0) {
    parts.push(`**Facts:**\n\n${facts.map(([name, value]) => `- ${escapeInline(name, 100)}: ${inlineCode(String(value))}`).join('\n')}`);
  }
  if (evidence.notes && evidence.notes.length > 0) {
    parts.push(`**Notes:**\n\n${evidence.notes.map((note) => `- ${escapeInline(note, 500)}`).join('\n')}`);
  }
  if (evidence.output) {
    // Output is the tail of a command's output, so the end is what matters.
    const output = short ? keepEnd(evidence.output, SHORT_EXCERPT) : evidence.output;
    parts.push(`**Output:**\n\n${codeBlock(output, 'text')}`);
  }
  if (parts.length === 0) return undefined;
  // GitHub renders markdown inside <details> only after a blank line following </summary>,
  // and </details> must start its own block.
  return ['<details><summary>Evidence</summary>', ...parts, '</details>'].join(BLOCK_SEPARATOR);
}

function assertionList(failed: Assertion[], short: boolean): string {
  const shown = short ? failed.slice(0, SHORT_ASSERTIONS) : failed;
  const lines = shown.map((assertion) => `- ${assertionText(assertion)}`);
  if (shown.length < failed.length) lines.push(`- … and ${failed.length - shown.length} more`);
  return lines.join('\n');
}

function assertionText(assertion: Assertion): string {
  return `${escapeInline(assertion.subject, 200)}: expected ${inlineCode(assertion.expected)}, got ${inlineCode(assertion.actual)}`;
}

function responseParts(label: string, response: ResponseEvidence, short: boolean): string[] {
  const size = `${response.bodyBytes.toLocaleString('en-US')} bytes${response.truncated ? ', excerpt' : ''}`;
  const parts = [`**${label}:** ${inlineCode(String(response.status))} · ${size}`];
  if (response.redirects && response.redirects.length > 0) {
    parts.push(`**Redirects:**\n\n${response.redirects.map((hop) => `- ${escapeInline(hop, 500)}`).join('\n')}`);
  }
  if (!short && response.headers.length > 0) {
    const head = [`HTTP ${response.status}`, ...response.headers.map(([name, value]) => `${name}: ${value}`)].join('\n');
    parts.push(codeBlock(head, 'http'));
  }
  if (response.body) {
    const body = short ? truncate(response.body, SHORT_EXCERPT) : response.body;
    parts.push(codeBlock(body, bodyLanguage(response.headers)));
  }
  return parts;
}

function stepParts(steps: StepEvidence[], short: boolean): string[] {
  const lines: string[] = [];
  const responses: string[] = [];
  steps.forEach((step, index) => {
    const duration = step.durationMs === undefined ? '' : ` · ${formatDuration(step.durationMs)}`;
    lines.push(`${index + 1}. ${OUTCOME_ICON[step.outcome]} **${escapeInline(step.name, 200)}** — ${escapeInline(step.summary)}${duration}`);
    const failing = step.outcome === 'fail' || step.outcome === 'error';
    if (!failing) return;
    if (step.request) lines.push(`   - ${inlineCode(step.request)}`);
    const failed = failedAssertions(step.assertions);
    const shown = short ? failed.slice(0, SHORT_ASSERTIONS) : failed;
    for (const assertion of shown) lines.push(`   - ${assertionText(assertion)}`);
    if (!short && step.response) responses.push(...responseParts(`Response to step ${index + 1}`, step.response, short));
  });
  return [`**Steps:**\n\n${lines.join('\n')}`, ...responses];
}

function bodyLanguage(headers: [string, string][]): string {
  const contentType = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (/json/i.test(contentType)) return 'json';
  if (/html/i.test(contentType)) return 'html';
  if (/xml/i.test(contentType)) return 'xml';
  return 'text';
}

// ---- size limit ----

/**
 * The document cut at a line boundary so that it ends well-formed: an open code fence
 * and open <details> are closed, then a line says the report was truncated.
 */
export function truncateMarkdown(text: string, maxLength: number, runUrl?: string): string {
  const where = runUrl ? `; [full report in the job summary](${runUrl})` : '; the full report is in the job summary';
  const notice = `\n---\n\n⚠️ **This report was truncated** to stay under GitHub's comment size limit${where}.\n`;
  const closers = (fence: string | undefined, openDetails: number) =>
    `${fence ? `${fence}\n` : ''}${'\n</details>\n'.repeat(openDetails)}`;

  const kept: string[] = [];
  let length = 0;
  let fence: string | undefined;
  let openDetails = 0;
  for (const line of text.split('\n')) {
    let nextFence = fence;
    let nextDetails = openDetails;
    if (fence !== undefined) {
      // A fence closes at a line of at least as many backticks and nothing else.
      if (new RegExp(`^ {0,3}${fence}\`*\\s*$`).test(line)) nextFence = undefined;
    } else {
      const opening = /^ {0,3}(`{3,})/.exec(line);
      if (opening) nextFence = opening[1];
      // An HTML block starts at the beginning of a line; escaped text never starts one there.
      else if (line.startsWith('<details>')) nextDetails++;
      else if (line.startsWith('</details>')) nextDetails--;
    }
    const added = line.length + 1;
    if (length + added + closers(nextFence, nextDetails).length + notice.length > maxLength) break;
    kept.push(line);
    length += added;
    fence = nextFence;
    openDetails = Math.max(0, nextDetails);
  }
  const result = `${kept.map((line) => `${line}\n`).join('')}${closers(fence, openDetails)}${notice}`;
  // Only a limit smaller than the notice itself gets here with too much text.
  return result.length <= maxLength ? result : truncate(notice.trim(), maxLength);
}

// ---- small helpers ----

/** Most help shown per item: one long help must not push the rest of the report past the size limit. */
const HELP_LIMIT = 1_500;

/** Help cut at a line break within `HELP_LIMIT`, with a code fence it left open closed, and a pointer to the manifest. */
function capHelp(help: string, line: number): string {
  if (help.length <= HELP_LIMIT) return help;
  let cut = truncate(help, HELP_LIMIT).slice(0, -1);
  const lastBreak = cut.lastIndexOf('\n');
  if (lastBreak > HELP_LIMIT / 2) cut = cut.slice(0, lastBreak);
  const fences = cut.split('\n').map((text) => /^\s*(`{3,}|~{3,})/.exec(text)?.[1]).filter((fence) => fence !== undefined);
  const open = fences.length % 2 === 1 ? `\n${fences.at(-1)}` : '';
  return `${cut}…${open}\n_(help shortened; the whole text is in the manifest, line ${line})_`;
}

/** Trusted text (titles) on one line: a line break would end the list item or heading. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function keepEnd(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `…${text.slice(text.length - maxLength + 1)}`;
}
