// The `file` check: a path in the repository exists (a runbook, a privacy policy), or
// must not (a committed db.sqlite3), and optionally contains or matches some text.
import { open } from 'node:fs/promises';
import type { z } from 'zod/mini';
import type { fileCheck } from '../manifest/schema.ts';
import type { CheckRunner } from './context.ts';
import type { Assertion, CheckResult } from './result.ts';
import { workspaceEntry } from './workspace.ts';
import { patternTest } from '../util/pattern.ts';

export type FileCheck = z.infer<typeof fileCheck>;

/** Text checks read at most this much of a file. */
export const MAX_READ_BYTES = 4 * 1024 * 1024;

export const runFileCheck: CheckRunner<FileCheck> = async (spec, context) => {
  const entry = await workspaceEntry(context.workspace, spec.path);
  if ('problem' in entry) return { outcome: 'error', summary: entry.problem, evidence: { facts: { path: spec.path } } };
  const facts: Record<string, string | number | boolean> = { path: spec.path, exists: entry.stats !== undefined };
  const mustExist = spec.exists ?? true;

  if (entry.stats === undefined) {
    return mustExist
      ? { outcome: 'fail', summary: `${spec.path} not found in the repository`, evidence: { facts } }
      : { outcome: 'pass', summary: `${spec.path} is not in the repository`, evidence: { facts } };
  }
  const isDirectory = entry.stats.isDirectory();
  if (!isDirectory) facts.bytes = entry.stats.size;
  if (!mustExist) {
    return { outcome: 'fail', summary: `${spec.path} is in the repository but must not be${isDirectory ? ' (a directory)' : ''}`, evidence: { facts } };
  }
  const wantsText = spec.contains !== undefined || spec.matches !== undefined;
  if (!wantsText) return { outcome: 'pass', summary: `${spec.path} exists${isDirectory ? ' (a directory)' : ''}`, evidence: { facts } };
  if (isDirectory) return { outcome: 'fail', summary: `${spec.path} is a directory, not a file`, evidence: { facts } };
  if (!entry.stats.isFile()) return { outcome: 'fail', summary: `${spec.path} is not a regular file`, evidence: { facts } };

  const { text, truncated } = await readStart(entry.path, entry.stats.size, MAX_READ_BYTES);
  const where = truncated ? ` (in its first ${MAX_READ_BYTES / (1024 * 1024)} MB)` : '';
  const tests: { what: string; ok: boolean }[] = [];
  if (spec.contains !== undefined) tests.push({ what: JSON.stringify(spec.contains), ok: text.includes(spec.contains) });
  // Multiline, so ^ and $ are line boundaries: `^## Escalation` finds a heading.
  if (spec.matches !== undefined) tests.push({ what: `a match for /${spec.matches}/`, ok: patternTest(spec.matches, text, { multiline: true }) });
  const assertions: Assertion[] = tests.map(({ what, ok }) => ({ subject: spec.path, expected: `containing ${what}`, actual: ok ? 'found' : `not found${where}`, ok }));

  const failed = tests.find((test) => !test.ok);
  const result: CheckResult = failed
    ? { outcome: 'fail', summary: `${spec.path} does not contain ${failed.what}${where}`, evidence: { facts, assertions } }
    : { outcome: 'pass', summary: `${spec.path} contains ${tests.map((test) => test.what).join(' and ')}`, evidence: { facts, assertions } };
  if (truncated) result.evidence.notes = [`only the first ${MAX_READ_BYTES} bytes of ${spec.path} were read`];
  return result;
};

/** The start of a file, at most `limit` bytes; one byte more is read to know whether there is more. */
async function readStart(file: string, size: number, limit: number): Promise<{ text: string; truncated: boolean }> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size, limit) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    const truncated = length > limit;
    return { text: buffer.subarray(0, Math.min(length, limit)).toString('utf8'), truncated };
  } finally {
    await handle.close();
  }
}
