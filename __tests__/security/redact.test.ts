// Registered secrets are redacted in every spelling an echoing server gives them: raw, URL
// (both forms), JSON, HTML (named and numeric entities), base64 (whole and inside a longer
// string at each alignment) and with a line break put inside; pieces left by a cut too.
import { describe, expect, test } from '@jest/globals';
import { Redactor, REDACTED, redactDeep, withoutUserinfo } from '../../src/util/redact.ts';
import { expectNoSecretAnywhere, findSecrets } from '../../test-support/secret-scan.ts';

const SECRETS = [
  'hunter2-staging-password',
  'p@ss w0rd/with+plus&amp=eq?#frag',
  `quote's "double" <tag> & more`,
  'ünïcødé-sëcret-☃-𝄞-value',
  'ghs_AbCdEf0123456789xyzXYZ',
  'line\\back\\slash\tand\ttabs',
];

/** How a hostile server may echo a value. */
const ECHOES: Record<string, (secret: string) => string> = {
  raw: (s) => s,
  url: (s) => encodeURIComponent(s),
  'url lower-case hex': (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
  form: (s) => new URLSearchParams({ s }).toString().slice(2),
  'url query': (s) => new URL(`http://h/?t=${s.replaceAll('#', '%23')}`).search.slice(3),
  'url path': (s) => new URL(`http://h/${s.replace(/[?#\\]/g, (c) => encodeURIComponent(c))}`).pathname.slice(1),
  json: (s) => JSON.stringify(s).slice(1, -1),
  'json ascii': (s) => JSON.stringify(s).slice(1, -1).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  'json slashes': (s) => JSON.stringify(s).slice(1, -1).replaceAll('/', '\\/'),
  'html named': (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string),
  'html apos': (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c] as string),
  'html numeric': (s) => s.replace(/[^A-Za-z0-9]/g, (c) => `&#${c.codePointAt(0)};`),
  'html hex': (s) => s.replace(/[^A-Za-z0-9]/g, (c) => `&#x${(c.codePointAt(0) as number).toString(16)};`),
  base64: (s) => Buffer.from(s).toString('base64'),
  base64url: (s) => Buffer.from(s).toString('base64url'),
  'base64 in a longer string, offset 1': (s) => Buffer.from(`x${s}tail`).toString('base64'),
  'base64 in a longer string, offset 2': (s) => Buffer.from(`xy${s}tail-end`).toString('base64'),
  'base64 basic auth': (s) => Buffer.from(`smoke:${s}`).toString('base64'),
  'split by a newline': (s) => `${s.slice(0, 7)}\n${s.slice(7)}`,
  'split by CRLF and indent': (s) => `${s.slice(0, 9)}\r\n    ${s.slice(9)}`,
  'split by an escaped newline in JSON': (s) => { const j = JSON.stringify(s).slice(1, -1); return `${j.slice(0, 5)}\\n${j.slice(5)}`; },
  'split by <br>': (s) => `${s.slice(0, 6)}<br>${s.slice(6)}`,
  'base64 wrapped at 8 columns': (s) => Buffer.from(s).toString('base64').replace(/(.{8})/g, '$1\n'),
  'url split by a newline': (s) => { const u = encodeURIComponent(s); return `${u.slice(0, 10)}\n${u.slice(10)}`; },
};

describe('the redactor', () => {
  test('the scan finds every echo when nothing is redacted (it can fail)', () => {
    for (const secret of SECRETS) {
      for (const [name, echo] of Object.entries(ECHOES)) {
        expect([name, findSecrets([{ name, text: `before ${echo(secret)} after` }], [secret]).length]).toEqual([name, 1]);
      }
    }
  });

  for (const [name, echo] of Object.entries(ECHOES)) {
    test(`redacts a secret echoed as ${name}`, () => {
      const redactor = new Redactor();
      for (const secret of SECRETS) redactor.add(secret);
      const surfaces = SECRETS.map((secret) => ({ name: JSON.stringify(secret), text: redactor.text(`{"echo": "${echo(secret)}"}\n<p>${echo(secret)}</p>`) }));
      expectNoSecretAnywhere(surfaces, SECRETS);
      for (const surface of surfaces) expect(surface.text).toContain(REDACTED);
    });
  }

  test('every spelling is announced once for masking (::add-mask::)', () => {
    const masked: string[] = [];
    const redactor = new Redactor((value) => masked.push(value));
    redactor.add('p@ss w0rd/with+plus');
    redactor.add('p@ss w0rd/with+plus');
    expect(masked).toEqual([...new Set(masked)]);
    expect(masked).toEqual(expect.arrayContaining(['p@ss w0rd/with+plus', 'p%40ss%20w0rd%2Fwith%2Bplus', 'p%40ss+w0rd%2Fwith%2Bplus', Buffer.from('p@ss w0rd/with+plus').toString('base64')]));
  });

  test('ordinary text is left alone', () => {
    const redactor = new Redactor();
    for (const secret of SECRETS) redactor.add(secret);
    const text = 'HTTP/1.1 200 OK\ncontent-type: text/html\n\n<h1>Skyway</h1> {"status": "ok", "version": "abc123"} aGVsbG8gd29ybGQ=';
    expect(redactor.text(text)).toBe(text);
  });

  test('a cut piece at the edge of cut text is redacted; ordinary edges are not', () => {
    const redactor = new Redactor();
    redactor.add('hunter2-staging-password');
    expect(redactor.fragment('token=hunter2-stag', { end: true })).toBe(`token=${REDACTED}`);
    expect(redactor.fragment('ing-password and more', { start: true })).toBe(`${REDACTED} and more`);
    expect(redactor.fragment('token=hunter2-stag', { start: true })).toBe('token=hunter2-stag');
    expect(redactor.fragment('all fine', { start: true, end: true })).toBe('all fine');
  });

  test('URL userinfo is never shown', () => {
    const redactor = new Redactor();
    expect(redactor.text('GET https://smoke:s3cret@staging.example.com/health/ and http://u@h/')).toBe('GET https://staging.example.com/health/ and http://h/');
    expect(withoutUserinfo('https://user:pa%40ss@host:8443/x?y=1')).toBe('https://host:8443/x?y=1');
    expect(redactDeep({ a: ['https://a:b@c/'], n: 1 }, redactor)).toEqual({ a: ['https://c/'], n: 1 });
  });
});
