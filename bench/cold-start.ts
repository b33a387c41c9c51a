// Start-up and bundle size, each printed as a ratio against its goal (issue 13):
// - `node dist/cli.js --version` against a bare `node -e 0`            (goal ≤ 1.5)
// - spawn → first request at staging of `dist/cli.js run` against a bare
//   `node -e "fetch(url)"`, the floor any Node tool pays                 (goal ≤ 1.3)
// - dist/index.js against 1.5 MB, dist/cli.js against 1.2 MB            (goal ≤ 1.0)
// Runs are interleaved and reported as medians; nothing here is a pass or fail.
//
//   npx node bench/cold-start.ts [--rounds 21]
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
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
async function timeToExit(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

/** Milliseconds from spawn to the first request the server sees. */
async function timeToFirstRequest(args: string[]): Promise<number> {
  const arrived = new Promise<number>((resolve) => (firstRequest = () => resolve(performance.now())));
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const at = await arrived;
  await exited;
  return at - started;
}

const times = { version: [] as number[], empty: [] as number[], ours: [] as number[], fetch: [] as number[] };
// One unrecorded round: the OS file cache.
await timeToExit(['dist/cli.js', '--version']);
for (let round = 0; round < rounds; round++) {
  times.version.push(await timeToExit(['dist/cli.js', '--version']));
  times.empty.push(await timeToExit(['-e', '0']));
  times.ours.push(await timeToFirstRequest(['dist/cli.js', 'run', '--manifest', manifest, '--url', server.url, '--format', 'json']));
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
console.log(`  ${'node -e 0'.padEnd(44)}${`${median(times.empty).toFixed(0)} ms`.padStart(10)}`);
row('spawn → first request: cli run / node fetch', `${median(times.ours).toFixed(0)} ms`, median(times.ours) / median(times.fetch), 1.3);
console.log(`  ${'spawn → first request: node -e fetch(url)'.padEnd(44)}${`${median(times.fetch).toFixed(0)} ms`.padStart(10)}`);
const index = await bytes('dist/index.js');
const cli = await bytes('dist/cli.js');
row('dist/index.js / 1.5 MB', `${(index / 1e6).toFixed(2)} MB`, index / 1.5e6, 1);
row('dist/cli.js / 1.2 MB', `${(cli / 1e6).toFixed(2)} MB`, cli / 1.2e6, 1);
