// The action: inputs and event → the readiness pipeline → the publisher (required check,
// sticky PR comment, job summary, outputs, report files). This file is wiring only.
// The runner's world comes in as arguments (env, event, an IO object over
// @actions/core), so this file is exercised end to end by spawning the bundle.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runReadiness, type RunOutcome } from '../pipeline.ts';
import { Redactor, withoutUserinfo } from '../util/redact.ts';
import { REPORT_SCHEMA_VERSION, type Report } from '../report/model.ts';
import { readRunContext } from '../report/files.ts';
import { eventContext, EventError, type EventContext } from '../github/context.ts';
import { createGitHubClient, type GitHub } from '../github/client.ts';
import { fetchPull } from '../github/policy-evidence.ts';
import { manifestPathInRepo } from './annotations.ts';
import { gatherPolicy, type GatheredPolicy } from './policy-source.ts';
import { readInputs, type ActionInputs } from './inputs.ts';
import { resolveIn, type ActionEnv, type ActionIO } from './io.ts';
import { Publisher, type Outcome } from './publisher.ts';
import { waitingLine } from '../report/terminal.ts';

export type { ActionEnv, ActionIO, AnnotationProperties } from './io.ts';

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

export async function runAction({ env, event, workspace, io, signal }: ActionEnv): Promise<void> {
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
  const github = inputs.githubToken ? createGitHubClient({ token: inputs.githubToken, baseUrl: context.apiUrl, log: (message) => io.info(message) }) : undefined;
  if (context.headFromApi && context.pullRequest) {
    // issue_comment names the PR but not its head: the one check run goes on the head GitHub reports now.
    if (!github) return io.setFailed('issue_comment events need the github-token input to find the pull request head');
    const pull = await fetchPull(github, context.repo, context.pullRequest.number);
    context.sha = inputs.sha ?? pull.headSha;
    context.pullRequest = { number: pull.number, headSha: pull.headSha, fork: pull.fork };
  }

  const publisher = new Publisher(inputs, context, io, signal);
  await publisher.start();
  try {
    if (problems.length > 0) return await publisher.fail(`Invalid input: ${problems.join('; ')}`);
    const outcome = inputs.report ? await loadPublishedReport(inputs.report, workspace) : await runChecks(inputs, context, env, workspace, io, github, signal);
    await publisher.finish(outcome, workspace);
  } catch (error) {
    // A bug in readiness-gate still concludes the check, with the reason.
    const message = error instanceof Error ? error.message : String(error);
    await publisher.fail(`readiness-gate failed: ${message}`).catch(() => undefined);
    throw error;
  }
}

async function runChecks(inputs: ActionInputs, context: EventContext, env: ActionEnv['env'], workspace: string, io: ActionIO, github: GitHub | undefined, signal?: AbortSignal): Promise<RunOutcome> {
  const manifestPath = resolveIn(workspace, inputs.manifest);
  let manifestText: string;
  try {
    manifestText = await readFile(manifestPath, 'utf8');
  } catch {
    return { status: 'unusable', message: `cannot read the manifest ${inputs.manifest}; create it (readiness-gate init) or set the manifest input` };
  }
  const policy = github ? await readPolicy(github, inputs, context, manifestText, workspace, io) : undefined;
  const url = inputs.stagingUrl ?? context.stagingUrl;
  if (url) io.info(`Staging: ${withoutUserinfo(url)}`);
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
    onWaiting: (attempt, problem, wait) => io.info(waitingLine(attempt, problem, wait)),
    ...(signal ? { signal } : {}),
    ...(policy ? { policy } : {}),
  });
}

/** The policy in force and the sign-offs GitHub recorded; if GitHub cannot be read, nobody has signed (fail closed). */
async function readPolicy(github: GitHub, inputs: ActionInputs, context: EventContext, manifestText: string, workspace: string, io: ActionIO): Promise<GatheredPolicy> {
  const teams = inputs.policyToken ? createGitHubClient({ token: inputs.policyToken, baseUrl: context.apiUrl, log: (message) => io.info(message) }) : github;
  try {
    return await gatherPolicy({ github, teams, context, checkName: inputs.checkName, manifestText, manifestPath: manifestPathInRepo(inputs.manifest, workspace) });
  } catch (error) {
    const message = `cannot read sign-offs from GitHub (${(error as Error).message}); nobody counts as signed`;
    io.warning(message);
    return { notes: [{ code: 'base-policy-unavailable', message }] };
  }
}

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
