// The CLI's entry: an old Node gets one sentence and exit 2 (through the real bundle),
// and each command evaluates only the modules it needs (recorded by a module hook while
// the source runs in a real child process).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nodeTooOld } from '../../src/util/node-version.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { createCa, localhostCert } from '../../test-support/certs.ts';

let dir: string;
let staging: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'readiness-entry-'));
  // Records every module the process loads and prints the list as it exits.
  await writeFile(
    join(dir, 'record.mjs'),
    `import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(loaded) + '\\n'));
`,
  );
  await writeFile(join(dir, 'http-only.yml'), 'version: 1\nsections:\n  - title: A\n    items:\n      - title: Home\n        http: { request: GET /, expect: { status: 200 } }\n');
  // A regex and a JSONPath: the two packages required on first use (src/util/lazy-packages.ts).
  await writeFile(
    join(dir, 'patterns.yml'),
    `version: 1\nsections:\n  - title: A\n    items:\n      - title: Home\n        http: { request: GET /, expect: { status: 200, body: { matches: "^o[kx]$" } } }\n      - title: Status\n        http: { request: GET /status.json, expect: { status: 200, json: { "$.checks[?match(@.name, 'd.') && @.ok == true]": { exists: true } } } }\n`,
  );
  staging = await startServer((req, res) => {
    if (req.url !== '/status.json') return void res.end('ok');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ checks: [{ name: 'db', ok: true }, { name: 'cache', ok: false }] }));
  });
});

afterAll(async () => {
  await staging.close();
  await rm(dir, { recursive: true, force: true });
});

