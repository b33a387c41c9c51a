// The action end to end against a hostile staging server that echoes what it is sent in
// every encoding, a careless manifest and a runner with its own tokens: no registered
// secret shows on any surface (log, job summary, outputs, report files, the PR comment and
// the check run sent to GitHub) in any encoding, and each item keeps its real outcome.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runActionProcess, type ActionProcessResult } from '../../test-support/action-process.ts';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.ts';
import { startHostileStaging } from '../../test-support/hostile-staging.ts';
import { expectNoSecretAnywhere, type Surface } from '../../test-support/secret-scan.ts';
import type { RunningServer } from '../../test-support/servers.ts';

const HEAD = 'a'.repeat(40);
const SECRETS = {
  API_TOKEN: 'tok_9f8e7d6c5b4a+/Zx==Qw',
  HEADER_SECRET: `hdr-"quoted"-<tag>-&-'apos'-0123`,
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-eyJhbGciOiJSUzI1NiJ9',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-7a6b5c4d3e2f',
  GITHUB_TOKEN_INPUT: 'ghs_runnerTokenInput0123456789',
  TARGET_KEY: 'literal-staging-key-0123456789',
  URL_PASSWORD: 'userinfo-pa55word-0123',
};

const MANIFEST = `version: 1
target:
  headers: { x-staging-key: "${SECRETS.TARGET_KEY}" }
sections:
  - title: Hostile
    items:
      - id: echo-text
        title: echo text
        http:
          request:
            url: "/echo?token={{ secrets.API_TOKEN }}"
            headers: { authorization: "Bearer {{ secrets.API_TOKEN }}", x-header-secret: "{{ secrets.HEADER_SECRET }}" }
          expect: { status: 200, body: { contains: never-there }, headers: { x-echo: { eq: nope } } }
      - id: echo-json
        title: echo json
        http: { request: "GET /echo?format=json&token={{ secrets.API_TOKEN }}", expect: { json: { "$.token": nope, "$.received": { length: 0 } } } }
      - id: echo-html
        title: echo html
        http: { request: "GET /echo?format=html&token={{ secrets.API_TOKEN }}", expect: { body: { matches: "^never" } } }
      - id: redirects
        title: redirects
        http:
          request: { url: "/redirect?token={{ secrets.API_TOKEN }}", follow_redirects: true }
          expect: { status: 599 }
      - id: command-echo
        title: command echo
        command:
          run: |
            node -e '
              const forms = (v) => [v, encodeURIComponent(v), JSON.stringify(v), Buffer.from(v).toString("base64"), v.slice(0, 9) + "\\n" + v.slice(9)];
              for (const v of [process.env.T, process.env.R, process.env.H]) console.log(forms(v).join("\\n"));
              console.log("x".repeat(190) + process.env.T);
              process.exit(3);'
          env: { T: "{{ secrets.API_TOKEN }}", R: "{{ env.ACTIONS_RUNTIME_TOKEN }}", H: "{{ env.HEADER_SECRET }}" }
      - id: command-env
        title: command env
        command: { run: "env; exit 1" }
`;

let staging: RunningServer;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  staging = await startHostileStaging();
  cleanup.push(() => staging.close());
});
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function runAction(stagingUrl: string): Promise<{ result: ActionProcessResult; gh: FakeGitHub; ws: string }> {
  const gh = await startFakeGitHub({ pulls: [{ number: 7, headSha: HEAD }] });
  cleanup.push(() => gh.close());
  const ws = await mkdtemp(join(tmpdir(), 'readiness-leaks-'));
  cleanup.push(() => rm(ws, { recursive: true, force: true }));
  await mkdir(join(ws, '.github'), { recursive: true });
  await writeFile(join(ws, '.github/readiness.yml'), MANIFEST);
  const event = { action: 'synchronize', number: 7, pull_request: { number: 7, head: { sha: HEAD, ref: 'f', repo: { full_name: 'acme/travel' } }, base: { ref: 'main', repo: { full_name: 'acme/travel' } } } };
  const result = await runActionProcess({
    eventName: 'pull_request',
    event,
    workspace: ws,
    apiUrl: gh.url,
    sha: HEAD,
    inputs: { 'github-token': SECRETS.GITHUB_TOKEN_INPUT, 'staging-url': stagingUrl },
    env: {
      API_TOKEN: SECRETS.API_TOKEN,
      HEADER_SECRET: SECRETS.HEADER_SECRET,
      ACTIONS_RUNTIME_TOKEN: SECRETS.ACTIONS_RUNTIME_TOKEN,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: SECRETS.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
      ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token',
    },
    timeoutMs: 120_000,
  });
  return { result, gh, ws };
}

