// Is a run of the Django template about as long as its slowest item (issue 13, goal:
// whole/slowest ≤ 1.2)? Runs the manifest `init --template django` writes (DJANGO_TEMPLATE,
// with `target.ca` added for the lab's generated CA) through the real pipeline
// (runReadiness) against the Django lab (test-support/django-lab.ts), with real
// PostgreSQL 15 (the seeded `skyway` database) for the sql and postgres/ items, and real
// Prometheus and Alertmanager (an exporter scraped as job "django") for the metrics and
// alert items. Command items are not run: there is no Django project here (they are
// reported as skipped). Prints medians over rounds of the whole run's wall time, the
// slowest item's duration (the report's durationMs), their ratio, the sum of every item's
// duration for contrast, and where the rest of the time goes: start-up until the first
// item starts (plan, the ready wait), and the measuring items (load, performance-slo),
// which the engine runs alone against their host, one after another. Also the CPU time of
// the run, of staging and of the whole machine: everything shares the same cores, so the
// machine's CPU time over its cores is a floor no scheduling can beat. Nothing here is a
// pass or fail.
//
//   node bench/django-template-run.ts [--rounds 5]
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DJANGO_TEMPLATE } from '../src/cli/templates/django.ts';
import { runReadiness } from '../src/pipeline.ts';
import { allItems, type ItemReport } from '../src/report/model.ts';
import { startDjangoLab } from '../test-support/django-lab.ts';
import { ROLES, seedSkyway, startPostgres, type RunningPostgres } from '../test-support/postgres.ts';
import { startAlertmanager, startExporter, startPrometheus, waitForSamples } from '../test-support/prometheus.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'serve-lab': { type: 'boolean' } } });
const rounds = Number(values.rounds);
const PASSWORD = 'bench-smoke-password';
const NO_COMMANDS = 'not run by the bench: there is no Django project here';
// Linux's accounting, in clock ticks of 10 ms (USER_HZ is 100 on every architecture Node runs on).
const TICK_MS = 10;

interface Round {
  whole: number;
  /** CPU time of this process (the run's one event loop) during the run, ms. */
  cpu: number;
  /** PostgreSQL sessions the run opened (the run keeps a session for the next query to the same database). */
  databaseSessions?: number;
  /** CPU time of the staging process (the lab) during the run, ms. */
  stagingCpu: number;
  /** CPU time of every process on the machine during the run (ours, staging, PostgreSQL, Prometheus, the kernel), core-ms. */
  machineCpu: number;
  slowest: ItemReport;
  sum: number;
  /** Run start to the first item's start: plan, CA, the ready wait. */
  setup: number;
  /** Measuring items: their durations, summed (they run one at a time on the lab's host). */
  measuring: number;
  measured: ItemReport[];
  /** Time a measuring item ran with no other item in flight, on any host. */
  measuringOnlyInFlight: number;
  items: ItemReport[];
  /** The same manifest run with only its measuring items, then with all the others. */
  measuringAlone?: Round;
  othersAlone?: Round;
}

