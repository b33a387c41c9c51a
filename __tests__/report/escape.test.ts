import { describe, expect, test } from '@jest/globals';
import { codeBlock, escapeInline, inlineCode, inlineHtml, inlineMarkdown, plainText, REFERENCE_BREAKER, singleLine, truncate } from '../../src/report/escape.ts';

/** An @ directly followed by a name character is what GitHub turns into a mention. */
const LIVE_MENTION = /@[A-Za-z0-9]/;

/** What a CommonMark parser reads back out of a code span: the delimiters off, then one space each side if both have one. */
function codeSpanContent(span: string): string {
  const delimiter = /^`+/.exec(span)?.[0] ?? '';
  expect(span.endsWith(delimiter)).toBe(true);
  const inner = span.slice(delimiter.length, span.length - delimiter.length);
  expect(inner).not.toContain(delimiter);
  return inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '' ? inner.slice(1, -1) : inner;
}

describe('escapeInline', () => {
  test('turns HTML into text', () => {
    const out = escapeInline('<script>alert(1)</script> & <img src=x>');
    expect(out).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x&gt;');
  });

  test('neutralises @mentions, including teams and addresses', () => {
    for (const text of ['@octocat', 'ping @octocat now', '@org/team', 'mail ops@example.com']) {
      const out = escapeInline(text);
      expect(out).not.toMatch(LIVE_MENTION);
      expect(out.replace(/\u200D/g, '')).toBe(text);
    }
  });

  test('escapes characters that would open links, emphasis, code, tables or math', () => {
    expect(escapeInline('[click](https://evil.example)')).toBe(`\\[click\\](https:${REFERENCE_BREAKER}//evil.example)`);
    expect(escapeInline('*bold* _em_ `code` a|b ~~gone~~ $x$')).toBe('\\*bold\\* \\_em\\_ \\`code\\` a\\|b \\~\\~gone\\~\\~ \\$x\\$');
    expect(escapeInline('C:\\path\\*')).toBe('C:\\\\path\\\\\\*');
  });

  test('escapes block markers at the start', () => {
    expect(escapeInline('# owned')).toBe('\\# owned');
    expect(escapeInline('- item')).toBe('\\- item');
    expect(escapeInline('1. item')).toBe('1\\. item');
    expect(escapeInline('> quote')).toBe('&gt; quote');
    expect(escapeInline('    indented')).toBe('indented');
  });

  test('breaks issue references, emoji codes and autolinks with the joiner, and only those', () => {
    const b = REFERENCE_BREAKER;
    expect(escapeInline('see #123, GH-4 and owner/repo#5')).toBe(`see #${b}123, GH-${b}4 and owner/repo#${b}5`);
    expect(escapeInline(':fire: at 10:30')).toBe(`:${b}fire: at 10:30`);
    expect(escapeInline('https://x.example/my_bookings www.example.com')).toBe(`https:${b}//x.example/my\\_bookings www${b}.example.com`);
    expect(escapeInline('deployed a5c3785ed8d6 at 123456')).toBe(`deployed a5c378${b}5ed8d6 at 123456`);
    expect(escapeInline('plain words, #hashtag, 2026-12-06')).toBe('plain words, #hashtag, 2026-12-06');
  });

  test('drops bidi controls and zero-width characters from the text, including joiners it did not insert', () => {
    expect(escapeInline('a\u202Eb\u2066c\u2069d\u200Be\uFEFFf\u061Cg\u200Eh')).toBe('abcdefgh');
    expect(escapeInline('@\u200Doctocat')).toBe(`@${REFERENCE_BREAKER}octocat`);
    expect(escapeInline('x\u200Dy')).toBe('xy');
  });

  test('puts everything on one line without control characters', () => {
    expect(escapeInline('one\ntwo\r\nthree\rfour\tfive')).toBe('one two three four five');
    expect(escapeInline('red \u001b[31mtext\u001b[0m\u0000')).toBe('red \\[31mtext\\[0m');
  });

  test('caps the length before escaping and marks the cut', () => {
    const out = escapeInline('a'.repeat(1000), 50);
    expect(out).toHaveLength(50);
    expect(out.endsWith('…')).toBe(true);
  });
});

