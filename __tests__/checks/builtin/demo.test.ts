// The demo staging server (examples/staging-server.ts) answers like a hardened Django
// deployment: every built-in passes against it, with the parameters the demo needs.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startDemoStaging, type DemoStaging } from '../../../examples/staging-server.ts';
import { TARGET_BUILTIN_NAMES as BUILTIN_NAMES } from '../../../src/manifest/builtins.ts';
import { contextFor, describeResults, LAB_PASSWORD, labParams, runAll, withOutcome, type TestContext } from './helpers.ts';

let demo: DemoStaging;
let target: TestContext;

beforeAll(async () => {
  demo = await startDemoStaging({ password: LAB_PASSWORD });
  target = contextFor({ url: demo.url, caCert: demo.caCert });
});

afterAll(async () => {
  await target?.close();
  await demo?.close();
});

describe('built-in checks against the demo staging server', () => {
  test('every built-in passes', async () => {
    const params = labParams(Number(new URL(demo.httpUrl).port));
    params['auth-required'] = { paths: ['/api/bookings/', '/api/bookings/1/'] };
    // The demo has no /api/ root; its API lives under /api/flights/.
    params.nosniff = { paths: ['/', '/api/flights/?from=LHR&to=JFK'] };
    params.cors = { paths: ['/', '/api/flights/?from=LHR&to=JFK'] };
    const results = await runAll(target.context, params);
    expect({ passed: withOutcome(results, 'pass'), shown: describeResults(results) }).toEqual({ passed: [...BUILTIN_NAMES].sort(), shown: expect.any(String) });
  });
});
