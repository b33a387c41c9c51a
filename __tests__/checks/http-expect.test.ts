// Cookie expectations are read from Set-Cookie with tough-cookie, imported only when an
// expectation asks for cookies; neither the async nor the synchronous evaluation may let a
// cookie expectation pass without the response's cookies.
import { describe, expect, test } from '@jest/globals';
import { evaluateHttpExpect, evaluateParsedExpect } from '../../src/checks/http-expect.ts';
import type { HttpResponse } from '../../src/http/client.ts';
import { Redactor } from '../../src/util/redact.ts';

function response(headers: [string, string][]): HttpResponse {
  return { url: 'https://staging.example/', status: 200, statusText: 'OK', headers, body: Buffer.from('ok'), wireBytes: 2, truncated: false, hops: [], timings: { ttfbMs: 1, totalMs: 1 } };
}

describe('cookie expectations', () => {
  test('are judged against the Set-Cookie lines: secure and HttpOnly as written, a missing cookie fails', async () => {
    const headers: [string, string][] = [['Set-Cookie', 'sessionid=abc; Secure; HttpOnly; Path=/']];
    const present = await evaluateHttpExpect({ status: 200, cookies: { sessionid: { secure: true, httpOnly: true } } }, response(headers), new Redactor());
    expect(present.every((assertion) => assertion.ok)).toBe(true);
    expect(present.map((assertion) => assertion.subject)).toEqual(['status', 'cookie sessionid Secure', 'cookie sessionid HttpOnly']);

    const missing = await evaluateHttpExpect({ cookies: { csrftoken: { secure: true } } }, response(headers), new Redactor());
    expect(missing).toEqual([{ subject: 'cookie csrftoken', expected: 'set by this response', actual: 'no Set-Cookie for it', ok: false }]);
  });

  test('evaluated synchronously without the parsed cookies is a programming error, never a pass', () => {
    expect(() => evaluateParsedExpect({ cookies: { sessionid: { secure: true } } }, response([]), new Redactor())).toThrow(/cookie expectations need the response cookies/);
    expect(evaluateParsedExpect({ status: 200 }, response([]), new Redactor())).toEqual([{ subject: 'status', expected: '200', actual: '200', ok: true }]);
  });
});
