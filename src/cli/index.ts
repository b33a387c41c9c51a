#!/usr/bin/env node
// Entry of dist/cli.js (the package's `readiness-gate` bin). Kept tiny: Node's version is
// checked before anything that could fail on an older Node is evaluated, and the command
// line is loaded only then (a chunk beside this file, read and compiled on import).
// The default import: a named one would fail to link on the old Node the check below is for.
import nodeModule from 'node:module';
import { nodeTooOld } from '../util/node-version.ts';

const tooOld = nodeTooOld(process.version);
if (tooOld !== undefined) {
  process.stderr.write(`${tooOld}\n`);
  process.exitCode = 2;
} else {
  // Node keeps the compiled chunks in its compile cache (NODE_COMPILE_CACHE, else the OS temp
  // directory), so the next run of the CLI skips parsing them; a cache it cannot write is ignored.
  nodeModule.enableCompileCache?.();
  const { main } = await import('./main.ts');
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  }).catch((error: unknown) => {
    // Only a bug in readiness-gate gets here; user errors are handled with messages.
    process.stderr.write(`readiness-gate: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  });
}
