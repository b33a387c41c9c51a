import { describe, expect, test } from '@jest/globals';
import { interpolate, interpolateDeep, MissingValueError, type Scope } from '../../src/manifest/interpolate.ts';
import { parseTemplate } from '../../src/manifest/template.ts';
import { Redactor } from '../../src/util/redact.ts';

function scope(extra: Partial<Scope> = {}): Scope {
  return {
    env: { REGION: 'eu', STAGING_KEY: 's3cr3t-key' },
    git: { sha: 'abc1234' },
    target: { url: 'https://staging.example.com', host: 'staging.example.com', origin: 'https://staging.example.com' },
    redactor: new Redactor(),
    ...extra,
  };
}

describe('templates', () => {
  test('fills env, secrets, target and git', () => {
    expect(interpolate('{{ target.url }}/{{env.REGION}}?k={{ secrets.STAGING_KEY }}&v={{ git.sha }}', scope())).toBe(
      'https://staging.example.com/eu?k=s3cr3t-key&v=abc1234',
    );
  });

  test('a secret read through the template is registered for redaction at once', () => {
    const s = scope();
    interpolate('Bearer {{ secrets.STAGING_KEY }}', s);
    expect(s.redactor.text('sent s3cr3t-key and s3cr3t%2Dkey')).toBe('sent [redacted] and s3cr3t%2Dkey');
  });

  test('a missing value names what to set', () => {
    expect(() => interpolate('{{ secrets.SMOKE_PASSWORD }}', scope())).toThrow(MissingValueError);
    expect(() => interpolate('{{ secrets.SMOKE_PASSWORD }}', scope())).toThrow('secret SMOKE_PASSWORD is not set (pass it to the step as env SMOKE_PASSWORD)');
    expect(() => interpolate('{{ env.NOPE }}', scope())).toThrow('environment variable NOPE is not set');
  });

  test('cookies and captures come from the flow, read at send time', () => {
    let token = 'first';
    const s = scope({ cookie: (name) => (name === 'csrftoken' ? token : undefined), captures: { booking_id: '42' } });
    expect(interpolate('/api/bookings/{{ booking_id }}/', s)).toBe('/api/bookings/42/');
    expect(interpolate('{{ cookies.csrftoken }}', s)).toBe('first');
    token = 'rotated';
    expect(interpolate('{{ cookies.csrftoken }}', s)).toBe('rotated');
  });

  test('interpolateDeep fills nested JSON bodies and leaves other values alone', () => {
    expect(interpolateDeep({ a: ['{{ env.REGION }}', 3, true, null], b: { c: '{{ git.sha }}' } }, scope())).toEqual({ a: ['eu', 3, true, null], b: { c: 'abc1234' } });
  });

  test('parse errors: unclosed braces, GitHub syntax, bad references', () => {
    expect(parseTemplate('{{ env.X').errors).toEqual(['`{{` is never closed with `}}`']);
    expect(parseTemplate('${{ secrets.X }}').errors[0]).toMatch(/GitHub Actions syntax/);
    expect(parseTemplate('{{ a b }}').errors[0]).toMatch(/is not a reference/);
    expect(parseTemplate('plain text').parts).toEqual(['plain text']);
  });
});
