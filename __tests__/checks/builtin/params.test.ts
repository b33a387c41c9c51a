// The `with:` parameters of the built-ins: every one described (the text editors show),
// and the JSON Schema entries that carry them.
import { describe, expect, test } from '@jest/globals';
import { BUILTIN_NAMES, builtinWithJsonSchemas, validateBuiltinParams } from '../../../src/manifest/builtins.ts';

interface ObjectSchema {
  properties?: Record<string, ObjectSchema & { description?: string }>;
  additionalProperties?: boolean;
}

describe('built-in parameters', () => {
  const entries = builtinWithJsonSchemas() as { if: { properties: { uses: { const: string } } }; then: { properties: { with: ObjectSchema } } }[];

  test('there is one JSON Schema entry per built-in, closed to unknown parameters', () => {
    expect(entries.map((entry) => entry.if.properties.uses.const)).toEqual(BUILTIN_NAMES);
    for (const entry of entries) expect(entry.then.properties.with.additionalProperties).toBe(false);
  });

  test('every parameter (and every login field) has a description', () => {
    const undocumented: string[] = [];
    const walk = (schema: ObjectSchema, where: string) => {
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        if (!property.description) undocumented.push(`${where}.${key}`);
        if (property.properties) walk(property, `${where}.${key}`);
      }
    };
    for (const entry of entries) walk(entry.then.properties.with, entry.if.properties.uses.const);
    expect(undocumented).toEqual([]);
  });

  test('new parameters validate, unknown ones get a suggestion', () => {
    expect(validateBuiltinParams('https-redirect', { httpPort: 8080, status: [301] })).toEqual([]);
    expect(validateBuiltinParams('https-redirect', { status: [200] })).toEqual([{ path: ['status', 0], message: expect.stringMatching(/300/) }]);
    expect(validateBuiltinParams('secure-cookies', { ignoreCookie: ['AWSALB'] })).toEqual([
      { path: ['ignoreCookie'], message: 'unknown secure-cookies parameter `ignoreCookie`; did you mean `ignoreCookies`?', unknownKey: true },
    ]);
  });

  test('predicates and durations in parameters are checked when the manifest loads', () => {
    expect(validateBuiltinParams('health', { json: { '$.status': { eq: 'ok' }, '$.db': 'ok' } })).toEqual([]);
    expect(validateBuiltinParams('health', { json: { '$.status': { betwen: 1 } } })).toEqual([
      { path: ['json', '$.status', 'betwen'], message: "unknown key `betwen`; expected one of eq, ne, lt, lte, gt, gte, in, notIn, contains, notContains, startsWith, endsWith, matches, exists, type, length, not", unknownKey: true },
    ]);
    expect(validateBuiltinParams('performance-slo', { p95: '200' })).toEqual([{ path: ['p95'], message: 'expected a duration such as 300ms, 10s, 5m or 1h' }]);
  });
});
