// Looks for secrets in what the product wrote, in any encoding, independently of the
// product's own redactor: each surface is decoded every way a server or a document could
// have encoded it (URL, form, JSON, HTML entities, base64 at any offset, a line break put
// inside), and the raw secret is searched in each reading.
import { expect } from '@jest/globals';

export interface Surface {
  /** Where the text was found: "stdout", "report.md", "comment #1". */
  name: string;
  text: string;
}

type Decoder = (text: string) => string;

function percentDecode(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace ? text.replaceAll('+', ' ') : text;
  // Decode each run of escapes on its own, so one malformed escape does not hide the rest.
  return spaced.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function jsonUnescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_, escape: string) => {
    if (escape.startsWith('u')) return String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return ({ '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[escape] as string;
  });
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function htmlUnescape(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

/** Line breaks an echoing server may put inside a value: raw, JSON-escaped, <br>, with indentation. */
function joinLines(text: string): string {
  return text.replace(/(?:\r\n|\r|\n|\\r\\n|\\n|<br\s*\/?>)[ \t]*/gi, '');
}

const DECODERS: Record<string, Decoder> = {
  raw: (text) => text,
  url: (text) => percentDecode(text, false),
  form: (text) => percentDecode(text, true),
  json: jsonUnescape,
  html: htmlUnescape,
};

/** Every reading of `text`: each decoder, with and without joined lines, and the two-step combinations. */
function readings(text: string): { how: string; text: string }[] {
  const out: { how: string; text: string }[] = [];
  for (const [first, decodeFirst] of Object.entries(DECODERS)) {
    const once = decodeFirst(text);
    out.push({ how: first, text: once }, { how: `${first}+lines`, text: joinLines(once) }, { how: `lines+${first}`, text: decodeFirst(joinLines(text)) });
    for (const [second, decodeSecond] of Object.entries(DECODERS)) if (second !== 'raw' && second !== first) out.push({ how: `${first}+${second}`, text: decodeSecond(once) });
  }
  return out;
}

/** Does any base64 run in `text` (standard or URL-safe, at any of the four character offsets) decode to bytes containing `secret`? */
function inBase64(text: string, secret: string): boolean {
  const needle = Buffer.from(secret, 'utf8');
  for (const run of joinLines(text).match(/[A-Za-z0-9+/_-]{6,}/g) ?? []) {
    for (let shift = 0; shift < 4; shift++) {
      if (Buffer.from(run.slice(shift), 'base64').includes(needle)) return true;
    }
  }
  return false;
}

/** Each place a secret (or a half of one, left by a cut) shows, in words; empty when none does. */
export function findSecrets(surfaces: Surface[], secrets: string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    // A cut before redaction leaves a piece: the first or last half of a long secret is a leak too.
    const half = Math.max(6, Math.ceil(secret.length / 2));
    const pieces = secret.length >= 12 ? [secret, secret.slice(0, half), secret.slice(-half)] : [secret];
    for (const surface of surfaces) {
      const hit = readings(surface.text).find((reading) => pieces.some((piece) => reading.text.includes(piece)));
      if (hit) {
        const piece = pieces.find((candidate) => hit.text.includes(candidate)) as string;
        const at = hit.text.indexOf(piece);
        const around = hit.text.slice(Math.max(0, at - 30), at + piece.length + 30);
        found.push(`${surface.name}: ${JSON.stringify(secret)} (read as ${hit.how}, ${piece === secret ? 'whole' : 'a piece'}: …${JSON.stringify(around)}…)`);
      }
      else if (inBase64(surface.text, secret)) found.push(`${surface.name}: ${JSON.stringify(secret)} (in base64)`);
    }
  }
  return found;
}

/** Fails the test with every leak when any registered secret shows on any surface in any encoding. */
export function expectNoSecretAnywhere(surfaces: Surface[], secrets: string[]): void {
  expect(surfaces.length).toBeGreaterThan(0);
  expect(findSecrets(surfaces, secrets)).toEqual([]);
}
