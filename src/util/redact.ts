// Secrets never reach a report: every value read through {{ secrets.NAME }} is
// registered here, and every piece of evidence passes through `text` or `headers`.
// A hostile server echoes what it was sent in whatever form it likes, so a secret is
// redacted in each spelling it takes on the wire and in documents (URL, form, JSON, HTML,
// base64, also inside a longer base64 string) and when a line break was put inside it.

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-csrftoken', 'x-csrf-token']);
export const REDACTED = '[redacted]';
/** Values shorter than this would redact ordinary text. */
const MIN_SECRET = 4;
/** What an echoing server may put inside a secret to wrap it: a line break (raw, JSON-escaped or <br>) and indentation. */
const LINE_BREAKS = [/(?:\r\n|\r|\n|\\r\\n|\\n|<br\s*\/?>)[ \t]*/g, /\r\n|\r|\n|\\r\\n|\\n|<br\s*\/?>/g];
/** http(s) URL userinfo ("https://user:pass@host"): never shown, whoever wrote it. */
const USERINFO = /\b(https?:\/\/)[^\s/?#@"'<>]+@/gi;

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly spellings = new Set<string>();
  private readonly onAdd: ((secret: string) => void) | undefined;
  private pattern: RegExp | undefined;

  /** `onAdd` hears of every new secret and each of its spellings (the action masks them in the log at once). */
  constructor(onAdd?: (secret: string) => void) {
    this.onAdd = onAdd;
  }

  add(secret: string): void {
    if (secret.length < MIN_SECRET || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    for (const spelling of spellingsOf(secret)) {
      if (spelling.length < MIN_SECRET || this.spellings.has(spelling)) continue;
      this.spellings.add(spelling);
      this.onAdd?.(spelling);
    }
    this.pattern = undefined;
  }

  get values(): string[] {
    return [...this.secrets];
  }

  /** Every registered secret, in all its spellings, replaced; URL userinfo removed. */
  text(input: string): string {
    if (this.spellings.size === 0) return input.replace(USERINFO, '$1');
    const pattern = (this.pattern ??= this.compile());
    // Breaks are taken out with the indentation after them, then alone (the secret may start with a space).
    const [indented, bare] = LINE_BREAKS as [RegExp, RegExp];
    return redactAcrossLines(redactAcrossLines(input.replace(pattern, REDACTED), pattern, indented), pattern, bare).replace(USERINFO, '$1');
  }

  /**
   * For text that was cut before it reached us (a capped body, the tail of an output): a
   * secret cut in two leaves a piece at the edge, which is redacted too.
   */
  fragment(input: string, cut: { start?: boolean; end?: boolean }): string {
    let output = this.text(input);
    for (const spelling of [...this.spellings].sort((a, b) => b.length - a.length)) {
      for (let length = spelling.length - 1; length >= MIN_SECRET; length--) {
        if (cut.end && output.endsWith(spelling.slice(0, length))) output = `${output.slice(0, output.length - length)}${REDACTED}`;
        if (cut.start && output.startsWith(spelling.slice(spelling.length - length))) output = `${REDACTED}${output.slice(length)}`;
      }
    }
    return output;
  }

  /** Header lines with credentials hidden; Set-Cookie keeps its name and attributes. */
  headers(lines: [string, string][]): [string, string][] {
    return lines.map(([name, value]) => [name, this.headerValue(name, value)]);
  }

  headerValue(name: string, value: string): string {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') return redactSetCookie(value);
    if (SENSITIVE_HEADERS.has(lower)) return REDACTED;
    return this.text(value);
  }

  /** One pattern for all spellings, longest first, so a secret that contains another is replaced whole. */
  private compile(): RegExp {
    return new RegExp([...this.spellings].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  }
}

/**
 * Secrets with line breaks put inside them: the text is read with its breaks taken out,
 * and each match found there is replaced in the original, breaks and all.
 */
function redactAcrossLines(text: string, pattern: RegExp, lineBreak: RegExp): string {
  const breaks = [...text.matchAll(lineBreak)];
  if (breaks.length === 0) return text;
  // The joined text, and for each of its characters the position in `text`.
  const parts: string[] = [];
  const origin: number[] = [];
  let from = 0;
  for (const found of [...breaks, { index: text.length, 0: '' }]) {
    parts.push(text.slice(from, found.index));
    for (let at = from; at < found.index; at++) origin.push(at);
    from = found.index + found[0].length;
  }
  const spans: [number, number][] = [];
  for (const match of parts.join('').matchAll(pattern)) {
    spans.push([origin[match.index] as number, (origin[match.index + match[0].length - 1] as number) + 1]);
  }
  let output = text;
  for (const [start, end] of spans.reverse()) output = `${output.slice(0, start)}${REDACTED}${output.slice(end)}`;
  return output;
}

/** Every string in a plain-data value (a report) through `redactor.text`. */
export function redactDeep<T>(value: T, redactor: Redactor): T {
  if (typeof value === 'string') return redactor.text(value) as T;
  if (Array.isArray(value)) return value.map((entry: unknown) => redactDeep(entry, redactor)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, redactDeep(entry, redactor)])) as T;
  }
  return value;
}

