// Sign-off and waivers end to end: `node dist/index.js` against the fake GitHub, which
// answers reviews (state, commit_id, user), the contents API at the base SHA, team
// memberships (200 active / 404 / 403) and comments with created_at/updated_at.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../test-support/servers.ts';
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions, type FakeReview } from '../../test-support/fake-github.ts';
import { runActionProcess, type ActionProcessResult } from '../../test-support/action-process.ts';

const HEAD = 'a'.repeat(40);
const OLD = 'abc1234'.padEnd(40, '0');
const BASE = 'b'.repeat(40);
const MERGE = 'e'.repeat(40);
const MAIN = 'c'.repeat(40);
const PATH = '.github/readiness.yml';

const POLICY = `policy:
  roles:
    technical lead: { users: [alice], teams: [acme/tech-leads] }
    operations lead: { teams: [acme/sre] }
  waivers: { approvers: [operations lead], maxDays: 30 }
`;

function manifest(policy = POLICY, waivers = ''): string {
  return `version: 1
${policy}sections:
  - title: Checks
    items:
      - title: Home page answers
        id: home
        http: { request: GET /, expect: { status: 200 } }
  - title: Sign-Off
    items:
      - title: Security review passed
        id: security-review
        manual: { owner: technical lead, signers: [technical lead, operations lead] }
      - title: Rollback plan ready
        id: rollback
        manual: { owner: operations lead }
${waivers}`;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const waiver = (expires: string) => `waivers:\n  - item: home\n    reason: "Vendor sandbox is rate limited; JIRA-123"\n    expires: ${expires}\n`;

const staging = { status: 200 };
let stagingServer: RunningServer;
const servers: FakeGitHub[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  stagingServer = await startServer((_req: IncomingMessage, res: ServerResponse) => {
    res.statusCode = staging.status;
    res.end('<h1>Skyway</h1>');
  });
});
afterAll(async () => stagingServer.close());
afterEach(async () => {
  staging.status = 200;
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

let reviewId = 100;
function review(user: string, fields: Partial<FakeReview> = {}): FakeReview {
  reviewId++;
  return { id: reviewId, user: { login: user }, state: 'APPROVED', commit_id: HEAD, body: '', submitted_at: `2026-12-05T10:${String(reviewId % 60).padStart(2, '0')}:00Z`, ...fields };
}

async function github(options: FakeGitHubOptions = {}, base = manifest()): Promise<FakeGitHub> {
  const server = await startFakeGitHub({
    pulls: [{ number: 7, headSha: HEAD, baseSha: BASE, author: 'mallory' }],
    files: { [BASE]: { [PATH]: base } },
    teams: { 'acme/sre': { dave: 'active', mallory: 'active' }, 'acme/tech-leads': {} },
    ...options,
  });
  servers.push(server);
  return server;
}

async function workspace(text = manifest()): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'readiness-signoff-'));
  dirs.push(dir);
  await mkdir(join(dir, '.github'), { recursive: true });
  await writeFile(join(dir, PATH), text);
  return dir;
}

const pullRequest = { number: 7, head: { sha: HEAD, ref: 'feature', repo: { full_name: 'acme/travel' } }, base: { ref: 'main', sha: BASE, repo: { full_name: 'acme/travel' } }, user: { login: 'mallory' } };

interface Run {
  gh: FakeGitHub;
  ws: string;
  eventName?: string;
  event?: Record<string, unknown>;
  sha?: string;
  inputs?: Record<string, string>;
}

function run({ gh, ws, eventName = 'pull_request', event = { action: 'synchronize', number: 7, pull_request: pullRequest }, sha = 'f'.repeat(40), inputs = {} }: Run): Promise<ActionProcessResult> {
  return runActionProcess({ eventName, event, workspace: ws, apiUrl: gh.url, sha, inputs: { 'github-token': 'ghs_test_token', 'staging-url': stagingServer.url, ...inputs }, timeoutMs: 90_000 });
}

/** The comment as a reader sees it: the joiner that keeps item lines from pinging people is invisible. */
const visible = (gh: FakeGitHub) => (gh.comments(7).find((comment) => comment.body.includes('<!-- readiness-gate:comment '))?.body ?? '').replace(/\u200d/g, '');
const check = (gh: FakeGitHub) => gh.checkRuns.at(-1);

