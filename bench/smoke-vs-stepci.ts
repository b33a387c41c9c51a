// The 4-step Django smoke flow as one whole process, ours against Step CI 2.8 (issue 13,
// goal: ours/stepci ≤ 0.17, i.e. ≥ 6× faster). One Django lab (test-support/django-lab.ts,
// HTTPS with a generated CA) serves both. The same four requests, written once as a
// readiness manifest run by `node dist/cli.js run` and once as a Step CI workflow run by
// `stepci run`, each a whole process timed from spawn to exit:
//   GET /accounts/login/        200, sets csrftoken
//   POST /accounts/login/       form with the token (and a same-origin Referer) → 302 + sessionid
//   GET /accounts/profile/      200 "Your trips" (the session cookie)
//   GET /api/bookings/          200 [] (DRF SessionAuthentication)
// (The template's booking flow starts the same way; the lab has no booking endpoint, so the
// last two steps read instead of write.) Both verify the certificate against the lab's CA
// (Step CI's default is not to verify). A run counts only if it exited 0, said it passed, and
// the lab saw exactly those four requests; anything else stops the bench. Rounds alternate
// which tool goes first; medians are printed. Nothing here is a pass or fail.
//
// Step CI is not a dependency: it is installed on first use into
// $TMPDIR/readiness-bench-stepci (npm, stepci@2.8.2) and reused; its analytics are off
// (STEPCI_DISABLE_ANALYTICS) and its config file stays in that directory. dist/cli.js is
// built when missing; after changing src/, run `npm run build` first.
//
//   node bench/smoke-vs-stepci.ts [--rounds 15]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allItems, type Report } from '../src/report/model.ts';
import { startDjangoLab } from '../test-support/django-lab.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Number(values.rounds);
const PASSWORD = 'bench-smoke-password';
const STEPCI_VERSION = '2.8.2';
const EXPECTED = ['GET /accounts/login/', 'POST /accounts/login/', 'GET /accounts/profile/', 'GET /api/bookings/'];

