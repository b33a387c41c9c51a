// `npm run demo`: starts the demo staging server (Skyway Travel) and runs the CLI from
// source against it with examples/readiness.yml, then stops the server and exits with
// the CLI's exit code (0 ready, 1 not ready, 2 usage or manifest error).
// READINESS_DEMO_OUT changes where the reports go (default ./readiness-report).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoStaging } from './staging-server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = resolve(process.env.READINESS_DEMO_OUT ?? join(root, 'readiness-report'));
const password = process.env.SMOKE_PASSWORD ?? 'smoke-password';

const staging = await startDemoStaging({ password, version: 'demo' });
const certDir = await mkdtemp(join(tmpdir(), 'readiness-demo-'));
let exitCode: number;
try {
  // The CLI trusts the generated CA the way a real run trusts a private staging CA.
  const caFile = join(certDir, 'demo-ca.pem');
  await writeFile(caFile, staging.caCert);
  process.stdout.write(`Demo staging server: ${staging.url} (certificate generated for this run)\n\n`);

  const cli = spawn(
    process.execPath,
    [join(root, 'src/cli/index.ts'), 'run', '--manifest', join(root, 'examples/readiness.yml'), '--url', staging.url, '--out', outDir],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, SMOKE_PASSWORD: password, DEMO_HTTP_URL: staging.httpUrl },
    },
  );
  exitCode = await new Promise<number>((resolveExit, reject) => {
    cli.once('error', reject);
    cli.once('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 2)));
  });
  // Exit 2 means the run never started (bad manifest or usage), so no reports were written.
  if (exitCode !== 2) {
    const shown = relative(process.cwd(), outDir).startsWith('..') ? outDir : relative(process.cwd(), outDir) || '.';
    process.stdout.write(`\nReports: ${join(shown, 'report.md')} (the PR comment) and ${join(shown, 'report.json')} (everything, as data).\n`);
  }
} finally {
  await staging.close();
  await rm(certDir, { recursive: true, force: true });
}
process.exitCode = exitCode;
