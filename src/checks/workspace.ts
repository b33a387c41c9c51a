// Paths the manifest names in the repository checkout (command cwd, file checks): always
// relative, never leaving the workspace, not even through a symbolic link.
import type { Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export interface WorkspaceEntry {
  /** The absolute path (symbolic links resolved when the entry exists). */
  path: string;
  /** undefined when nothing is at the path. */
  stats?: Stats;
}

/**
 * Resolves `relative` inside `workspace`, or says why it is refused: an absolute path, a
 * path with `..` that leaves the workspace, or a symbolic link that points outside it.
 */
export async function workspaceEntry(workspace: string, relative: string): Promise<WorkspaceEntry | { problem: string }> {
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative)) {
    return { problem: `"${relative}" must be a path relative to the repository, not an absolute one` };
  }
  const root = path.resolve(workspace);
  const full = path.resolve(root, relative);
  if (!isWithin(root, full)) return { problem: `"${relative}" is outside the repository` };

  try {
    await lstat(full);
  } catch {
    return { path: full };
  }
  let real: string;
  let stats: Stats;
  try {
    real = await realpath(full);
    stats = await stat(real);
  } catch {
    // A dangling symbolic link: there, but nothing behind it.
    return { problem: `"${relative}" is a symbolic link to nothing` };
  }
  if (!isWithin(await realpath(root), real)) return { problem: `"${relative}" leads outside the repository through a symbolic link` };
  return { path: real, stats };
}

export function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
