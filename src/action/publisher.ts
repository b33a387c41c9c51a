// Everything a run reports, and where: the required check, the sticky PR comment, the
// job summary, the step outputs and the report files. Every concluding path (a report,
// an invalid manifest, a run that could not start, a crash) goes through here, so no
// surface keeps an older run's verdict.
import { join, relative } from 'node:path';
import type { RunOutcome } from '../pipeline.ts';
import { formatError, type ManifestError } from '../manifest/load.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { codeBlock, plainText } from '../report/escape.ts';
import { renderLogGroups } from '../report/terminal.ts';
import { composeComment, composeStoppedComment, type CommentState } from '../report/comment.ts';
import { allItems, type Report } from '../report/model.ts';
import { writeReports } from '../report/files.ts';
import { createGitHubClient, isPermissionError, type GitHub } from '../github/client.ts';
import type { EventContext } from '../github/context.ts';
import { findStickyComments, previousState, tokenIdentity, upsertStickyComment, type StickyTarget } from '../github/comment.ts';
import { RequiredCheck, SUMMARY_BYTES, type Annotation, type Conclusion } from '../github/check-run.ts';
import type { ActionInputs } from './inputs.ts';
import { resolveIn, type ActionIO } from './io.ts';
import { itemAnnotations, manifestErrorAnnotations } from './annotations.ts';
import { pullsToComment } from './pulls.ts';
import { cancelledConclusion, cancelReason } from './cancel.ts';

export type Outcome = RunOutcome | { status: 'published'; report: Report };

const FORK_RECIPE = 'https://github.com/readiness-gate/readiness-gate#fork-pull-requests';
/** The job summary upload fails over 1 MiB; stay well under it. */
const SUMMARY_LIMIT = 900_000;

export class Publisher {
  private readonly inputs: ActionInputs;
  private readonly context: EventContext;
  private readonly io: ActionIO;
  private readonly github: GitHub | undefined;
  private readonly check: RequiredCheck | undefined;
  private readOnlyWarned = false;
  private readonly cancel: AbortSignal | undefined;

  constructor(inputs: ActionInputs, context: EventContext, io: ActionIO, cancel?: AbortSignal) {
    this.cancel = cancel;
    this.inputs = inputs;
    this.context = context;
    this.io = io;
    const forkPull = context.eventName === 'pull_request' && context.pullRequest?.fork === true;
    if (!inputs.githubToken) {
      io.warning('No github-token: the checklist goes to the job summary and outputs only.');
    } else if (forkPull) {
      // A fork PR's GITHUB_TOKEN is read-only: say so once instead of failing every write.
      this.warnReadOnly('this pull request comes from a fork, so its token is read-only');
    } else {
      this.github = createGitHubClient({ token: inputs.githubToken, baseUrl: context.apiUrl, log: (message) => io.info(message) });
      this.check = new RequiredCheck({
        github: this.github,
        repo: context.repo,
        sha: context.sha,
        name: inputs.checkName,
        ...(context.runUrl ? { detailsUrl: context.runUrl } : {}),
        log: (message) => io.info(message),
      });
    }
  }

  async start(): Promise<void> {
    await this.guard('start the check', () => this.check?.start());
  }

  /** Nothing was checked (no manifest, no staging URL, a crash): say why on every surface, the PR comment included. */
  async fail(title: string, summary = `## ❌ ${title}\n\nNothing was checked.`, annotations: Annotation[] = []): Promise<void> {
    await this.guard('conclude the check', () => this.check?.finish({ conclusion: 'failure', title, summary, annotations }));
    await this.guard('update the pull request comment', () => this.stoppedComment(summary));
    await this.io.writeSummary(summary);
    this.noReportOutputs(title);
    this.io.setFailed(title);
  }

