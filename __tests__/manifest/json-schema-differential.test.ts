// The editor's JSON Schema against `validate`: ajv (strict mode) and loadManifest must
// agree on every manifest — the examples, the templates, the README's manifests and
// snippets, manifests generated from their parts, and many generic mutations of those
// (keys dropped, copied from a sibling of the same shape, renamed, values replaced by
// words, numbers, empty maps and lists, list entries repeated). The mutations know no
// check kinds or keys, so kinds and keys added to the zod schema are covered as soon as
// an example or the README uses them. A disagreement fails unless every message
// `validate` gives for it is one the README lists under "What the JSON Schema cannot say".
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse, stringify } from 'yaml';
import { loadManifest } from '../../src/manifest/load.ts';
import { manifestJsonSchema } from '../../src/manifest/json-schema.ts';
import { TEMPLATES } from '../../src/cli/init.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const COMMITTED_SCHEMA = JSON.parse(readFileSync(new URL('../../schema/readiness.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** Message fragments the README lists as beyond JSON Schema: the backticked first cell of each row of its table. */
function inexpressible(): string[] {
  const start = README.indexOf('### What the JSON Schema cannot say');
  expect(start).toBeGreaterThan(-1);
  const section = README.slice(start, README.indexOf('\n#', start + 5));
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] as string);
}

// ---------------------------------------------------------------- seeds

const isObject = (value: unknown): value is { [key: string]: Json } => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The README's YAML blocks as manifests: whole manifests, item lists and single items
 * ("- title: …", "http: …") in a section of their own, and top-level keys ("target: …",
 * "policy: …") beside a minimal section. Each block becomes the first of these that
 * validate accepts; workflow snippets fit none and are left out. No key is named here,
 * so new check kinds and top-level keys are seeds as soon as the README shows them.
 */
function readmeManifests(): Json[] {
  const found: Json[] = [];
  const minimalSection: Json = { title: 'README', items: [{ title: 'Signed off', manual: {} }] };
  for (const [, block] of README.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    let value: Json;
    try {
      value = parse(block as string) as Json;
    } catch {
      continue;
    }
    const candidates: Json[] = [];
    if (isObject(value)) {
      candidates.push(value);
      candidates.push({ version: 1, sections: [{ title: 'README', items: [{ title: 'From the README', ...value }] }] });
      candidates.push({ version: 1, ...value, sections: [minimalSection] });
    } else if (Array.isArray(value)) {
      candidates.push({ version: 1, sections: [{ title: 'README', items: value }] });
    }
    const valid = candidates.find((candidate) => loadManifest(stringify(candidate), 'README.md').ok);
    if (valid !== undefined) found.push(valid);
  }
  return found;
}

const SEEDS: Json[] = [
  parse(readFileSync(new URL('../../examples/readiness.yml', import.meta.url), 'utf8')) as Json,
  ...Object.values(TEMPLATES).map((text) => parse(text) as Json),
  ...readmeManifests(),
];

// ---------------------------------------------------------------- deterministic randomness

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(20261206);
const pick = <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;

// ---------------------------------------------------------------- walking values

const clone = (value: Json): Json => structuredClone(value);

function nodes(value: Json, path: Path = []): { path: Path; value: Json }[] {
  const found = [{ path, value }];
  if (Array.isArray(value)) value.forEach((entry, index) => found.push(...nodes(entry, [...path, index])));
  else if (isObject(value)) for (const [key, entry] of Object.entries(value)) found.push(...nodes(entry, [...path, key]));
  return found;
}

/** "sections.*.items.*.http": where a node sits, list positions left out, so like nodes can be compared. */
const shape = (path: Path): string => path.map((segment) => (typeof segment === 'number' ? '*' : segment)).join('.');

function setAt(root: Json, path: Path, value: Json | undefined): Json {
  const copy = clone(root);
  if (path.length === 0) return value ?? null;
  let parent: Json = copy;
  for (const segment of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[segment] as Json;
  const last = path.at(-1) as string | number;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete (parent as Record<string, Json>)[last];
  } else (parent as Record<string | number, Json>)[last] = value;
  return copy;
}

