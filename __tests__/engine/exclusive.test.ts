// Measuring items run alone against their host: counted by the server itself, through
// the whole pipeline, with checks that would otherwise overlap.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runReadiness } from '../../src/pipeline.ts';
import { allItems } from '../../src/report/model.ts';
import { runItems } from '../../src/engine/run.ts';
import type { PlanItem } from '../../src/plan/plan.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { planItem } from '../../test-support/plan-item.ts';

let staging: RunningServer;
/** Requests in flight now, by kind, and what each kind saw of the other when it arrived. */
const inFlight = { load: 0, other: 0 };
const seen = { otherDuringLoad: 0, loadDuringOther: 0, maxOther: 0, loadRequests: 0 };

beforeAll(async () => {
  staging = await startServer((req, res) => {
    const kind = req.url?.startsWith('/measure') ? 'load' : 'other';
    inFlight[kind]++;
    if (kind === 'load') {
      seen.loadRequests++;
      seen.otherDuringLoad = Math.max(seen.otherDuringLoad, inFlight.other);
    } else {
      seen.loadDuringOther = Math.max(seen.loadDuringOther, inFlight.load);
      seen.maxOther = Math.max(seen.maxOther, inFlight.other);
    }
    res.on('close', () => inFlight[kind]--);
    setTimeout(() => res.end('ok'), kind === 'load' ? 2 : 40);
  });
});

afterAll(async () => {
  await staging.close();
});

describe('measuring items and the rest of the run', () => {
  test('a load item and performance-slo never share their host with another request in flight', async () => {
    const http = (index: number) => `      - title: Page ${index}\n        http: { request: "GET /page/${index}", expect: { status: 200 } }\n`;
    const manifest = [
      'version: 1',
      'limits: { concurrency: 8 }',
      'sections:',
      '  - title: Mixed',
      '    items:',
      http(1) + http(2) + http(3),
      '      - title: Measured',
      '        load: { request: GET /measure/a, samples: 40, concurrency: 4, warmup: 2, expect: { latency: { p95: { lt: 5s } } } }',
      http(4) + http(5) + http(6),
      '      - title: SLO',
      '        uses: performance-slo',
      '        with: { path: /measure/b, samples: 40, concurrency: 4, warmup: 2, p95: 5s, errorRate: 10% }',
      http(7) + http(8),
    ].join('\n');
    const outcome = await runReadiness({ manifestText: manifest, manifestFile: 'r.yml', url: staging.url, env: {}, git: {}, workspace: process.cwd() });
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(allItems(outcome.report).map((item) => [item.title, item.outcome])).toEqual([
      ['Page 1', 'pass'], ['Page 2', 'pass'], ['Page 3', 'pass'], ['Measured', 'pass'], ['Page 4', 'pass'],
      ['Page 5', 'pass'], ['Page 6', 'pass'], ['SLO', 'pass'], ['Page 7', 'pass'], ['Page 8', 'pass'],
    ]);
    expect(seen.loadRequests).toBe(84);
    // The others did run side by side (so the run could have overlapped), but never with a measurement.
    expect(seen.maxOther).toBeGreaterThan(1);
    expect(seen).toMatchObject({ otherDuringLoad: 0, loadDuringOther: 0 });
    expect(outcome.plan.items.map((item) => [item.title, item.exclusive, item.hosts])).toContainEqual(['Measured', true, ['127.0.0.1']]);
  });
});

describe('runItems with hosts', () => {
  const item = (id: string, hosts: string[], exclusive = false): PlanItem => planItem(id, { timeoutMs: 5000, hosts, exclusive });

  test('an exclusive item waits for its host to drain and holds others back; other hosts and hostless items go on', async () => {
    const running = new Set<string>();
    const overlaps: string[][] = [];
    const items = [item('a1', ['a']), item('a2', ['a']), item('measure', ['a'], true), item('a3', ['a']), item('b1', ['b']), item('none', [])];
    await runItems(
      items,
      async (current) => {
        running.add(current.id);
        overlaps.push([current.id, ...[...running].filter((id) => id !== current.id).sort()]);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running.delete(current.id);
        return { outcome: 'pass', summary: 'ok', evidence: {} };
      },
      { concurrency: 6, deadlineMs: 5000 },
    );
    const at = (id: string) => overlaps.find(([first]) => first === id)?.slice(1) ?? [];
    expect(at('measure').filter((id) => id.startsWith('a'))).toEqual([]);
    expect(at('a3')).not.toContain('measure');
    // b1 and the hostless item are not held back by a's measurement.
    expect(overlaps.some(([first, ...others]) => (first === 'b1' || first === 'none') && others.includes('measure')) || at('measure').some((id) => id === 'b1' || id === 'none')).toBe(true);
  });

  test('an item waiting for its host does not hold a slot: items on other hosts behind it start first', async () => {
    const started: string[] = [];
    const ended: string[] = [];
    // Two slots: the first runs on a, the measurement must wait for a, and b's items must not wait with it.
    const items = [item('a-slow', ['a']), item('measure', ['a'], true), item('a2', ['a']), item('b1', ['b']), item('b2', ['b']), item('b3', ['b'])];
    await runItems(
      items,
      async (current) => {
        started.push(current.id);
        await new Promise((resolve) => setTimeout(resolve, current.id === 'a-slow' ? 120 : 10));
        ended.push(current.id);
        return { outcome: 'pass', summary: 'ok', evidence: {} };
      },
      { concurrency: 2, deadlineMs: 5000 },
    );
    // b's items ran while a-slow held a; the measurement started when a drained, before a2
    // (queued behind it), and a2 never overlapped it.
    expect(started.slice(0, 4)).toEqual(['a-slow', 'b1', 'b2', 'b3']);
    expect(started.indexOf('measure')).toBeLessThan(started.indexOf('a2'));
    expect(ended.indexOf('measure')).toBeLessThan(started.indexOf('a2'));
    expect([...started].sort()).toEqual(['a-slow', 'a2', 'b1', 'b2', 'b3', 'measure']);
  });

  test('measurements on one host run one after another, in order, with nothing else there', async () => {
    const running = new Set<string>();
    const log: string[] = [];
    const items = [item('m1', ['a'], true), item('s1', ['a']), item('m2', ['a'], true), item('s2', ['a']), item('elsewhere', ['b'])];
    await runItems(
      items,
      async (current) => {
        if (current.exclusive && [...running].some((id) => id !== 'elsewhere')) log.push(`overlap ${current.id}`);
        if (current.id.startsWith('s') && [...running].some((id) => id.startsWith('m'))) log.push(`overlap ${current.id}`);
        running.add(current.id);
        log.push(current.id);
        await new Promise((resolve) => setTimeout(resolve, 15));
        running.delete(current.id);
        return { outcome: 'pass', summary: 'ok', evidence: {} };
      },
      { concurrency: 4, deadlineMs: 5000 },
    );
    expect(log.filter((entry) => entry.startsWith('overlap'))).toEqual([]);
    expect(log.filter((entry) => entry !== 'elsewhere')).toEqual(['m1', 's1', 'm2', 's2']);
  });
});
