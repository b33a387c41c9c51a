// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with ncc: each is one
// self-contained ESM file that runs with plain `node` and no node_modules.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const ncc = createRequire(import.meta.url)('@vercel/ncc');

const ENTRIES = [
  { input: 'src/action/index.ts', output: 'dist/index.js' },
  { input: 'src/cli/index.ts', output: 'dist/cli.js', shebang: true },
];

// Parts of undici that our undici parts only load on paths we never take: the Milo
// parser (off unless a client asks for it) and fetch's body extraction (FormData
// request bodies). Left as lazy requires that never run instead of ~300 kB of bundle.
const NEVER_LOADED = {
  '../milo/simd.js': '../milo/simd.js',
  '../milo/no-simd.js': '../milo/no-simd.js',
  '../web/fetch/body.js': '../web/fetch/body.js',
};

// Build everything first; dist/ is only replaced when every bundle built.
const bundles = [];
for (const { input, output, shebang } of ENTRIES) {
  // Minified (names kept, nothing rewritten): half the bytes for Node to read and parse at every start.
  const { code, assets } = await ncc(`${process.cwd()}/${input}`, { target: 'es2022', quiet: true, cache: false, minify: true, externals: NEVER_LOADED });
  const extra = Object.keys(assets ?? {}).filter((name) => name !== 'package.json');
  if (extra.length > 0) throw new Error(`${input}: ncc emitted ${extra.join(', ')}; the bundle must be one file`);
  bundles.push({ output, shebang, code: shebang && !code.startsWith('#!') ? `#!/usr/bin/env node\n${code}` : code });
}

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
for (const { output, shebang, code } of bundles) {
  writeFileSync(output, code, { mode: shebang ? 0o755 : 0o644 });
  console.log(`${output}  ${Math.round(statSync(output).size / 1024)} kB`);
}
// ncc emits ESM (the package is "type": "module"); this tells Node how to load dist/*.js.
writeFileSync('dist/package.json', '{ "type": "module" }\n');