/** Modules of this repository and packages the CLI source loaded for `args`, as repo-relative paths. */
async function loadedBy(args: string[], entry = 'src/cli/index.ts', root = resolve('.')): Promise<{ code: number | null; modules: string[] }> {
  // Asynchronously: the staging server answers from this process.
  const child = spawn(process.execPath, ['--import', join(dir, 'record.mjs'), entry, ...args], { env: { PATH: process.env.PATH ?? '' } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const code = await new Promise<number | null>((done) => child.once('close', done));
  const line = stderr.split('\n').find((text) => text.startsWith('LOADED '));
  if (line === undefined) throw new Error(`no module list: ${stderr}`);
  const prefix = `file://${root}/`;
  const modules = (JSON.parse(line.slice('LOADED '.length)) as string[]).filter((url) => url.startsWith(prefix)).map((url) => url.slice(prefix.length));
  return { code, modules };
}

describe('node version', () => {
  test('below 24 is one sentence, found version included', () => {
    expect(nodeTooOld('v20.11.1')).toBe('readiness-gate needs Node 24 or newer (found v20.11.1)');
    expect(nodeTooOld('v23.9.0')).toBe('readiness-gate needs Node 24 or newer (found v23.9.0)');
    expect(nodeTooOld('v24.0.0')).toBeUndefined();
    expect(nodeTooOld('v26.1.0')).toBeUndefined();
  });

  test('the bundle on an old Node exits 2 with that sentence and no stack trace', () => {
    // Node 24 runs the bundle, told it is Node 20 before the bundle starts.
    const pretend = 'data:text/javascript,Object.defineProperty(process, "version", { value: "v20.11.1" })';
    for (const args of [['--version'], ['run', '--manifest', 'none.yml']]) {
      const child = spawnSync(process.execPath, ['--import', pretend, 'dist/cli.js', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      expect({ code: child.status, stdout: child.stdout, stderr: child.stderr }).toEqual({ code: 2, stdout: '', stderr: 'readiness-gate needs Node 24 or newer (found v20.11.1)\n' });
    }
  });
});

describe('lazy loading', () => {
  test('--version evaluates the entry and the version only', async () => {
    const { code, modules } = await loadedBy(['--version']);
    expect(code).toBe(0);
    expect(modules.filter((path) => path.startsWith('src/')).sort()).toEqual(['src/cli/index.ts', 'src/cli/main.ts', 'src/util/node-version.ts', 'src/version.ts']);
    expect(modules.filter((path) => path.startsWith('node_modules/'))).toEqual([]);
  });

  test('a run of http items loads the http check, not TLS, load, flows, commands or the built-ins', async () => {
    const { code, modules } = await loadedBy(['run', '--manifest', join(dir, 'http-only.yml'), '--url', staging.url, '--format', 'json']);
    expect(code).toBe(0);
    expect(modules).toContain('src/checks/http.ts');
    for (const unused of ['src/checks/tls.ts', 'src/checks/load.ts', 'src/checks/flow.ts', 'src/checks/command.ts', 'src/checks/builtin/index.ts', 'src/report/junit.ts', 'src/report/markdown.ts', 'src/cli/init.ts', 'src/http/cookies.ts']) {
      expect({ unused, loaded: modules.includes(unused) }).toEqual({ unused, loaded: false });
    }
    // Cookies are parsed (tough-cookie, with the public suffix list) only for cookie expectations.
    expect(modules.filter((path) => path.startsWith('node_modules/tough-cookie/') || path.startsWith('node_modules/tldts'))).toEqual([]);
    // RE2 and JSONPath only for a manifest with a regex or a JSONPath.
    expect(modules.filter((path) => path.startsWith('node_modules/re2js/') || path.startsWith('node_modules/json-p3/'))).toEqual([]);
  });

  test('a regex and a JSONPath in the manifest load re2js and json-p3 when they are first used', async () => {
    const { code, modules } = await loadedBy(['run', '--manifest', join(dir, 'patterns.yml'), '--url', staging.url, '--format', 'json']);
    expect(code).toBe(0);
    expect(modules).toEqual(expect.arrayContaining(['node_modules/re2js/build/index.cjs', 'node_modules/json-p3/dist/json-p3.cjs.js']));
  });
});

interface FlagSet {
  flag: string;
  /** Node built-ins loaded after it, each compiled without Node's code cache. */
  loadedAfter: string[];
}

// Reports, at exit, the built-ins the run loaded and each V8 flag it set at run time.
const BUILTINS_HOOK = `data:text/javascript,${encodeURIComponent(`
  import v8 from 'node:v8';
  const set = v8.setFlagsFromString;
  const flags = [];
  v8.setFlagsFromString = (flag) => { flags.push({ flag, at: process.moduleLoadList.length }); return set(flag); };
  process.on('exit', () => process.stderr.write('\\nBUILTINS ' + JSON.stringify({ list: process.moduleLoadList, flags }) + '\\n'));
`)}`;

/** Runs the bundle's `run` with `env`: its exit code, the JSON report's outcomes, the Node built-ins it loaded and the V8 flags it set. */
async function runBundle(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; outcomes: string[]; builtins: string[]; flags: FlagSet[] }> {
  const child = spawn(process.execPath, ['--import', BUILTINS_HOOK, 'dist/cli.js', 'run', ...args, '--format', 'json'], { env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('close', done));
  const report = JSON.parse(stdout) as { sections: { items: { outcome: string }[] }[] };
  const line = /^BUILTINS (.*)$/m.exec(stderr);
  // Without the hook's line, "nothing was loaded" would be a pass that tested nothing.
  if (!line) throw new Error(`the exit hook did not report; stderr: ${stderr}`);
  const { list, flags } = JSON.parse(line[1] as string) as { list: string[]; flags: { flag: string; at: number }[] };
  const builtins = (names: string[]) => names.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice('NativeModule '.length));
  return {
    code,
    outcomes: report.sections.flatMap((section) => section.items.map((item) => item.outcome)),
    builtins: builtins(list),
    flags: flags.map(({ flag, at }) => ({ flag, loadedAfter: builtins(list.slice(at)) })),
  };
}

describe('the bundle', () => {
  // undici loads its HTTP/2 half (and node:http2, ~20 ms) only when a server picks h2, and
  // node:tls (~10 ms) only for https; so does target.ca's trust (src/http/trust.ts).
  test('an http staging loads neither node:http2 nor node:tls; an h2 staging is spoken to over HTTP/2; the parser flag comes after every built-in', async () => {
    const plain = await runBundle(['--manifest', join(dir, 'http-only.yml'), '--url', staging.url]);
    expect({ code: plain.code, outcomes: plain.outcomes }).toEqual({ code: 0, outcomes: ['pass'] });
    expect(plain.builtins.filter((name) => name === 'http2' || name === 'tls')).toEqual([]);
    // undici's parser stays on the baseline compiler (src/util/wasm-tiering.ts): the flag is
    // set once, on the first connection, after every built-in the run needs.
    expect(plain.flags).toEqual([{ flag: '--wasm-tiering-budget=1000000000', loadedAfter: [] }]);

    const ca = await createCa();
    const pair = await localhostCert(ca);
    await writeFile(join(dir, 'ca.pem'), ca.cert);
    await writeFile(join(dir, 'h2.yml'), `version: 1\ntarget:\n  ca: ${join(dir, 'ca.pem')}\nsections:\n  - title: A\n    items:\n      - title: Home\n        http: { request: GET /, expect: { status: 200, body: { eq: "over 2.0" } } }\n`);
    const versions: string[] = [];
    const h2 = createSecureServer({ ...pair, allowHTTP1: true }, (req, res) => {
      versions.push(req.httpVersion);
      res.end(`over ${req.httpVersion}`);
    });
    await new Promise<void>((listening) => h2.listen(0, '127.0.0.1', listening));
    // The same CA over HTTP/1.1: node:tls is loaded before the flag too.
    const h1 = await startServer((_req, res) => res.end('over 1.1'), { tls: pair });
    try {
      await writeFile(join(dir, 'h1.yml'), `version: 1\ntarget:\n  ca: ${join(dir, 'ca.pem')}\nsections:\n  - title: A\n    items:\n      - title: Home\n        http: { request: GET /, expect: { status: 200, body: { eq: "over 1.1" } } }\n`);
      const over11 = await runBundle(['--manifest', join(dir, 'h1.yml'), '--url', `https://localhost:${h1.port}`]);
      expect({ code: over11.code, outcomes: over11.outcomes, flags: over11.flags }).toEqual({ code: 0, outcomes: ['pass'], flags: [{ flag: '--wasm-tiering-budget=1000000000', loadedAfter: [] }] });
      expect(over11.builtins).toContain('tls');
      expect(over11.builtins).not.toContain('http2');

      const over2 = await runBundle(['--manifest', join(dir, 'h2.yml'), '--url', `https://localhost:${(h2.address() as AddressInfo).port}`]);
      expect({ code: over2.code, outcomes: over2.outcomes }).toEqual({ code: 0, outcomes: ['pass'] });
      expect(over2.builtins).toEqual(expect.arrayContaining(['http2', 'tls']));
      // No HTTP/1 connection, no parser to compile: no flag.
      expect(over2.flags).toEqual([]);
      expect(versions).toEqual(['2.0']);
    } finally {
      await h1.close();
      await new Promise((closed) => h2.close(closed));
    }
  });

  // re2js and json-p3 are files beside the entries (dist/re2js.cjs, dist/json-p3.cjs), read
  // on first use; run from a copy of dist/ with no node_modules above it, as users run it.
  test('reads re2js and json-p3 from beside the bundle, and only for a manifest that uses them', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'readiness-dist-'));
    try {
      await cp('dist', copy, { recursive: true });
      const patterns = await loadedBy(['run', '--manifest', join(dir, 'patterns.yml'), '--url', staging.url, '--format', 'json'], join(copy, 'cli.js'), copy);
      expect(patterns.code).toBe(0);
      expect(patterns.modules).toEqual(expect.arrayContaining(['re2js.cjs', 'json-p3.cjs']));
      const plain = await loadedBy(['run', '--manifest', join(dir, 'http-only.yml'), '--url', staging.url, '--format', 'json'], join(copy, 'cli.js'), copy);
      expect(plain.code).toBe(0);
      expect(plain.modules.filter((path) => path.endsWith('.cjs'))).toEqual([]);
      // A bad regex and a bad JSONPath are still manifest errors, with their positions.
      await writeFile(join(dir, 'bad-patterns.yml'), 'version: 1\nsections:\n  - title: A\n    items:\n      - title: Home\n        http: { request: GET /, expect: { body: { matches: "(?=a)" }, json: { "$[": 1 } } }\n');
      const bad = spawnSync(process.execPath, [join(copy, 'cli.js'), 'validate', join(dir, 'bad-patterns.yml')], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('bad-patterns.yml:6:60  sections[0].items[0].http.expect.body.matches  expected a regular expression that runs in linear time');
      expect(bad.stderr).toContain('bad-patterns.yml:6:79  sections[0].items[0].http.expect.json.$[  invalid JSONPath "$[": unclosed bracketed selection');
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  // undici's parser without WebAssembly SIMD is a file beside the entries (dist/llhttp-wasm.cjs),
  // read only where SIMD is off; this is the path riscv64 runners take.
  test.each([{ UNDICI_NO_WASM_SIMD: '1' }, { JEST_WORKER_ID: '7' }])('runs an http item with the parser fallback (%j)', async (extra) => {
    const { code, outcomes } = await runBundle(['--manifest', join(dir, 'http-only.yml'), '--url', staging.url], extra);
    expect({ code, outcomes }).toEqual({ code: 0, outcomes: ['pass'] });
  });
});