describe('truncate and singleLine', () => {
  test('never split a surrogate pair', () => {
    const out = truncate('ab😀cd', 4);
    expect(out).toBe('ab…');
    expect(singleLine('x'.repeat(10), 5)).toBe('xxxx…');
  });
});

describe('codeBlock', () => {
  test('uses a fence longer than any backtick run in the text, so the text cannot close it', () => {
    const text = 'before\n```\n</details>\n````````\nafter';
    const block = codeBlock(text, 'html');
    const lines = block.split('\n');
    const fence = /^`+/.exec(lines[0] ?? '')?.[0] ?? '';
    expect(fence.length).toBe(9);
    expect(lines[0]).toBe(`${fence}html`);
    expect(lines.at(-1)).toBe(fence);
    // No inner line is a closing fence (at least as many backticks and nothing else).
    for (const line of lines.slice(1, -1)) expect(new RegExp(`^ {0,3}${fence}\`*\\s*$`).test(line)).toBe(false);
    expect(lines.slice(1, -1).join('\n')).toBe(text);
  });

  test('uses three backticks for ordinary text and ends the text with a newline', () => {
    expect(codeBlock('hello')).toBe('```\nhello\n```');
    expect(codeBlock('hello\n', 'json')).toBe('```json\nhello\n```');
    expect(codeBlock('')).toBe('```\n```');
  });

  test('keeps the info string to a plain word', () => {
    expect(codeBlock('x', 'js` onload=alert(1)').split('\n')[0]).toBe('```jsonloadalert1');
  });

  test('shows bidi controls and zero-width characters instead of letting them reorder or hide code', () => {
    expect(codeBlock('\uFEFF{"a": "b\u202E"}\u200B')).toBe('```\n<U+FEFF>{"a": "b<U+202E>"}<U+200B>\n```');
  });

  test('normalises line endings and drops control characters', () => {
    expect(codeBlock('a\r\nb\u001b[2Jc')).toBe('```\na\nb[2Jc\n```');
  });
});

describe('inlineCode', () => {
  test('reads back as exactly the text for any backtick layout', () => {
    for (const text of ['plain', 'a`b', '``x``', '`start', 'end`', ' spaced ', 'x ` y `` z', '@octocat <b>']) {
      const span = inlineCode(text);
      expect(codeSpanContent(span)).toBe(text);
    }
  });

  test('chooses delimiters longer than the longest inner run', () => {
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
    expect(inlineCode('a```b')).toBe('````a```b````');
  });

  test('stays on one line and within the cap', () => {
    expect(inlineCode('a\nb')).toBe('`a b`');
    expect(codeSpanContent(inlineCode('y'.repeat(500), 20))).toHaveLength(20);
    expect(inlineCode('')).toBe('` `');
  });
});

describe('titles written with `code`', () => {
  const headline = 'Not ready: 2 blocking items failed (`DEBUG = False` in production, `X_FRAME_OPTIONS = \'DENY\'`) — got <b>@octocat</b>';

  test('markdown keeps code spans as code and escapes the rest', () => {
    expect(inlineMarkdown(headline)).toBe(
      "Not ready: 2 blocking items failed (`DEBUG = False` in production, `X_FRAME_OPTIONS = 'DENY'`) — got &lt;b&gt;@\u200Doctocat&lt;/b&gt;",
    );
    // A span that is never closed is text, escaped.
    expect(inlineMarkdown('a `b')).toBe('a \\`b');
    // Hostile text inside a span stays inside it.
    expect(inlineMarkdown('`x` ``` fence <script>')).toBe('`x` \\`\\`\\` fence &lt;script&gt;');
  });

  test('HTML (a <summary>) turns them into <code>', () => {
    expect(inlineHtml('Set `DEBUG` <now> @team')).toBe('Set <code>DEBUG</code> &lt;now&gt; @\u200Dteam');
  });

  test('plain text (a check run title, a log) drops the backticks', () => {
    expect(plainText(headline)).toBe("Not ready: 2 blocking items failed (DEBUG = False in production, X_FRAME_OPTIONS = 'DENY') — got <b>@octocat</b>");
    expect(plainText('``a `b` c``')).toBe('a `b` c');
  });
});
