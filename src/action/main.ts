// The action: inputs and event → the readiness pipeline → every surface a GitHub user
// looks at (required check, sticky PR comment, job summary, outputs, report files).
// The runner's world comes in as arguments (env, event, an IO object over
// @actions/core), so this file is exercised end to end by spawning the bundle.
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { runReadiness, type RunOutcome } from '../pipeline.ts';
import { formatError, type ManifestError } from '../manifest/load.ts';
import { Redactor } from '../util/redact.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { codeBlock, plainText } from '../report/escape.ts';
import { composeComment } from '../report/comment.ts';
import { renderLogGroups } from '../report/terminal.ts';
import { allItems, REPORT_SCHEMA_VERSION, type ItemReport, type Report } from '../report/model.ts';
import { readRunContext, writeReports } from '../report/files.ts';
import { createGitHubClient, isPermissionError, type GitHub } from '../github/client.ts';
import { eventContext, EventError, type EventContext } from '../github/context.ts';
import { findStickyComments, previousState, tokenLogin, upsertStickyComment, type StickyTarget } from '../github/comment.ts';
import { RequiredCheck, SUMMARY_BYTES, type Annotation, type Conclusion } from '../github/check-run.ts';
import { readInputs, type ActionInputs } from './inputs.ts';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** What the action needs from @actions/core; index.ts passes the real thing. */
export interface ActionIO {
  getInput(name: string): string;
  info(message: string): void;
  warning(message: string, properties?: AnnotationProperties): void;
  error(message: string, properties?: AnnotationProperties): void;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  setFailed(message: string): void;
  writeSummary(markdown: string): Promise<void>;
}

export interface ActionEnv {
  env: Readonly<Record<string, string | undefined>>;
  /** The parsed event payload ($GITHUB_EVENT_PATH). */
  event: Record<string, unknown>;
  workspace: string;
  io: ActionIO;
}

function resolveIn(workspace: string, path: string): string {
  return isAbsolute(path) ? path : join(workspace, path);
}

/** The directory of a published report (`report` names the directory or its report.json). */
async function reportDirOf(path: string, workspace: string): Promise<string | undefined> {
  const absolute = resolveIn(workspace, path);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory()) return absolute;
  return info?.isFile() ? dirname(absolute) : undefined;
}

/** The PR number the pull_request run recorded next to its report (fork PRs leave workflow_run.pull_requests empty). */
async function publishedPullRequest(inputs: ActionInputs, workspace: string): Promise<number | undefined> {
  if (!inputs.report) return undefined;
  const dir = await reportDirOf(inputs.report, workspace);
  return dir ? (await readRunContext(dir))?.pullRequest : undefined;
}

const FORK_RECIPE = 'https://github.com/readiness-gate/readiness-gate#fork-pull-requests';
/** The job summary upload fails over 1 MiB; stay well under it. */
const SUMMARY_LIMIT = 900_000;

export async function runAction({ env, event, workspace, io }: ActionEnv): Promise<void> {
  const { inputs, problems } = readInputs((name) => io.getInput(name));
  let context: EventContext;
  try {
    context = eventContext(env, event, inputs.prNumber ?? (await publishedPullRequest(inputs, workspace)));
  } catch (error) {
    // Without a repository and a commit there is no check to report on.
    if (error instanceof EventError) return io.setFailed(error.message);
    throw error;
  }
  if (inputs.sha) context.sha = inputs.sha;
  if (context.nothingToDo) {
    io.info(`Nothing to check: ${context.nothingToDo}.`);
    return;
  }

  const publisher = new Publisher(inputs, context, io);
  await publisher.start();
  try {
    if (problems.length > 0) return await publisher.fail(`Invalid input: ${problems.join('; ')}`);
    const outcome = inputs.report ? await loadPublishedReport(inputs.report, workspace) : await runChecks(inputs, context, env, workspace, io);
    await publisher.finish(outcome, workspace);
  } catch (error) {
    // A bug in readiness-gate still concludes the check, with the reason.
    const message = error instanceof Error ? error.message : String(error);
    await publisher.fail(`readiness-gate failed: ${message}`).catch(() => undefined);
    throw error;
  }
}

