// Absence is never a pass: a probe whose endpoint is not there tested nothing. Checked
// with the django template's own items against the Django lab (which has no /api/flights/).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { DJANGO_TEMPLATE } from '../../src/cli/templates/django.ts';
import { runFlowCheck } from '../../src/checks/flow.ts';
import { runHttpCheck, type HttpCheck } from '../../src/checks/http.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import type { Item, Manifest } from '../../src/manifest/schema.ts';
import { startDjangoLab, type DjangoLab } from '../../test-support/django-lab.ts';
import { contextFor, type TestContext } from './builtin/helpers.ts';

let lab: DjangoLab;
let target: TestContext;

beforeAll(async () => {
  lab = await startDjangoLab();
  target = contextFor(lab);
});

afterAll(async () => {
  await target?.close();
  await lab?.close();
});

function templateItem(title: string): Item {
  const loaded = loadManifest(DJANGO_TEMPLATE, 'readiness.yml');
  if (!loaded.ok) throw new Error('the django template does not load');
  type Section = Manifest['sections'][number];
  const walk = (sections: Section[]): Item[] => sections.flatMap((section) => [...(section.items ?? []), ...walk((section.sections ?? []) as Section[])]);
  const item = walk(loaded.value.manifest.sections).find((candidate) => candidate.title === title);
  if (!item) throw new Error(`no item "${title}" in the django template`);
  return item;
}

describe('a probe of an endpoint that does not exist', () => {
  test('the template\'s "SQL injection tests" is an error naming the path, not a pass', async () => {
    const item = templateItem('SQL injection tests');
    const result = await runHttpCheck(item.http as HttpCheck, target.context);
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe(
      '/api/flights/?from=LHR%27&to=JFK answered 404 (no such endpoint), so nothing was tested; point the request at an endpoint that exists, or expect status 404 by name to check that it is absent',
    );
  });

  test('the same expectations on an endpoint that exists pass', async () => {
    const item = templateItem('SQL injection tests');
    const spec = item.http as HttpCheck;
    const result = await runHttpCheck({ ...spec, request: "GET /api/?q=LHR'" }, target.context);
    expect(result.outcome).toBe('pass');
  });

  test('a 404 asked for by name passes; a range or no status at all does not', async () => {
    expect((await runHttpCheck({ request: 'GET /gone/', expect: { status: 404 } }, target.context)).outcome).toBe('pass');
    expect((await runHttpCheck({ request: 'GET /gone/', expect: { status: { in: [404, 410] } } }, target.context)).outcome).toBe('pass');
    const range = await runHttpCheck({ request: 'GET /gone/', expect: { status: { gte: 400, lt: 500 } } }, target.context);
    expect(range.outcome).toBe('error');
    const headersOnly = await runHttpCheck({ request: 'GET /gone/', expect: { headers: { 'x-frame-options': 'DENY' } } }, target.context);
    expect(headersOnly).toMatchObject({ outcome: 'error', summary: expect.stringMatching(/^\/gone\/ answered 404 \(no such endpoint\), so nothing was tested/) });
  });

  test('a flow step on a missing endpoint is an error, not a passed step', async () => {
    const result = await runFlowCheck({ steps: [{ request: 'GET /health/', expect: { status: 200 } }, { request: 'GET /api/flights/', expect: { status: { lt: 500 } } }] }, target.context);
    expect(result.outcome).toBe('error');
    expect(result.summary).toMatch(/^step 2 \(GET \/api\/flights\/\): \/api\/flights\/ answered 404 \(no such endpoint\), so nothing was tested/);
  });
});
