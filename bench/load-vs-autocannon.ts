// Is the load check an honest instrument? Drives one local endpoint with autocannon and
// with runLoadCheck at the same concurrency and sample count, several rounds in
// alternating order, and prints throughput and p95 of each and the ratios ours/autocannon.
// The design target: they agree within a few percent.
//
//   npx node bench/load-vs-autocannon.ts [--samples 5000] [--concurrency 10] [--delay 2] [--rounds 8]
//
// The server runs in a worker thread, so neither client shares an event loop with it.
// Both are measured the same way from outside: throughput = responses / (last response −
// start); p95 = nearest rank over every response time. For autocannon that is its own
// per-response time (its 'response' event, request written → response complete), not its
// summary: the summary's latencies are an integer-millisecond histogram without p95, and
// its req/s is averaged over whole 1 s ticks, which `amount` runs end partway through.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { HttpClient } from '../src/http/client.ts';
import { Redactor } from '../src/util/redact.ts';
import { percentile, runLoadCheck } from '../src/checks/load.ts';
import type { CheckContext } from '../src/checks/context.ts';
import { startServer } from '../test-support/servers.ts';

// The few parts of autocannon's API used here (@types/autocannon is not installed).
interface AutocannonOptions {
  url: string;
  connections: number;
  pipelining: number;
  amount: number;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): this;
}
type Autocannon = (options: AutocannonOptions) => AutocannonInstance;

const PATH = '/api/flights/?from=LHR&to=JFK';
const BODY = JSON.stringify({ count: 2, results: [{ flight: 'BA117', price: 420 }, { flight: 'VS3', price: 399 }] });

interface Measurement {
  responses: number;
  errors: number;
  throughput: number;
  p95: number;
}

if (!isMainThread) {
  // The endpoint: a small JSON body after a short delay, like a quick database read.
  const { delayMs } = workerData as { delayMs: number };
  const server = await startServer((_req, res) => {
    const reply = () => {
      res.setHeader('content-type', 'application/json');
      res.end(BODY);
    };
    if (delayMs > 0) setTimeout(reply, delayMs);
    else reply();
  });
  parentPort?.postMessage(server.url);
} else {
  await main();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '10' },
      delay: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '8' },
    },
  });
  const samples = Number(values.samples);
  const concurrency = Number(values.concurrency);
  const delayMs = Number(values.delay);
  const rounds = Number(values.rounds);
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

  const worker = new Worker(new URL(import.meta.url), { workerData: { delayMs } });
  const base = await new Promise<string>((resolve, reject) => {
    worker.once('message', (url: string) => resolve(url));
    worker.once('error', reject);
  });
  const url = `${base}${PATH}`;
  const http = new HttpClient({ perHost: 6 });
  const redactor = new Redactor();
  const context: CheckContext = {
    http,
    scope: { env: {}, git: {}, redactor },
    redactor,
    signal: new AbortController().signal,
    requestTimeoutMs: 10_000,
    baseUrl: new URL(base),
    workspace: process.cwd(),
    commandsAllowed: { allowed: true },
  };

  const ours = async (): Promise<Measurement> => {
    // warmup 0: autocannon has none either, so both open their connections inside the window.
    const result = await runLoadCheck({ request: `GET ${PATH}`, samples, concurrency, warmup: 0 }, context);
    const facts = result.evidence.facts ?? {};
    if (typeof facts.p95 !== 'number') throw new Error(`the load check measured nothing: ${result.summary}`);
    return { responses: facts.responses as number, errors: facts.errors as number, throughput: facts.throughput as number, p95: facts.p95 };
  };

  const theirs = async (): Promise<Measurement> => {
    const times: number[] = [];
    let last = 0;
    const started = performance.now();
    const instance = autocannon({ url, connections: concurrency, pipelining: 1, amount: samples });
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
      times.push(responseTimeMs);
      last = performance.now();
    });
    const result = await instance;
    times.sort((a, b) => a - b);
    return {
      responses: times.length,
      errors: result.errors + result.timeouts + result.non2xx,
      throughput: (times.length / (last - started)) * 1000,
      p95: percentile(times, 95),
    };
  };

  console.log(`endpoint GET ${PATH} (${BODY.length}-byte JSON after ${delayMs}ms), ${samples} samples at concurrency ${concurrency}, ${rounds} rounds`);
  // One unrecorded run of each first: JIT and the server's first connections.
  await ours();
  await theirs();

  const rows: string[][] = [['round', 'first', 'ours req/s', 'autocannon req/s', 'ratio', 'ours p95 ms', 'autocannon p95 ms', 'ratio']];
  const throughputRatios: number[] = [];
  const p95Ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const oursFirst = round % 2 === 1;
    const a = oursFirst ? await ours() : await theirs();
    const b = oursFirst ? await theirs() : await ours();
    const [mine, other] = oursFirst ? [a, b] : [b, a];
    for (const [name, m] of [['ours', mine], ['autocannon', other]] as const) {
      if (m.errors > 0 || m.responses !== samples) throw new Error(`${name}: ${m.errors} errors, ${m.responses} of ${samples} responses; the comparison would mean nothing`);
    }
    throughputRatios.push(mine.throughput / other.throughput);
    p95Ratios.push(mine.p95 / other.p95);
    rows.push([String(round), oursFirst ? 'ours' : 'autocannon', fixed(mine.throughput, 0), fixed(other.throughput, 0), fixed(mine.throughput / other.throughput, 3), fixed(mine.p95, 2), fixed(other.p95, 2), fixed(mine.p95 / other.p95, 3)]);
  }
  rows.push(['median', '', '', '', fixed(median(throughputRatios), 3), '', '', fixed(median(p95Ratios), 3)]);
  printTable(rows);

  await http.close();
  await worker.terminate();
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function printTable(rows: string[][]): void {
  const widths = (rows[0] as string[]).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column] as number)).join('  '));
}
