// The end-to-end tests run the bundle (dist/index.js, dist/cli.js) as the runner does.
// When a source file is newer than the bundle, rebuild it first, so a local `npm test`
// never tests yesterday's bundle. (CI builds before it tests and compares with git.)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export default function globalSetup() {
  const bundles = ['dist/index.js', 'dist/cli.js'];
  const built = bundles.every((file) => existsSync(file)) ? Math.min(...bundles.map((file) => statSync(file).mtimeMs)) : 0;
  const sources = Math.max(newest('src'), statSync('package-lock.json').mtimeMs);
  if (sources > built) {
    process.stderr.write('\ndist/ is older than src/: rebuilding the bundle for the end-to-end tests…\n');
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  }
}
