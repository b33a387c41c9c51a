// The `metrics` check and the prometheus/* and alertmanager/* built-ins against a real
// Prometheus (scraping small Node exporters every second) and a real Alertmanager: each
// with a setup that passes, one that fails, and the cases that cannot tell (no series,
// nothing in the window, no URL) ending in skip or error.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runBuiltinCheck } from '../../src/checks/builtin/index.ts';
import { runMetricsCheck } from '../../src/checks/metrics.ts';
import type { CheckResult } from '../../src/checks/result.ts';
import { HttpClient } from '../../src/http/client.ts';
import type { BuiltinName } from '../../src/manifest/builtins.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { buildPlan } from '../../src/plan/plan.ts';
import { Redactor } from '../../src/util/redact.ts';
import { checkContext } from '../../test-support/check-context.ts';
import {
  prometheusMissing,
  startAlertmanager,
  startExporter,
  startPrometheus,
  waitForSamples,
  type Exporter,
  type RunningAlertmanager,
  type RunningPrometheus,
} from '../../test-support/prometheus.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

const missing = prometheusMissing();
if (missing) console.warn(`skipping metrics tests: ${missing}`);

const RULES = `groups:
  - name: infrastructure
    rules:
      - alert: DiskSpaceLow
        expr: vector(0) > 1
        annotations: { summary: "Filesystem almost full" }
      - alert: HighMemoryUsage
        expr: vector(0) > 1
  - name: broken
    rules:
      - alert: DatabaseConnectionsExhausted
        # Both code series match one right-hand series: a many-to-one error at every evaluation.
        expr: http_requests_total / ignoring(code) http_requests_total
`;

const ALERTMANAGER = `route:
  receiver: team-email
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
    - match: { team: noise }
      receiver: blackhole
receivers:
  - name: team-email
    webhook_configs: [{ url: "http://127.0.0.1:9/email" }]
  - name: pager
    webhook_configs: [{ url: "http://127.0.0.1:9/pager" }]
  - name: blackhole
`;

const TOKEN = 'prom-token-5f2a9c';

