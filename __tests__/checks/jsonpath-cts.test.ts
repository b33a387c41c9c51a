// RFC 9535's compliance test suite (jsonpath-compliance-test-suite, 703 cases; CI lays
// shared/ beside the clone) run through the JSONPath the checks use: valid queries give
// exactly the expected nodelist, invalid ones are rejected as the manifest would reject them.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { jsonPathNodes } from '../../src/checks/jsonpath.ts';
import { jsonPathProblem } from '../../src/manifest/jsonpath.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
// A worktree outside the main clone points at the suite with JSONPATH_CTS.
const CTS = process.env.JSONPATH_CTS ?? join(root, '../shared/conformance/jsonpath-cts/cts.json');

interface CtsCase {
  name: string;
  selector: string;
  document?: unknown;
  result?: unknown[];
  results?: unknown[][];
  invalid_selector?: boolean;
}

const cases = (JSON.parse(readFileSync(CTS, 'utf8')) as { tests: CtsCase[] }).tests;

describe('RFC 9535 compliance suite', () => {
  test('holds every case of the suite', () => {
    expect(cases.length).toBeGreaterThanOrEqual(703);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.invalid_selector) {
      expect(jsonPathProblem(c.selector)).toMatch(/^invalid JSONPath/);
      expect(() => jsonPathNodes(c.document ?? null, c.selector)).toThrow(/invalid JSONPath/);
      return;
    }
    expect(jsonPathProblem(c.selector)).toBeUndefined();
    const got = jsonPathNodes(c.document, c.selector).values;
    if (c.result !== undefined) expect(got).toEqual(c.result);
    else {
      expect(c.results).toBeDefined();
      // Member order of an object is not defined: any one of the listed nodelists is right.
      expect((c.results ?? []).some((option) => isDeepStrictEqual(got, option))).toBe(true);
    }
  });
});
