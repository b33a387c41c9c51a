// Is a whole run about as long as its slowest check, not the sum of them? Runs a manifest
// of 24 HTTP items whose endpoints answer after different delays (one slow one), through
// the real pipeline, and compares the wall time with its peers measured in the same
// script: the slowest single item run alone, and the sum of every item run alone.
//
//   npx node bench/run-concurrency.ts [--items 24] [--slow 400] [--rounds 5]
import { parseArgs } from 'node:util';
import { runReadiness } from '../src/pipeline.ts';
import { startServer } from '../test-support/servers.ts';

const { values } = parseArgs({ options: { items: { type: 'string', default: '24' }, slow: { type: 'string', default: '400' }, rounds: { type: 'string', default: '5' } } });
const items = Number(values.items);
const slowMs = Number(values.slow);
const rounds = Number(values.rounds);

// Item i answers after 20 + 10·(i mod 8) ms; item 0 is the slow one.
const delayOf = (index: number) => (index === 0 ? slowMs : 20 + 10 * (index % 8));
const server = await startServer((req, res) => {
  const index = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('i'));
  setTimeout(() => res.end('ok'), delayOf(index));
});

function manifest(indexes: number[]): string {
  const lines = indexes.map((index) => `      - title: Item ${index}\n        http: { request: "GET /?i=${index}", expect: { status: 200 } }\n`);
  // Concurrency high enough for every item; per-host connections are the client's default limit.
  return `version: 1\nlimits: { concurrency: ${indexes.length} }\nsections:\n  - title: Bench\n    items:\n${lines.join('')}`;
}

async function wallTime(indexes: number[]): Promise<number> {
  const started = performance.now();
  const outcome = await runReadiness({ manifestText: manifest(indexes), manifestFile: 'bench.yml', url: server.url, env: {}, git: {}, workspace: process.cwd() });
  if (outcome.status !== 'done' || !outcome.report.verdict.ready) throw new Error('the bench run did not pass');
  return performance.now() - started;
}

const all = Array.from({ length: items }, (_, index) => index);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const whole: number[] = [];
const slowest: number[] = [];
const sum: number[] = [];
await wallTime(all); // warm up connections and code
for (let round = 0; round < rounds; round++) {
  whole.push(await wallTime(all));
  slowest.push(await wallTime([0]));
  let total = 0;
  for (const index of all) total += await wallTime([index]);
  sum.push(total);
}
await server.close();

const w = median(whole);
const s = median(slowest);
const t = median(sum);
console.log(`${items} items (delays 20–90ms, one of ${slowMs}ms), ${rounds} rounds, medians:`);
console.log(`  whole run           ${w.toFixed(0).padStart(6)} ms`);
console.log(`  slowest item alone  ${s.toFixed(0).padStart(6)} ms   whole/slowest = ${(w / s).toFixed(2)}  (target ≈ 1)`);
console.log(`  sum of items alone  ${t.toFixed(0).padStart(6)} ms   whole/sum     = ${(w / t).toFixed(2)}`);