(missing ? describe.skip : describe)('metrics against a real Prometheus and Alertmanager', () => {
  let exporters: Exporter[] = [];
  let prometheus: RunningPrometheus;
  let bare: RunningPrometheus;
  let alertmanager: RunningAlertmanager;
  let guarded: RunningServer;
  let http: HttpClient;

  beforeAll(async () => {
    const [healthy, flaky, idle] = await Promise.all([
      startExporter({ ok: 100, errors: 0, latencySeconds: 0.08 }),
      startExporter({ ok: 90, errors: 10, latencySeconds: 0.8 }),
      startExporter({ ok: 0, errors: 0, latencySeconds: 0.08 }),
    ]);
    exporters = [healthy, flaky, idle] as Exporter[];
    alertmanager = await startAlertmanager(ALERTMANAGER);
    const jobs = { skyway: [`127.0.0.1:${healthy?.server.port}`], flaky: [`127.0.0.1:${flaky?.server.port}`], idle: [`127.0.0.1:${idle?.server.port}`], ghost: ['127.0.0.1:1'] };
    [prometheus, bare] = await Promise.all([startPrometheus({ jobs, rules: [RULES], alertmanager: alertmanager.url }), startPrometheus({ jobs: { skyway: jobs.skyway } })]);
    // A proxy that wants a bearer token, in front of the real Prometheus.
    guarded = await startServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"status":"error","error":"unauthorized"}');
        return;
      }
      void fetch(`${prometheus.url}${req.url ?? '/'}`).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    http = new HttpClient({ perHost: 4 });
    // Two scrapes of every job, a rule evaluation, and the ghost target found down.
    await waitForSamples(prometheus, 'sum(increase(http_requests_total{job="flaky"}[1m])) > 0');
    await waitForSamples(prometheus, 'sum(increase(http_requests_total{job="skyway"}[1m])) > 0');
    await waitForSamples(prometheus, 'count_over_time(up{job="idle"}[1m]) >= 2');
    // Two scrapes at least, so a 5s range at 1s steps holds more than one of its samples.
    await waitForSamples(prometheus, 'count_over_time(up{job="ghost"}[1m]) >= 2');
    await waitForSamples(bare, 'up{job="skyway"}');
    await waitForSamples(prometheus, 'count(ALERTS) >= 0 or vector(1)');
  }, 90_000);

  afterAll(async () => {
    await http?.close();
    await guarded?.close();
    await Promise.all([prometheus?.stop(), bare?.stop(), alertmanager?.stop()]);
    await Promise.all(exporters.map((exporter) => exporter.server.close()));
  });

  const env = () => ({ PROMETHEUS_URL: prometheus.url, ALERTMANAGER_URL: alertmanager.url, PROM_TOKEN: TOKEN });
  const context = (extra: Record<string, string | undefined> = {}) => checkContext({ http, env: { ...env(), ...extra }, requestTimeoutMs: 5000 });
  const builtin = (name: BuiltinName, params: Record<string, unknown>): Promise<CheckResult> => runBuiltinCheck(name, { url: '{{ env.PROMETHEUS_URL }}', ...params }, context());

  describe('the metrics check', () => {
    test('an instant vector: every series must hold; the evidence lists series and values', async () => {
      const up = await runMetricsCheck({ url: '{{ env.PROMETHEUS_URL }}', query: 'up{job="skyway"}', expect: { value: 1 } }, context());
      expect(up).toMatchObject({ outcome: 'pass', summary: expect.stringMatching(/^up\{instance="127\.0\.0\.1:\d+", job="skyway"\} = 1$/) });

      const all = await runMetricsCheck({ url: '{{ env.PROMETHEUS_URL }}', query: 'up', expect: { value: 1 } }, context());
      expect(all.outcome).toBe('fail');
      expect(all.summary).toBe('up{instance="127.0.0.1:1", job="ghost"}: expected 1, got 0');
      expect(all.evidence.facts).toMatchObject({ series: 4 });
      expect(all.evidence.output?.split('\n')).toHaveLength(4);
    });

    test('a range query judges every sample', async () => {
      const result = await runMetricsCheck({ url: '{{ env.PROMETHEUS_URL }}', query: 'up{job="skyway"}', range: { window: '5s', step: '1s' }, expect: { value: { eq: 1 }, series: 1 } }, context());
      expect(result.outcome).toBe('pass');
      expect(result.evidence.output).toMatch(/^up\{.*job="skyway"\} 1\.\.1 over \d+ samples$/);
      const ghost = await runMetricsCheck({ url: '{{ env.PROMETHEUS_URL }}', query: 'up{job="ghost"}', range: { window: '5s' }, expect: { value: 1 } }, context());
      expect(ghost).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/expected 1, got 0 at 20\d\d-/) });
    });

    test('no series, and only NaN, are errors; a missing URL variable is a skip', async () => {
      expect(await runMetricsCheck({ url: '{{ env.PROMETHEUS_URL }}', query: 'up{job="nope"}', expect: { value: 1 } }, context())).toMatchObject({
        outcome: 'error',
        summary: expect.stringMatching(/^the query returned no series/),
      });
      expect(await runMetricsCheck({ url: '{{ env.PROMETHEUS_URL }}', query: 'sum(increase(http_requests_total{job="idle",code="500"}[1m])) / sum(increase(http_requests_total{job="idle"}[1m]))' }, context())).toMatchObject({
        outcome: 'error',
        summary: expect.stringMatching(/^the query returned only NaN/),
      });
      expect(await runMetricsCheck({ url: '{{ env.PROMETHEUS_URL }}', query: 'up' }, context({ PROMETHEUS_URL: undefined }))).toMatchObject({
        outcome: 'skip',
        summary: 'no Prometheus URL to read: environment variable PROMETHEUS_URL is not set',
      });
      expect(await runMetricsCheck({ url: '{{ env.PROMETHEUS_URL }}', query: 'up{' }, context())).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^Prometheus answered 400 to \/api\/v1\/query: .*parse error/) });
    });

    test('a bearer token from a secret is sent, and never shown', async () => {
      const spec = { url: guarded.url, query: 'up{job="skyway"}', expect: { value: 1 } };
      expect(await runMetricsCheck(spec, context())).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^Prometheus refused the request \(401\): set auth/) });
      const ok = await runMetricsCheck({ ...spec, auth: { bearer: '{{ secrets.PROM_TOKEN }}' } }, context());
      expect(ok.outcome).toBe('pass');
      expect(JSON.stringify(ok)).not.toContain(TOKEN);
    });

    test('requests stay on the hosts the plan allows', async () => {
      const fenced = new HttpClient({ perHost: 1, allowedHosts: new Set(['staging.example.com']) });
      try {
        const result = await runMetricsCheck({ url: prometheus.url, query: 'up' }, checkContext({ http: fenced, env: {} }));
        expect(result).toMatchObject({ outcome: 'error', summary: expect.stringContaining('is not a host the manifest names') });
      } finally {
        await fenced.close();
      }
    });
  });

  describe('prometheus/alert-rule', () => {
    test('a loaded, healthy rule matching the pattern passes; (?i) is accepted', async () => {
      expect(await builtin('prometheus/alert-rule', { matches: '(?i)disk|filesystem' })).toMatchObject({ outcome: 'pass', summary: 'DiskSpaceLow loaded and evaluating (health ok)' });
      expect(await builtin('prometheus/alert-rule', { matches: 'memory' })).toMatchObject({ outcome: 'pass', summary: 'HighMemoryUsage loaded and evaluating (health ok)' });
    });

    test('no matching rule fails with the loaded ones listed; a rule that errors fails with its error', async () => {
      const none = await builtin('prometheus/alert-rule', { matches: 'celery' });
      expect(none).toMatchObject({ outcome: 'fail', summary: 'no loaded alerting rule matches /celery/i (3 rules loaded); add one' });
      expect(none.evidence.notes).toEqual(['loaded alerting rules: DatabaseConnectionsExhausted, DiskSpaceLow, HighMemoryUsage']);
      const broken = await builtin('prometheus/alert-rule', { matches: 'database' });
      expect(broken).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^DatabaseConnectionsExhausted is loaded but fails to evaluate: .*(many-to-many|duplicate series)/) });
    });

    test('a Prometheus without rules files fails', async () => {
      const result = await runBuiltinCheck('prometheus/alert-rule', { url: bare.url, matches: 'disk' }, context());
      expect(result).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^Prometheus has no alerting rules loaded/) });
    });
  });

  describe('prometheus/target-up', () => {
    test('up passes, down fails with the scrape error, an unknown job cannot tell', async () => {
      expect(await builtin('prometheus/target-up', { job: 'skyway' })).toMatchObject({ outcome: 'pass', summary: '1 target of job skyway up' });
      expect(await builtin('prometheus/target-up', { job: 'ghost' })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^1 of 1 target of job ghost down: 127\.0\.0\.1:1 is down \(.*connection refused\)$/) });
      expect(await builtin('prometheus/target-up', { job: 'celery' })).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^Prometheus scrapes no target of job "celery" \(jobs: .*skyway.*\)/) });
    });
  });

  describe('prometheus/slo', () => {
    const counters = (job: string) => ({ requests: `http_requests_total{job="${job}"}`, errors: `http_requests_total{job="${job}",code=~"5.."}`, window: '1m' });

    test('availability and error rate from a counter pair', async () => {
      expect(await builtin('prometheus/slo', { objective: 'availability', ...counters('skyway') })).toMatchObject({ outcome: 'pass', summary: 'availability over the last 1m: 100% (≥ 99.9%)' });
      expect(await builtin('prometheus/slo', { objective: 'availability', ...counters('flaky') })).toMatchObject({ outcome: 'fail', summary: 'availability over the last 1m is 90%, expected ≥ 99.9%' });
      expect(await builtin('prometheus/slo', { objective: 'error-rate', max: '15%', ...counters('flaky') })).toMatchObject({ outcome: 'pass' });
      expect(await builtin('prometheus/slo', { objective: 'error-rate', max: '1%', ...counters('flaky') })).toMatchObject({ outcome: 'fail', summary: 'error-rate over the last 1m is 10%, expected ≤ 1%' });
    });

    test('a latency quantile from a histogram', async () => {
      const fast = await builtin('prometheus/slo', { objective: 'latency', histogram: 'http_request_duration_seconds{job="skyway"}', window: '1m' });
      expect(fast).toMatchObject({ outcome: 'pass', summary: expect.stringMatching(/^p95 latency over the last 1m: \d+(\.\d+)?ms \(≤ 200ms\)$/) });
      const slow = await builtin('prometheus/slo', { objective: 'latency', histogram: 'http_request_duration_seconds{job="flaky"}', window: '1m', quantile: 0.99 });
      expect(slow).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^p99 latency over the last 1m is \d+(\.\d+)?ms, expected ≤ 200ms$/) });
    });

    test('no series or no requests in the window cannot tell', async () => {
      expect(await builtin('prometheus/slo', { objective: 'availability', ...counters('celery') })).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^the query returned no series/) });
      expect(await builtin('prometheus/slo', { objective: 'availability', ...counters('idle') })).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^the query returned only NaN/) });
    });
  });

  describe('alertmanager/receiver', () => {
    const receiver = (labels?: Record<string, string>) => runBuiltinCheck('alertmanager/receiver', { url: '{{ env.ALERTMANAGER_URL }}', ...(labels ? { labels } : {}) }, context());

    test('alerts reach a receiver that notifies someone; a null receiver fails', async () => {
      expect(await receiver()).toMatchObject({ outcome: 'pass', summary: 'alerts without labels route to team-email (webhook)' });
      expect(await receiver({ severity: 'critical' })).toMatchObject({ outcome: 'pass', summary: 'alerts {severity="critical"} route to pager (webhook)' });
      expect(await receiver({ team: 'noise' })).toMatchObject({ outcome: 'fail', summary: expect.stringMatching(/^alerts \{team="noise"\} route to blackhole, which notifies nobody/) });
    });

    test('a URL that is not an Alertmanager, or no URL, cannot tell', async () => {
      expect(await runBuiltinCheck('alertmanager/receiver', { url: prometheus.url }, context())).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^Alertmanager answered 404/) });
      expect(await runBuiltinCheck('alertmanager/receiver', { url: '{{ env.ALERTMANAGER_URL }}' }, context({ ALERTMANAGER_URL: undefined }))).toMatchObject({
        outcome: 'skip',
        summary: 'no Alertmanager URL to read: environment variable ALERTMANAGER_URL is not set',
      });
    });
  });
});

