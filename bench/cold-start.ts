// How long from starting the bundle to its first request at staging? Spawns
// `node dist/cli.js run` against a local server that notes when the first request
// arrives, and compares with a peer measured the same way in the same script: a bare
// `node -e "fetch(url)"` (the floor any Node tool pays to start and send one request).
// Also prints the bundle sizes. The design target: well under 300 ms.
//
//   npx node bench/cold-start.ts [--rounds 15]
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../test-support/servers.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
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

const ours = [];
const peer = [];
for (let round = 0; round < rounds; round++) {
  ours.push(await timeToFirstRequest(['dist/cli.js', 'run', '--manifest', manifest, '--url', server.url, '--format', 'json']));
  peer.push(await timeToFirstRequest(['-e', `fetch(${JSON.stringify(server.url)}).then((r) => r.text())`]));
}
await server.close();
await rm(dir, { recursive: true, force: true });

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
const kb = async (file: string) => Math.round((await stat(file)).size / 1024);
console.log(`spawn → first request at staging, median of ${rounds} (Node ${process.version}):`);
console.log(`  readiness-gate (dist/cli.js)  ${median(ours).toFixed(0).padStart(5)} ms`);
console.log(`  node -e fetch(url)            ${median(peer).toFixed(0).padStart(5)} ms   ratio ${(median(ours) / median(peer)).toFixed(2)}`);
console.log(`bundles: dist/index.js ${await kb('dist/index.js')} kB, dist/cli.js ${await kb('dist/cli.js')} kB`);
