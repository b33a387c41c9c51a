import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckContext } from '../../src/checks/context.ts';
import { MAX_READ_BYTES, runFileCheck } from '../../src/checks/file.ts';
import { HttpClient } from '../../src/http/client.ts';
import { checkContext } from '../../test-support/check-context.ts';

let root: string;
let workspace: string;
const http = new HttpClient({ perHost: 1 });
const RUNBOOK = 'docs/runbooks/incident-response.md';
const RUNBOOK_TEXT = '# Incident response\n\n## Escalation\n\nPage the on-call engineer.\n';

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'readiness-file-'));
  workspace = path.join(root, 'repo');
  await mkdir(path.join(workspace, 'docs/runbooks'), { recursive: true });
  await writeFile(path.join(workspace, RUNBOOK), RUNBOOK_TEXT);
  await writeFile(path.join(root, 'outside.txt'), 'Escalation\n');
  await symlink(path.join(root, 'outside.txt'), path.join(workspace, 'docs/linked.md'));
  // The marker sits past the read cap.
  await writeFile(path.join(workspace, 'big.log'), `${'x'.repeat(MAX_READ_BYTES)}\nMARKER\n`);
});
afterAll(async () => {
  await http.close();
  await rm(root, { recursive: true, force: true });
});

function context(): CheckContext {
  return checkContext({ http, workspace });
}

describe('file check', () => {
  test('a file that exists passes, with its size as evidence', async () => {
    const result = await runFileCheck({ path: RUNBOOK }, context());
    expect(result).toMatchObject({ outcome: 'pass', summary: `${RUNBOOK} exists`, evidence: { facts: { path: RUNBOOK, exists: true, bytes: Buffer.byteLength(RUNBOOK_TEXT) } } });
  });

  test('a missing file fails', async () => {
    const result = await runFileCheck({ path: 'docs/privacy-policy.md' }, context());
    expect(result).toMatchObject({ outcome: 'fail', summary: 'docs/privacy-policy.md not found in the repository' });
  });

  test('contains and matches (multiline) on the text', async () => {
    expect((await runFileCheck({ path: RUNBOOK, contains: 'Escalation' }, context())).summary).toBe(`${RUNBOOK} contains "Escalation"`);
    expect((await runFileCheck({ path: RUNBOOK, contains: 'Escalation', matches: '^## Escalation$' }, context())).outcome).toBe('pass');

    const missing = await runFileCheck({ path: RUNBOOK, contains: 'Post-mortem' }, context());
    expect(missing).toMatchObject({ outcome: 'fail', summary: `${RUNBOOK} does not contain "Post-mortem"` });
    const noMatch = await runFileCheck({ path: RUNBOOK, contains: 'Escalation', matches: '^## Rollback' }, context());
    expect(noMatch).toMatchObject({ outcome: 'fail', summary: `${RUNBOOK} does not contain a match for /^## Rollback/` });
  });

  test('exists: false: the file must not be committed', async () => {
    expect(await runFileCheck({ path: 'db.sqlite3', exists: false }, context())).toMatchObject({ outcome: 'pass', summary: 'db.sqlite3 is not in the repository' });
    expect(await runFileCheck({ path: RUNBOOK, exists: false }, context())).toMatchObject({ outcome: 'fail', summary: `${RUNBOOK} is in the repository but must not be` });
  });

  test('a directory exists, but has no text to search', async () => {
    expect(await runFileCheck({ path: 'docs/runbooks' }, context())).toMatchObject({ outcome: 'pass', summary: 'docs/runbooks exists (a directory)' });
    expect(await runFileCheck({ path: 'docs/runbooks', contains: 'Escalation' }, context())).toMatchObject({ outcome: 'fail', summary: 'docs/runbooks is a directory, not a file' });
  });

  test('paths that leave the workspace are refused', async () => {
    expect(await runFileCheck({ path: '../outside.txt' }, context())).toMatchObject({ outcome: 'error', summary: '"../outside.txt" is outside the repository' });
    expect(await runFileCheck({ path: 'docs/../../outside.txt' }, context())).toMatchObject({ outcome: 'error' });
    expect(await runFileCheck({ path: path.join(root, 'outside.txt') }, context())).toMatchObject({ outcome: 'error', summary: expect.stringContaining('must be a path relative to the repository') });
    expect(await runFileCheck({ path: 'docs/linked.md', contains: 'Escalation' }, context())).toMatchObject({
      outcome: 'error',
      summary: '"docs/linked.md" leads outside the repository through a symbolic link',
    });
  });

  test('only the first few MB are searched, and the result says so', async () => {
    const result = await runFileCheck({ path: 'big.log', contains: 'MARKER' }, context());
    expect(result).toMatchObject({ outcome: 'fail', summary: 'big.log does not contain "MARKER" (in its first 4 MB)' });
    expect(result.evidence.notes).toEqual([`only the first ${MAX_READ_BYTES} bytes of big.log were read`]);
    expect((await runFileCheck({ path: 'big.log', contains: 'xxx' }, context())).outcome).toBe('pass');
  });
});
