// Do ids, manifest regexes and redaction stay linear on hostile input? Each line times the
// same work at n and 10·n and prints the ratio: about 10 is linear, about 100 quadratic,
// and a backtracking regex would not finish at all.
//
//   npx node bench/hostile-scaling.ts [--n 1000]
import { parseArgs } from 'node:util';
import { itemIds } from '../src/manifest/ids.ts';
import { loadManifest } from '../src/manifest/load.ts';
import { patternTest } from '../src/util/pattern.ts';
import { Redactor } from '../src/util/redact.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000' } } });
const n = Number(values.n);

function time(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

function sameTitles(count: number) {
  const items = Array.from({ length: count }, () => '      - { title: Monitoring active, manual: { owner: sre } }').join('\n');
  const loaded = loadManifest(`version: 1\nsections:\n  - title: Ops\n    items:\n${items}\n`, 'bench.yml');
  if (!loaded.ok) throw new Error('the bench manifest does not load');
  return loaded.value.manifest;
}

const redactor = new Redactor();
for (let index = 0; index < 20; index++) redactor.add(`secret-value-${index}-0123456789`);

const cases: [string, (size: number) => () => void][] = [
  ['ids of n identical titles', (size) => { const manifest = sameTitles(size); return () => itemIds(manifest); }],
  ['(a+)+$ on n·10 "a"s and "!"', (size) => { const text = `${'a'.repeat(size * 10)}!`; return () => patternTest('(a+)+$', text); }],
  ['redacting n·10 characters, 20 secrets', (size) => { const text = 'secret-value-1-01234 and more text '.repeat(size / 3); return () => redactor.text(text); }],
];

for (const [name, prepare] of cases) {
  const small = time(prepare(n));
  const large = time(prepare(n * 10));
  console.log(`${name}: n=${n} ${small.toFixed(1)} ms, n=${n * 10} ${large.toFixed(1)} ms, ratio ${(large / Math.max(small, 0.01)).toFixed(1)} (10 is linear)`);
}
