// The report as GitHub-flavoured markdown (PR comment, check run summary, job summary),
// shaped so a reader knows in seconds whether they are blocked, by what and who must
// act: verdict and counts, the owners with pending sign-offs, what needs attention with
// its evidence, then the checklist with every section collapsed into <details>.
import { failedAssertions, type Assertion, type Evidence, type Outcome, type ResponseEvidence, type StepEvidence } from '../checks/result.ts';
import type { ItemReport, Report, SectionReport } from './model.ts';
import { allItems } from './model.ts';
import { isWarning, needsAttention, pendingByActor, type ActorGroup } from './attention.ts';
import { codeBlock, escapeInline, inlineCode, inlineHtml, inlineMarkdown, truncate } from './escape.ts';
import { formatDuration } from '../manifest/units.ts';
import { isDone } from '../policy/outcomes.ts';
import { activeWaiversBlock, policyNotesBlock, policySuffix, scoreText, verdictLabel, whoMustActBlock } from './policy-lines.ts';
import { latencyCaption, latencyChart, latencyOf } from './charts.ts';

export interface MarkdownOptions {
  /** Longest result in characters (UTF-16 units, as GitHub counts a comment body). */
  maxLength?: number;
  /**
   * Length to aim for by folding detail away (passing titles, then pending titles) before
   * any evidence is shortened: the PR comment aims at a few screens, the job summary does not.
   */
  targetLength?: number;
  /** Link to the workflow run, where the job summary holds the full report. */
  runUrl?: string;
  /** Start with the passing items of each section folded into a count. */
  collapsePassing?: boolean;
  /** Trusted markdown shown in the top heading, e.g. the check name. */
  title?: string;
  /** Trusted markdown placed under the verdict and counts ("since the last run: …"). */
  preamble?: string;
  /** The commit the report is about, shown in the footer. */
  sha?: string;
  /** Where the run wrote report.html (the workspace path), linked from the footer. */
  htmlReport?: string;
  /** Who a pending sign-off waits for (default: the item's owner); a policy may answer with a role. */
  actorOf?: (item: ItemReport) => string | undefined;
}

/** GitHub comments cap at 65,536 characters; the caller adds a marker and some slack. */
export const DEFAULT_MAX_LENGTH = 60_000;

type EvidenceDetail = 'full' | 'short' | 'none';

/** How much of the checklist is spelled out, from everything to counts only. */
export const Fold = {
  /** Every item has its line inside its section's <details>. */
  None: 0,
  /** Passing items are a count per section. */
  Passing: 1,
  /** Pending sign-offs are a count per owner (in "Who must act") as well. */
  Pending: 2,
} as const;
export type Fold = (typeof Fold)[keyof typeof Fold];

interface Layout {
  fold: Fold;
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
/** Owners named in "Who must act"; the rest are summed on one line. */
const ACTORS_SHOWN = 10;
/** Latency charts of passing load items; more are left to the HTML report. */
const CHARTS_SHOWN = 10;

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
  const target = Math.min(options.targetLength ?? maxLength, maxLength);

  // 1. Fold the checklist until it reaches the target length (all evidence kept).
  const folds = ([Fold.None, Fold.Passing, Fold.Pending] as Fold[]).filter((fold) => !options.collapsePassing || fold >= Fold.Passing);
  let text = '';
  for (const fold of folds) {
    text = renderDocument(report, options, { fold, detailFor: () => 'full', evidenceTrimmed: false });
    if (text.length <= target) return text;
  }
  // Over the target but within the limit: evidence matters more than a few screens.
  if (text.length <= maxLength) return text;

  // 2. Evidence as room allows: the document without any evidence, then shortened
  //    evidence for as many items as fit (in attention order), then full evidence for
  //    as many of those as still fit. Breadth first: every failure deserves a look.
  const bare = renderDocument(report, options, { fold: Fold.Pending, detailFor: () => 'none', evidenceTrimmed: true });
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
  text = renderDocument(report, options, { fold: Fold.Pending, detailFor: (item) => chosen.get(item) ?? 'none', evidenceTrimmed: true });
  // 3. Cut at a line (only reached if the arithmetic above is ever wrong).
  return text.length <= maxLength ? text : truncateMarkdown(text, maxLength, options.runUrl);
}