async function runChecks(inputs: ActionInputs, context: EventContext, env: ActionEnv['env'], workspace: string, io: ActionIO): Promise<RunOutcome> {
  const manifestPath = resolveIn(workspace, inputs.manifest);
  let manifestText: string;
  try {
    manifestText = await readFile(manifestPath, 'utf8');
  } catch {
    return { status: 'unusable', message: `cannot read the manifest ${inputs.manifest}; create it (readiness-gate init) or set the manifest input` };
  }
  const url = inputs.stagingUrl ?? context.stagingUrl;
  if (url) io.info(`Staging: ${url}`);
  return runReadiness({
    manifestText,
    manifestFile: inputs.manifest,
    ...(url ? { url } : {}),
    env,
    git: { sha: context.sha, ...(context.ref ? { ref: context.ref } : {}) },
    workspace,
    commandsAllowed:
      context.untrustedCode && !inputs.allowUntrustedCommands
        ? { allowed: false, reason: 'commands do not run under pull_request_target for a fork PR (they could run the fork’s code); set allow-untrusted-commands: true only if this job never checks out the PR' }
        : { allowed: true },
    redactor: new Redactor((secret) => io.setSecret(secret)),
    onWaiting: (attempt, problem) => io.info(`Waiting for staging (try ${attempt}): ${problem}`),
  });
}

type Outcome = RunOutcome | { status: 'published'; report: Report };

/** The fork recipe's second stage: publish what the pull_request run wrote. */
async function loadPublishedReport(path: string, workspace: string): Promise<Outcome> {
  const absolute = resolveIn(workspace, path);
  const file = (await stat(absolute).catch(() => undefined))?.isDirectory() ? join(absolute, 'report.json') : absolute;
  let report: Report;
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as Report;
  } catch {
    return { status: 'unusable', message: `cannot read a readiness report at ${path} (expected report.json from an earlier readiness-gate run)` };
  }
  if (report.schemaVersion !== REPORT_SCHEMA_VERSION || !report.verdict || !Array.isArray(report.sections)) {
    return { status: 'unusable', message: `${path} is not a readiness-gate report (schemaVersion ${REPORT_SCHEMA_VERSION})` };
  }
  return { status: 'published', report };
}

/** Everything the run reports, and where. */
class Publisher {
  private readonly inputs: ActionInputs;
  private readonly context: EventContext;
  private readonly io: ActionIO;
  private readonly github: GitHub | undefined;
  private readonly check: RequiredCheck | undefined;
  private readOnlyWarned = false;