  private noReportOutputs(headline: string): void {
    const outputs: Record<string, string> = { ready: 'false', score: '0', passed: '0', failed: '0', errored: '0', flaky: '0', skipped: '0', pending: '0', signed: '0', waived: '0', headline, report: '', 'comment-url': '', 'check-run-url': this.check?.url ?? '' };
    for (const [name, value] of Object.entries(outputs)) this.io.setOutput(name, value);
  }

  async finish(outcome: Outcome, workspace: string): Promise<void> {
    if (outcome.status === 'invalid') return this.finishInvalid(outcome.errors);
    if (outcome.status === 'unusable') return this.fail(`Cannot run: ${outcome.message}`);
    const { report } = outcome;
    const { io, inputs } = this;

    io.info(renderLogGroups(report));
    io.info(plainText(report.verdict.headline));
    for (const item of allItems(report).filter((entry) => entry.outcome === 'fail' || entry.outcome === 'error')) {
      io.info(`  ${item.outcome === 'fail' ? '✘' : '!'} ${item.title}: ${item.summary}`);
    }

    const reportDir = resolveIn(workspace, inputs.reportDir);
    await writeReports(report, reportDir, {
      sha: this.context.sha,
      ...(this.context.pullRequest ? { pullRequest: this.context.pullRequest.number } : {}),
    });
    const reportPath = join(reportDir, 'report.json');

    let commentUrl = '';
    // Cancelled while checking: the runner kills the job seconds later, so the check is concluded first.
    const cancelled = this.cancel?.aborted === true;
    const conclude = () => this.guard('conclude the check', () => this.check?.finish(cancelledConclusion(this.conclusion(report, workspace), cancelled ? this.cancel : undefined)));
    if (cancelled) await conclude();
    await this.guard('update the pull request comment', async () => {
      commentUrl = (await this.comment(report)) ?? '';
    });
    if (!cancelled) await conclude();

    await io.writeSummary(renderMarkdown(report, { maxLength: SUMMARY_LIMIT, sha: this.context.sha, htmlReport: join(inputs.reportDir, 'report.html'), ...(this.context.runUrl ? { runUrl: this.context.runUrl } : {}) }));
    this.outputs(report, relative(workspace, reportPath) || reportPath, commentUrl);

    if (cancelled && this.cancel) io.setFailed(`Cancelled: ${cancelReason(this.cancel)}`);
    else if (this.shouldFailStep(report)) io.setFailed(report.verdict.headline);
  }

  private shouldFailStep(report: Report): boolean {
    if (this.inputs.failOn === 'never') return false;
    if (this.inputs.failOn === 'any') return report.counts.fail + report.counts.error > 0;
    return !report.verdict.ready;
  }

  private outputs(report: Report, reportPath: string, commentUrl: string): void {
    const { counts, verdict } = report;
    const outputs: Record<string, string> = {
      ready: String(verdict.ready),
      score: String(verdict.score),
      passed: String(counts.pass + counts.flaky),
      failed: String(counts.fail),
      errored: String(counts.error),
      flaky: String(counts.flaky),
      skipped: String(counts.skip),
      pending: String(counts.pending),
      signed: String(counts.signed),
      waived: String(counts.waived),
      headline: verdict.headline,
      report: reportPath,
      'comment-url': commentUrl,
      'check-run-url': this.check?.url ?? '',
    };
    for (const [name, value] of Object.entries(outputs)) this.io.setOutput(name, value);
  }

  private async finishInvalid(errors: ManifestError[]): Promise<void> {
    const title = `Manifest invalid: ${errors.length} ${errors.length === 1 ? 'problem' : 'problems'} in ${this.inputs.manifest}`;
    for (const error of errors) this.io.error(error.path ? `${error.path}: ${error.message}` : error.message, { title: 'readiness manifest', file: error.file, startLine: error.line, startColumn: error.column });
    const summary = [`## ❌ ${title}`, '', 'Nothing was checked. Fix the manifest (`readiness-gate validate` shows the same list):', '', codeBlock(errors.map(formatError).join('\n'))].join('\n');
    await this.fail(title, summary, manifestErrorAnnotations(errors));
  }

