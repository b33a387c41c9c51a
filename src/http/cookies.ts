// Set-Cookie lines, parsed the way a browser reads them (tough-cookie), so cookie
// expectations see the attributes a browser would honour.
import { Cookie } from 'tough-cookie';
import { headerValues } from './client.ts';

export interface ParsedCookie {
  name: string;
  value: string;
  secure: boolean;
  httpOnly: boolean;
  /** Strict, Lax or None as written; undefined when the attribute is absent or invalid. */
  sameSite?: 'Strict' | 'Lax' | 'None';
  path?: string;
  domain?: string;
  /** Seconds; undefined when no Max-Age was given. */
  maxAge?: number;
  expires?: Date;
  /** Max-Age ≤ 0, or (without Max-Age) an expiry in the past: the server is deleting the cookie. */
  deletion: boolean;
}

const SAME_SITE: Record<string, ParsedCookie['sameSite']> = { strict: 'Strict', lax: 'Lax', none: 'None' };

export function parseSetCookie(line: string, now = new Date()): ParsedCookie | undefined {
  // Django's runserver writes "Set-Cookie:  csrftoken=…" with two spaces. Loose: browsers
  // store `Set-Cookie: trackerid123` as a cookie with an empty name (RFC 6265bis §5.6).
  const cookie = Cookie.parse(line.trim(), { loose: true });
  if (!cookie) return undefined;
  const maxAge = typeof cookie.maxAge === 'number' ? cookie.maxAge : cookie.maxAge === '-Infinity' ? -Infinity : cookie.maxAge === 'Infinity' ? Infinity : undefined;
  const expires = cookie.expires instanceof Date ? cookie.expires : undefined;
  const parsed: ParsedCookie = {
    name: cookie.key,
    value: cookie.value,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    // RFC 6265 §5.3 step 3: Max-Age wins over Expires, so a past Expires with a future Max-Age is a live cookie.
    deletion: maxAge !== undefined ? maxAge <= 0 : expires !== undefined && expires.getTime() < now.getTime(),
  };
  const sameSite = SAME_SITE[(cookie.sameSite ?? '').toLowerCase()];
  if (sameSite) parsed.sameSite = sameSite;
  if (cookie.path) parsed.path = cookie.path;
  if (cookie.domain) parsed.domain = cookie.domain;
  if (maxAge !== undefined) parsed.maxAge = maxAge;
  if (expires) parsed.expires = expires;
  return parsed;
}

/** Cookies a response sets, by name; a later line for the same name wins, as in a browser. */
export function responseCookies(headers: [string, string][]): Map<string, ParsedCookie> {
  const cookies = new Map<string, ParsedCookie>();
  for (const line of headerValues(headers, 'set-cookie')) {
    const cookie = parseSetCookie(line);
    if (cookie) cookies.set(cookie.name, cookie);
  }
  return cookies;
}
