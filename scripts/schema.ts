// Writes schema/readiness.schema.json from the zod schema, or with --check fails
// when the committed file differs (CI runs the check).
import { readFileSync, writeFileSync } from 'node:fs';
import { manifestJsonSchemaText } from '../src/manifest/json-schema.ts';

const FILE = 'schema/readiness.schema.json';
const fresh = manifestJsonSchemaText();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(FILE, 'utf8');
  } catch {
    // Missing counts as different.
  }
  if (committed !== fresh) {
    console.error(`${FILE} is out of date with src/manifest/schema.ts; run "npm run schema" and commit it.`);
    process.exit(1);
  }
  console.log(`${FILE} matches the zod schema.`);
} else {
  writeFileSync(FILE, fresh);
  console.log(`wrote ${FILE}`);
}
