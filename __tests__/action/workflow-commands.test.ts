// The local workflow commands write exactly what @actions/core 3 writes: both run in a
// real child process with the same calls, and stdout, the output file, the job summary
// and the exit code are compared byte for byte (only the random heredoc delimiter differs).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const LOCAL = pathToFileURL(resolve('src/action/workflow-commands.ts')).href;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'readiness-commands-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CALLS = `
  c.info('plain line, 100% sure');
  c.warning('two\\nlines: 50% done, a::b', { title: 'Title: with, commas', file: '.github/readiness.yml', startLine: 12, startColumn: 7 });
  c.warning('no properties');
  c.error(new Error('boom'), {});
  c.error('with an empty title', { title: '', startLine: 3 });
  c.setSecret('s3cr3t value');
  c.setOutput('ready', 'true');
  c.setOutput('report', { path: 'out/report.json', n: 2 });
  c.setOutput('multi', 'line one\\nline two');
  process.stdout.write('input=[' + c.getInput('staging url') + ']\\n');
  process.stdout.write('missing=[' + c.getInput('absent') + ']\\n');
  c.startGroup('Security');
  c.endGroup();
  await SUMMARY('## Readiness\\n\\n- item');
  await SUMMARY('second');
  c.setFailed('not ready: 2 blocking items, 100% sure');
`;

interface Seen {
  stdout: string;
  output: string;
  summary: string;
  status: number | null;
}

async function runWith(module: string, summary: string, name: string, withFiles = true): Promise<Seen> {
  const output = join(dir, `${name}-output`);
  const summaryFile = join(dir, `${name}-summary`);
  await writeFile(output, '');
  await writeFile(summaryFile, '');
  const script = `import * as c from ${JSON.stringify(module)};\nconst SUMMARY = ${summary};\n${CALLS}`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', INPUT_STAGING_URL: '  https://staging.example.com  ' };
  if (withFiles) Object.assign(env, { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summaryFile });
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  const delimiters = (text: string) => text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_X');
  expect(child.stderr).toBe('');
  return { stdout: delimiters(child.stdout), output: delimiters(await readFile(output, 'utf8')), summary: await readFile(summaryFile, 'utf8'), status: child.status };
}

describe('workflow commands', () => {
  test('write what @actions/core writes: commands, escaping, annotations, outputs, masks, summary, exit code', async () => {
    const ours = await runWith(LOCAL, '(text) => c.appendSummary(text)', 'ours');
    const theirs = await runWith('@actions/core', '(text) => c.summary.addRaw(text, true).write({ overwrite: false })', 'theirs');
    expect(ours).toEqual(theirs);
    // And the comparison saw real content.
    expect(ours.stdout).toContain('::warning title=Title%3A with%2C commas,file=.github/readiness.yml,line=12,col=7::two%0Alines: 50%25 done, a::b');
    expect(ours.output).toContain('multi<<ghadelimiter_X\nline one\nline two\nghadelimiter_X');
    expect(ours.summary).toBe('## Readiness\n\n- item\nsecond\n');
    expect(ours.status).toBe(1);
  });

  test('without GITHUB_OUTPUT, outputs fall back to the set-output command as @actions/core does', () => {
    const script = (module: string) => `import * as c from ${JSON.stringify(module)};\nc.setOutput('ready', 'false');\nc.setOutput('n', 3);`;
    const run = (module: string) => spawnSync(process.execPath, ['--input-type=module', '-e', script(module)], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' }).stdout;
    expect(run(LOCAL)).toBe(run('@actions/core'));
    expect(run(LOCAL)).toContain('::set-output name=ready::false');
  });
});