function renderDocument(report: Report, options: MarkdownOptions, layout: Layout): string {
  const blocks: string[] = [...headerBlocks(report, options)];
  const actors = pendingByActor(report, options.actorOf);
  // With a policy the roles that must sign lead the comment (headerBlocks); owners are the fallback.
  if (actors.length > 0 && !report.verdict.awaiting?.length) blocks.push(...whoMustAct(actors));

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

  if (!layout.evidenceTrimmed) blocks.push(...latencyBlocks(report, attention, options.runUrl));

  blocks.push('## Checklist');
  for (const section of report.sections) blocks.push(...sectionDetails(section, layout.fold));
  if (actors.length > 0) {
    blocks.push('## Pending sign-offs');
    if (layout.fold >= Fold.Pending) blocks.push(foldedNote('Their titles', options.runUrl));
    else for (const group of actors) blocks.push(...pendingDetails(group));
  }

  blocks.push(footer(report, options));
  return `${blocks.join(BLOCK_SEPARATOR)}\n`;
}

function headerBlocks(report: Report, options: MarkdownOptions): string[] {
  const verdict = verdictLabel(report);
  const title = options.title ? ` · ${oneLine(options.title)}` : '';
  // The headline quotes item titles (trusted, `code` kept as code) but also run notices,
  // which can carry server text, so everything outside code spans is escaped.
  const blocks = [`## ${verdict}${title}`, `**${inlineMarkdown(report.verdict.headline.trim(), 1000)}**`];
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
  const items = allItems(report);
  // Failures that do not block are warnings: red is kept for what stops the merge.
  const warnings = items.filter((item) => isWarning(item));
  const failed = counts.fail - warnings.filter((item) => item.outcome === 'fail').length;
  const errors = counts.error - warnings.filter((item) => item.outcome === 'error').length;
  const parts = [`✅ **${counts.pass}** passed`];
  if (failed) parts.push(`❌ **${failed}** failed`);
  if (errors) parts.push(`⚠️ **${errors}** ${errors === 1 ? 'error' : 'errors'}`);
  if (warnings.length) parts.push(`⚠️ **${warnings.length}** ${warnings.length === 1 ? 'warning' : 'warnings'}`);
  if (counts.flaky) parts.push(`🔁 ${counts.flaky} flaky`);
  if (counts.skip) parts.push(`⏭ ${counts.skip} skipped`);
  if (counts.pending) parts.push(`⏳ ${counts.pending} pending`);
  if (counts.signed) parts.push(`✍️ ${counts.signed} signed`);
  if (counts.waived) parts.push(`🛡 ${counts.waived} waived`);
  parts.push(`score **${scoreText(report)}**`);
  if (report.target.url) parts.push(`target ${inlineCode(report.target.url)}`);
  return parts.join(' · ');
}

/** One line per owner with pending sign-offs, so the people who must act see it at once. */
function whoMustAct(groups: ActorGroup[]): string[] {
  const lines = groups.slice(0, ACTORS_SHOWN).map((group) => {
    const required = group.required ? ` (**${group.required} required**)` : '';
    return `- ${actorName(group.actor)} — ${plural(group.items.length, 'sign-off')} pending${required}`;
  });
  const rest = groups.slice(ACTORS_SHOWN);
  if (rest.length > 0) {
    const count = rest.reduce((sum, group) => sum + group.items.length, 0);
    lines.push(`- ${plural(rest.length, 'more owner')} — ${plural(count, 'sign-off')} pending`);
  }
  return ['### Who must act', lines.join('\n')];
}

