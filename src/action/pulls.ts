// Pull request lookups the publisher needs: which PRs a run may comment on.
import type { GitHub } from '../github/client.ts';
import type { EventContext } from '../github/context.ts';

/** The PRs this run may comment on: the event's own, or the open PRs of the commit; never one whose head moved on. */
export async function pullsToComment(github: GitHub, context: EventContext, log: (message: string) => void): Promise<number[]> {
  const { repo, sha } = context;
  let candidates: number[] = [];
  if (context.pullRequest) candidates = [context.pullRequest.number];
  else if (context.commentOnPullsOfSha) {
    const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
    candidates = data.filter((pull) => pull.state === 'open').map((pull) => pull.number);
  }
  const current: number[] = [];
  for (const number of candidates) {
    const { data: pull } = await github.rest.pulls.get({ ...repo, pull_number: number });
    if (pull.head.sha === sha) current.push(number);
    else log(`PR #${number}: its head is now ${pull.head.sha.slice(0, 7)}; this run checked ${sha.slice(0, 7)} and leaves the comment to the newer run.`);
  }
  return current;
}
