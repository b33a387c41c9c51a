import { describe, expect, test } from '@jest/globals';
import { evaluate } from '../../src/checks/predicates.ts';

describe('predicates', () => {
  test.each([
    [200, 200, true],
    [200, 201, false],
    ['200', 200, true],
    [{ eq: 'ok' }, 'ok', true],
    [{ ne: 'ok' }, 'ok', false],
    [{ lt: 500 }, 499, true],
    [{ lt: 500 }, 500, false],
    [{ lte: 500 }, 500, true],
    [{ gt: 0 }, '3', true],
    [{ gte: 1 }, 0, false],
    [{ in: [301, 308] }, 308, true],
    [{ in: [301, 308] }, 302, false],
    [{ notIn: [500, 502] }, 200, true],
    [{ contains: 'Skyway' }, 'Welcome to Skyway Travel', true],
    [{ contains: 'BA117' }, ['BA117', 'VS3'], true],
    [{ notContains: 'DEBUG = True' }, 'Not Found', true],
    [{ notContains: 'x' }, undefined, false],
    [{ startsWith: 'https://' }, 'http://x', false],
    [{ endsWith: '.css' }, 'site.css', true],
    [{ matches: '^max-age=\\d+' }, 'max-age=31536000; preload', true],
    [{ matches: 'x' }, undefined, false],
    [{ exists: true }, '', true],
    [{ exists: true }, undefined, false],
    [{ exists: false }, undefined, true],
    [{ type: 'integer' }, 7, true],
    [{ type: 'integer' }, 7.5, false],
    [{ type: 'number' }, 7, true],
    [{ type: 'array' }, [], true],
    [{ type: 'null' }, null, true],
    [{ length: { gt: 0 } }, [1], true],
    [{ length: 0 }, '', true],
    [{ length: { gt: 0 } }, undefined, false],
    [{ not: { contains: 'error' } }, 'all good', true],
    [{ not: 200 }, 200, false],
    [{ gte: 1, lt: 10 }, 5, true],
    [{ gte: 1, lt: 10 }, 10, false],
  ])('%j against %j → %s', (predicate, actual, ok) => {
    expect(evaluate(predicate as never, actual).ok).toBe(ok);
  });

  test('durations compare in milliseconds and read units', () => {
    expect(evaluate({ lt: '200ms' }, 150, 'duration')).toEqual({ ok: true, expected: '< 200ms' });
    expect(evaluate({ lt: '2s' }, 2500, 'duration')).toEqual({ ok: false, expected: '< 2s' });
    expect(evaluate({ lt: 300 }, 299, 'duration').ok).toBe(true);
  });

  test('ratios read percentages', () => {
    expect(evaluate({ lt: '0.1%' }, 0.0005, 'ratio')).toEqual({ ok: true, expected: '< 0.1%' });
    expect(evaluate({ lt: '0.1%' }, 0.002, 'ratio').ok).toBe(false);
  });

  test('messages say what was expected', () => {
    expect(evaluate({ in: [301, 308] }, 200).expected).toBe('one of [301, 308]');
    expect(evaluate({ matches: 'max-age=\\d+', startsWith: 'max' }, '').expected).toBe('matching /max-age=\\d+/ and starting with "max"');
    expect(evaluate({ not: { exists: true } }, 1).expected).toBe('not (present)');
    expect(evaluate({ length: { gte: 2 } }, []).expected).toBe('length ≥ 2');
  });

  test('booleans and null compare strictly', () => {
    expect(evaluate(true, 'true').ok).toBe(true);
    expect(evaluate(null, undefined).ok).toBe(false);
    expect(evaluate(null, null).ok).toBe(true);
    expect(evaluate('x', { a: 1 }).ok).toBe(false);
  });
});
