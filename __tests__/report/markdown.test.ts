import { describe, expect, test } from '@jest/globals';
import { DEFAULT_MAX_LENGTH, renderMarkdown, truncateMarkdown } from '../../src/report/markdown.ts';
import { needsAttention } from '../../src/report/attention.ts';
import type { SectionReport } from '../../src/report/model.ts';
import { fixtureReport, hugeReport, item, reportFrom, structureProblems, textOutsideCode } from './fixture.ts';

const RUN_URL = 'https://github.com/acme/shop/actions/runs/42';

function lines(markdown: string): string[] {
  return markdown.split('\n');
}

function expectSafe(markdown: string): void {
  const markup = textOutsideCode(markdown);
  expect(markup).not.toMatch(/<script|<img|<b>/i);
  expect(markup).not.toMatch(/@[A-Za-z0-9]/);
  // An unescaped [ would start a link; the hostile text carries [click](…).
  expect(markup).not.toMatch(/(?<!\\)\[click/);
  expect(markup).not.toMatch(/^# owned/m);
  expect(structureProblems(markdown)).toEqual([]);
}

describe('renderMarkdown: content', () => {
  const markdown = renderMarkdown(fixtureReport(), { runUrl: RUN_URL, title: 'Production readiness' });

  test('leads with the verdict, the headline, the counts and the notices', () => {
    const [heading, , headline, , counts] = lines(markdown);
    expect(heading).toBe('## ❌ Not ready · Production readiness');
    expect(headline).toBe('**Not ready: 3 blocking items failed**');
    expect(counts).toBe(
      '✅ **2** passed · ❌ **2** failed · ⚠️ **1** error · ⚠️ **2** warnings · 🔁 1 flaky · ⏭ 1 skipped · ⏳ 1 pending · ✍️ 1 signed · score **40%** · target `https://staging.example.com`',
    );
    expect(markdown).toContain('\n> ⚠️ staging answered 503 &lt;script&gt;');
  });

  test('escapes everything the server sent: no HTML, no mentions, no links, no broken fences', () => {
    expectSafe(markdown);
    // The hostile body is still there to read, inside a code block.
    expect(markdown).toMatch(/\n`{9}html\n<html><script>alert\(1\)<\/script> @octocat/);
  });

  test('lists what needs attention first: blocking, then advisory, then flaky', () => {
    expect(needsAttention(fixtureReport()).map((entry) => entry.id)).toEqual(['ssl-redirect', 'rate-limit', 'checkout', 'frame-options', 'migrate-check', 'cors']);
    const attention = markdown.indexOf('## Needs attention (6)');
    const checklist = markdown.indexOf('\n## Checklist\n');
    expect(attention).toBeGreaterThan(0);
    expect(checklist).toBeGreaterThan(attention);
    const order = ['**`SECURE_SSL_REDIRECT = True`**', '**API rate limiting enabled**', '**Checkout flow works**', "**`X_FRAME_OPTIONS = 'DENY'`**", '**No unapplied migrations**', '**CORS properly configured**'].map(
      (title) => markdown.indexOf(title),
    );
    expect(order.every((position) => position > attention && position < checklist)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('a required sign-off that blocks the verdict needs attention too', () => {
    const signOff = item({ id: 'sign', title: 'Runbook reviewed', sections: ['Ops'], outcome: 'pending', kind: 'manual', owner: '@sre', blocks: true });
    const flaky = item({ id: 'flaky', title: 'Flaky one', sections: ['Ops'], outcome: 'flaky' });
    const advisory = item({ id: 'adv', title: 'Advisory one', sections: ['Ops'], outcome: 'error', severity: 'advisory' });
    const report = reportFrom([{ title: 'Ops', items: [flaky, advisory, signOff], sections: [] }]);
    expect(needsAttention(report).map((entry) => entry.id)).toEqual(['sign', 'adv', 'flaky']);
    const text = renderMarkdown(report);
    expect(text).toContain('- [ ] **Runbook reviewed** — pending summary of sign\n  - ⏳ sign-off pending · **blocking** · Ops · owner: @\u200Dsre · 120ms');
    // Pending sign-offs are listed by who must act, not in their section.
    expect(text).toContain('### Who must act\n\n- **@\u200Dsre** — 1 sign-off pending (**1 required**)\n');
    expect(text).toContain('<details><summary>⏳ @\u200Dsre — 1 item · 1 required</summary>\n\n- [ ] Runbook reviewed — **required**\n\n</details>');
    expect(text).toContain('<details><summary>Ops — 0 of 3 passed · ⚠️ 1 warning · ⏳ 1 pending</summary>\n\n- [x] Flaky one — 🔁 flaky\n- [ ] Advisory one — ⚠️ error · advisory\n- [ ] 1 sign-off pending (listed by owner)\n');
  });

  test('shows an attention item with its summary, place, owner and help', () => {
    const start = lines(markdown).findIndex((line) => line.startsWith('- [ ] **`SECURE_SSL_REDIRECT = True`** — status: expected one of \\[301, 308\\], got 200 &lt;script&gt;'));
    expect(start).toBeGreaterThan(0);
    expect(lines(markdown)[start + 1]).toBe('  - ❌ failed · **blocking** · Security › Django Security Settings · owner: @\u200Dplatform-team · 120ms');
    expect(lines(markdown)[start + 2]).toBe('  - 💡 Set `SECURE_SSL_REDIRECT = True`.');
    expect(lines(markdown)[start + 3]).toBe('    See the Django deployment checklist.');
    expect(markdown).toContain('- [x] **CORS properly configured** — passed on attempt 2\n  - 🔁 flaky · Security › API Security · 2 attempts · 120ms');
  });

  test('puts evidence in <details> with a blank line after the summary', () => {
    const opened = markdown.split('<details><summary>Evidence</summary>\n\n').length - 1;
    expect(opened).toBe(4);
    // The others fold the three sections and the one owner's pending sign-offs.
    expect(markdown.split('<details>').length - 1).toBe(4 + 3 + 1);
    expect(markdown).toContain('**Request:** `GET http://staging.example.com/`');
    expect(markdown).toContain('- status: expected `one of [301, 308]`, got `200`');
    // A passing assertion is not evidence of the failure.
    expect(markdown).not.toContain('header server');
    expect(markdown).toContain('**Response:** `200` · 4,096 bytes, excerpt');
    expect(markdown).toContain('- 302 → http:\u200D//staging.example.com/&lt;img src=x onerror=alert(1)&gt;');
    expect(markdown).toContain('2. ❌ **pay** — status: expected 200, got 500\n   - `POST https://staging.example.com/pay/`\n   - status: expected `200`, got `500`');
    expect(markdown).toContain('```json\n{"error": "@octocat <script>"}\n```');
    expect(markdown).toContain('- exit code: `1`');
  });

  test('renders the checklist in manifest order with sub-section headings and outcome markers', () => {
    const checklist = markdown.slice(markdown.indexOf('\n## Checklist\n'));
    expect(checklist).toContain(
      [
        '## Checklist',
        '',
        '<details><summary>Security — 1 of 5 passed · ❌ 2 blocking · ⚠️ 1 warning</summary>',
        '',
        '### Django Security Settings',
        '',
        '- [x] `DEBUG = False` in production',
        '- [ ] `SECURE_SSL_REDIRECT = True` — ❌ failed',
        // Advisory failures never block: a warning, not red.
        "- [ ] `X_FRAME_OPTIONS = 'DENY'` — ⚠️ failed · advisory",
        '',
        '### API Security',
        '',
        '- [ ] API rate limiting enabled — ⚠️ error',
        '- [x] CORS properly configured — 🔁 flaky',
        '',
        '</details>',
        '',
        '<details><summary>Database — 1 of 4 passed · ⏳ 1 pending</summary>',
        '',
        '- [x] All migrations applied',
        '- [ ] Backup restoration tested — ⏭ skipped: needs BACKUP\\_URL',
        '- [x] Off-site backup storage — ✍️ signed: signed by @\u200Dalice',
        '- [ ] 1 sign-off pending (listed by owner)',
        '',
        '</details>',
      ].join('\n'),
    );
    expect(checklist).toContain('<details><summary>Performance — 0 of 2 passed · ❌ 1 blocking · ⚠️ 1 warning</summary>\n\n### Smoke tests\n\n- [ ] Checkout flow works — ❌ failed');
    expect(checklist).toContain('## Pending sign-offs\n\n<details><summary>⏳ @\u200Ddba-team — 1 item</summary>\n\n- [ ] Migration rollback plan documented\n\n</details>');
  });

  test('ends with the tool, the manifest and a link to the run', () => {
    expect(markdown.endsWith(`<sub>readiness-gate 0.1.0 · \`.github/readiness.yml\` · 4.32s · [full run](${RUN_URL})</sub>\n`)).toBe(true);
  });

  test('a headline that quotes `code` titles shows them as code, and the rest escaped', () => {
    const report = fixtureReport();
    report.verdict.headline = 'Not ready: 1 blocking item failed (`SECURE_SSL_REDIRECT = True`) — <b>@octocat</b>';
    expect(lines(renderMarkdown(report))[2]).toBe('**Not ready: 1 blocking item failed (`SECURE_SSL_REDIRECT = True`) — &lt;b&gt;@\u200Doctocat&lt;/b&gt;**');
  });

  test('advisory failures on a ready verdict are warnings, never red', () => {
    const ready = reportFrom([
      {
        title: 'Only',
        items: [item({ id: 'a', title: 'A', sections: ['Only'], outcome: 'pass' }), item({ id: 'w', title: 'Nice to have', sections: ['Only'], outcome: 'fail', severity: 'advisory' })],
        sections: [],
      },
    ]);
    const text = renderMarkdown(ready);
    expect(text.startsWith('## ✅ Ready\n')).toBe(true);
    expect(text).not.toContain('❌');
    expect(text).toContain('✅ **1** passed · ⚠️ **1** warning · score');
    expect(text).toContain('- [ ] **Nice to have** — fail summary of w\n  - ⚠️ failed · advisory · Only · 120ms');
    expect(text).toContain('<details><summary>Only — 1 of 2 passed · ⚠️ 1 warning</summary>');
  });

  test('the footer points at report.html among the run artifacts', () => {
    const text = renderMarkdown(fixtureReport(), { runUrl: RUN_URL, htmlReport: 'readiness-report/report.html' });
    expect(text.trimEnd().endsWith(`· [full run](${RUN_URL}) · HTML report: \`readiness-report/report.html\` in the [run's artifacts](${RUN_URL}#artifacts)</sub>`)).toBe(true);
  });

  test('a ready report has no attention section', () => {
    const ready = reportFrom([{ title: 'Only', items: [item({ id: 'a', title: 'A', sections: ['Only'], outcome: 'pass' })], sections: [] }]);
    const text = renderMarkdown(ready);
    expect(text.startsWith('## ✅ Ready\n')).toBe(true);
    expect(text).not.toContain('Needs attention');
    expect(text).toContain('<details><summary>Only — 1 of 1 passed</summary>\n\n- [x] A\n\n</details>');
  });

  test('collapsePassing folds the plain passes of each section into one line', () => {
    const text = renderMarkdown(fixtureReport(), { collapsePassing: true });
    expect(text).toContain('### Django Security Settings\n\n- [x] 1 passed item\n- [ ] `SECURE_SSL_REDIRECT = True` — ❌ failed');
    expect(text).not.toContain('`DEBUG = False` in production');
    // Flaky and signed items keep their own line.
    expect(text).toContain('- [x] CORS properly configured — 🔁 flaky');
    expect(text).toContain('- [x] Off-site backup storage — ✍️ signed');
  });
});

describe('renderMarkdown: size budget', () => {
  test('a huge report stays under the default limit, well-formed and safe, and says it was truncated', () => {
    const markdown = renderMarkdown(hugeReport(2000, 3000), { runUrl: RUN_URL });
    expect(markdown.length).toBeLessThanOrEqual(DEFAULT_MAX_LENGTH);
    expect(markdown.length).toBeGreaterThan(DEFAULT_MAX_LENGTH - 1000);
    expectSafe(markdown);
    expect(markdown.startsWith('## ❌ Not ready\n')).toBe(true);
    expect(markdown.trimEnd().endsWith(`⚠️ **This report was truncated** to stay under GitHub's comment size limit; [full report in the job summary](${RUN_URL}).`)).toBe(true);
  });

  test('too many passing items: the passes are collapsed and nothing is cut', () => {
    const items = Array.from({ length: 1500 }, (_, i) => item({ id: `p${i}`, title: `Passing item number ${i} with a fairly long title`, sections: ['Big'], outcome: 'pass' }));
    items.push(item({ id: 'bad', title: 'The one failure', sections: ['Big'], outcome: 'fail' }));
    const markdown = renderMarkdown(reportFrom([{ title: 'Big', items, sections: [] }]));
    expect(markdown.length).toBeLessThanOrEqual(DEFAULT_MAX_LENGTH);
    expect(markdown).toContain('<details><summary>Big — 1500 of 1501 passed · ❌ 1 blocking</summary>\n\n- [x] 1500 passed items\n- [ ] The one failure — ❌ failed');
    expect(markdown).not.toContain('truncated');
  });

  test('too much evidence: evidence is shortened or left out, every item and summary stays', () => {
    const report = hugeReport(120, 20_000);
    const markdown = renderMarkdown(report, { runUrl: RUN_URL });
    expect(markdown.length).toBeLessThanOrEqual(DEFAULT_MAX_LENGTH);
    expectSafe(markdown);
    expect(markdown).toContain(`_Some evidence was shortened or left out to stay under GitHub's comment size limit; the full report is in the [job summary](${RUN_URL})._`);
    expect(markdown).not.toContain('This report was truncated');
    for (const entry of needsAttention(report)) expect(markdown).toContain(`- [ ] **${entry.title}** — status: expected 200, got 500`);
    // Breadth first: every failure keeps shortened evidence rather than one keeping it all.
    expect(markdown.split('<details><summary>Evidence</summary>').length - 1).toBe(needsAttention(report).length);
    const codeBlocks = markdown.match(/^(`{3,})\w*\n[\s\S]*?\n\1$/gm) ?? [];
    expect(codeBlocks.length).toBeGreaterThan(3);
    for (const block of codeBlocks) expect(block.length).toBeLessThan(700);
  });

  test('any limit is respected and the result stays well-formed', () => {
    const report = fixtureReport();
    for (let maxLength = 200; maxLength < 8000; maxLength += 97) {
      const markdown = renderMarkdown(report, { maxLength, runUrl: RUN_URL });
      expect(markdown.length).toBeLessThanOrEqual(maxLength);
      expect(structureProblems(markdown)).toEqual([]);
      expect(textOutsideCode(markdown)).not.toMatch(/<script|@[A-Za-z0-9]/);
    }
  });

  test('truncateMarkdown closes an open code fence and <details> before the notice', () => {
    const text = `## Title\n\n<details><summary>Evidence</summary>\n\n\`\`\`\`text\n${'a line of output\n'.repeat(500)}\`\`\`\`\n\n</details>\n`;
    const cut = truncateMarkdown(text, 1000);
    expect(cut.length).toBeLessThanOrEqual(1000);
    expect(cut).toContain('a line of output\n````\n\n</details>\n');
    expect(structureProblems(cut)).toEqual([]);
    expect(cut.trimEnd().endsWith('the full report is in the job summary.')).toBe(true);
  });
});

describe('renderMarkdown: sections', () => {
  test('deeper sections get deeper headings', () => {
    const deep: SectionReport = {
      title: 'A',
      items: [],
      sections: [{ title: 'B', items: [], sections: [{ title: 'C', items: [item({ id: 'c', title: 'Deep item', sections: ['A', 'B', 'C'], outcome: 'pass' })], sections: [] }] }],
    };
    const markdown = renderMarkdown(reportFrom([deep]));
    expect(markdown).toContain('<details><summary>A — 1 of 1 passed</summary>\n\n### B\n\n#### C\n\n- [x] Deep item\n');
  });
});
