// The sticky comment is found only by its marker on the first line of a comment written by
// exactly the token's identity (login and type), so neither a planted comment nor staging
// text quoted inside our own comment can make a run edit the wrong comment.
import { afterEach, describe, expect, test } from '@jest/globals';
import { startFakeGitHub, type FakeComment, type FakeGitHub, type FakeGitHubOptions } from '../../test-support/fake-github.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import { ACTIONS_BOT, findStickyComments, tokenIdentity, upsertStickyComment, type StickyTarget } from '../../src/github/comment.ts';
import { commentMarker } from '../../src/report/comment.ts';

const SHA = 'a'.repeat(40);
const A = '.github/readiness.yml';
const B = '.github/readiness-api.yml';
const fakes: FakeGitHub[] = [];

afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function start(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const fake = await startFakeGitHub({ pulls: [{ number: 7, headSha: SHA }], ...options });
  fakes.push(fake);
  return fake;
}

let nextId = 1;
function comment(body: string, user: FakeComment['user']): FakeComment {
  const id = nextId++;
  const at = `2026-11-01T00:00:${String(id).padStart(2, '0')}Z`;
  return { id, body, user, created_at: at, updated_at: at, html_url: `https://github.com/acme/travel/pull/7#issuecomment-${id}` };
}

const bot = { login: 'github-actions[bot]', type: 'Bot' as const };

function client(fake: FakeGitHub, token: string, log: string[] = []) {
  return createGitHubClient({ token, baseUrl: fake.url, log: (message) => log.push(message) });
}

describe('which comment is ours', () => {
  test('only the marker on the first line of a comment by exactly our identity counts', async () => {
    const markerA = commentMarker(A);
    const ours = comment(`${markerA}\nchecklist`, bot);
    const planted = [
      // A User literally named github-actions (no [bot]).
      comment(`${markerA}\nplanted`, { login: 'github-actions', type: 'User' }),
      // The right login with the wrong type, and another bot.
      comment(`${markerA}\nplanted`, { login: 'github-actions[bot]', type: 'User' }),
      comment(`${markerA}\nplanted`, { login: 'renovate[bot]', type: 'Bot' }),
      comment(`${markerA}\nplanted`, { login: 'GitHub-Actions[bot]', type: 'Bot' }),
      // Our own comment for manifest B, quoting staging text that carries A's marker.
      comment(`${commentMarker(B)}\n\`\`\`\n${markerA}\n\`\`\``, bot),
      // The marker elsewhere than the first line, or not alone on it.
      comment(`hello\n${markerA}`, bot),
      comment(` ${markerA}\nx`, bot),
      comment(`${markerA} trailing\nx`, bot),
      comment(`> ${markerA}`, bot),
    ];
    const fake = await start({ comments: { 7: [...planted, ours] } });
    const target: StickyTarget = { github: client(fake, 'ghs_x'), repo: { owner: 'acme', repo: 'travel' }, pull: 7, manifest: A, author: ACTIONS_BOT };
    expect((await findStickyComments(target)).map((c) => c.id)).toEqual([ours.id]);

    // CRLF line ends are still the first line.
    const crlf = await start({ comments: { 7: [comment(`${markerA}\r\nbody`, bot)] } });
    expect(await findStickyComments({ ...target, github: client(crlf, 'ghs_x') })).toHaveLength(1);
  });

  test('an update edits only our comment, never the planted one with the marker', async () => {
    const markerA = commentMarker(A);
    const human = comment(`${markerA}\nplanted`, { login: 'github-actions', type: 'User' });
    const other = comment(`${commentMarker(B)}\n\`\`\`\n${markerA}\n\`\`\``, bot);
    const fake = await start({ comments: { 7: [human, other] } });
    const target: StickyTarget = { github: client(fake, 'ghs_x'), repo: { owner: 'acme', repo: 'travel' }, pull: 7, manifest: A, author: ACTIONS_BOT };
    const state = { sha: SHA, digest: 'd', bad: [], more: 0, history: [] };
    const outcome = await upsertStickyComment(target, { body: `${markerA}\nnew`, state, existing: await findStickyComments(target), create: true });
    expect(outcome.action).toBe('created');
    const edits = fake.requests.filter((request) => request.method === 'PATCH' || request.method === 'DELETE');
    expect(edits).toEqual([]);
    expect(fake.comments(7).map((c) => c.body)).toEqual([human.body, other.body, `${markerA}\nnew`]);
  });
});

describe('the token identity', () => {
  test('an installation token (GITHUB_TOKEN) is the Actions bot, without calling GET /user', async () => {
    const fake = await start({});
    const log: string[] = [];
    expect(await tokenIdentity(client(fake, 'ghs_token', log))).toEqual({ login: 'github-actions[bot]', type: 'Bot' });
    expect(fake.requests.filter((request) => request.path === '/user')).toHaveLength(0);
    expect(log).toEqual([]);
  });

  test('a personal token is whoever GET /user names, login and type', async () => {
    const fake = await start({ tokenLogin: 'octo-deployer' });
    expect(await tokenIdentity(client(fake, 'ghp_token'))).toEqual({ login: 'octo-deployer', type: 'User' });
  });

  test('a refused GET /user falls back quietly: no API error line in the log', async () => {
    const fake = await start({ tokenLogin: 'github-actions[bot]', userEndpointForbidden: true });
    const log: string[] = [];
    expect(await tokenIdentity(client(fake, 'some-opaque-token', log))).toEqual(ACTIONS_BOT);
    expect(fake.requests.filter((request) => request.path === '/user').map((request) => request.status)).toEqual([403]);
    expect(log).toEqual([]);
  });
});
