// junit.xml against the JUnit dialect Jenkins' xUnit plugin validates (junit-10.xsd),
// checked by libxml2's xmllint, and read the way test-report tools read it: a run is
// failed by any <failure> or <error> (dorny/test-reporter, Jenkins), so those must be
// exactly the items that keep the verdict from being ready.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { renderJUnit } from '../../src/report/junit.ts';
import type { Report } from '../../src/report/model.ts';
import { fixtureReport, HOSTILE, hugeReport, item, reportFrom } from './fixture.ts';

const XSD = new URL('../../test-support/junit-jenkins.xsd', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'junit-xsd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function xmllint(xml: string, schema: string): { ok: boolean; output: string } {
  const file = join(dir, `report-${++files}.xml`);
  writeFileSync(file, xml);
  const result = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

function schemas(): string[] {
  // A copy of the original junit-10.xsd, when a developer has one, is checked as well.
  return process.env.JUNIT_XSD ? [XSD, process.env.JUNIT_XSD] : [XSD];
}

/** A ready run: everything blocking passed; advisory items failed and errored. */
function readyWithAdvisoryFailures(): Report {
  return reportFrom([
    {
      title: 'Checks',
      items: [
        item({ id: 'ok', title: 'Health answers', sections: ['Checks'], outcome: 'pass' }),
        item({ id: 'frame', title: 'Frame options', sections: ['Checks'], outcome: 'fail', severity: 'advisory', owner: '@web', summary: `header: got none ${HOSTILE}` }),
        item({ id: 'slow', title: 'p95 latency', sections: ['Checks'], outcome: 'error', severity: 'advisory', summary: 'timeout after 10 s' }),
        item({ id: 'signoff', title: 'Runbook reviewed', sections: ['Checks'], outcome: 'pending', kind: 'manual', summary: 'waiting for sign-off' }),
      ],
      sections: [],
    },
  ]);
}

const elements = (xml: string, name: string) => xml.match(new RegExp(`<${name}[ >/]`, 'g'))?.length ?? 0;

describe('junit.xml and the Jenkins JUnit schema', () => {
  test('xmllint is installed (CI installs libxml2-utils)', () => {
    expect(execFileSync('xmllint', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).length).toBeGreaterThanOrEqual(0);
  });

  test.each([
    ['the fixture report (every outcome, hostile text)', fixtureReport()],
    ['a ready run with advisory failures', readyWithAdvisoryFailures()],
    ['a large report', hugeReport(300, 2000)],
    ['an empty report', reportFrom([])],
  ])('%s validates', (_name, report) => {
    for (const schema of schemas()) expect(xmllint(renderJUnit(report), schema)).toMatchObject({ ok: true });
  });

  test('the schema is strict enough to matter: what broke it before is refused', () => {
    const xml = renderJUnit(fixtureReport());
    expect(xmllint(xml.replace('<testsuites ', '<testsuites skipped="2" '), XSD).ok).toBe(false);
    expect(xmllint(xml.replace('<testsuites ', '<testsuites timestamp="2025-01-02T03:04:05.000Z" '), XSD).ok).toBe(false);
    expect(xmllint(xml.replace(/(<testcase [^>]*[^/]>)/, '$1<properties><property name="a" value="b"/></properties>'), XSD).ok).toBe(false);
    expect(xmllint(xml.replace(/<testsuite name="[^"]*" /, '<testsuite '), XSD).ok).toBe(false);
  });

  test('a ready run has no <failure> or <error>, so a test reporter does not fail it', () => {
    const report = readyWithAdvisoryFailures();
    expect(report.verdict.ready).toBe(true);
    const xml = renderJUnit(report);
    expect(elements(xml, 'failure') + elements(xml, 'error')).toBe(0);
    expect(xml).toContain('<skipped message="advisory, failed (does not block): header: got none');
    expect(xml).toContain('type="advisory-fail"/>');
    expect(xml).toContain('<skipped message="advisory, could not be checked (does not block): timeout after 10 s" type="advisory-error"/>');
    expect(xml).toMatch(/<testsuites [^>]*failures="0" errors="0"/);
  });

  test('a run that is not ready has one <failure> or <error> per blocking item, and a required sign-off is one', () => {
    const report = fixtureReport();
    const blocking = report.verdict.blocking.length;
    expect(blocking).toBeGreaterThan(0);
    const xml = renderJUnit(report);
    expect(elements(xml, 'failure') + elements(xml, 'error')).toBe(blocking);

    const required = reportFrom([
      { title: 'Ops', items: [item({ id: 'runbook', title: 'Runbook', sections: ['Ops'], outcome: 'pending', kind: 'manual', blocks: true, summary: 'awaiting @sre' })], sections: [] },
    ]);
    expect(required.verdict.ready).toBe(false);
    // Awaiting sign-off blocks the verdict but is no test failure (the check concludes action_required).
    expect(renderJUnit(required)).toContain('<skipped message="awaiting sign-off: awaiting @sre" type="awaiting-sign-off"/>');
    expect(renderJUnit(required)).not.toContain('<failure');
  });

  test('id, severity, owner and outcome of each item are suite properties', () => {
    const xml = renderJUnit(readyWithAdvisoryFailures());
    expect(xml).toContain('<property name="frame.name" value="Frame options"/>');
    expect(xml).toContain('<property name="frame.severity" value="advisory"/>');
    expect(xml).toContain('<property name="frame.owner" value="@web"/>');
    expect(xml).toContain('<property name="frame.outcome" value="fail"/>');
    expect(xml).toContain('<property name="ok.severity" value="blocking"/>');
    expect(xml).not.toContain('name="ok.owner"');
  });
});
