// The required check: one check run with a stable name on the commit under test, or a
// commit status with the same name when the token cannot write checks. It is started
// first and always concluded, whatever happens in between.
import type { GitHub } from './client.ts';
import { isPermissionError } from './client.ts';
import type { Repo } from './context.ts';

/** GitHub accepts 50 annotations per request; further ones go in follow-up updates. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** output.summary is limited to 65,535 bytes (not characters). */
export const SUMMARY_BYTES = 65_535;
const STATUS_DESCRIPTION = 140;
const ANNOTATION_TITLE = 255;
const ANNOTATION_MESSAGE_BYTES = 64_000;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title?: string;
  message: string;
  raw_details?: string;
}

export interface Conclusion {
  /** action_required: only sign-offs are missing (blocks a required check without showing a test failure). */
  conclusion: 'success' | 'failure' | 'neutral' | 'action_required';
  /** Machine-readable facts for the next run (e.g. "score=82", read as the base branch's baseline). */
  externalId?: string;
  /** One line: why. The same sentence the comment and the log lead with. */
  title: string;
  /** Markdown; trimmed to the byte limit here. */
  summary: string;
  annotations: Annotation[];
}

export interface CheckTarget {
  github: GitHub;
  repo: Repo;
  sha: string;
  name: string;
  detailsUrl?: string;
  log: (message: string) => void;
}

export class RequiredCheck {
  private readonly target: CheckTarget;
  private checkRunId: number | undefined;
  private mode: 'check-run' | 'status' | 'none' = 'check-run';
  url: string | undefined;

  constructor(target: CheckTarget) {
    this.target = target;
  }

  /** Creates the check in progress, so the PR shows it running; falls back to a pending status. */
  async start(): Promise<void> {
    const { github, repo, sha, name, detailsUrl } = this.target;
    try {
      const { data } = await github.rest.checks.create({
        ...repo,
        name,
        head_sha: sha,
        status: 'in_progress',
        started_at: new Date().toISOString(),
        ...(detailsUrl ? { details_url: detailsUrl } : {}),
        output: { title: 'Checking production readiness…', summary: 'The checks are running.' },
      });
      this.checkRunId = data.id;
      this.url = data.html_url ?? undefined;
    } catch (error) {
      if (!isPermissionError(error)) throw error;
      this.target.log(`The token cannot create check runs (checks: write), so "${name}" is reported as a commit status instead.`);
      this.mode = 'status';
      await this.status('pending', 'Checking production readiness…');
    }
  }

  async finish(result: Conclusion): Promise<void> {
    if (this.mode === 'none') return;
    if (this.mode === 'status') {
      // A commit status has no action_required: pending blocks a required check the same way.
      await this.status(result.conclusion === 'failure' ? 'failure' : result.conclusion === 'action_required' ? 'pending' : 'success', result.title);
      return;
    }
    if (this.checkRunId === undefined) await this.start();
    if (this.mode !== 'check-run') return this.finish(result);
    const { github, repo } = this.target;
    const title = clip(result.title, ANNOTATION_TITLE);
    const summary = fitBytes(result.summary, SUMMARY_BYTES);
    const batches = chunk(result.annotations.map(limitAnnotation), ANNOTATIONS_PER_REQUEST);
    // Every batch but the last goes while the run is in progress; the last one concludes it.
    for (const batch of batches.slice(0, -1)) {
      await github.rest.checks.update({ ...repo, check_run_id: this.checkRunId as number, output: { title, summary, annotations: batch } });
    }
    const last = batches.at(-1) ?? [];
    await github.rest.checks.update({
      ...repo,
      check_run_id: this.checkRunId as number,
      status: 'completed',
      conclusion: result.conclusion,
      ...(result.externalId ? { external_id: result.externalId } : {}),
      completed_at: new Date().toISOString(),
      output: { title, summary, ...(last.length ? { annotations: last } : {}) },
    });
  }

  /** Gives up on reporting the check (nothing the token can write). */
  disable(): void {
    this.mode = 'none';
  }

  get reporting(): 'check-run' | 'status' | 'none' {
    return this.mode;
  }

  private async status(state: 'pending' | 'success' | 'failure', description: string): Promise<void> {
    const { github, repo, sha, name, detailsUrl } = this.target;
    try {
      await github.rest.repos.createCommitStatus({
        ...repo,
        sha,
        state,
        context: name,
        description: clip(description, STATUS_DESCRIPTION),
        ...(detailsUrl ? { target_url: detailsUrl } : {}),
      });
    } catch (error) {
      if (!isPermissionError(error)) throw error;
      this.mode = 'none';
      throw error;
    }
  }
}

function limitAnnotation(annotation: Annotation): Annotation {
  const limited: Annotation = { ...annotation, message: fitBytes(annotation.message, ANNOTATION_MESSAGE_BYTES) };
  if (annotation.title !== undefined) limited.title = clip(annotation.title, ANNOTATION_TITLE);
  if (annotation.raw_details !== undefined) limited.raw_details = fitBytes(annotation.raw_details, ANNOTATION_MESSAGE_BYTES);
  return limited;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Cuts text to a byte budget at a character boundary. */
export function fitBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const suffix = '\n\n…(trimmed to fit GitHub’s limit)';
  let cut = text.slice(0, maxBytes);
  while (Buffer.byteLength(cut) + Buffer.byteLength(suffix) > maxBytes) cut = cut.slice(0, Math.max(0, cut.length - Math.ceil((Buffer.byteLength(cut) + Buffer.byteLength(suffix) - maxBytes) / 4) - 1));
  return `${cut}${suffix}`;
}
