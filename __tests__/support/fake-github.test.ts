// The fake GitHub must answer like GitHub, or the end-to-end tests prove nothing: these
// tests pin its limits, error bodies, headers and faults, then show that a real octokit
// with the retry and throttling plugins recognises its 5xx and rate-limit answers.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { startFakeGitHub, type FakeComment, type FakeGitHub, type FakeGitHubOptions } from '../../test-support/fake-github.ts';

const SHA = 'a'.repeat(40);
const fakes: FakeGitHub[] = [];

afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
});

async function start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = await startFakeGitHub({ pulls: [{ number: 7, headSha: SHA }], ...options });
  fakes.push(fake);
  return fake;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(fake: FakeGitHub, method: string, path: string, body?: unknown, auth: string | null = 'token t0k3n'): Promise<Answer> {
  const url = path.startsWith('http') ? path : `${fake.url}${path}`;
  const response = await fetch(url, {
    method,
    headers: { accept: 'application/vnd.github+json', ...(auth ? { authorization: auth } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function message(answer: Answer): string {
  return (answer.body as { message: string }).message;
}

function annotations(count: number, line = 1): object[] {
  return Array.from({ length: count }, (_, i) => ({ path: 'src/a.ts', start_line: line + i, end_line: line + i, annotation_level: 'warning', message: `m${i}` }));
}

function otherComment(id: number): FakeComment {
  const at = '2026-01-01T00:00:00Z';
  return { id, body: `comment ${id}`, user: { login: 'alice', type: 'User' }, created_at: at, updated_at: at, html_url: `https://github.com/acme/travel/pull/7#issuecomment-${id}` };
}

describe('fake GitHub: comments', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    // Out of order on purpose: listings must come back oldest first.
    const comments = Array.from({ length: 250 }, (_, i) => otherComment(250 - i));
    fake = await start({ comments: { 7: comments } });
  });

  test('250 comments page through Link headers in GitHub format, oldest first', async () => {
    const first = await call(fake, 'GET', '/repos/acme/travel/issues/7/comments?per_page=100');
    expect(first.status).toBe(200);
    expect((first.body as FakeComment[]).map((c) => c.id).slice(0, 3)).toEqual([1, 2, 3]);
    const repositoryBase = `${fake.url}/repositories/700000001/issues/7/comments`;
    expect(first.headers.get('link')).toBe(`<${repositoryBase}?per_page=100&page=2>; rel="next", <${repositoryBase}?per_page=100&page=3>; rel="last"`);

    // Follow rel="next" verbatim, as octokit's paginate does.
    const ids: number[] = [];
    let next: string | undefined = `${fake.url}/repos/acme/travel/issues/7/comments?per_page=100`;
    const linkHeaders: string[] = [];
    while (next) {
      const page = await call(fake, 'GET', next);
      ids.push(...(page.body as FakeComment[]).map((c) => c.id));
      const link = page.headers.get('link') ?? '';
      linkHeaders.push(link);
      next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    }
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(linkHeaders[2]).toBe(`<${repositoryBase}?per_page=100&page=2>; rel="prev", <${repositoryBase}?per_page=100&page=1>; rel="first"`);
  });

  test('per_page defaults to 30 and is capped at 100', async () => {
    const byDefault = await call(fake, 'GET', '/repos/acme/travel/issues/7/comments');
    expect((byDefault.body as unknown[]).length).toBe(30);
    expect(byDefault.headers.get('link')).toContain('?page=9>; rel="last"');
    const capped = await call(fake, 'GET', '/repos/acme/travel/issues/7/comments?per_page=500');
    expect((capped.body as unknown[]).length).toBe(100);
  });

  test('a comment of 65,537 characters is refused with 422, 65,536 is accepted', async () => {
    const tooLong = await call(fake, 'POST', '/repos/acme/travel/issues/7/comments', { body: 'x'.repeat(65537) });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: 'Body is too long (maximum is 65536 characters)' }],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422',
    });
    const fits = await call(fake, 'POST', '/repos/acme/travel/issues/7/comments', { body: 'x'.repeat(65536) });
    expect(fits.status).toBe(201);
    const created = fits.body as FakeComment;
    expect(created.user).toEqual({ login: 'github-actions[bot]', type: 'Bot' });
    expect(created.html_url).toBe(`https://github.com/acme/travel/pull/7#issuecomment-${created.id}`);
    expect(fake.comments(7).at(-1)?.id).toBe(created.id);

    const edited = await call(fake, 'PATCH', `/repos/acme/travel/issues/comments/${created.id}`, { body: 'short' });
    expect(edited.status).toBe(200);
    expect(fake.comments(7).at(-1)?.body).toBe('short');
    expect((await call(fake, 'PATCH', `/repos/acme/travel/issues/comments/${created.id}`, { body: 'y'.repeat(65537) })).status).toBe(422);
    expect((await call(fake, 'DELETE', `/repos/acme/travel/issues/comments/${created.id}`)).status).toBe(204);
    expect(fake.comments(7)).toHaveLength(250);
    expect((await call(fake, 'DELETE', `/repos/acme/travel/issues/comments/${created.id}`)).status).toBe(404);
  });

  test('unknown PRs, unknown routes and missing auth answer like GitHub, and are recorded', async () => {
    expect((await call(fake, 'POST', '/repos/acme/travel/issues/99/comments', { body: 'hi' })).status).toBe(404);
    const unknown = await call(fake, 'GET', '/repos/acme/travel/releases');
    expect(unknown.status).toBe(404);
    expect(message(unknown)).toBe('Not Found');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/repos/acme/travel/releases', status: 404 });
    const anonymous = await call(fake, 'GET', '/repos/acme/travel/pulls/7', undefined, null);
    expect(anonymous.status).toBe(401);
    expect(message(anonymous)).toBe('Requires authentication');
    expect((await call(fake, 'GET', '/repos/acme/travel/pulls/7', undefined, 'Bearer abc')).status).toBe(200);
  });

  test('GET /user is forbidden for the GITHUB_TOKEN bot, as on GitHub', async () => {
    const user = await call(fake, 'GET', '/user');
    expect(user.status).toBe(403);
    expect(user.body).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
      status: '403',
    });
  });
});

