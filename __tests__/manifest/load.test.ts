import { describe, expect, test } from '@jest/globals';
import { formatError, loadManifest } from '../../src/manifest/load.ts';

const FILE = '.github/readiness.yml';

function errorsOf(text: string): string[] {
  const result = loadManifest(text, FILE);
  if (result.ok) throw new Error('expected the manifest to be invalid');
  return result.errors.map(formatError);
}

const VALID = `version: 1
target:
  url: https://staging.example.com
  headers: { X-Staging-Key: "{{ secrets.STAGING_KEY }}" }
  timeout: 10s
defaults: { timeout: 10s, severity: blocking }
sections:
  - title: Security
    items:
      - title: "\`SECURE_HSTS_SECONDS = 31536000\`"
        id: hsts
        severity: blocking
        owner: "@acme/platform"
        http:
          request: GET /
          expect:
            status: 200
            headers:
              strict-transport-security: { matches: "max-age=31536000" }
            body: { contains: "Skyway" }
            json: { "$.status": ok, "$.count": { gte: 1 } }
            duration: { lt: 500ms }
            redirect: { status: { in: [301, 308] }, location: { startsWith: "https://" } }
            cookies:
              csrftoken: { secure: true, sameSite: Lax }
      - title: Strong password validators configured
        manual: { owner: "@acme/security" }
`;

