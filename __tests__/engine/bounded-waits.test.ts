// Every wait is bounded by its item's timeout and the run's deadline, against real local
// servers: the wait for staging, a TLS handshake that never completes, an endpoint that
// stalls beside a healthy one on the same host, and a flow cut short after it created
// something (its cleanup is still sent, and reported). Bounds are generous (a busy machine
// is slow, never fast): a lower bound where a wait must not end early, an upper bound only
// far from the old behaviour.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runReadiness } from '../../src/pipeline.ts';
import { HttpClient, TransportError } from '../../src/http/client.ts';
import { allItems, type ItemReport, type Report } from '../../src/report/model.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

let workspace: string;
let staging: RunningServer;
/** Accepts TCP connections and never says a word: a TLS handshake that never completes. */
let silent: { server: Server; port: number; sockets: Socket[] };
const deletes: string[] = [];
const stalled: ServerResponse[] = [];

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'readiness-bounded-'));
  staging = await startServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url.startsWith('/stall')) {
      stalled.push(res); // never answered; closed in afterEach
      return;
    }
    if (url === '/health/') {
      res.statusCode = 503;
      res.end('deploying');
      return;
    }
    if (req.method === 'POST' && url === '/bookings') {
      res.statusCode = 201;
      res.setHeader('content-type', 'application/json');
      res.end('{"id": 41}');
      return;
    }
    if (req.method === 'DELETE' && url.startsWith('/bookings/')) {
      deletes.push(url);
      if (url.endsWith('/stuck')) {
        stalled.push(res);
        return;
      }
      res.statusCode = 204;
      res.end();
      return;
    }
    res.end('ok');
  });
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  silent = { server, port: (server.address() as AddressInfo).port, sockets };
});

afterEach(() => {
  for (const res of stalled.splice(0)) res.destroy();
  deletes.splice(0);
});

afterAll(async () => {
  for (const socket of silent.sockets) socket.destroy();
  await new Promise((resolve) => silent.server.close(resolve));
  await staging.close();
  await rm(workspace, { recursive: true, force: true });
});

async function run(manifest: string): Promise<{ report: Report; elapsedMs: number }> {
  const started = performance.now();
  const outcome = await runReadiness({ manifestText: manifest, manifestFile: 'readiness.yml', url: staging.url, env: {}, git: {}, workspace });
  if (outcome.status !== 'done') throw new Error(`expected a report, got ${JSON.stringify(outcome)}`);
  return { report: outcome.report, elapsedMs: performance.now() - started };
}

const item = (report: Report, id: string): ItemReport => allItems(report).find((entry) => entry.id === id) as ItemReport;