describe('fake GitHub: pulls', () => {
  test('a PR and the PRs of a commit, with fork detection in head.repo', async () => {
    const fake = await start({ pulls: [{ number: 7, headSha: SHA }, { number: 8, headSha: 'b'.repeat(40), headRepo: 'mallory/travel' }] });
    const pull = await call(fake, 'GET', '/repos/acme/travel/pulls/8');
    expect(pull.body).toMatchObject({ number: 8, state: 'open', head: { sha: 'b'.repeat(40), repo: { full_name: 'mallory/travel' } }, base: { ref: 'main', repo: { full_name: 'acme/travel' } } });
    const ofCommit = await call(fake, 'GET', `/repos/acme/travel/commits/${SHA}/pulls`);
    expect((ofCommit.body as { number: number }[]).map((p) => p.number)).toEqual([7]);
    expect((await call(fake, 'GET', '/repos/acme/travel/pulls/9')).status).toBe(404);
  });
});

describe('fake GitHub: check runs', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await start();
  });

  const create = (output: object, extra: object = {}): Promise<Answer> =>
    call(fake, 'POST', '/repos/acme/travel/check-runs', { name: 'readiness', head_sha: SHA, status: 'in_progress', output, ...extra });

  test('51 annotations are refused, 50 accepted, and a PATCH appends', async () => {
    const tooMany = await create({ title: 't', summary: 's', annotations: annotations(51) });
    expect(tooMany.status).toBe(422);
    expect(message(tooMany)).toBe('Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied.');

    const created = await create({ title: 't', summary: 's', annotations: annotations(50) });
    expect(created.status).toBe(201);
    const run = created.body as { id: number; html_url: string; status: string; conclusion: null; output: { annotations_count: number } };
    expect(run).toMatchObject({ status: 'in_progress', conclusion: null, html_url: `https://github.com/acme/travel/runs/${run.id}`, output: { annotations_count: 50 } });

    const updated = await call(fake, 'PATCH', `/repos/acme/travel/check-runs/${run.id}`, {
      status: 'completed', conclusion: 'failure', output: { title: 't2', summary: 's2', annotations: annotations(20, 100) },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 't2', summary: 's2', annotations_count: 70 } });
    const stored = fake.checkRuns.find((r) => r.id === run.id);
    expect(stored?.annotations).toHaveLength(70);
    expect(stored?.annotations[50]?.start_line).toBe(100);
    expect(stored).toMatchObject({ updates: 1, output: { title: 't2', summary: 's2' } });
    expect(stored?.history).toHaveLength(2);
    expect((await call(fake, 'PATCH', '/repos/acme/travel/check-runs/1', { status: 'completed', conclusion: 'success' })).status).toBe(404);
  });

  test('summary is limited in BYTES: 65,535 ASCII pass, multi-byte text under the character limit fails', async () => {
    expect((await create({ title: 't', summary: 'x'.repeat(65535) })).status).toBe(201);
    // 30,000 euro signs: 30,000 characters but 90,000 bytes.
    const euros = await create({ title: 't', summary: '€'.repeat(30000) });
    expect(euros.status).toBe(422);
    expect(euros.body).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'CheckRun', code: 'custom', field: 'summary', message: 'summary exceeds a maximum bytesize of 65535' }],
      documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
      status: '422',
    });
    const text = await create({ title: 't', summary: 's', text: '😀'.repeat(20000) });
    expect((text.body as { errors: { field: string }[] }).errors[0]?.field).toBe('text');
    // Over the character count, GitHub's schema check answers first.
    const chars = await create({ title: 't', summary: 'x'.repeat(65536) });
    expect(message(chars)).toBe('Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.');
  });

  test('required fields, conclusion/status consistency and annotation fields are validated', async () => {
    expect(message(await create({ summary: 's' }))).toBe('Invalid request.\n\n"title" wasn\'t supplied.');
    expect(message(await call(fake, 'POST', '/repos/acme/travel/check-runs', { status: 'queued' }))).toBe('Invalid request.\n\n"head_sha", "name" weren\'t supplied.');
    expect((await create({ title: 't', summary: 's' }, { status: 'completed' })).status).toBe(422);
    expect((await create({ title: 't', summary: 's' }, { status: 'in_progress', conclusion: 'success' })).status).toBe(422);
    const byConclusion = await create({ title: 't', summary: 's' }, { status: undefined, conclusion: 'success' });
    expect(byConclusion.body).toMatchObject({ status: 'completed', conclusion: 'success' });
    const badAnnotation = await create({ title: 't', summary: 's', annotations: [{ path: 'a', start_line: 1, end_line: 1 }, { path: 'a', start_line: 1, end_line: 1, message: 'm', annotation_level: 'error' }] });
    expect(message(badAnnotation)).toBe('Invalid request.\n\n"annotation_level", "message" weren\'t supplied.\nFor \'properties/annotation_level\', "error" is not a member of ["notice", "warning", "failure"].');
  });

  test('a token without checks: write gets 403 on check runs but can still post statuses', async () => {
    const limited = await start({ checksForbidden: true });
    const refused = await call(limited, 'POST', '/repos/acme/travel/check-runs', { name: 'n', head_sha: SHA });
    expect(refused.status).toBe(403);
    expect(message(refused)).toBe('Resource not accessible by integration');
    expect(refused.headers.get('x-accepted-github-permissions')).toBe('checks=write');
    const status = await call(limited, 'POST', `/repos/acme/travel/statuses/${SHA}`, { state: 'success', description: 'ok', context: 'readiness' });
    expect(status.status).toBe(201);
    expect(limited.statuses).toHaveLength(1);
    expect(limited.statuses[0]).toMatchObject({ sha: SHA, state: 'success', context: 'readiness', description: 'ok' });
    const long = await call(limited, 'POST', `/repos/acme/travel/statuses/${SHA}`, { state: 'success', description: 'd'.repeat(141) });
    expect((long.body as { errors: { message: string }[] }).errors[0]?.message).toBe('description is too long (maximum is 140 characters)');
    expect((await call(limited, 'POST', `/repos/acme/travel/statuses/${SHA}`, { state: 'ok' })).status).toBe(422);
  });
});