describe('loadManifest', () => {
  test('accepts the manifest v1 example from the issue, with positions of every path', () => {
    const result = loadManifest(VALID, FILE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.manifest.sections[0]?.items?.[0]?.id).toBe('hsts');
    expect(result.value.positionOf(['sections', 0, 'items', 1])).toEqual({ line: 26, column: 9 });
    expect(result.value.positionOf(['sections', 0, 'items', 0, 'http', 'expect', 'status'])).toEqual({ line: 17, column: 21 });
  });

  test('reports every problem at once, each with file:line:column, path and a did-you-mean', () => {
    const errors = errorsOf(`version: 1
target:
  url: https://x.example
  timout: 10s
sections:
  - title: Security
    items:
      - title: HSTS
        http:
          request: GET /
          expect:
            stauts: 200
            headers:
              strict-transport-security: { matchs: "max-age" }
      - title: Redirects
        http: { request: { url: /x, followRedirects: true } }
`);
    expect(errors).toEqual([
      `${FILE}:4:3  target.timout  unknown key \`timout\`; did you mean \`timeout\`?`,
      `${FILE}:12:13  sections[0].items[0].http.expect.stauts  unknown key \`stauts\`; did you mean \`status\`?`,
      `${FILE}:14:44  sections[0].items[0].http.expect.headers.strict-transport-security.matchs  unknown key \`matchs\`; did you mean \`matches\`?`,
      `${FILE}:16:37  sections[0].items[1].http.request.followRedirects  unknown key \`followRedirects\`; did you mean \`follow_redirects\`?`,
    ]);
  });

  test('says what was expected for wrong types, durations and request lines', () => {
    const errors = errorsOf(`version: 1
sections:
  - title: A
    items:
      - title: t
        timeout: 10
        http: { request: "GET", expect: { status: [1] } }
`);
    expect(errors).toEqual([
      `${FILE}:6:18  sections[0].items[0].timeout  expected a duration such as 300ms, 10s, 5m or 1h, got 10`,
      `${FILE}:7:26  sections[0].items[0].http.request  expected "METHOD path-or-url", for example "GET /health/"`,
      `${FILE}:7:51  sections[0].items[0].http.expect.status  expected a string, a number, a boolean, null or a map, got a list`,
    ]);
  });

  test('an item has exactly one check kind', () => {
    expect(errorsOf(`version: 1\nsections:\n  - title: A\n    items:\n      - title: nothing\n`)).toEqual([
      `${FILE}:5:9  sections[0].items[0]  an item needs one check: http, tls, load, flow, command, file, sql, metrics, uses, manual`,
    ]);
    expect(errorsOf(`version: 1\nsections:\n  - title: A\n    items:\n      - title: two\n        http: { request: GET / }\n        manual: {}\n`)).toEqual([
      `${FILE}:7:9  sections[0].items[0].manual  an item has exactly one check, found http and manual`,
    ]);
  });

  test('missing keys and wrong version are named', () => {
    expect(errorsOf(`sections: []\n`)).toEqual([
      `${FILE}:1:1  version  missing required key \`version\``,
      `${FILE}:1:11  sections  needs at least 1 entry`,
    ]);
    expect(errorsOf(`version: 2\nsections:\n  - title: A\n    items:\n      - { title: x, manual: {} }\n`)[0]).toBe(`${FILE}:1:10  version  expected 1, got 2`);
  });

  test('YAML syntax errors point at the line', () => {
    const errors = errorsOf(`version: 1\nsections:\n  - title: "unclosed\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\.github\/readiness\.yml:4:1 {2}Missing closing "quote/);
  });

  test('duplicate YAML keys are errors, not silently dropped', () => {
    expect(errorsOf(`version: 1\nversion: 1\nsections: []\n`)[0]).toMatch(/^\.github\/readiness\.yml:2:1 {2}.*unique/i);
  });

  test('an empty file says how to start', () => {
    expect(errorsOf('')).toEqual([`${FILE}:1:1  the manifest is empty; start with \`version: 1\` and \`sections:\``]);
  });

  test('templates: GitHub ${{ }} syntax, unknown namespaces and flow-only references are refused', () => {
    const errors = errorsOf(`version: 1
sections:
  - title: A
    items:
      - title: a
        http: { request: "GET /{{ foo }}", expect: { status: "\${{ secrets.X }}" } }
      - title: b
        http: { request: { url: "/", headers: { A: "{{ vault.X }}", B: "{{ cookies.csrftoken }}" } } }
`);
    expect(errors).toEqual([
      `${FILE}:6:26  sections[0].items[0].http.request  \`{{ foo }}\` names a capture, which only flow steps have; for a variable write {{ env.foo }}`,
      `${FILE}:6:62  sections[0].items[0].http.expect.status  \`\${{ … }}\` is GitHub Actions syntax; in the manifest write \`{{ env.NAME }}\` or \`{{ secrets.NAME }}\``,
      `${FILE}:8:52  sections[0].items[1].http.request.headers.A  unknown namespace \`vault\` in \`{{ vault.X }}\`; expected env, secrets, target, git or cookies`,
      `${FILE}:8:72  sections[0].items[1].http.request.headers.B  \`{{ cookies.csrftoken }}\` reads the cookie jar, which only flow steps have`,
    ]);
  });

  test('flow captures must be captured before they are used; finally sees every capture', () => {
    const errors = errorsOf(`version: 1
sections:
  - title: A
    items:
      - title: flow
        flow:
          steps:
            - request: "GET /bookings/{{ booking_id }}/"
            - request: POST /api/bookings/
              capture: { booking_id: { json: "$.id" } }
          finally:
            - request: "DELETE /api/bookings/{{ booking_id }}/"
`);
    expect(errors).toEqual([`${FILE}:8:24  sections[0].items[0].flow.steps[0].request  \`{{ booking_id }}\` is used before a step captures it`]);
  });

  test('explicit ids must be unique', () => {
    expect(errorsOf(`version: 1\nsections:\n  - title: A\n    items:\n      - { title: a, id: x, manual: {} }\n      - { title: b, id: x, manual: {} }\n`)).toEqual([
      `${FILE}:6:25  sections[0].items[1].id  id \`x\` is already used by another item; ids must be unique`,
    ]);
  });

  test('a misspelt value of a fixed set gets a did-you-mean; a long set is not listed then', () => {
    const item = (line: string) => `version: 1\nsections:\n  - title: A\n    items:\n      - title: h\n        ${line}\n`;
    expect(errorsOf(item('uses: secure-cookie'))).toEqual([`${FILE}:6:15  sections[0].items[0].uses  expected one of 24 values, got "secure-cookie"; did you mean "secure-cookies"?`]);
    expect(errorsOf(item('uses: postgres/backup'))).toEqual([`${FILE}:6:15  sections[0].items[0].uses  expected one of 24 values, got "postgres/backup"; did you mean "postgres/backups"?`]);
    expect(errorsOf(`${item('manual: {}')}        severity: blockng\n`)).toEqual([`${FILE}:7:19  sections[0].items[0].severity  expected "blocking" or "advisory", got "blockng"; did you mean "blocking"?`]);
    // Nothing close: the whole set, as before.
    expect(errorsOf(`${item('manual: {}')}        severity: urgent\n`)).toEqual([`${FILE}:7:19  sections[0].items[0].severity  expected "blocking" or "advisory", got "urgent"`]);
    // Inside a predicate map, the map's own problem, not "expected a string, …, got a map".
    expect(errorsOf(`version: 1\nsections:\n  - title: A\n    items:\n      - title: h\n        http: { request: GET /, expect: { json: { '$.a': { type: strng } } } }\n`)).toEqual([
      `${FILE}:6:66  sections[0].items[0].http.expect.json.$.a.type  expected "string" or "number" or "integer" or "boolean" or "null" or "array" or "object", got "strng"; did you mean "string"?`,
    ]);
    const [farOff] = errorsOf(item('uses: hsts-header'));
    expect(farOff).toContain('expected "django/debug-off" or ');
    expect(farOff).not.toContain('did you mean');
  });

  test('built-in check parameters are validated with a did-you-mean', () => {
    expect(errorsOf(`version: 1\nsections:\n  - title: A\n    items:\n      - title: h\n        uses: hsts\n        with: { minMaxAgee: 1, path: nope }\n`)).toEqual([
      `${FILE}:7:17  sections[0].items[0].with.minMaxAgee  unknown hsts parameter \`minMaxAgee\`; did you mean \`minMaxAge\`?`,
      `${FILE}:7:38  sections[0].items[0].with.path  expected a path starting with /`,
    ]);
  });
});
