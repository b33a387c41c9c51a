// escapeInline judged by a real GFM renderer: Debian's cmark-gfm with GitHub's extensions
// (the C library GitHub's own renderer is built on) renders the escaped form of hostile
// staging strings in every place the reports put them. The rendered HTML must be exactly
// the text as it came in (less what escape.ts strips), in the expected markup: nothing
// linked, no tag added, no block opened. GitHub's server-side passes (mentions, issue and
// commit references, emoji) run on that rendered text and are not part of cmark-gfm, so
// their patterns are asserted broken in it.
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { escapeInline, REFERENCE_BREAKER, singleLine } from '../../src/report/escape.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { item, reportFrom } from './fixture.ts';

function render(markdown: string): string {
  return execFileSync('cmark-gfm', ['-e', 'autolink', '-e', 'table', '-e', 'strikethrough', '-e', 'tagfilter'], { input: markdown, encoding: 'utf8' });
}

/** Text as cmark-gfm writes it into HTML. */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Where the reports put escaped text: alone on a line, after a list marker and title, in a quote, in a table cell. */
function placements(escaped: string): string {
  return [escaped, `- [ ] **Title** — ${escaped}`, `> ⚠️ ${escaped}`, `| item | detail |\n| --- | --- |\n| x | ${escaped} |`].join('\n\n');
}

function expectedHtml(text: string): string {
  const t = html(text);
  return [
    `<p>${t}</p>`,
    '<ul>',
    `<li>[ ] <strong>Title</strong> — ${t}</li>`,
    '</ul>',
    '<blockquote>',
    `<p>⚠️ ${t}</p>`,
    '</blockquote>',
    '<table>\n<thead>\n<tr>\n<th>item</th>\n<th>detail</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>x</td>',
    `<td>${t}</td>`,
    '</tr>\n</tbody>\n</table>\n',
  ].join('\n');
}

const hexes = ['a5c3785ed8d6a35868bc169f07e40e889087fd2e', 'deadbeef', 'DEADBEEF', '1234567', 'abcdef0', 'cafe1234cafe1234'];