// ---------------------------------------------------------------- generated manifests

const ITEMS = SEEDS.flatMap((seed) => nodes(seed).filter((node) => /^sections\.\*(\.sections\.\*)?\.items\.\*$/.test(shape(node.path)))).map((node) => node.value);
const TOP = (key: string) => SEEDS.flatMap((seed) => (isObject(seed) && seed[key] !== undefined ? [seed[key]] : []));

function generated(count: number): Json[] {
  const manifests: Json[] = [];
  for (let n = 0; n < count; n++) {
    const manifest: Record<string, Json> = { version: 1 };
    for (const key of ['target', 'defaults', 'limits']) if (next() < 0.5 && TOP(key).length) manifest[key] = clone(pick(TOP(key)));
    const sections: Json[] = [];
    for (let s = 0; s < 1 + Math.floor(next() * 3); s++) {
      const items = Array.from({ length: 1 + Math.floor(next() * 4) }, () => clone(pick(ITEMS)));
      sections.push(next() < 0.3 ? { title: `Section ${s}`, sections: [{ title: `Sub ${s}`, items }] } : { title: `Section ${s}`, items });
    }
    manifest.sections = sections;
    manifests.push(manifest);
  }
  return manifests;
}

// ---------------------------------------------------------------- mutations

const WORDS: Json[] = ['abc', '', ' ', 0, -1, 1, 1.5, 65536, 1e21, true, false, null, '5s', '500ms', '1%', '0.1%', '1e3', ' 12 ', '0x10', 'Infinity', 'fast', 'GET /', '/', 'no-slash', 'DENY', '^ok$', '(', 'blocking', 'hsts', 'http', 'django/debug-off'];
const CONTAINERS: Json[] = [{}, [], { x: 1 }, ['a'], [{}]];

function mutate(manifest: Json, pool: Map<string, Json[]>): { value: Json; how: string } {
  const all = nodes(manifest).filter((node) => node.path.length > 0);
  const node = pick(all);
  const where = node.path.join('.');
  const operators: (() => { value: Json; how: string } | undefined)[] = [
    () => ({ value: setAt(manifest, node.path, undefined), how: `drop ${where}` }),
    () => {
      const word = pick(WORDS);
      return { value: setAt(manifest, node.path, word), how: `${where} = ${JSON.stringify(word)}` };
    },
    () => {
      const container = pick(CONTAINERS);
      return { value: setAt(manifest, node.path, clone(container)), how: `${where} = ${JSON.stringify(container)}` };
    },
    () => {
      const like = pool.get(shape(node.path)) ?? [];
      if (like.length === 0) return undefined;
      const other = pick(like);
      return { value: setAt(manifest, node.path, clone(other)), how: `${where} = another value found there: ${JSON.stringify(other).slice(0, 80)}` };
    },
    () => {
      // A key a sibling of the same shape has: two checks on an item, `with` and a kind, …
      if (!isObject(node.value)) return undefined;
      const donors = (pool.get(shape(node.path)) ?? []).filter(isObject);
      const donor = donors.length ? pick(donors) : undefined;
      const keys = donor ? Object.keys(donor).filter((key) => !(key in (node.value as object))) : [];
      if (!donor || keys.length === 0) return undefined;
      const key = pick(keys);
      return { value: setAt(manifest, [...node.path, key], clone(donor[key] as Json)), how: `${where}.${key} copied from a sibling` };
    },
    () => {
      if (!isObject(node.value) || Object.keys(node.value).length === 0) return undefined;
      const key = pick(Object.keys(node.value));
      const renamed = Object.fromEntries(Object.entries(node.value).map(([name, value]) => [name === key ? `${key}x` : name, value]));
      return { value: setAt(manifest, node.path, renamed), how: `${where}.${key} renamed` };
    },
    () => {
      if (!Array.isArray(node.value) || node.value.length === 0) return undefined;
      return { value: setAt(manifest, node.path, [...node.value, clone(pick(node.value))]), how: `${where}: an entry repeated` };
    },
    () => ({ value: setAt(manifest, node.path, [clone(node.value)]), how: `${where} wrapped in a list` }),
  ];
  for (;;) {
    const result = pick(operators)();
    if (result) return result;
  }
}