  constructor(inputs: ActionInputs, context: EventContext, io: ActionIO) {
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

  /** Nothing was checked (no manifest, no staging URL, a crash): say why on every surface. */
  async fail(title: string, summary = `## ❌ ${title}\n\nNothing was checked.`, annotations: Annotation[] = []): Promise<void> {
    await this.guard('conclude the check', () => this.check?.finish({ conclusion: 'failure', title, summary, annotations }));
    await this.io.writeSummary(summary);
    this.noReportOutputs(title);
    this.io.setFailed(title);
  }

  private noReportOutputs(headline: string): void {
    const outputs: Record<string, string> = { ready: 'false', score: '0', passed: '0', failed: '0', errored: '0', flaky: '0', skipped: '0', pending: '0', headline, report: '', 'comment-url': '', 'check-run-url': this.check?.url ?? '' };
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
    await this.guard('update the pull request comment', async () => {
      commentUrl = (await this.comment(report)) ?? '';
    });
    await this.guard('conclude the check', () => this.check?.finish(this.conclusion(report, workspace)));

    await io.writeSummary(renderMarkdown(report, { maxLength: SUMMARY_LIMIT, sha: this.context.sha, htmlReport: join(inputs.reportDir, 'report.html'), ...(this.context.runUrl ? { runUrl: this.context.runUrl } : {}) }));
    this.outputs(report, relative(workspace, reportPath) || reportPath, commentUrl);

    if (this.shouldFailStep(report)) io.setFailed(report.verdict.headline);
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
    const annotations: Annotation[] = errors.map((error) => ({
      path: error.file,
      start_line: error.line,
      end_line: error.line,
      start_column: error.column,
      end_column: error.column,
      annotation_level: 'failure',
      title: 'Manifest invalid',
      message: error.path ? `${error.path}: ${error.message}` : error.message,
    }));
    await this.fail(title, summary, annotations);
  }

  private conclusion(report: Report, workspace: string): Conclusion {
    const annotations: Annotation[] = allItems(report)
      .filter((item) => item.outcome === 'fail' || item.outcome === 'error' || (item.blocks && item.outcome === 'pending'))
      .map((item) => annotation(item, manifestPathInRepo(report.manifest, workspace)));
    return {
      conclusion: report.verdict.ready ? 'success' : 'failure',
      title: plainText(report.verdict.headline),
      summary: summaryWithin(report, this.context),
      annotations,
    };
  }

  private async comment(report: Report): Promise<string | undefined> {
    if (!this.github || this.inputs.comment === 'never') return undefined;
    const pulls = await this.pullsToComment();
    if (pulls.length === 0) return undefined;
    const login = await tokenLogin(this.github);
    let url: string | undefined;
    for (const pull of pulls) {
      const target: StickyTarget = { github: this.github, repo: this.context.repo, pull, manifest: report.manifest, login };
      const existing = await findStickyComments(target);
      const previous = previousState(existing);
      const { body, state } = composeComment(report, {
        manifest: report.manifest,
        sha: this.context.sha,
        title: this.inputs.checkName,
        ...(this.context.runUrl ? { runUrl: this.context.runUrl } : {}),
        ...(previous ? { previous } : {}),
      });
      const result = await upsertStickyComment(target, { body, state, existing, create: this.inputs.comment === 'always' || !report.verdict.ready });
      if (result.action === 'skipped') this.io.info(`PR #${pull}: ${result.reason}`);
      else {
        this.io.info(`PR #${pull}: comment ${result.action} ${result.url}`);
        url ??= result.url;
      }
    }
    return url;
  }

  /** The PRs this run may comment on: the event's own, or the open PRs of the commit; never one whose head moved on. */
  private async pullsToComment(): Promise<number[]> {
    const github = this.github as GitHub;
    const { repo, sha } = this.context;
    let candidates: number[] = [];
    if (this.context.pullRequest) candidates = [this.context.pullRequest.number];
    else if (this.context.commentOnPullsOfSha) {
      const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
      candidates = data.filter((pull) => pull.state === 'open').map((pull) => pull.number);
    }
    const current: number[] = [];
    for (const number of candidates) {
      const { data: pull } = await github.rest.pulls.get({ ...repo, pull_number: number });
      if (pull.head.sha === sha) current.push(number);
      else this.io.info(`PR #${number}: its head is now ${pull.head.sha.slice(0, 7)}; this run checked ${sha.slice(0, 7)} and leaves the comment to the newer run.`);
    }
    return current;
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

function annotation(item: ItemReport, path: string): Annotation {
  const failed = (item.evidence.assertions ?? []).filter((assertion) => !assertion.ok);
  return {
    path,
    start_line: item.line,
    end_line: item.line,
    annotation_level: item.blocks ? 'failure' : 'warning',
    title: `${item.outcome === 'error' ? 'Could not check' : item.outcome === 'pending' ? 'Awaiting sign-off' : 'Failed'}: ${item.title}`,
    message: item.help ? `${item.summary}\n\n${item.help}` : item.summary,
    ...(failed.length ? { raw_details: failed.map((assertion) => `${assertion.subject}: expected ${assertion.expected}, got ${assertion.actual}`).join('\n') } : {}),
  };
}

/** Annotations need the manifest's path inside the repository. */
function manifestPathInRepo(manifest: string, workspace: string): string {
  return isAbsolute(manifest) ? relative(workspace, manifest) : manifest.replace(/^\.\//, '');
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