/** Hostile staging text, many variants per class. */
const CORPUS: Record<string, string[]> = {
  autolinks: [
    'see https://staging.example.com/my_bookings now',
    'https://example.com/a_b_c/*d*/~e~',
    'http://example.com/path?q=a_b&x=*y*#frag_1',
    'ftp://files.example.com/pub/a_b',
    '(https://example.com/x_y_)',
    'https://user:pass@example.com/_private_',
    'HTTPS://EXAMPLE.COM/UP_PER',
    'www.example.com/a_b',
    'visit www.example.com.',
    'WWW.EXAMPLE.COM/X_Y',
    '*www.example.com*',
    '_www.example.com_',
    '~www.example.com~',
    'a<https://example.com/x_y>b',
    '[text](https://example.com/a_b)',
    '![img](https://example.com/i.png)',
    '[ref]: https://example.com/a_b',
    'javascript:alert(1)//',
    '_https://example.com/a_',
    'x_www.example.com',
    'snake_case_deadbeef12_value',
  ],
  emails: ['ops@example.com', 'first.last+tag@sub.example.co.uk', 'mailto:ops@example.com', 'xmpp:bot@chat.example.com/res', 'a_b@c_d.com', '<ops@example.com>'],
  issueReferences: [
    '#123',
    'fixes #1',
    'see #42.',
    '(#7)',
    'GH-123',
    'gh-9',
    'owner/repo#3',
    'readiness-gate/readiness-gate#12',
    'owner#5',
    'closes octo-org/octo-repo#100, #101',
    'https://github.com/owner/repo/issues/1',
    'https://github.com/owner/repo/pull/2#issuecomment-3',
  ],
  shas: [...hexes, ...hexes.map((hex) => `commit ${hex} deployed`), 'octocat@a5c3785ed8d6a35868bc169f07e40e889087fd2e', 'owner/repo@a5c3785', 'sha256:ab12cd34ef56ab12cd34ef56'],
  mentions: ['@octocat', 'ping @octocat now', '@org/team', '@Org/Team-Name', 'x@y', '@@double', '(@paren)', '@-dash', 'cc: @a, @b and @c.'],
  html: [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '</details><details open>',
    '<!-- comment -->',
    '<b>bold</b> <i>i</i>',
    '<a href="https://evil.example">x</a>',
    '&lt;b&gt; &amp; &#64;octocat &#x23;1 &nbsp; &copy;',
    '<sub>tiny</sub><sup>up</sup>',
    '<https://example.com>',
    '<?php echo 1; ?>',
    '<![CDATA[x]]>',
  ],
  emoji: [':smile:', ':+1: :-1:', ':white_check_mark: done', 'a:shipit:b', ':100:', '10:30:00', ':rocket::fire:'],
  leadingSpace: ['    indented code', '\tindented by a tab', '        deep', '  - list', '   # heading', ' > quote'],
  blockMarkers: [
    '# heading',
    '###### six',
    '- item',
    '+ item',
    '* item',
    '1. first',
    '1) first',
    '123456789. long',
    '> quote',
    '---',
    '***',
    '___',
    '===',
    '- [ ] task',
    '[^1]: footnote',
    '```js',
    '~~~',
    '```',
    '<div>',
    '| a | b |',
  ],
  inline: [
    '*bold* _em_ **strong** __strong__',
    '~~struck~~ ~one~',
    '`code` ``two``',
    'a|b|c',
    'back\\slash\\',
    'trailing backslash \\',
    'C:\\path\\*',
    '\\*not escaped\\*',
    '[link][ref]',
    '[[wiki]]',
  ],
  math: ['$x$', '$$x^2$$', '$`x`$', 'costs $5 and $10', '\\$escaped\\$'],
  fences: ['```\ncode\n```', '~~~\nx\n~~~', 'line one\n```\n</details>'],
  invisible: [
    'abc\u202Edef\u202C',
    '\u2066isolate\u2069 \u2067r\u2068f\u2069',
    'mark\u200E \u200F \u061C',
    'zero\u200Bwidth\u200Cnon\u200Djoiner',
    '\uFEFFbom',
    'word\u2060joiner',
    '@\u200Doctocat already broken',
    'soft\u00ADhyphen',
    'ad\u202Amin\u202B',
  ],
  mixed: [
    '<script>alert(1)</script> @octocat ``` fence-breaker\n```\n</details>\n# owned | a | b [click](https://evil.example) *bold* `x`',
    'Error 500 at https://staging.example.com/api/v1/my_bookings?user=@admin #12 :fire:',
    'DEBUG = True in settings.py (see GH-4, deadbeef1)',
    'line one\r\nline two\rline three',
  ],
};

const ALL = Object.entries(CORPUS).flatMap(([group, texts]) => texts.map((text) => [group, text] as const));

