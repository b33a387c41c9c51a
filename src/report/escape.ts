// Text that came from the staging server (bodies, headers, assertion values, summaries)
// is untrusted: it must not inject HTML, ping people, reference issues or break out of
// the markdown structure around it. Titles and help come from the repository's own
// manifest and are rendered as written, so they do not pass through here.

export const DEFAULT_INLINE_LENGTH = 300;

/**
 * The one invisible character this module inserts, to break what GitHub would turn into
 * a mention, a cross-reference, an emoji or a link (see `breakReferences`). Staging text
 * never contributes one: `INVISIBLE` includes it and is removed first, so every joiner
 * in our output is ours and sits only where a reference was broken.
 */
export const REFERENCE_BREAKER = '\u200D';

// C0 and C1 control characters except tab and line breaks (ESC starts terminal
// sequences; NUL and friends have no business in a report).
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * Invisible characters that reorder or hide text ("Trojan source"): bidi embeddings,
 * overrides, isolates and marks (U+061C, U+200E/F, U+202A–202E, U+2066–2069), zero-width
 * spaces and joiners (U+200B–200D, U+2060–2064, U+FEFF), soft hyphen, the Mongolian vowel
 * separator and the deprecated format characters U+206A–206F.
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/g;

/** Removes the invisible characters of `INVISIBLE` (for one-line text, where a marker would only add noise). */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** Shows each invisible character as "<U+202E>" (for code blocks, where the reader should see what the server sent). */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (char) => `<U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/** Cuts to at most `maxLength` characters, ending with "…" when cut, never splitting a surrogate pair. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  if (maxLength <= 0) return '';
  let cut = text.slice(0, maxLength - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Untrusted text as one plain line: control and invisible characters removed, line breaks and tabs turned into spaces, length capped. */
export function singleLine(text: string, maxLength = DEFAULT_INLINE_LENGTH): string {
  const flat = stripInvisible(text.replace(CONTROL_CHARACTERS, '')).replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ').replace(/\t/g, ' ');
  return truncate(flat, maxLength);
}

/** Untrusted multi-line text: control characters removed, invisible ones shown, line endings normalised to "\n". */
export function plainBlock(text: string): string {
  return showInvisible(text.replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, ''));
}

const MARKDOWN_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '`': '\\`',
  '*': '\\*',
  _: '\\_',
  '[': '\\[',
  ']': '\\]',
  '|': '\\|',
  '~': '\\~',
  // GitHub renders $…$ as math.
  $: '\\$',
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
};

/**
 * Breaks, with `REFERENCE_BREAKER`, each pattern GitHub links in rendered text. GitHub
 * finds mentions, issue references, commit SHAs and emoji codes in the text of the
 * rendered HTML (entities and backslash escapes are already gone by then), and its
 * autolinker reads the raw source, so only a character that is really in the text stops
 * them: an invisible one keeps the text as it reads.
 * - `@name`, `@org/team`, `user@sha`, e-mail addresses: a joiner after every "@" (a mention
 *   and an e-mail autolink need a name character right after it).
 * - `#123`, `owner/repo#123`, `GH-123`: a joiner between "#" or "GH-" and the digits.
 * - commit SHAs (7 to 40 hex digits as a word): a joiner every 6 digits, so no run of 7 is left.
 * - `:emoji:` codes: a joiner after the opening ":".
 * - URLs and www. links: a joiner after the ":" of "://" and after "www". An autolinked URL
 *   would also take our backslash escapes into its address (`my\_bookings` linked as `%5C_`).
 * Custom autolink references a repository configures (say `JIRA-123`) are not broken unless
 * their prefix ends in "-" or "#" after letters; they link out and create no cross-reference.
 */
