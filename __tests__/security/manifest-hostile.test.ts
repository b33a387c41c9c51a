// A careless or hostile manifest is a manifest error with file:line:column, never an
// internal error: alias bombs (deep and wide), aliases that point nowhere or into
// themselves, deep nesting; positions hold with a byte-order mark; ids stay cheap.
import { describe, expect, test } from '@jest/globals';
import { formatError, loadManifest, MAX_ALIASES, MAX_EXPANDED_NODES } from '../../src/manifest/load.ts';
import { itemIds } from '../../src/manifest/ids.ts';

const TAIL = 'version: 1\nsections:\n  - title: S\n    items:\n      - { title: t, manual: { owner: me } }\n';

function errorsOf(text: string): string[] {
  const loaded = loadManifest(text, 'readiness.yml');
  if (loaded.ok) throw new Error('expected the manifest to be refused');
  return loaded.errors.map(formatError);
}

/** Billion laughs: `levels` anchors, each a list of `width` aliases of the one before. */
function laughs(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(', ')}]`];
  for (let level = 1; level < levels; level++) {
    lines.push(`l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('YAML aliases', () => {
  test.each([
    ['9 levels of 9 (the classic billion laughs)', laughs(9, 9)],
    ['30 levels of 2', laughs(30, 2)],
    ['4 levels of 40', laughs(4, 40)],
    ['200 levels of 10', laughs(200, 10)],
  ])('a billion-laughs bomb, %s, is refused at its first alias', (_name, bomb) => {
    const errors = errorsOf(bomb + TAIL);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^readiness\.yml:2:\d+ {2}aliases expand this manifest to more than [\d,]+ values; write the values out or use fewer aliases$/);
    expect(errors[0]).toContain(`more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} values`);
  });

  test.each([
    [100, 2000],
    [1000, 200],
    [999, 150],
  ])('a wide bomb (%i aliases of a %i-value anchor) is refused', (aliases, size) => {
    const anchor = `big: &big [${Array.from({ length: size }, (_, i) => i).join(',')}]\n`;
    const uses = Array.from({ length: aliases }, (_, i) => `use${i}: *big`).join('\n');
    const errors = errorsOf(`${anchor}${uses}\n${TAIL}`);
    expect(errors).toEqual([expect.stringMatching(/^readiness\.yml:2:7 {2}aliases expand this manifest to more than [\d,]+ values/)]);
  });

  test.each([
    ['an alias before its anchor', 'version: 1\nsections: *later\nlater: &later []\n', 'readiness.yml:2:11  alias `*later` has no anchor `&later` before it'],
    ['an alias with no anchor at all', `${TAIL}      - title: *nothing\n`, 'readiness.yml:6:16  alias `*nothing` has no anchor `&nothing` before it'],
    ['an alias inside its own anchor', 'version: 1\nloop: &loop [1, *loop]\nsections: []\n', 'readiness.yml:2:17  alias `*loop` is inside the value it refers to, which would never end'],
  ])('%s is a manifest error', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual([expected]);
  });

  test('thousands of aliases of a small value are refused at the first one too many', () => {
    const uses = Array.from({ length: 50_000 }, () => '*v').join(', ');
    expect(errorsOf(`v: &v 1\nmany: [${uses}]\n${TAIL}`)).toEqual([`readiness.yml:2:${8 + 4 * MAX_ALIASES}  more than ${MAX_ALIASES} aliases; write the values out`]);
  });

  test('a few aliases for shared settings still work', () => {
    const text = `version: 1
sections:
  - title: S
    items:
      - title: one
        command: { run: "true", env: &shared { A: "1", B: "2" } }
      - title: two
        command: { run: "true", env: *shared }
`;
    const loaded = loadManifest(text, 'readiness.yml');
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.value.manifest.sections[0]?.items?.[1]).toMatchObject({ command: { env: { A: '1', B: '2' } } });
  });

  test('nesting too deep for the parser is a manifest error, not a crash', () => {
    const errors = errorsOf(`version: 1\nsections: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect(errors[0]).toMatch(/^readiness\.yml:2:\d+ {2}values are nested too deeply to read$/);
  });
});

describe('positions', () => {
  test.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('a byte-order mark does not shift the first line (%s)', (_name, eol) => {
    const text = ['version: 2', 'sections:', '  - title: S', '    items:', '      - { title: t, manual: { owner: me }, severity: loud }', ''].join(eol);
    const plain = errorsOf(text);
    expect(plain[0]).toBe('readiness.yml:1:10  version  expected 1, got 2');
    expect(errorsOf(`\uFEFF${text}`)).toEqual(plain);
  });
});

describe('ids', () => {
  test('10,000 identical titles get distinct ids, the same as before', () => {
    const count = 10_000;
    const items = Array.from({ length: count }, () => '      - { title: Monitoring active, manual: { owner: sre } }').join('\n');
    const loaded = loadManifest(`version: 1\nsections:\n  - title: Ops\n    items:\n${items}\n  - title: Other\n    items:\n      - { title: Monitoring active, manual: { owner: sre } }\n      - { title: x, id: monitoring-active-5, manual: { owner: sre } }\n`, 'readiness.yml');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const ids = itemIds(loaded.value.manifest).items.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The first takes the slug, the second the heading-qualified slug, then numbers, skipping taken ones.
    expect(ids.slice(0, 6)).toEqual(['monitoring-active', 'ops/monitoring-active', 'monitoring-active-2', 'monitoring-active-3', 'monitoring-active-4', 'monitoring-active-6']);
    expect(ids.at(-2)).toBe('other/monitoring-active');
    expect(ids.at(-3)).toBe(`monitoring-active-${count}`);
  });
});
