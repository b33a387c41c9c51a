// Two items of a run that ask for the same measurement share it: staging is loaded once,
// and each item judges the samples with its own bounds. Anything that changes what is sent
// or how each sample is checked is a measurement of its own. Counted by the server itself.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { runReadiness } from '../../src/pipeline.ts';
import { allItems } from '../../src/report/model.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

let staging: RunningServer;
const hits = new Map<string, number>();

beforeAll(async () => {
  staging = await startServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.end('ok');
  });
});

beforeEach(() => hits.clear());

afterAll(async () => {
  await staging.close();
});

async function run(items: string): Promise<Record<string, { outcome: string; summary: string; notes: string[] }>> {
  const manifest = `version: 1\nsections:\n  - title: Performance\n    items:\n${items}`;
  const outcome = await runReadiness({ manifestText: manifest, manifestFile: 'r.yml', url: staging.url, env: {}, git: {}, workspace: process.cwd() });
  if (outcome.status !== 'done') throw new Error(outcome.status);
  return Object.fromEntries(allItems(outcome.report).map((item) => [item.title, { outcome: item.outcome, summary: item.summary, notes: item.evidence.notes ?? [] }]));
}

const SHARED = /judged again, not measured twice/;

describe('one measurement for the items that ask for the same one', () => {
  test('a load item and performance-slo with the same requests and load: staging sees one measurement; each item its own bounds', async () => {
    const items = await run(
      [
        '      - title: Benchmarks met',
        '        uses: performance-slo',
        '        with: { path: /page, samples: 300, concurrency: 3, errorRate: 1%, p95: 5s }',
        '      - title: Error rate',
        '        load: { request: GET /page, samples: 300, concurrency: 3, warmup: 5, expect: { errorRate: { lt: 1% } } }',
        '      - title: Fast enough',
        '        load: { request: GET /page, samples: 300, concurrency: 3, warmup: 5, expect: { latency: { p95: { lt: 1ms } } } }',
      ].join('\n') + '\n',
    );
    // 5 warmup requests and 300 samples, once.
    expect(hits.get('/page')).toBe(305);
    expect(items['Benchmarks met']).toMatchObject({ outcome: 'pass' });
    expect(items['Error rate']).toMatchObject({ outcome: 'pass' });
    expect(items['Benchmarks met']?.notes.some((note) => SHARED.test(note))).toBe(false);
    expect(items['Error rate']?.notes.some((note) => SHARED.test(note))).toBe(true);
    // Judged on the same samples with its own bound (a 1ms p95 on loopback may pass or fail;
    // either way it comes from the shared samples).
    expect(items['Fast enough']?.notes.some((note) => SHARED.test(note))).toBe(true);
    expect(items['Fast enough']?.summary).toMatch(/p95/);
  });

  test('a different load, request or per-sample check is a measurement of its own', async () => {
    const items = await run(
      [
        '      - title: Base',
        '        load: { request: GET /a, samples: 50, concurrency: 2, warmup: 0 }',
        '      - title: More concurrency',
        '        load: { request: GET /a, samples: 50, concurrency: 3, warmup: 0 }',
        '      - title: Other path',
        '        load: { request: GET /b, samples: 50, concurrency: 2, warmup: 0 }',
        '      - title: Checks the body',
        '        load: { request: GET /a, samples: 50, concurrency: 2, warmup: 0, expect: { body: { contains: ok } } }',
        '      - title: Same as base',
        '        load: { request: GET /a, samples: 50, concurrency: 2, warmup: 0, expect: { errorRate: { lt: 10% } } }',
      ].join('\n') + '\n',
    );
    expect(Object.fromEntries(hits)).toEqual({ '/a': 150, '/b': 50 });
    const shared = Object.entries(items)
      .filter(([, item]) => item.notes.some((note) => SHARED.test(note)))
      .map(([title]) => title);
    expect(shared).toEqual(['Same as base']);
    for (const item of Object.values(items)) expect(item.outcome).toBe('pass');
  });

  test('a measurement that got no response is not shared: the next item measures again', async () => {
    const closed = await startServer(() => {});
    const url = closed.url;
    await closed.close();
    const manifest = [
      'version: 1',
      'sections:',
      '  - title: Down',
      '    items:',
      `      - title: First`,
      `        load: { request: "GET ${url}/x", samples: 5, concurrency: 1, warmup: 0 }`,
      `      - title: Second`,
      `        load: { request: "GET ${url}/x", samples: 5, concurrency: 1, warmup: 0 }`,
    ].join('\n');
    const outcome = await runReadiness({ manifestText: manifest, manifestFile: 'r.yml', url, env: {}, git: {}, workspace: process.cwd() });
    if (outcome.status !== 'done') throw new Error(outcome.status);
    const [first, second] = allItems(outcome.report);
    expect(first?.outcome).toBe('error');
    expect(second?.outcome).toBe('error');
    expect(second?.evidence.notes?.some((note) => SHARED.test(note)) ?? false).toBe(false);
    expect(second?.summary).toMatch(/no data/);
  });
});
