// Target headers and credentials never go over plain http after an https → http redirect
// on the target's host, whatever the redirect status; an http target keeps its headers.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpClient } from '../../src/http/client.ts';
import { createCa, localhostCert } from '../../test-support/certs.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

let caPem: string;
let secure: RunningServer;
let plain: RunningServer;
const seenInClear: IncomingHttpHeaders[] = [];

const TARGET_HEADERS = { 'x-staging-key': 'staging-key-0123456789', authorization: 'Bearer target-bearer-0123' };

beforeAll(async () => {
  const ca = await createCa();
  caPem = ca.cert;
  plain = await startServer((req, res) => {
    seenInClear.push(req.headers);
    res.end('plain');
  });
  secure = await startServer(
    (req, res) => {
      const status = Number(new URL(req.url ?? '/', 'https://x').searchParams.get('status') ?? 302);
      res.writeHead(status, { location: `http://127.0.0.1:${plain.port}/landing` });
      res.end();
    },
    { tls: await localhostCert(ca) },
  );
});

afterAll(async () => {
  await Promise.all([secure.close(), plain.close()]);
});

describe('an https → http redirect on the target host', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    test(`${status}: the target headers and the request's credentials stay behind`, async () => {
      seenInClear.length = 0;
      const http = new HttpClient({ perHost: 2, ca: caPem, target: { host: '127.0.0.1', headers: TARGET_HEADERS, protocol: 'https:' } });
      try {
        const response = await http.send({
          method: 'GET',
          url: new URL(`${secure.url}/start?status=${status}`),
          headers: { authorization: 'Bearer request-token-0123', 'x-api-key': 'request-api-key-0123' },
          followRedirects: true,
          timeoutMs: 10_000,
        });
        expect(response.status).toBe(200);
      } finally {
        await http.close();
      }
      expect(seenInClear).toHaveLength(1);
      const headers = seenInClear[0] as IncomingHttpHeaders;
      expect(headers['x-staging-key']).toBeUndefined();
      expect(headers.authorization).toBeUndefined();
      expect(headers['x-api-key']).toBeUndefined();
    });
  }

  test('a plain-http request to an https target host does not carry the target headers either', async () => {
    seenInClear.length = 0;
    const http = new HttpClient({ perHost: 2, target: { host: '127.0.0.1', headers: TARGET_HEADERS, protocol: 'https:' } });
    try {
      await http.send({ method: 'GET', url: new URL(`${plain.url}/probe`), headers: {}, followRedirects: false, timeoutMs: 10_000 });
    } finally {
      await http.close();
    }
    expect(seenInClear[0]?.['x-staging-key']).toBeUndefined();
  });

  test('an http target keeps its headers on http', async () => {
    seenInClear.length = 0;
    const http = new HttpClient({ perHost: 2, target: { host: '127.0.0.1', headers: TARGET_HEADERS, protocol: 'http:' } });
    try {
      await http.send({ method: 'GET', url: new URL(`${plain.url}/probe`), headers: {}, followRedirects: false, timeoutMs: 10_000 });
    } finally {
      await http.close();
    }
    expect(seenInClear[0]).toMatchObject(TARGET_HEADERS);
  });
});