  private conclusion(report: Report, workspace: string): Conclusion {
    const { verdict } = report;
    return {
      conclusion: verdict.state === 'ready' ? 'success' : verdict.state === 'awaiting-sign-off' ? 'action_required' : 'failure',
      externalId: `score=${verdict.score}`,
      title: plainText(verdict.headline),
      summary: summaryWithin(report, this.context),
      annotations: itemAnnotations(report, workspace),
    };
  }

  private async comment(report: Report): Promise<string | undefined> {
    return this.eachPull(report.manifest, !report.verdict.ready, (previous) =>
      composeComment(report, {
        manifest: report.manifest,
        sha: this.context.sha,
        title: this.inputs.checkName,
        ...(this.context.runUrl ? { runUrl: this.context.runUrl } : {}),
        ...(previous ? { previous } : {}),
      }),
    );
  }

  /** A run that stopped replaces the comment too; otherwise an earlier "Ready" would stand next to a failed check. */
  private async stoppedComment(markdown: string): Promise<void> {
    await this.eachPull(this.inputs.manifest, true, (previous) =>
      composeStoppedComment(markdown, { manifest: this.inputs.manifest, sha: this.context.sha, ...(previous ? { previous } : {}) }),
    );
  }

  /** Writes the sticky comment on every PR this run may comment on; returns the first comment's URL. */
  private async eachPull(manifest: string, notReady: boolean, compose: (previous: CommentState | undefined) => { body: string; state: CommentState }): Promise<string | undefined> {
    if (!this.github || this.inputs.comment === 'never') return undefined;
    const pulls = await pullsToComment(this.github, this.context, (message) => this.io.info(message));
    if (pulls.length === 0) return undefined;
    const author = await tokenIdentity(this.github);
    let url: string | undefined;
    for (const pull of pulls) {
      const target: StickyTarget = { github: this.github, repo: this.context.repo, pull, manifest, author };
      const existing = await findStickyComments(target);
      const { body, state } = compose(previousState(existing));
      const force = this.context.commentEditedBy !== undefined;
      const result = await upsertStickyComment(target, { body, state, existing, create: !this.cancel?.aborted && (this.inputs.comment === 'always' || notReady), force });
      if (result.action === 'skipped') this.io.info(`PR #${pull}: ${result.reason}`);
      else {
        this.io.info(`PR #${pull}: comment ${result.action} ${result.url}`);
        url ??= result.url;
      }
    }
    return url;
  }

  /** Runs one GitHub write; a read-only token turns into one warning, not a failed step. */
  private async guard(what: string, write: () => Promise<unknown> | undefined): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (isPermissionError(error)) {
        this.check?.disable();
        this.warnReadOnly(`the token may not ${what} (${(error as Error).message})`);
        return;
      }
      this.io.warning(`Could not ${what}: ${(error as Error).message}`);
    }
  }

  private warnReadOnly(why: string): void {
    if (this.readOnlyWarned) return;
    this.readOnlyWarned = true;
    this.io.warning(
      `Cannot write to GitHub: ${why}. The checklist is in the job summary, the outputs and ${this.inputs.reportDir}/. ` +
        `To comment and set the check on fork pull requests, use the two-stage workflow_run recipe: ${FORK_RECIPE}`,
    );
  }
}

/** The check summary in at most 65,535 bytes: render shorter until it fits. */
function summaryWithin(report: Report, context: EventContext): string {
  let maxLength = SUMMARY_BYTES;
  for (;;) {
    const text = renderMarkdown(report, { maxLength, sha: context.sha, ...(context.runUrl ? { runUrl: context.runUrl } : {}) });
    const bytes = Buffer.byteLength(text);
    if (bytes <= SUMMARY_BYTES) return text;
    maxLength = Math.floor((maxLength * SUMMARY_BYTES) / bytes) - 200;
  }
}