describe('metrics items in the plan', () => {
  test('defaults.metrics fill URL and auth; the Prometheus host is allowed; no staging URL needed', () => {
    const loaded = loadManifest(
      `version: 1
defaults:
  metrics: { url: "{{ env.PROMETHEUS_URL }}", alertmanager: "{{ env.ALERTMANAGER_URL }}", auth: { bearer: "{{ secrets.PROM_TOKEN }}" } }
sections:
  - title: Monitoring
    items:
      - { title: Uptime, metrics: { query: "up", expect: { value: 1 } } }
      - { title: Disk alerts, uses: prometheus/alert-rule, with: { matches: disk } }
      - { title: Routed, uses: alertmanager/receiver }
`,
      'readiness.yml',
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const plan = buildPlan(loaded.value, { env: { PROMETHEUS_URL: 'http://prom.internal:9090', ALERTMANAGER_URL: 'http://am.internal:9093' }, git: {}, redactor: new Redactor() });
    const auth = { bearer: '{{ secrets.PROM_TOKEN }}' };
    expect(plan.items.map((item) => item.check)).toEqual([
      { kind: 'metrics', metrics: { url: '{{ env.PROMETHEUS_URL }}', auth, query: 'up', expect: { value: 1 } } },
      { kind: 'uses', uses: 'prometheus/alert-rule', with: { url: '{{ env.PROMETHEUS_URL }}', auth, matches: 'disk' } },
      { kind: 'uses', uses: 'alertmanager/receiver', with: { url: '{{ env.ALERTMANAGER_URL }}', auth } },
    ]);
    expect([...plan.allowedHosts].sort()).toEqual(['am.internal', 'prom.internal']);
    expect(plan.items.every((item) => !item.usesTarget)).toBe(true);
  });
});
