import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { HttpClient } from '../../src/http/client.ts';
import type { CheckContext } from '../../src/checks/context.ts';
import { minSamplesFor, minSamplesForRate, percentile, runLoadCheck, type LoadCheck } from '../../src/checks/load.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { createCa, localhostCert } from '../../test-support/certs.ts';
import { checkContext } from '../../test-support/check-context.ts';

const clients: HttpClient[] = [];
const servers: RunningServer[] = [];

function contextFor(server: { url: string }, signal: AbortSignal = new AbortController().signal): CheckContext {
  const http = new HttpClient({ perHost: 6 });
  clients.push(http);
  return checkContext({ http, baseUrl: server.url, signal });
}

async function serve(handler: Parameters<typeof startServer>[0], options?: Parameters<typeof startServer>[1]): Promise<RunningServer> {
  const server = await startServer(handler, options);
  servers.push(server);
  return server;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let healthy: RunningServer;
let everyTenthFails: RunningServer;
let slow: RunningServer;
/** Counts every request and the most it ever had in flight at once. */
let counting: RunningServer;
/** Requests everyTenthFails has answered; reset by the tests that count on it. */
let calls = 0;
const counted = { total: 0, inFlight: 0, maxInFlight: 0 };

beforeAll(async () => {
  healthy = await serve((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"count":3}');
  });
  everyTenthFails = await serve((_req, res) => {
    calls++;
    res.statusCode = calls % 10 === 0 ? 500 : 200;
    res.end(res.statusCode === 500 ? 'boom' : 'ok');
  });
  slow = await serve((_req, res) => {
    setTimeout(() => res.end('slow'), 60);
  });
  counting = await serve((_req, res) => {
    counted.total++;
    counted.inFlight++;
    counted.maxInFlight = Math.max(counted.maxInFlight, counted.inFlight);
    res.on('finish', () => counted.inFlight--);
    setTimeout(() => res.end('ok'), 25);
  });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(servers.map((server) => server.close()));
});

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  test('of 1..100, pXX is XX', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 90)).toBe(90);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  test('of 20 values, p95 is the 19th and p99 the 20th; no interpolation', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(percentile(twenty, 95)).toBe(190);
    expect(percentile(twenty, 99)).toBe(200);
    expect(percentile(twenty, 50)).toBe(100);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
    // Rank ⌈0.95 × 11⌉ = ⌈10.45⌉ = 11: rounding or interpolating would give about 10.
    expect(percentile(Array.from({ length: 11 }, (_, i) => i + 1), 95)).toBe(11);
  });

  test('sample sizes: a percentile needs N ≥ 100/(100−p); an error-rate bound needs N ≥ 3/bound', () => {
    expect([50, 90, 95, 99].map(minSamplesFor)).toEqual([2, 10, 20, 100]);
    expect(minSamplesForRate(0.001)).toBe(3000);
    expect(minSamplesForRate(0.01)).toBe(300);
  });
});

