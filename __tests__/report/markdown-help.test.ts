// A long `help:` on a failing item is capped per item, so it cannot push the rest of the
// report (other failures, every section, the footer) past the size limit.
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { item, reportFrom } from './fixture.ts';

function render(markdown: string): string {
  return execFileSync('cmark-gfm', ['-e', 'autolink', '-e', 'table', '-e', 'strikethrough', '-e', 'tagfilter'], { input: markdown, encoding: 'utf8' });
}

function reportWithHelp(help: string) {
  const long = item({ id: 'long-help', title: 'Item with a long help', sections: ['First'], outcome: 'fail', help, line: 12 });
  const other = item({ id: 'other', title: 'Another failing item', sections: ['Second'], outcome: 'fail', summary: 'status: expected 200, got 500' });
  const passing = Array.from({ length: 40 }, (_, n) => item({ id: `ok-${n}`, title: `Passing item ${n}`, sections: ['Third'], outcome: 'pass' }));
  return reportFrom([
    { title: 'First', items: [long], sections: [] },
    { title: 'Second', items: [other], sections: [] },
    { title: 'Third', items: passing, sections: [] },
  ]);
}

describe('help per item', () => {
  test.each([
    ['one long paragraph', 'Rotate the key. '.repeat(20_000)],
    ['many lines', Array.from({ length: 5000 }, (_, n) => `step ${n}: do the thing`).join('\n')],
    ['an open code fence at the cut', `Run this:\n\n\`\`\`sh\n${'echo fix\n'.repeat(20_000)}\`\`\`\nDone.`],
  ])('%s: the rest of the report is still there', (_name, help) => {
    const markdown = renderMarkdown(reportWithHelp(help));
    expect(markdown).toContain('help shortened; the whole text is in the manifest, line 12');
    expect(markdown).toContain('Another failing item** — status: expected 200, got 500');
    expect(markdown).toContain('<summary>Third — 40 of 40 passed</summary>');
    expect(markdown).toContain('Passing item 39');
    expect(markdown).toContain('readiness-gate 0.1.0');
    expect(markdown.length).toBeLessThan(20_000);
    // Rendered, the sections after the help are folded sections, not text inside a code block.
    const html = render(markdown);
    expect(html).toContain('<h2>Checklist</h2>');
    expect(html).toContain('<li>[x] Passing item 39</li>');
  });

  test('short help is shown whole', () => {
    const help = 'Set `SECURE_SSL_REDIRECT = True`.\nSee the checklist.';
    const markdown = renderMarkdown(reportWithHelp(help));
    expect(markdown).toContain('  - 💡 Set `SECURE_SSL_REDIRECT = True`.\n    See the checklist.');
    expect(markdown).not.toContain('help shortened');
  });
});