const cli = join(import.meta.dirname, '../dist/cli.js');
if (!existsSync(cli)) {
  console.log('dist/cli.js is missing: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' });
} else if (await newestSource(join(import.meta.dirname, '../src')) > (await stat(cli)).mtimeMs) {
  console.log('note: src/ is newer than dist/cli.js; run `npm run build` to measure the current code');
}
const stepciHome = join(tmpdir(), 'readiness-bench-stepci');
const stepci = join(stepciHome, 'node_modules/stepci/dist/index.js');
if (!existsSync(stepci)) {
  console.log(`installing stepci@${STEPCI_VERSION} into ${stepciHome} (once)`);
  await mkdir(stepciHome, { recursive: true });
  execFileSync('npm', ['install', '--prefix', stepciHome, `stepci@${STEPCI_VERSION}`, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

const lab = await startDjangoLab({ password: PASSWORD });
// When each request arrived, to split a run into start-up, requests and shut-down.
const arrivals: number[] = [];
const record = lab.requests.push.bind(lab.requests);
lab.requests.push = (...entries) => {
  arrivals.push(performance.now());
  return record(...entries);
};
const dir = await mkdtemp(join(tmpdir(), 'readiness-bench-smoke-'));
const caFile = join(dir, 'lab-ca.pem');
await writeFile(caFile, lab.caCert);

const manifest = join(dir, 'readiness.yml');
await writeFile(
  manifest,
  `version: 1
target:
  ca: ${caFile}
sections:
  - title: Smoke
    items:
      - title: Log in and see your trips
        flow:
          steps:
            - request: GET /accounts/login/
              expect: { status: 200, cookies: { csrftoken: { exists: true } } }
            - request:
                method: POST
                url: /accounts/login/
                form:
                  username: smoke
                  password: "{{ secrets.SMOKE_PASSWORD }}"
                  csrfmiddlewaretoken: "{{ cookies.csrftoken }}"
              expect: { status: 302, cookies: { sessionid: { exists: true } } }
            - request: GET /accounts/profile/
              expect: { status: 200, body: { contains: Your trips } }
            - request: GET /api/bookings/
              expect: { status: 200, body: "[]" }
`,
);

// Step CI's own idioms: the token captured from the jar, the Referer written by hand, and
// the form's Content-Type too (its `form` sends the body without one).
const workflow = join(dir, 'workflow.yml');
await writeFile(
  workflow,
  `version: "1.1"
name: Smoke
config:
  http:
    rejectUnauthorized: true
tests:
  smoke:
    steps:
      - name: Login page
        http:
          url: \${{env.base}}/accounts/login/
          method: GET
          followRedirects: false
          captures:
            csrftoken: { cookie: csrftoken }
          check:
            status: 200
      - name: Log in
        http:
          url: \${{env.base}}/accounts/login/
          method: POST
          followRedirects: false
          headers:
            Referer: \${{env.base}}/accounts/login/
            Content-Type: application/x-www-form-urlencoded
          form:
            username: smoke
            password: \${{secrets.password}}
            csrfmiddlewaretoken: \${{captures.csrftoken}}
          check:
            status: 302
            cookies:
              sessionid: [{ isString: true }]
      - name: Your trips
        http:
          url: \${{env.base}}/accounts/profile/
          method: GET
          followRedirects: false
          check:
            status: 200
            body: [{ in: Your trips }]
      - name: Bookings
        http:
          url: \${{env.base}}/api/bookings/
          method: GET
          followRedirects: false
          check:
            status: 200
            body: "[]"
`,
);

interface Run {
  /** Spawn to exit, ms. */
  total: number;
  /** Spawn to the first request at the lab, ms. */
  toFirst: number;
  /** First to last request, ms. */
  requests: number;
  /** Last request to exit, ms. */
  toExit: number;
}

const runs: Record<'ours' | 'stepci', { args: string[]; env: NodeJS.ProcessEnv; passed: (stdout: string) => boolean }> = {
  ours: {
    args: [cli, 'run', '--manifest', manifest, '--url', lab.url, '--format', 'json'],
    env: { ...process.env, SMOKE_PASSWORD: PASSWORD },
    passed: (stdout) => {
      if (!stdout.startsWith('{')) return false;
      const report = JSON.parse(stdout) as Report;
      return report.verdict.ready && allItems(report).every((item) => item.outcome === 'pass');
    },
  },
  stepci: {
    args: [stepci, 'run', workflow, '-e', `base=${lab.url}`, '-s', `password=${PASSWORD}`],
    // Its `conf` store (an analytics id) goes under XDG_CONFIG_HOME: keep it in the cache dir.
    env: { ...process.env, STEPCI_DISABLE_ANALYTICS: '1', NODE_EXTRA_CA_CERTS: caFile, XDG_CONFIG_HOME: stepciHome },
    passed: (stdout) => stdout.includes('Workflow passed'),
  },
};

async function timeRun(tool: 'ours' | 'stepci'): Promise<Run> {
  const { args, env, passed } = runs[tool];
  const before = lab.requests.length;
  arrivals.length = 0;
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const total = performance.now() - started;
  const seen = lab.requests.slice(before).map((request) => `${request.method} ${request.path}`);
  const ok = code === 0 && seen.join('\n') === EXPECTED.join('\n') && passed(stdout);
  if (!ok) {
    throw new Error(`${tool}: exit ${code}, requests at the lab: [${seen.join(', ')}]; this run does not count.\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
  const [first, last] = [arrivals[0] as number, arrivals.at(-1) as number];
  return { total, toFirst: first - started, requests: last - first, toExit: started + total - last };
}

const results = { ours: [] as Run[], stepci: [] as Run[] };
try {
  // One unrecorded run each: the OS file cache.
  await timeRun('ours');
  await timeRun('stepci');
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['ours', 'stepci'] as const) : (['stepci', 'ours'] as const);
    for (const tool of order) results[tool].push(await timeRun(tool));
  }
} finally {
  await lab.close();
  await rm(dir, { recursive: true, force: true });
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(8);
const line = (label: string, list: Run[]) =>
  console.log(
    `  ${label.padEnd(24)}${ms(median(list.map((run) => run.total)))}   spawn → 1st request ${ms(median(list.map((run) => run.toFirst)))}   1st → 4th ${ms(median(list.map((run) => run.requests)))}   4th → exit ${ms(median(list.map((run) => run.toExit)))}`,
  );
const ratio = median(results.ours.map((run) => run.total)) / median(results.stepci.map((run) => run.total));
console.log(`4-step Django smoke flow (HTTPS, login with CSRF), whole process, medians of ${rounds} interleaved rounds, Node ${process.version}:`);
line('node dist/cli.js run', results.ours);
line(`stepci run (${STEPCI_VERSION})`, results.stepci);
console.log(`  ratio ours/stepci ${ratio.toFixed(2)} (goal ≤ 0.17, ≥ 6× faster)${ratio <= 0.17 ? '' : '  ← over'}; stepci/ours ${(1 / ratio).toFixed(1)}×`);

/** The newest modification time under a directory, ms. */
async function newestSource(root: string): Promise<number> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const times = await Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(join(entry.parentPath, entry.name))).mtimeMs));
  return Math.max(0, ...times);
}
