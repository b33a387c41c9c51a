// Secrets never reach a report: every value read through {{ secrets.NAME }} is
// registered here, and every piece of evidence passes through `text` or `headers`.

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-csrftoken', 'x-csrf-token']);
export const REDACTED = '[redacted]';

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly onAdd: ((secret: string) => void) | undefined;

  /** `onAdd` hears of every new secret (the action masks it in the log at once). */
  constructor(onAdd?: (secret: string) => void) {
    this.onAdd = onAdd;
  }

  /** Values shorter than 4 characters would redact ordinary text, so they are not tracked. */
  add(secret: string): void {
    if (secret.length < 4 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.onAdd?.(secret);
  }

  get values(): string[] {
    return [...this.secrets];
  }

  text(input: string): string {
    let output = input;
    // Every spelling a secret takes on the wire (as is, in a URL, in a form body),
    // longest first, so a secret that contains another is replaced whole.
    const spellings = new Set<string>();
    for (const secret of this.secrets) {
      spellings.add(secret);
      spellings.add(encodeURIComponent(secret));
      spellings.add(new URLSearchParams({ s: secret }).toString().slice(2));
    }
    for (const spelling of [...spellings].sort((a, b) => b.length - a.length)) output = output.split(spelling).join(REDACTED);
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
}

/** "sessionid=abc; Path=/; Secure" → "sessionid=[redacted]; Path=/; Secure". */
export function redactSetCookie(value: string): string {
  const [pair = '', ...attributes] = value.trim().split(';');
  const name = pair.split('=')[0]?.trim() ?? '';
  return [`${name}=${REDACTED}`, ...attributes.map((part) => part.trim())].join('; ');
}
