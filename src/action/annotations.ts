// Check-run annotations: items that need attention and manifest errors, on the
// manifest's lines (paths relative to the repository, as GitHub wants them).
import { isAbsolute, relative } from 'node:path';
import type { ManifestError } from '../manifest/load.ts';
import type { Annotation } from '../github/check-run.ts';
import { allItems, type ItemReport, type Report } from '../report/model.ts';
import { stripInvisible } from '../report/escape.ts';

/** Failed, errored and blocking-pending items, each on its manifest line. */
export function itemAnnotations(report: Report, workspace: string): Annotation[] {
  const path = manifestPathInRepo(report.manifest, workspace);
  return allItems(report)
    .filter((item) => item.outcome === 'fail' || item.outcome === 'error' || (item.blocks && item.outcome === 'pending'))
    .map((item) => annotation(item, path));
}

export function manifestErrorAnnotations(errors: ManifestError[]): Annotation[] {
  return errors.map((error) => ({
    path: error.file,
    start_line: error.line,
    end_line: error.line,
    start_column: error.column,
    end_column: error.column,
    annotation_level: 'failure',
    title: 'Manifest invalid',
    message: error.path ? `${error.path}: ${error.message}` : error.message,
  }));
}

function annotation(item: ItemReport, path: string): Annotation {
  const failed = (item.evidence.assertions ?? []).filter((assertion) => !assertion.ok);
  // Summaries and assertion values carry staging text: no bidi controls or zero-width characters on the PR's diff.
  return {
    path,
    start_line: item.line,
    end_line: item.line,
    annotation_level: item.blocks ? 'failure' : 'warning',
    title: stripInvisible(`${item.outcome === 'error' ? 'Could not check' : item.outcome === 'pending' ? 'Awaiting sign-off' : 'Failed'}: ${item.title}`),
    message: stripInvisible(item.help ? `${item.summary}\n\n${item.help}` : item.summary),
    ...(failed.length ? { raw_details: stripInvisible(failed.map((assertion) => `${assertion.subject}: expected ${assertion.expected}, got ${assertion.actual}`).join('\n')) } : {}),
  };
}

/** Annotations need the manifest's path inside the repository. */
export function manifestPathInRepo(manifest: string, workspace: string): string {
  return isAbsolute(manifest) ? relative(workspace, manifest) : manifest.replace(/^\.\//, '');
}
