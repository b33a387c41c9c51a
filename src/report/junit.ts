// The report as JUnit XML, for CI test-report tools: one <testsuite> per top-level
// section, one <testcase> per item. Sub-section titles go into the classname.
import { assertionLine, failedAssertions } from '../checks/result.ts';
import type { ItemReport, Report, SectionReport } from './model.ts';
import { allItems } from './model.ts';

export function renderJUnit(report: Report): string {
  const suites = report.sections.map((section) => renderSuite(section, report.startedAt));
  const totals = tally(allItems(report));
  const name = `${report.tool.name}: ${report.manifest}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(name)}" ${countAttributes(totals)} time="${seconds(report.durationMs)}" timestamp="${attr(report.startedAt)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
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
    const waived = item.waiver?.status === 'active';
    if (item.outcome === 'fail' && !waived) result.failures++;
    if (item.outcome === 'error' && !waived) result.errors++;
    if (item.outcome === 'skip' || item.outcome === 'pending' || ((item.outcome === 'fail' || item.outcome === 'error') && waived)) result.skipped++;
    result.ms += item.durationMs;
  }
  return result;
}

function countAttributes(totals: Tally): string {
  return `tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}"`;
}

function renderSuite(section: SectionReport, timestamp: string): string {
  const items = allItems({ sections: [section] });
  const totals = tally(items);
  const lines = [`  <testsuite name="${attr(section.title)}" ${countAttributes(totals)} time="${seconds(totals.ms)}" timestamp="${attr(timestamp)}">`];
  for (const item of items) lines.push(...renderCase(item));
  lines.push('  </testsuite>');
  return lines.join('\n');
}

function renderCase(item: ItemReport): string[] {
  const open = `    <testcase name="${attr(item.title)}" classname="${attr(item.sections.join('.'))}" time="${seconds(item.durationMs)}"`;
  // A waived failure does not fail the build while its waiver is active; the reason says why.
  if (item.waiver?.status === 'active' && (item.outcome === 'fail' || item.outcome === 'error')) {
    return [open + '>', `      <skipped message="${attr(`waived until ${item.waiver.expires}: ${item.waiver.reason} (${item.outcome}: ${item.summary})`)}"/>`, '    </testcase>'];
  }
  switch (item.outcome) {
    case 'pass':
    case 'signed':
      return [`${open}/>`];
    case 'fail':
      return [open + '>', `      <failure message="${attr(item.summary)}" type="fail">${text(details(item))}</failure>`, '    </testcase>'];
    case 'error':
      return [open + '>', `      <error message="${attr(item.summary)}" type="error">${text(details(item))}</error>`, '    </testcase>'];
    case 'skip':
    case 'pending':
      return [open + '>', `      <skipped message="${attr(`${item.outcome}: ${item.summary}`)}"/>`, '    </testcase>'];
    case 'flaky': {
      const note = `flaky: passed after ${item.attempts} attempts. ${item.summary}`;
      return [open + '>', `      <system-out>${text(note)}</system-out>`, '    </testcase>'];
    }
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

/** Text content: escaped, and characters XML 1.0 cannot hold removed. */
export function xmlText(value: string): string {
  return value.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value (always in double quotes): also quotes, and line breaks kept as references, not normalised to spaces. */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

const text = xmlText;
const attr = xmlAttribute;