describe('the run deadline', () => {
  test('limits.deadline bounds the wait for staging (target.ready), not only the checks', async () => {
    const { report, elapsedMs } = await run(`version: 1
target: { ready: { request: GET /health/, interval: 200ms, timeout: 5m } }
limits: { deadline: 1500ms }
sections:
  - title: S
    items:
      - { title: Home, id: home, http: { request: GET / } }
`);
    expect(report.notices).toHaveLength(1);
    expect(report.notices[0]).toMatch(/^staging not ready when the run's deadline \(1\.5s\) passed \(.+\): GET .*\/health\/ → status: expected < 400, got 503$/);
    expect(item(report, 'home')).toMatchObject({ outcome: 'error' });
    // 5 minutes of polling was the old behaviour; a minute is generous for a 1.5 s deadline.
    expect(elapsedMs).toBeLessThan(60_000);
  });
});

describe('a TLS handshake that never completes', () => {
  test('a request with a long timeout is not cut short by the pool’s 10 s connect timeout', async () => {
    const http = new HttpClient({ perHost: 2 });
    const started = performance.now();
    const error = await http
      .send({ method: 'GET', url: new URL(`https://127.0.0.1:${silent.port}/`), headers: {}, followRedirects: false, timeoutMs: 12_500 })
      .then(() => undefined, (caught: unknown) => caught);
    const elapsed = performance.now() - started;
    await http.close();
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('TIMEOUT');
    expect((error as TransportError).message).toBe(`no response from 127.0.0.1:${silent.port} within 12.5s`);
    // A lower bound: it must not have ended at undici's connect timeout (10 s).
    expect(elapsed).toBeGreaterThanOrEqual(12_000);
  }, 60_000);

  test('an item with a 1 s timeout ends the run long before the connect timeout (the run no longer waits for the socket)', async () => {
    const { report, elapsedMs } = await run(`version: 1
sections:
  - title: S
    items:
      - { title: Stalled TLS, id: tls-stall, timeout: 1s, http: { request: "GET https://127.0.0.1:${silent.port}/" } }
`);
    expect(item(report, 'tls-stall')).toMatchObject({ outcome: 'error' });
    expect(item(report, 'tls-stall').summary).toContain('1s');
    // The old run took 10.8 s (it waited for undici's connect timeout on close).
    expect(elapsedMs).toBeLessThan(8000);
  }, 60_000);
});

describe('a stalled endpoint beside a healthy one on the same host', () => {
  test.each([1, 2])('perHost %i: stalled requests do not starve the healthy item, and time out themselves', async (perHost) => {
    const stalls = Array.from({ length: perHost }, (_, i) => `      - { title: Stall ${i}, id: stall-${i}, timeout: 9s, http: { request: GET /stall/${i} } }`).join('\n');
    const { report } = await run(`version: 1
limits: { perHost: ${perHost}, concurrency: ${perHost + 1} }
sections:
  - title: S
    items:
${stalls}
      - { title: Healthy, id: healthy, timeout: 6s, http: { request: GET /ok } }
`);
    for (let i = 0; i < perHost; i++) {
      expect(item(report, `stall-${i}`).outcome).toBe('error');
      expect(item(report, `stall-${i}`).summary).toMatch(/(timed out after|within) 9s/);
    }
    // Before: queued behind the 9 s stalls, the 6 s item timed out though the server was healthy.
    expect(item(report, 'healthy')).toMatchObject({ outcome: 'pass' });
  }, 60_000);
});

describe('a flow cut short after it created something', () => {
  const flow = (deletePath: string) => `version: 1
defaults: { timeout: 1s }
sections:
  - title: S
    items:
      - title: Booking round trip
        id: booking
        timeout: 2s
        flow:
          steps:
            - request: POST /bookings
              expect: { status: 201 }
              capture: { booking: { json: $.id } }
            - request: { method: GET, url: "/stall/booking/{{ booking }}", timeout: 30s }
          finally:
            - request: "DELETE ${deletePath}"
              expect: { status: 204 }
`;

  test('its finally step still runs after the item timed out, and the report says so', async () => {
    const { report } = await run(flow('/bookings/{{ booking }}'));
    expect(deletes).toEqual(['/bookings/41']);
    const booking = item(report, 'booking');
    expect(booking.outcome).toBe('error');
    expect(booking.summary).toContain('timed out after 2s');
    expect(booking.summary).toContain('its cleanup step passed');
    const cleanup = booking.evidence.steps?.at(-1);
    expect(cleanup).toMatchObject({ outcome: 'pass', request: `DELETE ${staging.url}/bookings/41` });
  }, 60_000);

  test('a cleanup that cannot finish is reported, not silently dropped', async () => {
    const { report } = await run(flow('/bookings/{{ booking }}/stuck'));
    expect(deletes).toEqual(['/bookings/41/stuck']);
    const booking = item(report, 'booking');
    expect(booking.outcome).toBe('error');
    expect(booking.summary).toContain('timed out after 2s');
    expect(booking.summary).toMatch(/cleanup step 1 \(DELETE \/bookings\/\{\{ booking \}\}\/stuck\) could not run: no response from .* within 2s/);
  }, 60_000);
});