if (values['serve-lab']) {
  // The child: staging is a process of its own, as in life, not work on the run's event loop.
  const served = await startDjangoLab({ password: PASSWORD });
  process.stdout.write(`${JSON.stringify({ url: served.url, caCert: served.caCert })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void served.close().then(() => process.exit(0)));
} else {
  await main();
}

async function main(): Promise<void> {
  const lab = await startLabProcess();
  const pg = await startPostgres();
  const exporter = await startExporter({ ok: 100, errors: 0, latencySeconds: 0.05 });
  const alertmanager = await startAlertmanager('route: { receiver: ops }\nreceivers:\n  - name: ops\n');
  const prometheus = await startPrometheus({ jobs: { django: [`127.0.0.1:${exporter.server.port}`] }, alertmanager: alertmanager.url });
  const dir = await mkdtemp(join(tmpdir(), 'readiness-bench-django-'));
  try {
    await seedSkyway(pg);
    // The metrics items should find a scraped job, not a Prometheus that just started.
    await waitForSamples(prometheus, 'up{job="django"}');
    const caFile = join(dir, 'lab-ca.pem');
    await writeFile(caFile, lab.caCert);
    const manifestText = DJANGO_TEMPLATE.replace(/^target:\n/m, `target:\n  ca: ${caFile}\n`);
    if (manifestText === DJANGO_TEMPLATE) throw new Error('the template has no "target:" line to add the CA to');
    const env = {
      STAGING_URL: lab.url,
      SMOKE_PASSWORD: PASSWORD,
      STAGING_DATABASE_URL: pg.url(ROLES.app.user, ROLES.app.password, 'skyway', `sslmode=verify-full&sslrootcert=${pg.caFile}`),
      PROMETHEUS_URL: prometheus.url,
      ALERTMANAGER_URL: alertmanager.url,
    };
    // Warm up (lazily imported check kinds, JIT), and learn which items measure.
    const { measuringIds, otherIds } = await runRound(manifestText, env, dir, lab.pid);
    const results: Round[] = [];
    for (let round = 0; round < rounds; round++) {
      const sessionsBefore = await sessionsOpened(pg);
      const whole = await runRound(manifestText, env, dir, lab.pid);
      whole.databaseSessions = (await sessionsOpened(pg)) - sessionsBefore;
      whole.measuringAlone = await runRound(manifestText, env, dir, lab.pid, measuringIds);
      whole.othersAlone = await runRound(manifestText, env, dir, lab.pid, otherIds);
      results.push(whole);
    }
    print(results);
  } finally {
    await Promise.allSettled([lab.close(), pg.stop(), prometheus.stop(), alertmanager.stop(), exporter.server.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

async function runRound(manifestText: string, env: Record<string, string>, workspace: string, labPid: number, only?: string[]): Promise<Round & { measuringIds: string[]; otherIds: string[] }> {
  const starts: number[] = [];
  const exclusive = new Set<string>();
  // Items in flight over time: +1 at a start, -1 at a finish.
  const events: { at: number; step: 1 | -1; exclusive: boolean }[] = [];
  const cpu = process.cpuUsage();
  const stagingBefore = processCpu(labPid);
  const machineBefore = machineCpu();
  const started = performance.now();
  const outcome = await runReadiness({
    manifestText,
    manifestFile: 'readiness.yml',
    env,
    git: {},
    workspace,
    commandsAllowed: { allowed: false, reason: NO_COMMANDS },
    ...(only ? { only } : {}),
    onProgress: (event) => {
      const at = performance.now();
      events.push({ at, step: event.type === 'start' ? 1 : -1, exclusive: event.item.exclusive === true });
      if (event.type !== 'start') return;
      starts.push(at);
      if (event.item.exclusive) exclusive.add(event.item.id);
    },
  });
  const whole = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const stagingCpu = processCpu(labPid) - stagingBefore;
  const machineUsed = machineCpu() - machineBefore;
  if (outcome.status !== 'done') throw new Error(`the run did not happen: ${JSON.stringify(outcome)}`);
  if (outcome.report.notices.length > 0) throw new Error(`staging was not usable: ${outcome.report.notices.join('; ')}`);
  const items = allItems(outcome.report);
  const measured = items.filter((item) => exclusive.has(item.id));
  return {
    whole,
    cpu: (used.user + used.system) / 1000,
    stagingCpu,
    machineCpu: machineUsed,
    slowest: items.reduce((a, b) => (b.durationMs > a.durationMs ? b : a)),
    sum: items.reduce((total, item) => total + item.durationMs, 0),
    setup: Math.min(...starts) - started,
    measuring: measured.reduce((total, item) => total + item.durationMs, 0),
    measured,
    measuringOnlyInFlight: measuringWithNothingElse(events),
    items,
    measuringIds: outcome.plan.items.filter((item) => item.exclusive).map((item) => item.id),
    otherIds: outcome.plan.items.filter((item) => !item.exclusive).map((item) => item.id),
  };
}

/** Sessions PostgreSQL has opened to the skyway database so far (its own count). */
async function sessionsOpened(pg: RunningPostgres): Promise<number> {
  return Number(await pg.psql("select sessions from pg_stat_database where datname = 'skyway'"));
}

/** CPU time (user + system) a process has used so far, ms. */
function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** CPU time every core has spent busy so far (all but idle and I/O wait), core-ms. */
function machineCpu(): number {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/** How long a measuring item was in flight with no other item in flight. */
function measuringWithNothingElse(events: { at: number; step: 1 | -1; exclusive: boolean }[]): number {
  let measuring = 0;
  let others = 0;
  let total = 0;
  let since = 0;
  for (const event of events) {
    if (measuring > 0 && others === 0) total += event.at - since;
    if (event.exclusive) measuring += event.step;
    else others += event.step;
    since = event.at;
  }
  return total;
}

/** This script again with --serve-lab: the lab in its own process, until stdin closes. */
async function startLabProcess(): Promise<{ url: string; caCert: string; pid: number; close: () => Promise<void> }> {
  const child = spawn(process.execPath, [import.meta.filename, '--serve-lab'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`the lab process exited with ${code}`)));
  });
  const { url, caCert } = JSON.parse(line) as { url: string; caCert: string };
  return {
    url,
    caCert,
    pid: child.pid as number,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

function print(results: Round[]): void {
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
  const of = (pick: (round: Round) => number) => median(results.map(pick));
  const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(9);
  const last = results.at(-1) as Round;
  const byOutcome = new Map<string, number>();
  for (const item of last.items) byOutcome.set(item.outcome, (byOutcome.get(item.outcome) ?? 0) + 1);
  const skipped = new Map<string, number>();
  for (const item of last.items.filter((entry) => entry.outcome === 'skip')) skipped.set(`${item.kind}: ${item.summary}`, (skipped.get(`${item.kind}: ${item.summary}`) ?? 0) + 1);
  const slowestIds = new Map<string, number>();
  for (const round of results) slowestIds.set(round.slowest.id, (slowestIds.get(round.slowest.id) ?? 0) + 1);

  const ratio = of((round) => round.whole / round.slowest.durationMs);
  console.log(`Django template (${last.items.length} items: ${[...byOutcome].map(([outcome, count]) => `${count} ${outcome}`).join(', ')}), medians of ${rounds} rounds, Node ${process.version}:`);
  console.log(`  whole run                 ${ms(of((round) => round.whole))}`);
  console.log(
    `  slowest item              ${ms(of((round) => round.slowest.durationMs))}   ${[...slowestIds].map(([id, count]) => `${id} (${last.items.find((item) => item.id === id)?.kind}, ${count} of ${rounds} rounds)`).join(', ')}`,
  );
  console.log(`  ratio whole/slowest       ${ratio.toFixed(2).padStart(9)}      (goal ≤ 1.2)${ratio <= 1.2 ? '' : '  ← over'}`);
  // Measurements on one host cannot overlap (each runs alone there, so its numbers are its
  // own): their chain is as much a floor of the run as the slowest item is.
  const floor = of((round) => round.whole / Math.max(round.slowest.durationMs, round.measuring));
  console.log(`  ratio whole/floor         ${floor.toFixed(2).padStart(9)}      (floor: the slowest item or the measurements' chain on the lab's host, whichever is longer)`);
  console.log(`  sum of all items          ${ms(of((round) => round.sum))}   whole/sum = ${of((round) => round.whole / round.sum).toFixed(2)}`);
  console.log(`  CPU of the run's process  ${ms(of((round) => round.cpu))}   (one event loop runs every check)`);
  // Everything here shares the machine's cores: the run, staging, PostgreSQL, Prometheus.
  // However the work is scheduled, the run cannot end before the cores have done it.
  const cores = availableParallelism();
  console.log(`  PostgreSQL sessions opened${ms(of((round) => round.databaseSessions ?? 0)).replace(' ms', '   ')}   (new server processes; a session whose query ended cleanly is kept for the next query)`);
  console.log(`  CPU of the staging process${ms(of((round) => round.stagingCpu))}`);
  console.log(`  CPU of the whole machine  ${ms(of((round) => round.machineCpu))}   (core-ms, ${cores} cores: busy ${(of((round) => round.machineCpu / (round.whole * cores)) * 100).toFixed(0)}% of the run's wall time)`);
  const cpuFloor = of((round) => round.machineCpu / cores);
  console.log(
    `  ratio whole/CPU floor     ${of((round) => round.whole / (round.machineCpu / cores)).toFixed(2).padStart(9)}      (CPU floor ${cpuFloor.toFixed(0)} ms: the machine's CPU time over its cores; ${(cpuFloor / of((round) => round.slowest.durationMs)).toFixed(2)}× the slowest item)`,
  );
  console.log('  where the whole run goes:');
  console.log(`    start-up to first item  ${ms(of((round) => round.setup))}   (plan, CA, the ready wait on /health/)`);
  console.log(`    measuring items, summed ${ms(of((round) => round.measuring))}   (${last.measured.length} load/performance-slo items, each alone on the lab's host, so one after another)`);
  for (const item of last.measured) {
    const duration = of((round) => round.measured.find((entry) => entry.id === item.id)?.durationMs ?? 0);
    console.log(`      ${ms(duration)}  ${item.id} (${item.kind}): ${item.summary.length > 80 ? `${item.summary.slice(0, 80)}…` : item.summary}`);
  }
  console.log(
    `      ${ms(of((round) => round.measuringOnlyInFlight))}  of it with no other item in flight, on any host (PostgreSQL, Prometheus)`,
  );
  console.log(`    everything else         ${ms(of((round) => round.whole - round.setup - round.measuring))}`);
  const alone = (pick: (round: Round) => Round | undefined) => of((round) => pick(round)?.whole ?? 0);
  console.log('  the same manifest, split (--only):');
  console.log(`    only the measuring items ${ms(alone((round) => round.measuringAlone))}`);
  console.log(
    `    all the other items      ${ms(alone((round) => round.othersAlone))}   slowest ${ms(of((round) => round.othersAlone?.slowest.durationMs ?? 0))}, ratio ${of((round) => (round.othersAlone as Round).whole / (round.othersAlone as Round).slowest.durationMs).toFixed(2)}, CPU ${ms(of((round) => round.othersAlone?.cpu ?? 0))}`,
  );
  console.log(`    the two, added           ${ms(of((round) => (round.measuringAlone?.whole ?? 0) + (round.othersAlone?.whole ?? 0)))}   (the whole run if nothing overlapped)`);
  console.log('  skipped here (last round):');
  for (const [reason, count] of skipped) console.log(`    ${String(count).padStart(3)} × ${reason.length > 110 ? `${reason.slice(0, 110)}…` : reason}`);
}