describe('sign-off on a pull request', () => {
  test('no reviews: action_required naming the roles; the comment leads with who must act, mentioned once per role', async () => {
    const gh = await github();
    const result = await run({ gh, ws: await workspace() });
    expect(result.code).toBe(1);
    expect(check(gh)).toMatchObject({ head_sha: HEAD, conclusion: 'action_required', output: { title: 'Awaiting sign-off: technical lead (1 item), operations lead (2 items)' } });
    const body = visible(gh);
    expect(body).toContain('## ✍️ Awaiting sign-off');
    expect(body).toContain('- **operations lead** (2 items): @acme/sre');
    expect(body.indexOf('Sign-off needed')).toBeLessThan(body.indexOf('passed'));
    expect(body).toContain('- [ ] Rollback plan ready — awaiting operations lead: @acme/sre');
    // Live mentions only in the who-must-act block: item lines carry a joiner after each @.
    expect(gh.comments(7)[0]?.body.match(/@acme\/sre/g)).toHaveLength(1);
    expect(result.outputs).toMatchObject({ ready: 'false', pending: '2', signed: '0', waived: '0' });
  }, 120_000);

  test('approvals by members on the head sign; the PR author and non-members never do; an older commit says re-sign', async () => {
    const gh = await github({ reviews: { 7: [review('alice'), review('dave'), review('mallory'), review('zed')] } });
    const result = await run({ gh, ws: await workspace() });
    expect(result.code).toBe(0);
    expect(check(gh)).toMatchObject({ conclusion: 'success', output: { title: 'Ready: 1 check passed, 2 signed' } });
    expect(visible(gh)).toContain(`- [x] Security review passed — signed by @alice, @dave (review on ${HEAD.slice(0, 7)})`);
    expect(result.outputs).toMatchObject({ ready: 'true', signed: '2', pending: '0' });

    const author = await github({ reviews: { 7: [review('mallory'), review('zed')] } });
    await run({ gh: author, ws: await workspace() });
    expect(check(author)?.conclusion).toBe('action_required');
    expect(visible(author)).toContain("@mallory opened this pull request; the author's approval does not sign");

    const stale = await github({ reviews: { 7: [review('alice', { commit_id: OLD }), review('dave', { commit_id: OLD })] } });
    await run({ gh: stale, ws: await workspace() });
    expect(check(stale)?.conclusion).toBe('action_required');
    expect(visible(stale)).toContain('@dave signed on abc1234, re-sign for aaaaaaa');
  }, 240_000);

  test('a dismissed approval does not sign; a pull_request_review event writes the check on the PR head', async () => {
    const gh = await github({ reviews: { 7: [review('alice'), review('dave', { state: 'DISMISSED' })] } });
    const event = { action: 'dismissed', review: { id: 1, state: 'dismissed', user: { login: 'dave' } }, pull_request: pullRequest };
    await run({ gh, ws: await workspace(), eventName: 'pull_request_review', event });
    expect(check(gh)).toMatchObject({ head_sha: HEAD, conclusion: 'action_required' });
  }, 120_000);

  test('team lookup forbidden: pending with the permission named; a policy-token that can read teams signs', async () => {
    const options = { reviews: { 7: [review('alice'), review('dave')] }, teamsForbidden: true, teamTokens: ['ghp_org_reader'] };
    const gh = await github(options);
    await run({ gh, ws: await workspace() });
    expect(check(gh)?.conclusion).toBe('action_required');
    expect(visible(gh)).toContain('Members: read');
    expect(visible(gh)).toContain('policy-token');

    const withToken = await github(options);
    await run({ gh: withToken, ws: await workspace(), inputs: { 'policy-token': 'ghp_org_reader' } });
    expect(check(withToken)?.conclusion).toBe('success');
  }, 240_000);

  test('a PR that adds its author (and a friend) to a role: the base policy applies, and the comment says so', async () => {
    const changed = POLICY.replace('operations lead: { teams: [acme/sre] }', 'operations lead: { users: [mallory, erin], teams: [acme/sre] }');
    const gh = await github({ reviews: { 7: [review('alice'), review('erin'), review('mallory')] } });
    await run({ gh, ws: await workspace(manifest(changed)) });
    expect(check(gh)?.conclusion).toBe('action_required');
    const body = visible(gh);
    expect(body).toContain('this pull request changes the policy in .github/readiness.yml; the policy of main applies until the change is merged');
    expect(body).toContain('- [ ] Rollback plan ready — awaiting operations lead: @acme/sre');
    expect(gh.requests.some((request) => request.path === `/repos/acme/travel/contents/${encodeURIComponent(PATH)}` || request.path === `/repos/acme/travel/contents/${PATH}`)).toBe(true);
  }, 120_000);

  test('review+command: a never-edited /readiness sign comment signs; an edited one is ignored', async () => {
    const commands = POLICY.replace('  waivers:', '  signOff: { via: review+command, invalidateOnPush: false }\n  waivers:');
    const comment = (id: number, updated: string) => ({
      id,
      body: '/readiness sign rollback',
      user: { login: 'dave', type: 'User' as const },
      created_at: '2026-12-05T10:00:00Z',
      updated_at: updated,
      html_url: `https://github.com/acme/travel/pull/7#issuecomment-${id}`,
    });
    const edited = await github({ comments: { 7: [comment(11, '2026-12-05T11:00:00Z')] } }, manifest(commands));
    await run({ gh: edited, ws: await workspace(manifest(commands)) });
    expect(visible(edited)).toContain("- [ ] Rollback plan ready — awaiting operations lead: @acme/sre · @dave's /readiness sign comment was edited");

    const fresh = await github({ comments: { 7: [comment(12, '2026-12-05T10:00:00Z')] } }, manifest(commands));
    await run({ gh: fresh, ws: await workspace(manifest(commands)) });
    expect(visible(fresh)).toContain('- [x] Rollback plan ready — signed by @dave (comment)');
  }, 240_000);

  test('a box ticked in our comment by someone else: the issue_comment run re-renders it unchecked and says ticking is not signing', async () => {
    const gh = await github();
    const ws = await workspace();
    await run({ gh, ws });
    const ours = gh.comments(7)[0];
    const ticked = (ours?.body ?? '').replace('- [ ] Rollback plan ready', '- [x] Rollback plan ready');
    await fetch(`${gh.url}/repos/acme/travel/issues/comments/${ours?.id}`, { method: 'PATCH', headers: { authorization: 'token ghs_mallory', 'content-type': 'application/json' }, body: JSON.stringify({ body: ticked }) });
    expect(gh.comments(7)[0]?.body).toContain('- [x] Rollback plan ready');

    const event = { action: 'edited', issue: { number: 7, pull_request: { url: `${gh.url}/repos/acme/travel/pulls/7` } }, comment: { id: ours?.id, user: { login: 'github-actions[bot]' }, body: ticked }, sender: { login: 'mallory' } };
    const result = await run({ gh, ws, eventName: 'issue_comment', event, sha: MAIN });
    expect(result.stdout).toContain('comment updated');
    const body = visible(gh);
    expect(body).toContain('- [ ] Rollback plan ready');
    expect(body).toContain('@mallory edited this comment: ticking a box is not signing');
    expect(check(gh)).toMatchObject({ head_sha: HEAD, conclusion: 'action_required' });
  }, 240_000);
});

