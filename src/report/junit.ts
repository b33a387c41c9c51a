// The report as JUnit XML, for CI test-report tools: one <testsuite> per top-level
// section, one <testcase> per item. Sub-section titles go into the classname.
//
// A test-report tool fails the run when any <failure> or <error> is present
// (dorny/test-reporter, Jenkins), so only a blocking failure or error is one. A required
// sign-off still pending blocks the verdict but is no test failure (the check concludes
// action_required): it is a <skipped type="awaiting-sign-off">. An advisory
// failure is a <skipped> whose message says it failed and does not block, with the
// details in <system-out>, so a ready run reads as passed. Each item's id, severity,
// owner and real outcome are suite <properties> named "<id>.<field>" (Jenkins'
// junit-10.xsd allows <properties> on a suite only). Attributes are the ones that
// schema allows.
import { assertionLine, failedAssertions } from '../checks/result.ts';
import type { ItemReport, Report, SectionReport } from './model.ts';
import { allItems } from './model.ts';
import { stripInvisible } from './escape.ts';

export function renderJUnit(report: Report): string {
  const suites = report.sections.map((section) => renderSuite(section, report.startedAt));
  const totals = tally(allItems(report));
  const name = `${report.tool.name}: ${report.manifest}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(name)}" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** How an item appears to a test-report tool. */
type CaseKind = 'passed' | 'failure' | 'error' | 'skipped';

function caseKind(item: ItemReport): CaseKind {
  switch (item.outcome) {
    case 'pass':
    case 'signed':
    case 'flaky':
      return 'passed';
    case 'fail':
      return item.blocks ? 'failure' : 'skipped';
    case 'error':
      return item.blocks ? 'error' : 'skipped';
    case 'pending':
      // Awaiting sign-off blocks the verdict but is not a test failure (the check concludes action_required).
      return 'skipped';
    case 'skip':
      return 'skipped';
  }
}

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  /** Sum of item durations; items run concurrently, so more than the wall clock. */
  ms: number;
}

function tally(items: ItemReport[]): Tally {
  const result: Tally = { tests: items.length, failures: 0, errors: 0, skipped: 0, ms: 0 };
  for (const item of items) {
    const kind = caseKind(item);
    if (kind === 'failure') result.failures++;
    if (kind === 'error') result.errors++;
    if (kind === 'skipped') result.skipped++;
    result.ms += item.durationMs;
  }
  return result;
}

function renderSuite(section: SectionReport, timestamp: string): string {
  const items = allItems({ sections: [section] });
  const totals = tally(items);
  const counts = `tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}"`;
  const lines = [`  <testsuite name="${attr(section.title)}" ${counts} time="${seconds(totals.ms)}" timestamp="${attr(timestamp)}">`];
  lines.push('    <properties>');
  for (const item of items) {
    const fields: [string, string | undefined][] = [
      ['name', item.title],
      ['severity', item.severity],
      ['owner', item.owner],
      ['outcome', item.outcome],
    ];
    for (const [field, value] of fields) {
      if (value !== undefined) lines.push(`      <property name="${attr(`${item.id}.${field}`)}" value="${attr(value)}"/>`);
    }
  }
  lines.push('    </properties>');
  for (const item of items) lines.push(...renderCase(item));
  lines.push('  </testsuite>');
  return lines.join('\n');
}

function renderCase(item: ItemReport): string[] {
  const open = `    <testcase name="${attr(item.title)}" classname="${attr(item.sections.join('.'))}" time="${seconds(item.durationMs)}"`;
  const inner = (...lines: string[]) => [`${open}>`, ...lines.map((line) => `      ${line}`), '    </testcase>'];
  switch (caseKind(item)) {
    case 'passed':
      if (item.outcome === 'flaky') return inner(`<system-out>${text(`flaky: passed after ${item.attempts} attempts. ${item.summary}`)}</system-out>`);
      return [`${open}/>`];
    case 'failure':
      return inner(`<failure message="${attr(item.summary)}" type="fail">${text(details(item))}</failure>`);
    case 'error':
      return inner(`<error message="${attr(item.summary)}" type="error">${text(details(item))}</error>`);
    case 'skipped':
      if (item.outcome === 'fail' || item.outcome === 'error') {
        const what = item.outcome === 'fail' ? 'failed' : 'could not be checked';
        // A waived failure does not fail the build while its waiver is active; the message says why.
        const why = item.waiver?.status === 'active' ? `waived until ${item.waiver.expires}: ${item.waiver.reason}` : 'advisory';
        return inner(
          `<skipped message="${attr(`${why}, ${what} (does not block): ${item.summary}`)}" type="${item.waiver?.status === 'active' ? 'waived' : 'advisory'}-${item.outcome}"/>`,
          `<system-out>${text(details(item))}</system-out>`,
        );
      }
      if (item.outcome === 'pending' && item.blocks) return inner(`<skipped message="${attr(`awaiting sign-off: ${item.summary}`)}" type="awaiting-sign-off"/>`);
      return inner(`<skipped message="${attr(`${item.outcome}: ${item.summary}`)}"/>`);
  }
}

/** The body of a failure or error: what a reader needs to act without the full report. */
function details(item: ItemReport): string {
  const { evidence } = item;
  const lines = [item.summary];
  if (evidence.request) lines.push(`request: ${evidence.request}`);
  if (evidence.response) lines.push(`response: ${evidence.response.status}`);
  for (const assertion of failedAssertions(evidence.assertions)) lines.push(assertionLine(assertion));
  for (const step of evidence.steps ?? []) {
    if (step.outcome !== 'fail' && step.outcome !== 'error') continue;
    lines.push(`step ${step.name}: ${step.outcome}: ${step.summary}`);
    for (const assertion of failedAssertions(step.assertions)) lines.push(`  ${assertionLine(assertion)}`);
  }
  for (const note of evidence.notes ?? []) lines.push(`note: ${note}`);
  if (evidence.output) lines.push('output:', evidence.output);
  if (item.help) lines.push(`help: ${item.help}`);
  return lines.join('\n');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

// XML 1.0 allows tab, line feed, carriage return and U+0020 upwards except surrogates
// (a lone one is matched as a code point with the u flag), U+FFFE and U+FFFF.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text content: escaped, characters XML 1.0 cannot hold removed, and bidi controls and
 * zero-width characters removed (test reporters put these messages into GitHub check runs).
 */
export function xmlText(value: string): string {
  return stripInvisible(value).replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value (always in double quotes): also quotes, and line breaks kept as references, not normalised to spaces. */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

const text = xmlText;
const attr = xmlAttribute;
