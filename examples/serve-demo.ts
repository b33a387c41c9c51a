// Starts the demo staging server and keeps it running until stopped, for the project's
// own CI self-test (`uses: ./` against it) and for trying the action by hand.
// Writes the URLs and the CA certificate to the files named by the flags.
//   node examples/serve-demo.ts --write-env demo.env --write-ca demo-ca.pem
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startDemoStaging } from './staging-server.ts';

const { values } = parseArgs({ options: { 'write-env': { type: 'string' }, 'write-ca': { type: 'string' } } });
const staging = await startDemoStaging({ password: process.env.SMOKE_PASSWORD ?? 'smoke-password', version: process.env.GITHUB_SHA ?? 'demo' });
if (values['write-ca']) await writeFile(values['write-ca'], staging.caCert);
// KEY=value lines, ready to append to $GITHUB_ENV.
if (values['write-env']) await writeFile(values['write-env'], `DEMO_STAGING_URL=${staging.url}\nDEMO_HTTP_URL=${staging.httpUrl}\n`);
process.stdout.write(`Demo staging server: ${staging.url} (plain HTTP ${staging.httpUrl})\n`);

const stop = () => void staging.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