export function breakReferences(text: string): string {
  const breaker = REFERENCE_BREAKER;
  return text
    .replace(/@/g, `@${breaker}`)
    .replace(/(#|GH-)(?=\d)/gi, `$1${breaker}`)
    .replace(/(?<![0-9a-z])[0-9a-f]{7,40}(?![0-9a-z])/gi, (hex) => hex.replace(/.{6}(?=.)/g, `$&${breaker}`))
    .replace(/:(?=[\w+-]+:)/g, `:${breaker}`)
    .replace(/:(?=\/\/)/g, `:${breaker}`)
    .replace(/www(?=\.)/gi, `$&${breaker}`);
}

/**
 * Untrusted text for a markdown line: no HTML, no live mentions, references, emoji or
 * links, no emphasis, code spans, math or table cells opened by the text, no block
 * started by it (leading space is trimmed, so no indented code block either), no
 * invisible characters, on one line and at most `maxLength` characters before escaping.
 * Rendered, it reads exactly as `singleLine(text).trim()` once the breakers are removed.
 */
export function escapeInline(text: string, maxLength = DEFAULT_INLINE_LENGTH): string {
  const escaped = breakReferences(singleLine(text, maxLength).trim()).replace(/[\\`*_[\]|~$<>&]/g, (char) => MARKDOWN_ESCAPES[char] ?? char);
  // Block markers only count at the start of a line; the text may be placed there.
  return escaped.replace(/^(#|-|\+|=|\d+(?=[.)]))/, (marker: string) => (/^\d/.test(marker) ? `${marker}\\` : `\\${marker}`));
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * A fenced code block the text cannot close: a fence only ends at a line of at least as
 * many backticks as it opened with, so the fence is one longer than any run inside.
 * Mentions need no neutralising here: GitHub does not link @names inside code blocks or
 * code spans, and HTML inside them is shown as text.
 */
export function codeBlock(text: string, lang = ''): string {
  const body = plainBlock(text);
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  // The info string of a backtick fence may not contain backticks; keep it to a plain word.
  const info = lang.replace(/[^\w+.-]/g, '');
  const ending = body.endsWith('\n') || body === '' ? '' : '\n';
  return `${fence}${info}\n${body}${ending}${fence}`;
}

/** A code span safe for any content: delimiters longer than any backtick run inside, padded when needed. */
export function inlineCode(text: string, maxLength = DEFAULT_INLINE_LENGTH): string {
  const content = singleLine(text, maxLength);
  if (content === '') return '` `';
  const delimiter = '`'.repeat(longestBacktickRun(content) + 1);
  // One space is stripped from each side when both sides have one, so padding keeps the
  // content exact and stops a leading or trailing backtick from joining the delimiter.
  const pad = /^[ `]|[ `]$/.test(content) ? ' ' : '';
  return `${delimiter}${pad}${content}${pad}${delimiter}`;
}

/** Text inside an HTML element (a <summary>): no markup, no live @mentions. */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] as string)
    .replace(/@/g, `@${REFERENCE_BREAKER}`);
}

// A code span: a run of backticks, then the shortest text up to a run of the same length.
const CODE_SPAN = /(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g;

/** Splits text written with `code spans` into plain and code parts, in order. */
function codeParts(text: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  let last = 0;
  for (const match of text.matchAll(CODE_SPAN)) {
    if (match.index > last) parts.push({ code: false, text: text.slice(last, match.index) });
    parts.push({ code: true, text: (match[2] as string).replace(/^ (.*[^ ].*) $/, '$1') });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ code: false, text: text.slice(last) });
  return parts;
}

/**
 * A line that quotes titles (`code` in them) among untrusted text, for markdown: code
 * spans stay code (a code span cannot carry markup or mentions), the rest is escaped.
 */
export function inlineMarkdown(text: string, maxLength = DEFAULT_INLINE_LENGTH): string {
  const flat = singleLine(text, maxLength);
  return codeParts(flat)
    .map((part, index) => {
      if (part.code) return inlineCode(part.text, maxLength);
      // Next to a code span the text keeps its spaces; only the very start is a line start.
      const [, before = '', after = ''] = /^(\s*)[\s\S]*?(\s*)$/.exec(part.text) ?? [];
      const escaped = escapeInline(part.text, maxLength);
      const inner = index === 0 ? escaped : escaped.replace(/^\\(?=[#\-+=])/, '');
      if (inner === '') return before || after ? ' ' : '';
      return `${before && index > 0 ? ' ' : ''}${inner}${after ? ' ' : ''}`;
    })
    .join('');
}

/** The same for an HTML context (<summary>): code spans become <code>, everything escaped. */
export function inlineHtml(text: string, maxLength = DEFAULT_INLINE_LENGTH): string {
  return codeParts(singleLine(text, maxLength))
    .map((part) => (part.code ? `<code>${escapeHtml(part.text)}</code>` : escapeHtml(part.text)))
    .join('');
}

/** The same for plain text (a check run title, a log line): code spans lose their backticks, invisible characters go. */
export function plainText(text: string): string {
  return codeParts(stripInvisible(text))
    .map((part) => part.text)
    .join('');
}