/** "https://user:pass@host/x" → "https://host/x". */
export function withoutUserinfo(url: string): string {
  return url.replace(USERINFO, '$1');
}

/** "sessionid=abc; Path=/; Secure" → "sessionid=[redacted]; Path=/; Secure". */
export function redactSetCookie(value: string): string {
  const [pair = '', ...attributes] = value.trim().split(';');
  const name = pair.split('=')[0]?.trim() ?? '';
  return [`${name}=${REDACTED}`, ...attributes.map((part) => part.trim())].join('; ');
}

// ---------------------------------------------------------------- spellings

/** The forms a secret takes when a server or a document echoes it. */
export function spellingsOf(secret: string): string[] {
  const forms = new Set<string>();
  // A raw + in a query string reaches the server as a space, and is echoed so in any encoding.
  for (const value of secret.includes('+') ? [secret, secret.replaceAll('+', ' ')] : [secret]) addEncodings(value, forms);
  return [...forms].filter((form) => form !== '');
}

function addEncodings(secret: string, forms: Set<string>): void {
  forms.add(secret);
  // URLs and forms: percent-encoding in upper and lower case, + for spaces, and the WHATWG URL's
  // own (lighter) encoding of a query and a path.
  const uri = encodeURIComponent(secret);
  forms.add(uri).add(lowerHex(uri));
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  forms.add(form).add(lowerHex(form));
  for (const [prefix, part, reserved] of [['http://x/?', 'search', /#/g], ['http://x/', 'pathname', /[?#\\]/g]] as const) {
    try {
      const escaped = secret.replace(reserved, (char) => encodeURIComponent(char));
      forms.add(new URL(prefix + escaped)[part].slice(1));
    } catch {
      // not a URL part at all: then not sent that way either
    }
  }
  // JSON: as JSON.stringify writes it, with \/ (PHP) and with \uXXXX for non-ASCII (Python).
  const json = JSON.stringify(secret).slice(1, -1);
  const asciiJson = json.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  forms.add(json).add(json.replaceAll('/', '\\/')).add(asciiJson).add(asciiJson.replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => `\\u${hex.toUpperCase()}`));
  // HTML: the usual named entities (with each spelling of '), and every symbol as a numeric entity.
  for (const apostrophe of ['&#39;', '&#x27;', '&apos;']) forms.add(htmlEscape(secret, apostrophe));
  forms.add(secret.replace(/[^A-Za-z0-9]/g, (char) => `&#${char.codePointAt(0)};`));
  forms.add(secret.replace(/[^A-Za-z0-9]/g, (char) => `&#x${(char.codePointAt(0) as number).toString(16)};`));
  // base64, whole and inside a longer string (the secret starting at each of the three byte offsets).
  const bytes = Buffer.from(secret, 'utf8');
  const whole = bytes.toString('base64');
  forms.add(whole).add(whole.replace(/=+$/, '')).add(base64Url(whole));
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Only the characters made of the secret's bits alone.
    const core = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    forms.add(core).add(base64Url(core));
  }
}

function lowerHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

function htmlEscape(text: string, apostrophe: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": apostrophe })[char] as string);
}

function base64Url(text: string): string {
  return text.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