describe('runLoadCheck', () => {
  test('a healthy endpoint passes with N, concurrency, percentiles and error count in the evidence', async () => {
    const spec: LoadCheck = { request: 'GET /api/flights/?from=LHR&to=JFK', samples: 40, concurrency: 4, warmup: 2, expect: { status: 200, latency: { p95: { lt: '2s' } }, errorRate: { lt: '10%' } } };
    const result = await runLoadCheck(spec, contextFor(healthy));
    expect(result.outcome).toBe('pass');
    expect(result.summary).toMatch(/^p95 [\d.]+ms, 0 errors in 40 samples at concurrency 4$/);
    const facts = result.evidence.facts ?? {};
    expect(facts).toMatchObject({ samples: 40, responses: 40, concurrency: 4, warmup: 2, errors: 0, errorRate: '0%', statusCounts: '200: 40', bodyBytes: 40 * 11 });
    for (const stat of ['p50', 'p90', 'p95', 'p99', 'max', 'mean', 'throughput']) expect(typeof facts[stat]).toBe('number');
    expect(facts.p50 as number).toBeLessThanOrEqual(facts.p95 as number);
    expect(facts.p95 as number).toBeLessThanOrEqual(facts.max as number);
    expect(result.evidence.request).toBe(`GET ${healthy.url}/api/flights/?from=LHR&to=JFK`);
    expect(result.evidence.notes?.[0]).toContain('latency = request sent → last byte');
    expect(result.evidence.response?.status).toBe(200);
  });

  test('defaults: 100 samples after 5 warmup requests, one at a time', async () => {
    const result = await runLoadCheck({ request: 'GET /' }, contextFor(healthy));
    expect(result.outcome).toBe('pass');
    expect(result.evidence.facts).toMatchObject({ samples: 100, responses: 100, warmup: 5, concurrency: 1, errors: 0 });
  });

  test('500 on every 10th request: error count and rate, a plain fail against errorRate < 1% even at small N', async () => {
    calls = 0;
    const spec: LoadCheck = { request: 'GET /', samples: 50, concurrency: 5, warmup: 0, expect: { errorRate: { lt: '1%' } } };
    const result = await runLoadCheck(spec, contextFor(everyTenthFails));
    expect(result.outcome).toBe('fail');
    expect(result.evidence.facts).toMatchObject({ samples: 50, errors: 5, errorRate: '10%', statusCounts: '200: 45, 500: 5' });
    expect(result.summary).toBe('errorRate: expected < 1%, got 10% (5 of 50); 5 errors in 50 samples at concurrency 5');
    expect(result.evidence.notes?.some((note) => /^first failing sample \(#\d+ of 50\): status: expected 2xx, got 500$/.test(note))).toBe(true);
    expect(result.evidence.response).toMatchObject({ status: 500, body: 'boom' });
  });

  test('without errorRate, any failed sample fails the check', async () => {
    calls = 0;
    const result = await runLoadCheck({ request: 'GET /', samples: 10, warmup: 0, expect: { status: 200 } }, contextFor(everyTenthFails));
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^errors: expected 0 \(no errorRate set\), got 1 of 10 samples/);
  });

  test('a slow endpoint fails p95 < 20ms with the measured value', async () => {
    const spec: LoadCheck = { request: 'GET /', samples: 20, concurrency: 10, warmup: 0, expect: { latency: { p95: { lt: '20ms' } } } };
    const result = await runLoadCheck(spec, contextFor(slow));
    expect(result.outcome).toBe('fail');
    const p95 = result.evidence.facts?.p95 as number;
    expect(p95).toBeGreaterThanOrEqual(55);
    const assertion = result.evidence.assertions?.find((a) => a.subject === 'latency p95');
    expect(assertion).toMatchObject({ expected: '< 20ms', actual: `${p95}ms`, ok: false });
    expect(result.summary).toBe(`latency p95: expected < 20ms, got ${p95}ms; 0 errors in 20 samples at concurrency 10`);
  });

  test('concurrency above the shared client’s perHost (6) is really achieved, and warmup is not counted', async () => {
    counted.total = 0;
    counted.maxInFlight = 0;
    const spec: LoadCheck = { request: 'GET /', samples: 40, concurrency: 10, warmup: 3 };
    const result = await runLoadCheck(spec, contextFor(counting));
    expect(result.outcome).toBe('pass');
    expect(counted.maxInFlight).toBe(10);
    expect(counted.total).toBe(43);
    expect(result.evidence.facts).toMatchObject({ samples: 40, warmup: 3, concurrency: 10 });
  });

  test('every request refused: error "no data", never a pass', async () => {
    const closed = await startServer((_req, res) => res.end());
    await closed.close();
    const result = await runLoadCheck({ request: 'GET /', samples: 5, concurrency: 2, warmup: 1, expect: { latency: { p95: { lt: '1s' } } } }, contextFor(closed));
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe(`no data: none of the 5 samples got a response (connection refused by 127.0.0.1:${closed.port})`);
    expect(result.retryable).toBe(true);
    expect(result.evidence.facts).toMatchObject({ samples: 5, responses: 0, errors: 5, statusCounts: 'ECONNREFUSED: 5' });
  });

  test('p99 with N = 50 is not supported, and said plainly', async () => {
    const spec: LoadCheck = { request: 'GET /', samples: 50, concurrency: 5, warmup: 0, expect: { latency: { p95: { lt: '5s' }, p99: { lt: '5s' } } } };
    const result = await runLoadCheck(spec, contextFor(healthy));
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe('not enough samples to show latency p99 < 5s; 0 errors in 50 samples at concurrency 5');
    const p99 = result.evidence.assertions?.find((a) => a.subject === 'latency p99');
    expect(p99?.ok).toBe(false);
    expect(p99?.actual).toMatch(/^not supported by N=50 \(p99 needs ≥ 100; the largest of 50 was [\d.]+ms\)$/);
    expect(result.evidence.assertions?.find((a) => a.subject === 'latency p95')?.ok).toBe(true);
    expect(result.evidence.notes).toContain('p99 needs at least 100 samples with a response, this run has 50: with fewer, p99 is just the largest sample');
  });

  test('an unsupported assertion does not hide a real failure', async () => {
    const spec: LoadCheck = { request: 'GET /', samples: 10, concurrency: 5, warmup: 0, expect: { latency: { p50: { lt: '20ms' }, p99: { lt: '5s' } } } };
    const result = await runLoadCheck(spec, contextFor(slow));
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^latency p50: expected < 20ms, got [\d.]+ms;/);
  });

  test('errorRate < 0.1% with N = 200: rule of three, not a pass', async () => {
    const spec: LoadCheck = { request: 'GET /', samples: 200, concurrency: 10, warmup: 0, expect: { errorRate: { lt: '0.1%' } } };
    const result = await runLoadCheck(spec, contextFor(healthy));
    expect(result.outcome).toBe('error');
    expect(result.evidence.facts).toMatchObject({ samples: 200, errors: 0 });
    expect(result.evidence.notes?.some((note) => note.startsWith('errorRate < 0.1% needs ≥ 3000 samples; 200 samples can only show < 1.5%'))).toBe(true);
    expect(result.evidence.assertions).toEqual([{ subject: 'errorRate', expected: '< 0.1%', actual: '0% (0 of 200), not supported by N=200 (needs ≥ 3000)', ok: false }]);
  });

  test('an error-rate bound the sample can show is evaluated plainly', async () => {
    const result = await runLoadCheck({ request: 'GET /', samples: 60, concurrency: 3, warmup: 0, expect: { errorRate: { lt: '5%' } } }, contextFor(healthy));
    expect(result.outcome).toBe('pass');
    expect(result.evidence.assertions).toEqual([{ subject: 'errorRate', expected: '< 5%', actual: '0% (0 of 60)', ok: true }]);
  });

  test('an aborted signal stops the check promptly as an error', async () => {
    const controller = new AbortController();
    const running = runLoadCheck({ request: 'GET /', samples: 1000, concurrency: 2, warmup: 0 }, contextFor(slow, controller.signal));
    await wait(100);
    controller.abort(new Error('timed out after 100ms'));
    const result = await running;
    expect(result.outcome).toBe('error');
    expect(result.summary).toMatch(/^stopped after \d+ of 1000 samples: timed out after 100ms$/);
  });

  test('a per-sample header expectation that fails counts every sample as an error', async () => {
    const spec: LoadCheck = { request: 'GET /', samples: 5, warmup: 0, expect: { headers: { 'cache-control': { matches: 'max-age=\\d+' } }, errorRate: { lt: '50%' } } };
    const result = await runLoadCheck(spec, contextFor(healthy));
    expect(result.outcome).toBe('fail');
    expect(result.evidence.facts).toMatchObject({ errors: 5, errorRate: '100%' });
    expect(result.evidence.notes).toContain('first failing sample (#1 of 5): header cache-control: expected matching /max-age=\\d+/, got nothing');
    expect(result.evidence.response?.headers.some(([name]) => name.toLowerCase() === 'content-type')).toBe(true);
  });

  test('a request slower than its timeout is a transport error without latency', async () => {
    const hanging = await serve((_req, res) => {
      setTimeout(() => res.end('late'), 1000);
    });
    const result = await runLoadCheck({ request: { url: '/', timeout: '100ms' }, samples: 2, concurrency: 2, warmup: 0 }, contextFor(hanging));
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe(`no data: none of the 2 samples got a response (no response from 127.0.0.1:${hanging.port} within 100ms)`);
    expect(result.evidence.facts).toMatchObject({ samples: 2, responses: 0, errors: 2, statusCounts: 'TIMEOUT: 2' });
  });

  test('its own connections trust the target CA (context.ca), and only that', async () => {
    const ca = await createCa();
    const secure = await serve((_req, res) => res.end('ok'), { tls: await localhostCert(ca) });
    const trusted = await runLoadCheck({ request: 'GET /', samples: 4, concurrency: 2, warmup: 1 }, { ...contextFor(secure), ca: ca.cert });
    expect(trusted.outcome).toBe('pass');
    const untrusted = await runLoadCheck({ request: 'GET /', samples: 4, concurrency: 2, warmup: 0 }, contextFor(secure));
    expect(untrusted.outcome).toBe('error');
    expect(untrusted.summary).toMatch(/^no data: none of the 4 samples got a response \(TLS to 127\.0\.0\.1:\d+: certificate incomplete chain or untrusted CA/);
  });

  test('every sample carries the target headers (staging keys) and the user agent', async () => {
    const seen: (string | string[] | undefined)[][] = [];
    const server = await serve((req, res) => {
      seen.push([req.headers['x-staging-key'], req.headers['user-agent']]);
      res.end('ok');
    });
    const http = new HttpClient({ perHost: 6, target: { host: '127.0.0.1', headers: { 'X-Staging-Key': 'k-123' } } });
    clients.push(http);
    const result = await runLoadCheck({ request: 'GET /', samples: 5, concurrency: 2, warmup: 1 }, { ...contextFor(server), http });
    expect(result.outcome).toBe('pass');
    expect(seen).toHaveLength(6);
    expect(seen.every(([key, agent]) => key === 'k-123' && String(agent).startsWith('readiness-gate'))).toBe(true);
  });

  test('samples are judged on 2xx by default: all redirects is an error naming the status mix and the URL to set', async () => {
    const moved = await serve((_req, res) => {
      res.writeHead(301, { location: '/final/' });
      res.end();
    });
    const result = await runLoadCheck({ request: 'GET /', samples: 30, concurrency: 3, warmup: 1, expect: { latency: { p95: { lt: '5s' } } } }, contextFor(moved));
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe('all 30 samples answered 301 (it redirects to /final/); point it at the final URL');
    expect(result.evidence.facts).toMatchObject({ samples: 30, responses: 30, errors: 30, statusCounts: '301: 30' });
  });

  test('some redirects among 2xx samples are errors of the rate; an explicit 3xx status is judged as written', async () => {
    let served = 0;
    const sometimes = await serve((_req, res) => {
      served++;
      res.writeHead(served % 4 === 0 ? 302 : 200, { location: '/elsewhere' });
      res.end('ok');
    });
    const mixed = await runLoadCheck({ request: 'GET /', samples: 20, warmup: 0 }, contextFor(sometimes));
    expect(mixed.outcome).toBe('fail');
    expect(mixed.evidence.facts).toMatchObject({ errors: 5, statusCounts: '200: 15, 302: 5' });
    expect(mixed.evidence.notes).toContain('first failing sample (#4 of 20): status: expected 2xx, got 302');

    const moved = await serve((_req, res) => {
      res.writeHead(301, { location: '/final/' });
      res.end();
    });
    const asWritten = await runLoadCheck({ request: 'GET /', samples: 10, warmup: 0, expect: { status: 301 } }, contextFor(moved));
    expect(asWritten.outcome).toBe('pass');
  });

  test('percentiles keep microseconds', async () => {
    const result = await runLoadCheck({ request: 'GET /', samples: 40, concurrency: 2, warmup: 2 }, contextFor(healthy));
    const facts = result.evidence.facts ?? {};
    const values = ['p50', 'p90', 'p95', 'p99', 'max', 'mean'].map((stat) => facts[stat] as number);
    expect(values.every((value) => Number.isFinite(value) && Math.abs(value * 1000 - Math.round(value * 1000)) < 1e-6)).toBe(true);
    // Loopback answers in well under a millisecond at times; 0.1 ms rounding would make most of these multiples of 0.1.
    expect(values.some((value) => Math.abs(value * 10 - Math.round(value * 10)) > 1e-6)).toBe(true);
  });

  test('a path without a staging URL is an error before anything is sent', async () => {
    const context = contextFor(healthy);
    delete context.baseUrl;
    const result = await runLoadCheck({ request: 'GET /x' }, context);
    expect(result.outcome).toBe('error');
    expect(result.summary).toContain('no staging URL');
  });
});
