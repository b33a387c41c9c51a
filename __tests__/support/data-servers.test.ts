// The real PostgreSQL and Prometheus the sql and metrics tests stand on: they start on
// loopback, hold the seeded data, and scrape the exporter.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { postgresMissing, seedSkyway, startPostgres, type RunningPostgres } from '../../test-support/postgres.ts';
import { prometheusMissing, startExporter, startPrometheus, waitForSamples, type Exporter, type RunningPrometheus } from '../../test-support/prometheus.ts';

const pgMissing = postgresMissing();
if (pgMissing) console.warn(`skipping PostgreSQL support tests: ${pgMissing}`);
(pgMissing ? describe.skip : describe)('test PostgreSQL', () => {
  let pg: RunningPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
    await seedSkyway(pg);
  }, 60_000);
  afterAll(async () => pg?.stop());

  test('holds the seeded users, and an unvalidated foreign key', async () => {
    expect(await pg.psql("select count(*) from skyway.auth_user where username like 'test%'", 'skyway')).toBe('2');
    expect(await pg.psql("select convalidated from pg_constraint where conname = 'payment_booking_fk'", 'skyway')).toBe('f');
  });

  test('switches SSL off and on with a reload', async () => {
    await pg.setSsl('off');
    expect(await pg.psql('show ssl')).toBe('off');
    await pg.setSsl('required');
    expect(await pg.psql('show ssl')).toBe('on');
  });
});

const promMissing = prometheusMissing();
if (promMissing) console.warn(`skipping Prometheus support tests: ${promMissing}`);
(promMissing ? describe.skip : describe)('test Prometheus', () => {
  let exporter: Exporter;
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    exporter = await startExporter({ ok: 10, errors: 0, latencySeconds: 0.08 });
    prometheus = await startPrometheus({ jobs: { skyway: [`127.0.0.1:${exporter.server.port}`] } });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.server.close();
  });

  test('scrapes the exporter', async () => {
    await waitForSamples(prometheus, 'http_requests_total{job="skyway"}');
    const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=up`)).json()) as { data: { result: { value: [number, string] }[] } };
    expect(body.data.result.map((series) => series.value[1])).toEqual(['1']);
  }, 40_000);
});
