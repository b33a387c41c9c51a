// Start-up and bundle size, each printed as a ratio against its goal (issue 13):
// - `node dist/cli.js --version` against a bare `node -e 0`            (goal ≤ 1.5)
// - spawn → first request at staging of `dist/cli.js run` against a bare
//   `node -e "fetch(url)"`, the floor any Node tool pays                 (goal ≤ 1.3)
// - dist/index.js against 1.5 MB, dist/cli.js against 1.2 MB            (goal ≤ 1.0):
//   the entry file, and the entry with every chunk it can import
// The CLI keeps compiled chunks in Node's compile cache; both are measured: a warm cache (a
// developer's second run) and none (NODE_DISABLE_COMPILE_CACHE, a fresh CI runner).
// Runs are interleaved and reported as medians; nothing here is a pass or fail.
//
//   npx node bench/cold-start.ts [--rounds 21]
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../test-support/servers.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '21' } } });
const rounds = Number(values.rounds);

let firstRequest: (() => void) | undefined;
const server = await startServer((_req, res) => {
  firstRequest?.();
  firstRequest = undefined;
  res.end('ok');
});
const dir = await mkdtemp(join(tmpdir(), 'readiness-bench-'));
const manifest = join(dir, 'readiness.yml');
await writeFile(manifest, 'version: 1\nsections:\n  - title: A\n    items:\n      - title: Home\n        http: { request: GET /, expect: { status: 200 } }\n');

/** Milliseconds from spawn to exit. */
async function timeToExit(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore', env });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

/** Milliseconds from spawn to the first request the server sees. */
async function timeToFirstRequest(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const arrived = new Promise<number>((resolve) => (firstRequest = () => resolve(performance.now())));
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore', env });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const at = await arrived;
  await exited;
  return at - started;
}

const times = { version: [] as number[], versionCold: [] as number[], empty: [] as number[], ours: [] as number[], oursCold: [] as number[], fetch: [] as number[] };
const run = ['dist/cli.js', 'run', '--manifest', manifest, '--url', server.url, '--format', 'json'];
const noCache = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };
// One unrecorded round: the OS file cache and the compile cache.
await timeToExit(['dist/cli.js', '--version']);
await timeToFirstRequest(run);
for (let round = 0; round < rounds; round++) {
  times.version.push(await timeToExit(['dist/cli.js', '--version']));
  times.versionCold.push(await timeToExit(['dist/cli.js', '--version'], noCache));
  times.empty.push(await timeToExit(['-e', '0']));
  times.ours.push(await timeToFirstRequest(run));
  times.oursCold.push(await timeToFirstRequest(run, noCache));
  times.fetch.push(await timeToFirstRequest(['-e', `fetch(${JSON.stringify(server.url)}).then((r) => r.text())`]));
}
await server.close();
await rm(dir, { recursive: true, force: true });

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
const bytes = async (file: string) => (await stat(file)).size;
const row = (label: string, value: string, ratio: number, goal: number) =>
  console.log(`  ${label.padEnd(44)}${value.padStart(10)}   ratio ${ratio.toFixed(2)} (goal ≤ ${goal})${ratio <= goal ? '' : '  ← over'}`);

console.log(`medians of ${rounds} interleaved rounds, Node ${process.version}:`);
row('node dist/cli.js --version / node -e 0', `${median(times.version).toFixed(0)} ms`, median(times.version) / median(times.empty), 1.5);
row('  the same without the compile cache', `${median(times.versionCold).toFixed(0)} ms`, median(times.versionCold) / median(times.empty), 1.5);
console.log(`  ${'node -e 0'.padEnd(44)}${`${median(times.empty).toFixed(0)} ms`.padStart(10)}`);
row('spawn → first request: cli run / node fetch', `${median(times.ours).toFixed(0)} ms`, median(times.ours) / median(times.fetch), 1.3);
row('  the same without the compile cache', `${median(times.oursCold).toFixed(0)} ms`, median(times.oursCold) / median(times.fetch), 1.3);
console.log(`  ${'spawn → first request: node -e fetch(url)'.padEnd(44)}${`${median(times.fetch).toFixed(0)} ms`.padStart(10)}`);
const files = await readdir('dist');
const LAZY_PACKAGES = ['re2js.cjs', 'json-p3.cjs'];
for (const name of LAZY_PACKAGES) if (!files.includes(name)) throw new Error(`dist/${name} is missing: the build's LAZY_PACKAGES changed, and so must this list`);
for (const [entry, limit] of [['index.js', 1.5e6], ['cli.js', 1.2e6]] as const) {
  const size = await bytes(`dist/${entry}`);
  let all = size;
  // Chunks, and the packages required on first use (re2js.cjs, json-p3.cjs), which both entries share.
  for (const chunk of files.filter((name) => name.endsWith(`.${entry}`) || LAZY_PACKAGES.includes(name))) all += await bytes(`dist/${chunk}`);
  row(`dist/${entry} / ${limit / 1e6} MB`, `${(size / 1e6).toFixed(2)} MB`, size / limit, 1);
  row(`  with every chunk it can load`, `${(all / 1e6).toFixed(2)} MB`, all / limit, 1);
}
// Beside both entries, read only where WebAssembly SIMD is off (riscv64, UNDICI_NO_WASM_SIMD=1, Jest).
const fallback = await bytes('dist/llhttp-wasm.cjs');
console.log(`  ${'  and undici\'s non-SIMD parser, for either'.padEnd(44)}${`${(fallback / 1e6).toFixed(2)} MB`.padStart(10)}   (read only where WebAssembly SIMD is off)`);