describe('waivers', () => {
  test('without approval the failing item blocks; approved by a waiver approver it is ready with 1 waived; expired it blocks again', async () => {
    staging.status = 500;
    const soon = manifest(POLICY, waiver(day(3)));
    const signed = [review('alice'), review('dave')];

    const unapproved = await github({ reviews: { 7: [review('alice'), review('mallory')] } }, soon);
    await run({ gh: unapproved, ws: await workspace(soon) });
    expect(check(unapproved)?.conclusion).toBe('failure');
    expect(visible(unapproved)).toContain('the waiver awaits an approving review by operations lead (@acme/sre)');

    const approved = await github({ reviews: { 7: signed } }, soon);
    const result = await run({ gh: approved, ws: await workspace(soon) });
    expect(result.code).toBe(0);
    expect(check(approved)).toMatchObject({ conclusion: 'success', output: { title: 'Ready: 0 checks passed, 1 waived, 2 signed' } });
    const body = visible(approved);
    expect(body).toContain('**Active waivers (1):**');
    expect(body).toContain(`Home page answers — Vendor sandbox is rate limited; JIRA-123 · approved by @dave · until ${day(3)} (expires in 3 days)`);
    expect(result.outputs).toMatchObject({ ready: 'true', waived: '1', failed: '1' });

    const lapsed = manifest(POLICY, waiver(day(0)));
    const expired = await github({ reviews: { 7: signed } }, lapsed);
    await run({ gh: expired, ws: await workspace(lapsed) });
    expect(check(expired)?.conclusion).toBe('failure');
    expect(visible(expired)).toContain(`waiver expired on ${day(0)}`);
  }, 240_000);
});

describe('after the merge', () => {
  test('push: sign-offs of the merged pull request (on its final head) count; the score compares with main', async () => {
    const gh = await github({
      pulls: [{ number: 7, headSha: HEAD, baseSha: BASE, author: 'mallory', state: 'closed', mergedAt: '2026-12-05T12:00:00Z', mergeCommitSha: MERGE }],
      reviews: { 7: [review('alice', { commit_id: OLD }), review('alice'), review('dave')] },
    });
    const result = await run({ gh, ws: await workspace(), eventName: 'push', event: { after: MERGE }, sha: MERGE });
    expect(result.code).toBe(0);
    expect(check(gh)).toMatchObject({ head_sha: MERGE, conclusion: 'success', external_id: 'score=100' });

    const unsigned = await github({ pulls: [] });
    await run({ gh: unsigned, ws: await workspace(), eventName: 'push', event: { after: MERGE }, sha: MERGE });
    expect(check(unsigned)?.conclusion).toBe('action_required');
  }, 240_000);

  test('a pull request shows its score against the base branch head', async () => {
    const gh = await github({ branches: { main: MAIN }, seedCheckRuns: [{ name: 'Production readiness', head_sha: MAIN, conclusion: 'success', external_id: 'score=50' }] });
    await run({ gh, ws: await workspace() });
    expect(visible(gh)).toContain('score **33% (▼ 17 vs main)**');
  }, 120_000);
});
