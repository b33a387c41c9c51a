// The required check: one check run with a stable name on the commit under test, or a
// commit status with the same name when the token cannot write checks. It is started
// first and always concluded, whatever happens in between: the concluding write is
// retried far longer than other writes (a check left in progress blocks the PR).
import type { GitHub } from './client.ts';
import { apiError, isPermissionError } from './client.ts';
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

/**
 * Waits between tries of the concluding write when GitHub answers 5xx or not at all, on
 * top of nothing else (the client's own retries are off for it): about 80 s in all.
 */
export const CONCLUDE_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 20_000];

export interface Conclusion {
  /** action_required: only sign-offs are missing (blocks a required check without showing a test failure). */
  conclusion: 'success' | 'failure' | 'neutral' | 'action_required' | 'cancelled';
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
  /** Override of CONCLUDE_RETRY_DELAYS_MS (tests). */
  concludeRetryDelaysMs?: number[];
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
      // A commit status has no action_required (pending blocks a required check the same way) nor cancelled (error).
      const { conclusion } = result;
      const state = conclusion === 'failure' ? 'failure' : conclusion === 'cancelled' ? 'error' : conclusion === 'action_required' ? 'pending' : 'success';
      await this.status(state, result.title);
      return;
    }
    if (this.checkRunId === undefined) await this.start();
    if (this.mode !== 'check-run') return this.finish(result);
    const { github, repo } = this.target;
    const title = clip(result.title, ANNOTATION_TITLE);
    const summary = fitBytes(result.summary, SUMMARY_BYTES);
    const batches = chunk(result.annotations.map(limitAnnotation), ANNOTATIONS_PER_REQUEST);
    // Every batch but the last goes while the run is in progress; the last one concludes it.
    // Extra annotations are worth less than the conclusion: on a failure they are dropped.
    let last = batches.at(-1) ?? [];
    for (const batch of batches.slice(0, -1)) {
      try {
        await github.rest.checks.update({ ...repo, check_run_id: this.checkRunId as number, output: { title, summary, annotations: batch } });
      } catch (error) {
        if (isPermissionError(error)) throw error;
        this.target.log(`Could not add annotations to the check run (${(error as Error).message}); concluding it without the rest.`);
        last = [];
        break;
      }
    }
    await this.conclude({
      ...repo,
      check_run_id: this.checkRunId as number,
      status: 'completed',
      conclusion: result.conclusion,
      ...(result.externalId ? { external_id: result.externalId } : {}),
      completed_at: new Date().toISOString(),
      output: { title, summary, ...(last.length ? { annotations: last } : {}) },
    });
  }

  /** The concluding write, retried through a GitHub outage; if it still fails, the error says how to re-run. */
  private async conclude(update: Parameters<GitHub['rest']['checks']['update']>[0] & object): Promise<void> {
    const delays = this.target.concludeRetryDelaysMs ?? CONCLUDE_RETRY_DELAYS_MS;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        // The client's own retries are off here: this loop waits longer, and says so.
        await this.target.github.rest.checks.update({ ...update, request: { retries: 0 } });
        if (attempt > 1) this.target.log(`Concluded the check run "${this.target.name}" on try ${attempt}.`);
        return;
      } catch (error) {
        const delay = delays[attempt - 1];
        if (!isOutage(error) || delay === undefined) {
          if (!isOutage(error)) throw error;
          const seconds = Math.round((Date.now() - started) / 1000);
          throw new Error(
            `${(error as Error).message} (${attempt} tries over ${seconds}s). The check run "${this.target.name}" stays in progress on ${this.target.sha.slice(0, 7)}: ` +
              `re-run this job to conclude it (Re-run jobs on the workflow run${this.target.detailsUrl ? `, ${this.target.detailsUrl}` : ''}, or gh run rerun --failed).`,
            { cause: error },
          );
        }
        this.target.log(`GitHub did not take the conclusion of "${this.target.name}" (${(error as Error).message}); trying again in ${Math.round(delay / 1000)}s.`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Gives up on reporting the check (nothing the token can write). */
  disable(): void {
    this.mode = 'none';
  }

  get reporting(): 'check-run' | 'status' | 'none' {
    return this.mode;
  }

  private async status(state: 'pending' | 'success' | 'failure' | 'error', description: string): Promise<void> {
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

/** GitHub is down or unreachable (5xx, no answer), as opposed to refusing the request (4xx). */
function isOutage(error: unknown): boolean {
  const api = apiError(error);
  return api === undefined || api.status >= 500;
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