// ---------------------------------------------------------------- the two verdicts

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
const schemaAccepts = ajv.compile(COMMITTED_SCHEMA);

function verdicts(manifest: Json): { text: string; schema: boolean; schemaErrors: string[]; validate: string[] | true } {
  const text = stringify(manifest);
  const loaded = loadManifest(text, 'generated.yml');
  // The value is plain JSON data, which YAML writes and reads back unchanged.
  const schema = schemaAccepts(manifest);
  const schemaErrors = (schemaAccepts.errors ?? []).slice(0, 3).map((error) => `${error.instancePath} ${error.message}`);
  return { text, schema, schemaErrors, validate: loaded.ok ? true : loaded.errors.map((error) => `${error.path}: ${error.message}`) };
}

/** The issue's own examples of what the schema accepted and validate rejected. */
const KNOWN_CASES: Record<string, Json> = {
  'an item without a check': { version: 1, sections: [{ title: 'S', items: [{ title: 'no check' }] }] },
  'an item with two checks': { version: 1, sections: [{ title: 'S', items: [{ title: 'two', http: { request: 'GET /' }, manual: {} }] }] },
  'an empty section': { version: 1, sections: [{ title: 'S' }] },
  'a section with empty lists': { version: 1, sections: [{ title: 'S', items: [], sections: [] }] },
  'an empty predicate': { version: 1, sections: [{ title: 'S', items: [{ title: 'p', http: { request: 'GET /', expect: { status: {} } } }] }] },
  '`with` without `uses`': { version: 1, sections: [{ title: 'S', items: [{ title: 'w', http: { request: 'GET /' }, with: { path: '/' } }] }] },
  'a word in lt': { version: 1, sections: [{ title: 'S', items: [{ title: 'l', http: { request: 'GET /', expect: { duration: { lt: 'fast' } } } }] }] },
  'an empty string in gt': { version: 1, sections: [{ title: 'S', items: [{ title: 'g', http: { request: 'GET /', expect: { status: { gt: '' } } } }] }] },
  'a word as an error rate': { version: 1, sections: [{ title: 'S', items: [{ title: 'e', uses: 'performance-slo', with: { errorRate: 'low' } }] }] },
  'a built-in without its required parameters': { version: 1, sections: [{ title: 'S', items: [{ title: 'a', uses: 'auth-required' }] }] },
  'a path without a leading slash': { version: 1, sections: [{ title: 'S', items: [{ title: 'h', uses: 'hsts', with: { path: 'x' } }] }] },
  'a capture with two sources': {
    version: 1,
    sections: [{ title: 'S', items: [{ title: 'f', flow: { steps: [{ request: 'GET /', capture: { token: { json: '$.a', header: 'x' } } }] } }] }],
  },
  'a capture named like a namespace': {
    version: 1,
    sections: [{ title: 'S', items: [{ title: 'f', flow: { steps: [{ request: 'GET /', capture: { secrets: { json: '$.a' } } }] } }] }],
  },
  'a version probe reading both json and header': {
    version: 1,
    target: { version: { request: 'GET /version', json: '$.sha', header: 'x-version', equals: 'abc' } },
    sections: [{ title: 'S', items: [{ title: 'm', manual: {} }] }],
  },
  'a role with neither users nor teams': { version: 1, policy: { roles: { sre: { users: [] } } }, sections: [{ title: 'S', items: [{ title: 'm', manual: {} }] }] },
  'metrics credentials with a username only': {
    version: 1,
    defaults: { metrics: { auth: { username: 'u' } } },
    sections: [{ title: 'S', items: [{ title: 'm', manual: {} }] }],
  },
  'a latency objective without a histogram': {
    version: 1,
    sections: [{ title: 'S', items: [{ title: 'o', uses: 'prometheus/slo', with: { objective: 'latency', max: '200ms' } }] }],
  },
  'an error-rate objective whose max is a duration': {
    version: 1,
    sections: [{ title: 'S', items: [{ title: 'o', uses: 'prometheus/slo', with: { objective: 'error-rate', requests: 'r', errors: 'e', max: '200ms' } }] }],
  },
  'a waiver whose reason is spaces': {
    version: 1,
    waivers: [{ item: 'm', reason: '   ', expires: '2030-01-01' }],
    sections: [{ title: 'S', items: [{ title: 'm', manual: {} }] }],
  },
  'duplicate ids': { version: 1, sections: [{ title: 'S', items: [{ title: 'a', id: 'x', manual: {} }, { title: 'b', id: 'x', manual: {} }] }] },
};

