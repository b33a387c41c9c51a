// A JSONPath that is not RFC 9535 is a manifest error at its line and column, wherever a
// manifest takes one: http `json:` keys, flow captures, target.version and health's `json`.
import { describe, expect, test } from '@jest/globals';
import { jsonPathValue } from '../../src/checks/jsonpath.ts';
import { formatError, loadManifest } from '../../src/manifest/load.ts';

function errorsOf(text: string): string[] {
  const result = loadManifest(text, 'readiness.yml');
  if (result.ok) throw new Error('expected the manifest to be invalid');
  return result.errors.map(formatError);
}

describe('JSONPath in the manifest', () => {
  test('invalid queries are errors with file:line:column, valid RFC 9535 ones load', () => {
    const text = `version: 1
target:
  url: https://staging.example.com
  version: { request: GET /health/, json: "$.commit[", equals: abc }
sections:
  - title: API
    items:
      - title: no error rows
        http:
          request: GET /api/
          expect:
            json:
              "$.results[?@.status == 'error']": { exists: false }
              "$.results[?(@.status": { exists: false }
              "$['@odata.count']": { gt: 0 }
      - title: health
        uses: health
        with: { json: { "$.status": ok, "$..[?@.db == 'down']": { exists: false }, "$.x[": 1 } }
      - title: booking
        flow:
          steps:
            - request: GET /
              capture:
                token: { json: "$.a b" }
`;
    expect(errorsOf(text)).toEqual([
      expect.stringMatching(/^readiness\.yml:4:43 {2}target\.version\.json {2}invalid JSONPath "\$\.commit\[": /),
      expect.stringMatching(/^readiness\.yml:14:15 {2}sections\[0\]\.items\[0\]\.http\.expect\.json\.\$\.results\[\?\(@\.status {2}invalid JSONPath "\$\.results\[\?\(@\.status": unbalanced brackets/),
      expect.stringMatching(/^readiness\.yml:18:92 {2}sections\[0\]\.items\[1\]\.with\.json\.\$\.x\[ {2}invalid JSONPath "\$\.x\[": unclosed/),
      expect.stringMatching(/^readiness\.yml:24:32 {2}sections\[0\]\.items\[2\]\.flow\.steps\[0\]\.capture\.token\.json {2}invalid JSONPath "\$\.a b": expected/),
    ]);
  });
});

describe('match() and search() in filters', () => {
  test('run in linear time on hostile text: (a+)+b against 40 a\'s ends (backtracking would not)', () => {
    const hostile = `${'a'.repeat(40)}c`;
    expect(jsonPathValue([hostile, 'aab'], "$[?match(@, '(a+)+b')]")).toEqual(['aab']);
    expect(jsonPathValue([hostile, 'xaab'], "$[?search(@, '(a+)+b')]")).toEqual(['xaab']);
    // I-Regexp's "." is not a line break; a pattern that is not I-Regexp matches nothing.
    expect(jsonPathValue(['a\nb', 'axb'], "$[?match(@, 'a.b')]")).toEqual(['axb']);
    expect(jsonPathValue(['ab'], "$[?match(@, '(?=a)ab')]")).toEqual([]);
  });
});
