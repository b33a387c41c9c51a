#!/usr/bin/env node
// Entry of dist/cli.js (the package's `readiness-gate` bin).
import { main } from './main.ts';

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