/** Patterns GitHub turns into links or references in rendered text (approximations of its own). */
const LIVE_PATTERNS: Record<string, RegExp> = {
  mention: /(?:^|[^\w`])@[a-z0-9]/i,
  issue: /(?:^|[^\w])#\d/,
  ghIssue: /GH-\d/i,
  repoIssue: /[\w.-]+\/[\w.-]+#\d/,
  sha: /(?<![0-9a-z])[0-9a-f]{7,40}(?![0-9a-z])/i,
  emoji: /:[\w+-]+:/,
  url: /[a-z][a-z0-9+.-]*:\/\//i,
  www: /www\./i,
  email: /[\w.+-]+@[a-z0-9-]+\.[a-z]/i,
};

describe('escapeInline rendered by cmark-gfm', () => {
  test('the corpus is large enough to mean something', () => {
    expect(ALL.length).toBeGreaterThan(120);
  });

  test.each(ALL)('%s: %j renders as its own text, nothing linked or added', (_group, text) => {
    const escaped = escapeInline(text);
    const rendered = render(placements(escaped));
    // Only our breakers are removed; the staging text's own invisible characters were stripped before.
    const readable = rendered.split(REFERENCE_BREAKER).join('');
    expect(readable).toBe(expectedHtml(singleLine(text).trim()));
    expect(rendered).not.toMatch(/<a[\s>]|<img|<code|<em|<del|<h\d|<pre|<!--/);
  });

  test.each(ALL)('%s: %j leaves no mention, reference, emoji or link for GitHub to find', (_group, text) => {
    const rendered = render(escapeInline(text));
    const textContent = rendered.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    for (const [name, pattern] of Object.entries(LIVE_PATTERNS)) {
      expect([name, pattern.exec(textContent)?.[0]]).toEqual([name, undefined]);
    }
  });

  test('the only invisible characters in the output are our breakers, each right after what it breaks', () => {
    for (const [, text] of ALL) {
      const escaped = escapeInline(text);
      expect(escaped).not.toMatch(/[\u00AD\u061C\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/);
      for (const match of escaped.matchAll(new RegExp(REFERENCE_BREAKER, 'g'))) {
        expect(escaped[match.index - 1]).toMatch(/[@#\-:wW0-9a-fA-F]/);
      }
    }
  });
});

describe('the whole markdown report rendered by cmark-gfm', () => {
  /** Every corpus string in every place a report puts staging text. */
  function hostileReport() {
    const texts = ALL.map(([, text]) => text);
    const items = texts.map((text, index) =>
      item({
        id: `item-${index}`,
        title: `Item ${index}`,
        sections: ['Hostile'],
        outcome: (['fail', 'error', 'skip', 'pending', 'signed'] as const)[index % 5] ?? 'fail',
        severity: index % 2 === 0 ? 'blocking' : 'advisory',
        owner: text,
        summary: text,
        evidence: {
          request: `GET ${text}`,
          assertions: [{ subject: text, expected: text, actual: text, ok: false }],
          facts: { [text]: text },
          notes: [text],
          output: text,
          response: { status: 200, headers: [['x-echo', text]], body: text, bodyBytes: text.length, truncated: false, redirects: [`302 → ${text}`] },
          steps: [{ name: text, outcome: 'fail', summary: text, request: `POST ${text}` }],
        },
      }),
    );
    return reportFrom([{ title: 'Hostile', items, sections: [] }], texts.slice(0, 20));
  }

  test('links only where the report itself links, adds no HTML, and leaves GitHub nothing to reference outside code', () => {
    const markdown = renderMarkdown(hostileReport(), { runUrl: 'https://github.com/acme/app/actions/runs/1', maxLength: 1_000_000 });
    const html = render(markdown);
    const links = [...html.matchAll(/<a [^>]*>/g)].map((match) => match[0]);
    expect(links.every((link) => link === '<a href="https://github.com/acme/app/actions/runs/1">')).toBe(true);
    // Only the report's own markup: no tag the staging text could have brought.
    const tags = new Set([...html.matchAll(/<\/?([a-z0-9]+)/g)].map((match) => match[1]));
    for (const tag of tags) expect(['p', 'h2', 'h3', 'strong', 'em', 'ul', 'ol', 'li', 'code', 'pre', 'blockquote', 'hr', 'input', 'details', 'summary', 'sub', 'a', 'br']).toContain(tag);
    expect(html).not.toMatch(/<(script|img|iframe|b|i)[\s>]/);
    // GitHub does not link inside code; everywhere else the patterns must be broken.
    const outsideCode = html.replace(/<pre[\s\S]*?<\/pre>|<code>[\s\S]*?<\/code>/g, ' ').replace(/<[^>]+>/g, ' ');
    const text = outsideCode.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    for (const [name, pattern] of Object.entries(LIVE_PATTERNS)) {
      const found = text.replace('https://github.com/acme/app/actions/runs/1', '').match(pattern);
      expect([name, found?.[0]]).toEqual([name, undefined]);
    }
    expect(markdown).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B\u200E\u200F\u061C\uFEFF]/);
  });
});
