// Check-run annotations show staging text on the pull request's diff: bidi controls and
// zero-width characters from it are removed there as in the comment and summaries.
import { describe, expect, test } from '@jest/globals';
import { itemAnnotations } from '../../src/action/annotations.ts';
import { item, reportFrom } from './fixture.ts';

const INVISIBLE = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/;

describe('annotations', () => {
  test('carry no bidi controls or zero-width characters from staging text', () => {
    const text = 'got \u202Eevil\u202C \u2066x\u2069 zero\u200Bwidth\uFEFF';
    const report = reportFrom([
      {
        title: 'S',
        items: [
          item({
            id: 'a',
            title: 'Header set',
            sections: ['S'],
            outcome: 'fail',
            summary: text,
            help: 'Set the header.',
            evidence: { assertions: [{ subject: 'header x', expected: 'DENY', actual: text, ok: false }] },
          }),
        ],
        sections: [],
      },
    ]);
    const [annotation] = itemAnnotations(report, '/work');
    expect(annotation?.message).toBe('got evil x zerowidth\n\nSet the header.');
    expect(annotation?.raw_details).toBe('header x: expected DENY, got got evil x zerowidth');
    for (const value of [annotation?.title, annotation?.message, annotation?.raw_details]) expect(value).not.toMatch(INVISIBLE);
  });
});
