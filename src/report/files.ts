// The report files a run leaves behind: report.json (everything, as data), report.md
// (the checklist as the PR comment shows it), report.html (one self-contained page with
// filters, evidence and charts), junit.xml (for test-report tooling) and,
// in the action, context.json (which commit and PR the run was about, for the fork
// recipe's second stage).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from './model.ts';
import { renderJson } from './json.ts';
import { renderJUnit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderHtml } from './html.ts';

export interface RunContextFile {
  sha: string;
  pullRequest?: number;
}

export async function writeReports(report: Report, dir: string, context?: RunContextFile): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(join(dir, 'report.json'), renderJson(report)),
    writeFile(join(dir, 'report.md'), `${renderMarkdown(report)}\n`),
    writeFile(join(dir, 'report.html'), renderHtml(report, context ? { sha: context.sha } : {})),
    writeFile(join(dir, 'junit.xml'), renderJUnit(report)),
    ...(context ? [writeFile(join(dir, 'context.json'), `${JSON.stringify(context, null, 2)}\n`)] : []),
  ]);
}

export async function readRunContext(dir: string): Promise<RunContextFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, 'context.json'), 'utf8')) as RunContextFile;
    return typeof parsed.sha === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
