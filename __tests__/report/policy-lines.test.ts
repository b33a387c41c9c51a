import { describe, expect, test } from '@jest/globals';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { renderJUnit } from '../../src/report/junit.ts';
import { item, reportFrom } from './fixture.ts';

const HEAD = 'abc1234'.padEnd(40, '0');

function policyReport() {
  const signed = item({
    id: 'security-review', title: 'Security review passed', sections: ['Sign-Off'], outcome: 'signed', kind: 'manual',
    signoff: { state: 'signed', awaiting: [], reasons: [], signatures: [
      { login: 'alice', role: 'technical lead', via: 'review', commit: HEAD, at: '' },
      { login: 'dave', role: 'operations lead', via: 'review', commit: HEAD, at: '' },
    ] },
  });
  const pending = item({
    id: 'rollback', title: 'Rollback plan ready', sections: ['Sign-Off'], outcome: 'pending', kind: 'manual', blocks: true,
    signoff: { state: 'pending', signatures: [], awaiting: [{ role: 'operations lead', members: ['@acme/sre'] }], reasons: [{ code: 'signed-on-older-commit', message: '@erin signed on 1111111, re-sign for abc1234' }] },
  });
  const waived = item({
    id: 'p95', title: 'Response time p95', sections: ['Performance'], outcome: 'fail', blocks: false,
    waiver: { status: 'active', reason: 'Vendor sandbox <b>rate limited</b>; JIRA-123', expires: '2027-01-15', daysLeft: 3, approver: 'dave', note: { code: 'waiver-active', message: '' } },
  });
  const report = reportFrom([{ title: 'Sign-Off', items: [signed, pending], sections: [] }, { title: 'Performance', items: [waived], sections: [] }]);
  report.verdict = { ...report.verdict, ready: false, state: 'awaiting-sign-off', headline: 'Awaiting sign-off: operations lead (1 item)', awaiting: [{ role: 'operations lead', members: ['@acme/sre'], items: 1 }], score: 50, baseline: { branch: 'main', score: 44 } };
  report.counts.waived = 1;
  report.policy = { source: 'base branch', notes: [], waivers: [{ id: 'p95', title: 'Response time p95', reason: 'Vendor sandbox <b>rate limited</b>; JIRA-123', expires: '2027-01-15', daysLeft: 3, approver: 'dave' }] };
  return report;
}

const visible = (text: string) => text.replace(/\u200d/g, '');

describe('policy states on every surface', () => {
  test('markdown: signed-by and awaiting lines, who must act first, active waivers, score against the base', () => {
    const text = renderMarkdown(policyReport());
    const shown = visible(text);
    expect(shown).toContain('## ✍️ Awaiting sign-off');
    expect(shown).toContain('- [x] Security review passed — signed by @alice, @dave (review on abc1234)');
    expect(shown).toContain('- [ ] Rollback plan ready — awaiting operations lead: @acme/sre · @erin signed on 1111111, re-sign for abc1234');
    expect(shown).toContain('**Active waivers (1):**');
    expect(shown).toContain('until 2027-01-15 (expires in 3 days)');
    expect(shown).toContain('score **50% (▲ 6 vs main)**');
    expect(shown.indexOf('Sign-off needed')).toBeLessThan(shown.indexOf('score **'));
    // One live mention per role (the who-must-act block); item lines never ping; waiver text is escaped.
    expect(text.match(/@acme\/sre/g)).toHaveLength(1);
    expect(text.match(/@alice/g)).toBeNull();
    expect(text).not.toContain('<b>');
  });

  test('terminal: who must act, signers and the waiver', () => {
    const text = renderTerminal(policyReport(), { color: false });
    expect(text).toContain('signed by @alice, @dave (review on abc1234)');
    expect(text).toContain('→ awaiting operations lead (1 item): @acme/sre');
    expect(text).toContain('waived: Vendor sandbox <b>rate limited</b>; JIRA-123 — approved by @dave until 2027-01-15 (expires in 3 days)');
    expect(text).toContain('score 50% (▲ 6 vs main)');
  });

  test('JUnit: a waived failure is skipped with its reason, a signed item passes', () => {
    const xml = renderJUnit(policyReport());
    expect(xml).toContain('<skipped message="waived until 2027-01-15: Vendor sandbox &lt;b&gt;rate limited&lt;/b&gt;; JIRA-123');
    expect(xml).toContain('<testcase name="Security review passed" classname="Sign-Off" time="0.120"/>');
    expect(xml).not.toContain('<failure');
  });
});