function disagreement(how: string, result: ReturnType<typeof verdicts>, listed: string[]): string | undefined {
  if (result.schema && result.validate === true) return undefined;
  if (!result.schema && result.validate !== true) return undefined;
  if (result.validate === true) return `${how}: the schema rejects what validate accepts (${result.schemaErrors.join('; ')})\n${result.text}`;
  const unlisted = result.validate.filter((message) => !listed.some((fragment) => message.includes(fragment)));
  if (unlisted.length === 0) return undefined;
  return `${how}: the schema accepts what validate rejects: ${unlisted.join('; ')}\n${result.text}`;
}

describe('the JSON Schema and validate agree', () => {
  const listed = inexpressible();

  test('the committed schema is the generated one and compiles in ajv strict mode', () => {
    expect(COMMITTED_SCHEMA).toEqual(JSON.parse(JSON.stringify(manifestJsonSchema())));
    expect(typeof schemaAccepts).toBe('function');
  });

  test('the README lists what the schema cannot say', () => {
    expect(listed).toEqual(expect.arrayContaining(['is already used by another item']));
  });

  test('the seeds are valid manifests for both', () => {
    // The example, two templates and the README's manifest, check-kind snippets and top-level snippets.
    expect(SEEDS.length).toBeGreaterThanOrEqual(12);
    expect(ITEMS.length).toBeGreaterThan(30);
    for (const seed of SEEDS) {
      const result = verdicts(seed);
      expect([result.validate, result.schemaErrors]).toEqual([true, []]);
    }
  });

  test.each(Object.entries(KNOWN_CASES))('%s: validate rejects it, and so does the schema unless the README lists why not', (name, manifest) => {
    const result = verdicts(manifest);
    expect(result.validate).not.toBe(true);
    expect(disagreement(name, result, listed)).toBeUndefined();
  });

  // Generated manifests and their mutations, in chunks so each test stays short.
  const bases = [...SEEDS, ...generated(200)];
  const pool = new Map<string, Json[]>();
  for (const base of bases) for (const node of nodes(base)) pool.set(shape(node.path), [...(pool.get(shape(node.path)) ?? []), node.value]);
  const cases: { how: string; value: Json }[] = bases.map((value, index) => ({ how: `base ${index}`, value }));
  for (let n = 0; n < 1200; n++) {
    // Mostly the small generated manifests: the large seeds are slow to load and are mutated through their parts anyway.
    let { value, how } = mutate(next() < 0.1 ? pick(SEEDS) : pick(bases), pool);
    // Some cases carry two mutations, so one fault can hide behind another only rarely.
    if (next() < 0.25) {
      const second = mutate(value, pool);
      value = second.value;
      how = `${how}; ${second.how}`;
    }
    cases.push({ how, value });
  }
  const CHUNK = 350;
  const chunks = Array.from({ length: Math.ceil(cases.length / CHUNK) }, (_, index) => [index + 1, cases.slice(index * CHUNK, (index + 1) * CHUNK)] as const);
  let rejected = 0;

  test.each(chunks)('generated and mutated manifests, part %i: no disagreement', (_part, chunk) => {
    const disagreements: string[] = [];
    for (const entry of chunk) {
      const result = verdicts(entry.value);
      if (result.validate !== true) rejected++;
      const found = disagreement(entry.how, result, listed);
      if (found) disagreements.push(found);
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
  });

  test('the mutations reach both verdicts often, or agreement would mean little', () => {
    expect(cases.length).toBeGreaterThan(1200);
    expect(rejected).toBeGreaterThan(cases.length * 0.3);
    expect(cases.length - rejected).toBeGreaterThan(cases.length * 0.2);
  });
});
