// Real Prometheus and Alertmanager (Debian's prometheus and prometheus-alertmanager) for
// tests: each in a temporary directory, on 127.0.0.1 and a free port, with a 1-second
// scrape and rule evaluation so data shows within seconds. A small exporter (a Node HTTP
// server) plays the application: request counters and a latency histogram it advances on
// every scrape, from a profile the test sets.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startServer, type RunningServer } from './servers.ts';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/**
 * Why the tests skip Prometheus/Alertmanager here, or undefined when they run. Only a
 * developer's machine may skip: under CI (which installs the packages) starting fails instead.
 */
export function prometheusMissing(): string | undefined {
  if (process.env.CI) return undefined;
  const missing = [PROMETHEUS_BIN, ALERTMANAGER_BIN].filter((bin) => !existsSync(bin));
  return missing.length ? `${missing.join(' and ')} not installed: apt-get install -y prometheus prometheus-alertmanager` : undefined;
}


/** What the exporter adds on each scrape. */
export interface ExporterProfile {
  /** Requests answered 200 per scrape. */
  ok: number;
  /** Requests answered 500 per scrape. */
  errors: number;
  /** Latency of every request, in seconds (all land in one histogram bucket). */
  latencySeconds: number;
}

export interface Exporter {
  server: RunningServer;
  profile: ExporterProfile;
}

const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** An application exposing http_requests_total{code} and http_request_duration_seconds. */
export async function startExporter(profile: ExporterProfile): Promise<Exporter> {
  const totals = { ok: 0, errors: 0 };
  const buckets = new Map<number, number>(BUCKETS.map((le) => [le, 0]));
  let count = 0;
  let sum = 0;
  const exporter: Exporter = { profile, server: undefined as unknown as RunningServer };
  exporter.server = await startServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const { ok, errors, latencySeconds } = exporter.profile;
    totals.ok += ok;
    totals.errors += errors;
    count += ok + errors;
    sum += (ok + errors) * latencySeconds;
    for (const le of BUCKETS) if (latencySeconds <= le) buckets.set(le, (buckets.get(le) ?? 0) + ok + errors);
    const lines = [
      '# TYPE http_requests_total counter',
      `http_requests_total{code="200"} ${totals.ok}`,
      `http_requests_total{code="500"} ${totals.errors}`,
      '# TYPE http_request_duration_seconds histogram',
      ...BUCKETS.map((le) => `http_request_duration_seconds_bucket{le="${le}"} ${buckets.get(le) ?? 0}`),
      `http_request_duration_seconds_bucket{le="+Inf"} ${count}`,
      `http_request_duration_seconds_sum ${sum}`,
      `http_request_duration_seconds_count ${count}`,
    ];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  return exporter;
}

interface Daemon {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

async function startDaemon(name: string, bin: string, args: (dir: string, port: number) => string[], files: (dir: string) => void): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), `rg-${name}-`));
  files(dir);
  const port = await freePort();
  const child: ChildProcess = spawn(bin, args(dir, port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Bounded: 30 s to answer /-/ready, else the test fails with the daemon's own log.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${name} could not start (${bin}): ${spawnError.message}; apt-get install -y prometheus prometheus-alertmanager`);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${name} exited with ${child.exitCode}: ${log}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not become ready in 30 s: ${log}`);
    }
    await sleep(200);
  }
  return { url, port, dir, stop };
}

export interface PrometheusOptions {
  /** Scrape jobs: job name → host:port targets. */
  jobs: Record<string, string[]>;
  /** Rules files, YAML text each (groups: …). */
  rules?: string[];
  /** An Alertmanager URL to send alerts to. */
  alertmanager?: string;
}

export type RunningPrometheus = Daemon;

export function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const rules = options.rules ?? [];
  return startDaemon(
    'prometheus',
    PROMETHEUS_BIN,
    (dir, port) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    (dir) => {
      rules.forEach((text, index) => writeFileSync(join(dir, `rules-${index}.yml`), text));
      const config = {
        global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
        rule_files: rules.map((_, index) => join(dir, `rules-${index}.yml`)),
        scrape_configs: Object.entries(options.jobs).map(([job, targets]) => ({ job_name: job, static_configs: [{ targets }] })),
        ...(options.alertmanager ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(options.alertmanager).host] }] }] } } : {}),
      };
      // JSON is YAML: no YAML writer needed.
      writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    },
  );
}

export type RunningAlertmanager = Daemon;

/** Alertmanager with the given configuration (YAML text), clustering off. */
export function startAlertmanager(config: string): Promise<RunningAlertmanager> {
  return startDaemon(
    'alertmanager',
    ALERTMANAGER_BIN,
    (dir, port) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    (dir) => writeFileSync(join(dir, 'alertmanager.yml'), config),
  );
}

/** Asks Prometheus until `query` returns at least `min` samples per series (bounded). */
export async function waitForSamples(prometheus: RunningPrometheus, query: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await response.json()) as { data?: { result?: unknown[] } };
    if ((body.data?.result?.length ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error(`no result for ${query} after ${timeoutMs} ms`);
    await sleep(500);
  }
}
