// What the triggering event means for a run: which commit gets the check, which pull
// request gets the comment, where staging is, and whether the checkout is trusted.
// A plain function over the runner's environment and the event payload.

export interface Repo {
  owner: string;
  repo: string;
}

export interface EventContext {
  eventName: string;
  repo: Repo;
  apiUrl: string;
  /** The workflow run, for links: https://github.com/o/r/actions/runs/1 */
  runUrl?: string;
  runId?: number;
  /** The commit under test: the check run goes here (a PR's head, never its merge commit). */
  sha: string;
  ref?: string;
  /** The pull request to comment on, when the event has exactly one. */
  pullRequest?: { number: number; headSha: string; fork: boolean };
  /** issue_comment carries no head SHA: ask the API for the PR's head before writing the check. */
  headFromApi?: boolean;
  /** merge_group: the queued pull request (from gh-readonly-queue/<base>/pr-<n>-<sha>), whose sign-offs count. */
  queuedPull?: number;
  /** Someone other than the comment's author edited our comment (a ticked box): re-render it and say once that ticking is not signing. */
  commentEditedBy?: string;
  /** deployment_status: comment on the open PRs of `sha` (looked up through the API). */
  commentOnPullsOfSha: boolean;
  /** Staging URL carried by the event (deployment_status). */
  stagingUrl?: string;
  /** The event says there is nothing to check (a deployment that did not succeed). */
  nothingToDo?: string;
  /** Commands would run code a fork wrote (pull_request_target with a fork PR). */
  untrustedCode: boolean;
}

export class EventError extends Error {}

type Payload = Record<string, unknown>;

export function eventContext(env: Readonly<Record<string, string | undefined>>, payload: Payload, prNumberInput?: number): EventContext {
  const eventName = env.GITHUB_EVENT_NAME ?? 'workflow_dispatch';
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new EventError('GITHUB_REPOSITORY is not set; is this running inside GitHub Actions?');
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const context: EventContext = {
    eventName,
    repo: { owner, repo },
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    sha: env.GITHUB_SHA ?? '',
    commentOnPullsOfSha: false,
    untrustedCode: false,
  };
  if (env.GITHUB_REF) context.ref = env.GITHUB_REF;
  if (env.GITHUB_RUN_ID) {
    context.runId = Number(env.GITHUB_RUN_ID);
    context.runUrl = `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`;
  }

  const pull = record(payload.pull_request);
  switch (eventName) {
    // Review events carry the pull request too; the check still goes on its head.
    case 'pull_request':
    case 'pull_request_target':
    case 'pull_request_review': {
      if (!pull) throw new EventError(`the ${eventName} event has no pull_request`);
      const head = record(pull.head);
      const headSha = string(head?.sha);
      if (!headSha) throw new EventError(`the ${eventName} event has no pull_request.head.sha`);
      const fork = string(record(head?.repo)?.full_name) !== `${owner}/${repo}`;
      context.sha = headSha;
      context.pullRequest = { number: Number(pull.number), headSha, fork };
      context.untrustedCode = eventName === 'pull_request_target' && fork;
      break;
    }
    case 'issue_comment': {
      const issue = record(payload.issue);
      if (!record(issue?.pull_request)) {
        context.nothingToDo = 'this comment is on an issue, not a pull request';
        break;
      }
      context.pullRequest = { number: Number(issue?.number), headSha: '', fork: false };
      context.headFromApi = true;
      const comment = record(payload.comment);
      const author = string(record(comment?.user)?.login);
      const editor = string(record(payload.sender)?.login);
      if (payload.action === 'edited' && string(comment?.body)?.includes('<!-- readiness-gate:comment ') && editor && editor !== author) context.commentEditedBy = editor;
      break;
    }
    case 'merge_group':
      context.sha = string(record(payload.merge_group)?.head_sha) ?? context.sha;
      {
        const queued = /\/pr-(\d+)-[0-9a-f]+$/.exec(string(record(payload.merge_group)?.head_ref) ?? '');
        if (queued) context.queuedPull = Number(queued[1]);
      }
      break;
    case 'deployment_status': {
      const status = record(payload.deployment_status);
      const deployment = record(payload.deployment);
      const state = string(status?.state);
      context.sha = string(deployment?.sha) ?? context.sha;
      if (state !== 'success') {
        context.nothingToDo = `deployment_status is "${state ?? 'unknown'}"; checks run when a deployment succeeds`;
        break;
      }
      const url = string(status?.environment_url) || string(status?.target_url);
      if (url) context.stagingUrl = url;
      context.commentOnPullsOfSha = true;
      break;
    }
    case 'workflow_run': {
      const run = record(payload.workflow_run);
      context.sha = string(run?.head_sha) ?? context.sha;
      // Fork PRs leave workflow_run.pull_requests empty: the number comes from an artifact (pr-number input).
      const first = record(Array.isArray(run?.pull_requests) ? run.pull_requests[0] : undefined);
      if (prNumberInput === undefined && first?.number !== undefined) context.pullRequest = { number: Number(first.number), headSha: context.sha, fork: false };
      break;
    }
    default:
      break;
  }
  if (prNumberInput !== undefined && context.pullRequest === undefined) {
    context.pullRequest = { number: prNumberInput, headSha: context.sha, fork: false };
  }
  if (!context.sha && !context.headFromApi) throw new EventError('cannot tell which commit is under test (GITHUB_SHA is not set)');
  return context;
}

function record(value: unknown): Payload | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Payload) : undefined;
}

function string(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