/** Every place the action writes: the log (less its own ::add-mask:: lines), the files and what GitHub received. */
async function surfaces(result: ActionProcessResult, gh: FakeGitHub, ws: string): Promise<Surface[]> {
  const out: Surface[] = [
    { name: 'stdout', text: result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n') },
    { name: 'stderr', text: result.stderr },
    { name: 'job summary', text: result.summary },
    { name: 'outputs', text: JSON.stringify(result.outputs) },
  ];
  const reportDir = join(ws, 'readiness-report');
  for (const file of await readdir(reportDir)) out.push({ name: file, text: await readFile(join(reportDir, file), 'utf8') });
  for (const comment of gh.comments(7)) out.push({ name: `comment ${comment.id}`, text: comment.body });
  for (const run of gh.checkRuns) out.push({ name: `check run ${run.id}`, text: JSON.stringify(run.history) });
  gh.requests.forEach((request, index) => out.push({ name: `GitHub request ${index} ${request.method} ${request.path}`, text: JSON.stringify(request.body ?? '') }));
  return out;
}

describe('no secret leaves the action', () => {
  test('a hostile echoing server, a careless manifest and the runner tokens', async () => {
    const { result, gh, ws } = await runAction(staging.url);
    const report = JSON.parse(await readFile(join(ws, 'readiness-report/report.json'), 'utf8')) as { sections: { items: { id: string; outcome: string }[] }[] };
    const outcomes = Object.fromEntries(report.sections.flatMap((section) => section.items).map((item) => [item.id, item.outcome]));
    expect(outcomes).toEqual({ 'echo-text': 'fail', 'echo-json': 'fail', 'echo-html': 'fail', redirects: 'fail', 'command-echo': 'fail', 'command-env': 'fail' });
    expect(gh.comments(7)).toHaveLength(1);
    expect(gh.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });

    const all = await surfaces(result, gh, ws);
    expectNoSecretAnywhere(all, Object.values(SECRETS));
    // The evidence is there, redacted: not an empty report that trivially holds no secret.
    const markdown = all.find((surface) => surface.name === 'report.md')?.text ?? '';
    expect(markdown).toContain('[redacted]');
    expect(markdown).toContain('/landing?token=');
    // Secrets and their spellings are masked in the log.
    const masked = result.commands.filter((command) => command.command === 'add-mask').map((command) => command.message);
    for (const secret of [SECRETS.API_TOKEN, SECRETS.ACTIONS_RUNTIME_TOKEN, SECRETS.GITHUB_TOKEN_INPUT, SECRETS.TARGET_KEY]) expect(masked).toContain(secret);
    expect(masked).toContain(Buffer.from(SECRETS.API_TOKEN).toString('base64'));
  }, 180_000);

  test('the password of a staging URL with userinfo is never shown', async () => {
    const withUserinfo = staging.url.replace('http://', `http://smoke:${SECRETS.URL_PASSWORD}@`);
    const { result, gh, ws } = await runAction(withUserinfo);
    expect(result.code).not.toBeNull();
    expectNoSecretAnywhere(await surfaces(result, gh, ws), Object.values(SECRETS));
    expect(result.stdout).toContain(`Staging: ${staging.url}`);
  }, 180_000);
});
