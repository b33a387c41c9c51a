// The client's cookie store over a tough-cookie jar, shared by flows and the
// secure-cookies built-in (a module of its own so neither carries the other's code).
import type { CookieJar } from 'tough-cookie';
import type { CookieStore } from './client.ts';

/**
 * Domain, Path, Secure, HttpOnly and expiry are honoured as a browser honours them (a
 * Secure cookie only over https or loopback). A cookie the jar refuses or cannot parse is
 * dropped, as a browser drops it.
 */
export function jarCookieStore(jar: CookieJar): CookieStore {
  return {
    async header(url) {
      const value = await jar.getCookieString(url.href);
      return value === '' ? undefined : value;
    },
    async store(url, setCookieLines) {
      // Django's runserver writes "Set-Cookie:  csrftoken=…" with two spaces.
      for (const line of setCookieLines) await jar.setCookie(line.trim(), url.href, { ignoreError: true });
    },
  };
}
