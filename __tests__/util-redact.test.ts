import { describe, expect, test } from '@jest/globals';
import { Redactor, redactSetCookie } from '../src/util/redact.ts';

describe('Redactor', () => {
  test('replaces registered secrets, longest first, also URL-encoded', () => {
    const redactor = new Redactor();
    redactor.add('pass');
    redactor.add('pass word!');
    expect(redactor.text('a pass word! in a URL pass%20word! in a form pass+word%21 and pass')).toBe('a [redacted] in a URL [redacted] in a form [redacted] and [redacted]');
  });

  test('ignores values too short to be secrets', () => {
    const redactor = new Redactor();
    redactor.add('ab');
    expect(redactor.text('abc')).toBe('abc');
    expect(redactor.values).toEqual([]);
  });

  test('credential headers never show their values; Set-Cookie keeps attributes', () => {
    const redactor = new Redactor();
    expect(
      redactor.headers([
        ['Authorization', 'Bearer abc'],
        ['Cookie', 'sessionid=zzz'],
        ['Set-Cookie', ' sessionid=zzz; HttpOnly; Path=/; SameSite=Lax; Secure'],
        ['Content-Type', 'text/html'],
      ]),
    ).toEqual([
      ['Authorization', '[redacted]'],
      ['Cookie', '[redacted]'],
      ['Set-Cookie', 'sessionid=[redacted]; HttpOnly; Path=/; SameSite=Lax; Secure'],
      ['Content-Type', 'text/html'],
    ]);
    expect(redactSetCookie('a=b')).toBe('a=[redacted]');
  });
});
