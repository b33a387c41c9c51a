// Is the load check as fast and as light as the tools it replaces? Serves a static file
// with nginx (Debian), then at each concurrency drives it with runLoadCheck, autocannon
// (in this process, like ours) and wrk (its own process), in alternating order, and
// prints throughput ratios (goals: ours/autocannon ≥ 1.0, ours/wrk ≥ 0.5) and client CPU
// per request (goal: ours/autocannon ≤ 1.0), medians over rounds. Nothing here is a pass
// or fail; run it on an otherwise quiet machine.
//
//   npx node bench/load-vs-autocannon.ts [--samples 20000] [--concurrency 1,4,16,64] [--rounds 5] [--seconds 3]
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { HttpClient } from '../src/http/client.ts';
import { runLoadCheck } from '../src/checks/load.ts';
import { checkContext } from '../test-support/check-context.ts';

// The few parts of autocannon's API used here (@types/autocannon is not installed).
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
}
type Autocannon = (options: { url: string; connections: number; pipelining: number; amount: number }) => PromiseLike<AutocannonResult>;

interface Measurement {
  responses: number;
  errors: number;
  /** Responses per second of wall time. */
  throughput: number;
  /** Client CPU (user + system) per response, µs. */
  cpuUs: number;
}

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '1,4,16,64' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
  },
});
const samples = Number(values.samples);
const levels = values.concurrency.split(',').map(Number);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const nginx = await startNginx();
const url = `${nginx.url}/index.html`;
const http = new HttpClient({ perHost: 6 });
const context = checkContext({ http, baseUrl: nginx.url, requestTimeoutMs: 10_000 });

async function measure(run: () => Promise<{ responses: number; errors: number }>): Promise<Measurement> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { responses, errors } = await run();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { responses, errors, throughput: (responses / wall) * 1000, cpuUs: (used.user + used.system) / responses };
}

const ours = (concurrency: number) =>
  measure(async () => {
    // warmup 0: autocannon has none either, so both open their connections inside the window.
    const result = await runLoadCheck({ request: 'GET /index.html', samples, concurrency, warmup: 0 }, context);
    const facts = result.evidence.facts ?? {};
    if (typeof facts.responses !== 'number' || result.outcome !== 'pass') throw new Error(`the load check did not pass: ${result.summary}`);
    return { responses: facts.responses, errors: facts.errors as number };
  });

const theirs = (concurrency: number) =>
  measure(async () => {
    const result = await autocannon({ url, connections: concurrency, pipelining: 1, amount: samples });
    return { responses: result.requests.total, errors: result.errors + result.timeouts + result.non2xx };
  });

/** wrk's own requests/s over `seconds` (one thread: the machine has few cores). */
async function wrk(concurrency: number): Promise<number> {
  const { stdout } = await promisify(execFile)('wrk', ['-t1', `-c${concurrency}`, `-d${seconds}s`, url]);
  const match = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!match) throw new Error(`wrk printed no Requests/sec:\n${stdout}`);
  if (/Non-2xx|Socket errors/.test(stdout)) throw new Error(`wrk saw errors:\n${stdout}`);
  return Number(match[1]);
}

console.log(`nginx static file, ${samples} samples per run, ${rounds} rounds, Node ${process.version}; medians`);
const rows: string[][] = [['c', 'ours req/s', 'autocannon', 'wrk', 'ours/ac (≥1.0)', 'ours/wrk (≥0.5)', 'ours µs CPU/req', 'ac µs CPU/req', 'CPU ours/ac (≤1.0)']];
try {
  for (const concurrency of levels) {
    await ours(concurrency); // JIT and connections, unrecorded
    await theirs(concurrency);
    const mine: Measurement[] = [];
    const other: Measurement[] = [];
    const wrks: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [ours, theirs] : [theirs, ours];
      for (const run of order) {
        const m = await run(concurrency);
        if (m.errors > 0 || m.responses !== samples) throw new Error(`${run === ours ? 'ours' : 'autocannon'}: ${m.errors} errors, ${m.responses} of ${samples} responses`);
        (run === ours ? mine : other).push(m);
      }
      wrks.push(await wrk(concurrency));
    }
    const t = median(mine.map((m) => m.throughput));
    const a = median(other.map((m) => m.throughput));
    const w = median(wrks);
    const cm = median(mine.map((m) => m.cpuUs));
    const ca = median(other.map((m) => m.cpuUs));
    rows.push([String(concurrency), t.toFixed(0), a.toFixed(0), w.toFixed(0), (t / a).toFixed(2), (t / w).toFixed(2), cm.toFixed(1), ca.toFixed(1), (cm / ca).toFixed(2)]);
  }
} finally {
  await http.close();
  await nginx.stop();
}
printTable(rows);

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function printTable(table: string[][]): void {
  const widths = (table[0] as string[]).map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  for (const row of table) console.log(row.map((cell, column) => cell.padStart(widths[column] as number)).join('  '));
}

/** nginx on a free loopback port serving one small HTML file, one worker, keep-alive unlimited. */
async function startNginx(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'readiness-nginx-'));
  // nginx's workers drop root for nobody, who must be able to read the file.
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'www'));
  await writeFile(join(dir, 'www/index.html'), `<!doctype html><title>Skyway</title>${'<p>Flights from LHR to JFK.</p>'.repeat(20)}\n`);
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  await writeFile(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  server { listen 127.0.0.1:${port}; root ${dir}/www; }
}
`,
  );
  const child = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/index.html`);
      await response.text();
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGQUIT');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