describe('fake GitHub: read-only token, faults, headers, GHES', () => {
  test('a read-only (fork PR) token gets 403 on every write, reads still work', async () => {
    const fake = await start({ readOnly: true });
    for (const [method, path, body] of [
      ['POST', '/repos/acme/travel/issues/7/comments', { body: 'hi' }],
      ['POST', '/repos/acme/travel/check-runs', { name: 'n', head_sha: SHA }],
      ['POST', `/repos/acme/travel/statuses/${SHA}`, { state: 'success' }],
    ] as const) {
      const answer = await call(fake, method, path, body);
      expect(answer.status).toBe(403);
      expect(message(answer)).toBe('Resource not accessible by integration');
    }
    expect((await call(fake, 'GET', '/repos/acme/travel/issues/7/comments')).status).toBe(200);
  });

  test('faults fire the given number of times, on matching requests only, then stop', async () => {
    const fake = await start({
      faults: [
        { kind: 'status', status: 502, match: { method: 'GET', path: /\/pulls\/7$/ }, times: 2 },
        { kind: 'status', status: 503 },
      ],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(fake, 'GET', '/repos/acme/travel/pulls/7')).status);
    expect(statuses).toEqual([502, 502, 503, 200]);
    fake.addFault({ kind: 'status', status: 500, match: { path: /check-runs/ } });
    expect((await call(fake, 'GET', '/repos/acme/travel/pulls/7')).status).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([502, 502, 503, 200, 200]);
  });

  test('rate-limit headers on normal answers and on both kinds of rate limit', async () => {
    const fake = await start({
      faults: [
        { kind: 'rate-limit', resetInSeconds: 30 },
        { kind: 'secondary-rate-limit', retryAfterSeconds: 7 },
      ],
    });
    const before = Math.floor(Date.now() / 1000);
    const primary = await call(fake, 'GET', '/repos/acme/travel/pulls/7');
    expect(primary.status).toBe(403);
    expect(message(primary)).toMatch(/^API rate limit exceeded for installation ID \d+\.$/);
    expect((primary.body as { documentation_url: string }).documentation_url).toMatch(/^https:\/\/docs\.github\.com\//);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(primary.headers.get('x-ratelimit-reset')) - before).toBeGreaterThanOrEqual(29);
    expect(Number(primary.headers.get('x-ratelimit-reset')) - before).toBeLessThanOrEqual(31);

    const secondary = await call(fake, 'GET', '/repos/acme/travel/pulls/7');
    expect(secondary.status).toBe(403);
    expect(message(secondary)).toMatch(/^You have exceeded a secondary rate limit\./);
    expect(secondary.headers.get('retry-after')).toBe('7');
    expect(secondary.headers.get('x-ratelimit-remaining')).not.toBe('0');

    const normal = await call(fake, 'GET', '/repos/acme/travel/pulls/7');
    expect(normal.status).toBe(200);
    expect(normal.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(normal.headers.get('x-github-request-id')).toBeTruthy();
    expect(normal.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(normal.headers.get('x-ratelimit-remaining')).toBe('4997');
    expect(normal.headers.get('x-ratelimit-used')).toBe('3');
    expect(normal.headers.get('x-ratelimit-resource')).toBe('core');
    expect(Number(normal.headers.get('x-ratelimit-reset')) - before).toBeGreaterThan(3500);
  });

  test('a GHES /api/v3 prefix serves the API there and nothing outside it', async () => {
    const fake = await start({ pathPrefix: '/api/v3' });
    expect(fake.url).toBe(`${fake.origin}/api/v3`);
    expect((await call(fake, 'GET', '/repos/acme/travel/pulls/7')).status).toBe(200);
    const created = await call(fake, 'POST', '/repos/acme/travel/check-runs', { name: 'n', head_sha: SHA });
    expect(created.status).toBe(201);
    expect((created.body as { url: string }).url).toBe(`${fake.url}/repos/acme/travel/check-runs/${(created.body as { id: number }).id}`);
    const outside = await fetch(`${fake.origin}/repos/acme/travel/pulls/7`, { headers: { authorization: 'token x' } });
    expect(outside.status).toBe(404);
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v3/repos/acme/travel/pulls/7', '/api/v3/repos/acme/travel/check-runs', '/repos/acme/travel/pulls/7']);
  });
});

describe('fake GitHub with a real octokit', () => {
  test('retry and throttling plugins retry its 502, rate limit and secondary rate limit, then succeed', async () => {
    const fake = await start({
      faults: [
        { kind: 'status', status: 502, match: { path: /\/pulls\/7$/ } },
        { kind: 'rate-limit', resetInSeconds: 1, match: { path: /\/pulls\/7$/ } },
        { kind: 'secondary-rate-limit', retryAfterSeconds: 1, match: { path: /\/pulls\/7$/ } },
      ],
    });
    const waits: { kind: string; retryAfter: number }[] = [];
    const GitHub = Octokit.plugin(retry, throttling);
    const octokit = new GitHub({
      auth: 'ghs_faketoken',
      baseUrl: fake.url,
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      throttle: {
        onRateLimit: (retryAfter: number) => {
          waits.push({ kind: 'primary', retryAfter });
          return true;
        },
        onSecondaryRateLimit: (retryAfter: number) => {
          waits.push({ kind: 'secondary', retryAfter });
          return true;
        },
      },
    });
    // plugin-retry waits (retryCount + 1)^2 s: 1 s after the 502; the primary limit waits
    // until reset + 1 s (<= 2 s); the secondary waits retry-after (1 s). About 4 s in all.
    const started = Date.now();
    const { data } = await octokit.rest.pulls.get({ owner: 'acme', repo: 'travel', pull_number: 7 });
    expect(data.number).toBe(7);
    expect(fake.requests.map((r) => r.status)).toEqual([502, 403, 403, 200]);
    expect(fake.requests[0]?.headers.authorization).toBe('token ghs_faketoken');
    expect(waits.map((w) => w.kind)).toEqual(['primary', 'secondary']);
    expect(waits[0]?.retryAfter).toBeLessThanOrEqual(2);
    expect(waits[1]?.retryAfter).toBe(1);
    expect(Date.now() - started).toBeLessThan(8000);
  }, 20000);
});
