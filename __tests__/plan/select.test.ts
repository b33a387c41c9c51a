// `run --only`: which items a pattern names (an id exactly, a section by its title in any case
// or by its slug) and which patterns name nothing, with a suggestion.
import { describe, expect, test } from '@jest/globals';
import { selectItems } from '../../src/plan/select.ts';

const entries = [
  { id: 'debug-off', sections: ['Security', 'Django Security Settings'] },
  { id: 'hsts', sections: ['Security'] },
  { id: 'backups', sections: ['Database'] },
];

describe('selectItems', () => {
  test('an id names its item; a section title (any case, trimmed) or its slug names every item under it', () => {
    expect(selectItems(entries, ['backups']).selected.map((entry) => entry.id)).toEqual(['backups']);
    expect(selectItems(entries, ['  security ']).selected.map((entry) => entry.id)).toEqual(['debug-off', 'hsts']);
    expect(selectItems(entries, ['django-security-settings']).selected.map((entry) => entry.id)).toEqual(['debug-off']);
    expect(selectItems(entries, ['hsts', 'Database']).selected.map((entry) => entry.id)).toEqual(['hsts', 'backups']);
  });

  test('ids match exactly; a pattern that names nothing is listed with the closest name', () => {
    expect(selectItems(entries, ['HSTS', 'backup'])).toEqual({ selected: [], unmatched: [{ pattern: 'HSTS', suggestion: 'hsts' }, { pattern: 'backup', suggestion: 'backups' }] });
    expect(selectItems(entries, ['zzzzzzzz']).unmatched).toEqual([{ pattern: 'zzzzzzzz' }]);
  });

  test('thousands of items and patterns: every named item once, in manifest order', () => {
    const many = Array.from({ length: 3000 }, (_, index) => ({ id: `item-${index}`, sections: [`Section ${index % 30}`] }));
    const patterns = [...Array.from({ length: 1500 }, (_, index) => `item-${2 * index}`), 'section-7'];
    const selected = selectItems(many, patterns).selected.map((entry) => entry.id);
    const expected = many.filter((_, index) => index % 2 === 0 || index % 30 === 7).map((entry) => entry.id);
    expect(selected).toEqual(expected);
  });
});
