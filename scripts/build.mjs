// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with ncc. Each entry is a small
// ESM file; what a command or a check kind needs is a chunk beside it (dist/<id>.cli.js,
// dist/<id>.index.js) that Node reads only when that code is imported, so `--version` or a run
// of http items never reads or compiles the rest. Everything runs with plain `node` and no
// node_modules.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'acorn';
import { minify } from 'terser';

const ncc = createRequire(import.meta.url)('@vercel/ncc');

const ENTRIES = [
  { input: 'src/action/index.ts', output: 'index.js' },
  { input: 'src/cli/index.ts', output: 'cli.js', shebang: true },
];

// Parts of undici that our undici parts only load on paths we never take: the Milo
// parser (experimental, off unless a client asks for it; the bundle is built without it,
// as Node core builds undici, see UNDICI_EDITS), fetch's body extraction and FormData checks
// (only for FormData request bodies, which we never send). Left as lazy requires that never
// run instead of ~100 kB of bundle.
const NEVER_LOADED = {
  './parser-h1.js': './parser-h1.js',
  '../milo/simd.js': '../milo/simd.js',
  '../milo/no-simd.js': '../milo/no-simd.js',
  '../web/fetch/body.js': '../web/fetch/body.js',
  '../web/fetch/formdata': '../web/fetch/formdata',
  '../web/webidl': '../web/webidl',
};

// undici's HTTP parser without WebAssembly SIMD, a 70 kB fallback it reads only where SIMD
// is off: riscv64, ppc64 before Node 24.12, UNDICI_NO_WASM_SIMD=1, or Jest workers. One
// file beside both entries instead of a copy inside each bundle that x64 and arm64 runners
// read and never run.
const WASM_FALLBACK = { request: '../llhttp/llhttp-wasm.js', file: 'llhttp-wasm.cjs', source: 'node_modules/undici/lib/llhttp/llhttp-wasm.js' };
const EXTERNALS = { ...NEVER_LOADED, [WASM_FALLBACK.request]: `./${WASM_FALLBACK.file}` };

// Packages src/util/lazy-packages.ts requires on first use rather than importing at start: each
// is copied beside the entries, minified, and its one require in the bundle is pointed at the
// copy (a require webpack does not see stays a plain Node require).
const LAZY_PACKAGES = [
  { name: 're2js', file: 're2js.cjs', source: 'node_modules/re2js/build/index.cjs' },
  { name: 'json-p3', file: 'json-p3.cjs', source: 'node_modules/json-p3/dist/json-p3.cjs.js' },
];

// Two edits to undici's code as bundled. Each must be found exactly `count` times, or the
// build fails: undici changed and the edit needs a look.
// - Its client loads the HTTP/2 half, and with it node:http2 (about 20 ms of start-up), when
//   its module loads; that runs only when a TLS server picks h2, so the bundle requires it
//   on the first h2 connection instead.
// - It asks `typeof esbuildDetection` whether it is built into Node core, where it leaves
//   out its experimental Milo parser (15 kB, see NEVER_LOADED); the bundle answers as Node
//   core's build does.
const UNDICI_EDITS = [
  {
    what: 'the eager require of the HTTP/2 client',
    pattern: /const connectH2 = (__webpack_require__|__nccwpck_require__)\((\d+)\);?\n/g,
    count: 1,
    replace: (_match, load, id) => `let connectH2Module;\nconst connectH2 = (client, socket) => (connectH2Module ??= ${load}(${id}))(client, socket);\n`,
  },
  { what: 'the Milo switch', pattern: /typeof esbuildDetection === 'undefined'/g, count: 2, replace: () => 'false' },
];

// Each lazy package's require, pointed at its copy beside the bundle.
const LAZY_PACKAGE_EDITS = LAZY_PACKAGES.map(({ name, file }) => ({
  what: `the require of ${name} in src/util/lazy-packages.ts`,
  pattern: new RegExp(`(requireOnFirstUse\\()(['"])${name}\\2\\)`, 'g'),
  count: 1,
  replace: (_match, call) => `${call}"./${file}")`,
}));

function edit(sources, input, edits) {
  for (const { what, pattern, count, replace } of edits) {
    let found = 0;
    for (const file of sources) file.source = file.source.replace(pattern, (...match) => (found++, replace(...match)));
    if (found !== count) throw new Error(`${input}: expected ${count} of ${what}, found ${found}: the code changed, see UNDICI_EDITS and LAZY_PACKAGES`);
  }
}