function actorName(actor: string | undefined): string {
  // Owners come from the manifest, but the comment is rewritten on every run: whether
  // to ping anyone is the caller's decision, so a handle here never pings.
  return actor === undefined ? '_no owner set_' : `**${escapeInline(actor, 100)}**`;
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
  else if (isWarning(item)) facts.push('advisory');
  if (item.sections.length > 0) facts.push(item.sections.map(oneLine).join(' › '));
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
      return isWarning(item) ? '⚠️ failed' : '❌ failed';
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
      return `${isWarning(item) ? '⚠️' : '❌'} failed${advisory}`;
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

function itemLine(item: ItemReport): string {
  const marker = [checklistMarker(item), policySuffix(item)].filter(Boolean).join(' · ');
  return `- ${checkbox(item.outcome)} ${oneLine(item.title)}${marker ? ` — ${marker}` : ''}`;
}

/** A top-level section folded into <details>, its summary saying how it went: "Security — 21 of 23 passed · ❌ 1 failed". */
function sectionDetails(section: SectionReport, fold: Fold): string[] {
  const items = allItems({ sections: [section] });
  const passed = items.filter((item) => item.outcome === 'pass').length;
  const tally = [`${passed} of ${items.length} passed`];
  const count = (test: (item: ItemReport) => boolean) => items.filter(test).length;
  const failed = count((item) => item.blocks && item.outcome !== 'pending');
  const warnings = count(isWarning);
  const pending = count((item) => item.outcome === 'pending');
  if (failed) tally.push(`❌ ${failed} blocking`);
  if (warnings) tally.push(`⚠️ ${plural(warnings, 'warning')}`);
  if (pending) tally.push(`⏳ ${pending} pending`);
  const body = sectionBody(section, 2, fold);
  // GitHub renders markdown inside <details> only after a blank line following </summary>.
  const summary = `<details><summary>${inlineHtml(oneLine(section.title))} — ${tally.join(' · ')}</summary>`;
  return body.length > 0 ? [summary, ...body, '</details>'] : [`${summary}\n\n</details>`];
}

/** The lines of a section and its sub-sections. Pending sign-offs are listed by owner instead. */
function sectionBody(section: SectionReport, depth: number, fold: Fold, heading = false): string[] {
  const blocks: string[] = heading ? [`${'#'.repeat(Math.min(depth, 6))} ${oneLine(section.title)}`] : [];
  const lines: string[] = [];
  const listed = section.items.filter((item) => item.outcome !== 'pending');
  let shown = listed;
  if (fold >= Fold.Passing) {
    const passed = listed.filter((item) => item.outcome === 'pass').length;
    if (passed > 0) lines.push(`- [x] ${plural(passed, 'passed item')}`);
    shown = listed.filter((item) => item.outcome !== 'pass');
  }
  for (const item of shown) lines.push(itemLine(item));
  const pending = section.items.length - listed.length;
  if (pending > 0) lines.push(`- [ ] ${plural(pending, 'sign-off')} pending (listed by owner)`);
  if (lines.length > 0) blocks.push(lines.join('\n'));
  for (const child of section.sections) blocks.push(...sectionBody(child, depth + 1, fold, true));
  return heading && blocks.length === 1 ? [] : blocks;
}

/** One owner's pending sign-offs, folded into <details>. */
function pendingDetails(group: ActorGroup): string[] {
  const who = group.actor === undefined ? 'no owner set' : inlineHtml(oneLine(group.actor), 100);
  const required = group.required ? ` · ${group.required} required` : '';
  const lines = group.items.map((item) => {
    const marker = [policySuffix(item), item.blocks ? '**required**' : ''].filter(Boolean).join(' · ');
    return `- [ ] ${oneLine(item.title)}${marker ? ` — ${marker}` : ''}`;
  });
  return [`<details><summary>⏳ ${who} — ${plural(group.items.length, 'item')}${required}</summary>`, lines.join('\n'), '</details>'];
}

function foldedNote(what: string, runUrl: string | undefined): string {
  const where = runUrl ? `the [job summary](${runUrl})` : 'the job summary';
  return `_${what} are left out to keep this comment short; they are in ${where}._`;
}

/** The latency of the load items that need no attention (those that do carry their chart in their evidence). */
function latencyBlocks(report: Report, attention: ItemReport[], runUrl: string | undefined): string[] {
  const charted = allItems(report)
    .filter((item) => !attention.includes(item))
    .map((item) => ({ item, latency: latencyOf(item.evidence) }))
    .filter((entry) => entry.latency !== undefined);
  if (charted.length === 0) return [];
  const blocks = ['## Latency'];
  for (const { item, latency } of charted.slice(0, CHARTS_SHOWN)) {
    const caption = latencyCaption(latency as NonNullable<typeof latency>);
    blocks.push(`<details><summary>📈 ${inlineHtml(oneLine(item.title))} — ${caption}</summary>`, latencyChart(latency as NonNullable<typeof latency>), '</details>');
  }
  if (charted.length > CHARTS_SHOWN) blocks.push(foldedNote(`${charted.length - CHARTS_SHOWN} more latency charts`, runUrl));
  return blocks;
}

function footer(report: Report, options: MarkdownOptions): string {
  const parts = [`${oneLine(report.tool.name)} ${oneLine(report.tool.version)}`, inlineCode(report.manifest), formatDuration(report.durationMs)];
  if (options.sha) parts.push(`commit ${inlineCode(options.sha.slice(0, 7))}`);
  if (options.runUrl) parts.push(`[full run](${options.runUrl})`);
  if (options.htmlReport) {
    // The file is on the runner; the workflow's upload step puts it among the run's artifacts.
    const file = inlineCode(options.htmlReport);
    parts.push(options.runUrl ? `HTML report: ${file} in the [run's artifacts](${options.runUrl}#artifacts)` : `HTML report: ${file}`);
  }
  return `<sub>${parts.join(' · ')}</sub>`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
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
  const details = ['<details><summary>Evidence</summary>', ...parts, '</details>'].join(BLOCK_SEPARATOR);
  // A load item's percentiles are a picture, shown open: the reason it needs attention.
  const latency = latencyOf(evidence);
  return latency ? [latencyChart(latency), `_${latencyCaption(latency)}_`, details].join(BLOCK_SEPARATOR) : details;
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
