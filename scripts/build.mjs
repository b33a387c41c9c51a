// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with ncc: each is one
// self-contained ESM file that runs with plain `node` and no node_modules.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENTRIES = [
  { input: 'src/action/index.ts', output: 'dist/index.js' },
  { input: 'src/cli/index.ts', output: 'dist/cli.js', shebang: true },
];

// Build everything first; dist/ is only replaced when every bundle built.
const bundles = ENTRIES.map(({ input, output, shebang }) => {
  const out = mkdtempSync(join(tmpdir(), 'readiness-gate-build-'));
  try {
    execFileSync(process.execPath, ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', input, '-o', out, '--target', 'es2022', '--quiet', '--no-cache'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const extra = readdirSync(out).filter((name) => name !== 'index.js' && name !== 'package.json');
    if (extra.length > 0) throw new Error(`${input}: ncc emitted ${extra.join(', ')}; the bundle must be one file`);
    const code = readFileSync(join(out, 'index.js'), 'utf8');
    return { output, shebang, code: shebang && !code.startsWith('#!') ? `#!/usr/bin/env node\n${code}` : code };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
for (const { output, shebang, code } of bundles) {
  writeFileSync(output, code, { mode: shebang ? 0o755 : 0o644 });
  console.log(`${output}  ${Math.round(statSync(output).size / 1024)} kB`);
}
// ncc emits ESM (the package is "type": "module"); this tells Node how to load dist/*.js.
writeFileSync('dist/package.json', '{ "type": "module" }\n');