// Minified and compressed: webpack marks the exports nobody imports, and terser's compressor
// drops them (a tenth of the bundle: zod, yaml and tough-cookie parts we never call). ncc's own
// minifier does not compress. Class names are kept (zod, tough-cookie and error messages read
// `constructor.name`); function names are not (40 kB, and nothing reads them). ASCII only: a
// file with one non-ASCII character is decoded into a two-byte string, several times slower to
// decode and to scan, so characters like ✅ are written as \u escapes.
const MINIFY = { module: true, compress: { passes: 2 }, mangle: { keep_classnames: true }, format: { ascii_only: true } };

// V8 compiles a function when it first runs, and Node's compile cache keeps only what was
// compiled when the file was: the chunk's top level. A function wrapped in parentheses is
// compiled with the file, so each module of a chunk is wrapped: the cache then holds the
// modules' code too, and the next run skips compiling them.
function compileModulesEagerly(code) {
  const program = parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  // A chunk is `export const id=…;export const ids=[…];export const modules={<id>:(…)=>{…},…}`.
  const modules = program.body.flatMap((statement) => statement.declaration?.declarations ?? []).find((declaration) => declaration.id.name === 'modules');
  if (modules?.init?.type !== 'ObjectExpression') throw new Error('a chunk without its modules object: the webpack chunk format changed');
  let wrapped = code;
  for (const { value } of [...modules.init.properties].reverse()) {
    wrapped = `${wrapped.slice(0, value.start)}(${wrapped.slice(value.start, value.end)})${wrapped.slice(value.end)}`;
  }
  return wrapped;
}

// Build everything first; dist/ is only replaced when every bundle built.
const files = [];
for (const { input, output, shebang } of ENTRIES) {
  const { code, assets } = await ncc(`${process.cwd()}/${input}`, { target: 'es2022', quiet: true, cache: false, filename: output, externals: EXTERNALS });
  const chunk = new RegExp(`^\\d+\\.${output.replace('.', '\\.')}$`);
  const sources = [{ name: output, source: code.replace(/^#!.*\n/, '') }];
  for (const [name, { source }] of Object.entries(assets ?? {})) {
    if (name === 'package.json') continue;
    // Anything else (a .node binary, a copied asset) would be a file the bundle reads at run time.
    if (!chunk.test(name)) throw new Error(`${input}: ncc emitted ${name}; only chunks of the entry may sit beside it`);
    sources.push({ name, source: source.toString() });
  }
  edit(sources, input, [...UNDICI_EDITS, ...LAZY_PACKAGE_EDITS]);
  const [entry, ...chunks] = sources;
  const minified = (await minify(entry.source, MINIFY)).code;
  files.push({ name: output, executable: shebang, code: shebang ? `#!/usr/bin/env node\n${minified}` : minified });
  for (const { name, source } of chunks) files.push({ name, code: compileModulesEagerly((await minify(source, MINIFY)).code) });
}

// CommonJS, as the packages publish it: Node requires them relative to dist/ and wraps each
// file in a function, so its top-level names are its own to shorten.
for (const { file, source } of LAZY_PACKAGES) files.push({ name: file, code: (await minify(readFileSync(source, 'utf8'), { ...MINIFY, module: false, toplevel: true })).code });

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
for (const { name, executable, code } of files) writeFileSync(`dist/${name}`, `${code}\n`.replace(/\n+$/, '\n'), { mode: executable ? 0o755 : 0o644 });
// CommonJS as undici wrote it; the entries load it with createRequire, relative to dist/.
writeFileSync(`dist/${WASM_FALLBACK.file}`, readFileSync(WASM_FALLBACK.source));
// ncc emits ESM (the package is "type": "module"); this tells Node how to load dist/*.js.
writeFileSync('dist/package.json', '{ "type": "module" }\n');

for (const { output } of ENTRIES) {
  const chunks = readdirSync('dist').filter((name) => name.endsWith(`.${output}`));
  const total = [output, ...chunks].reduce((sum, name) => sum + statSync(`dist/${name}`).size, 0);
  console.log(`dist/${output}  ${Math.round(statSync(`dist/${output}`).size / 1024)} kB, with ${chunks.length} chunks ${Math.round(total / 1024)} kB`);
}
