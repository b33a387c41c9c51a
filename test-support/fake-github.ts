// A local stand-in for the parts of GitHub's REST API the action uses, so end-to-end tests
// can run `node dist/index.js` against it. It answers like api.github.com (or a GHES
// /api/v3 prefix): the same paths, status codes, error bodies, limits and headers, and it
// can inject transient errors and rate limits.
//
// Where the answers come from (see also the research note, actions-anchors.md §3, §4, §6):
// - comment body > 65,536 characters: 422 "Validation Failed" with
//   {"resource":"IssueComment","code":"unprocessable","field":"data","message":"Body is too long (maximum is 65536 characters)"}
//   (the form GitHub answers since 2021: vebr/jest-lcov-reporter#14, jmikedupont2/ai-ticket#51,
//   reg-viz/reg-actions#123; older answers had code "custom", field "body").
// - check run summary/text: a JSON-schema check in characters ("Invalid request.\n\nOnly 65535
//   characters are allowed; N were supplied.", zyborg/dotnet-tests-report#12, reviewdog/action-rubocop#67),
//   then a model check in BYTES ({"resource":"CheckRun","code":"custom","field":"summary",
//   "message":"summary exceeds a maximum bytesize of 65535"}, dorny/test-reporter#57, github/docs#35252).
// - more than 50 annotations: "Invalid request.\n\nNo more than 50 items are allowed; N were supplied."
//   (graphql-hive/graphql-inspector#1840, stoplightio/spectral-action#334).
// - annotation without required fields: one line per annotation, names sorted:
//   "\"annotation_level\", \"path\" weren't supplied." (humanmade/linter-bot#71).
// - status description > 140: {"resource":"Status","code":"custom","field":"description",
//   "message":"description is too long (maximum is 140 characters)"} (sclorg/testing-farm-as-github-action#187).
// - Link headers point at /repositories/{id}/… like GitHub's do (netlify/git-gateway#48),
//   so a client must follow them verbatim rather than rebuild URLs.
// Not confirmed from a real answer, modeled on the above: the enum message ("… is not a member
// of […]"), the conclusion/status consistency errors, and the invalid-annotation positions.
//
// What the octokit plugins key on (read from node_modules, plugin-throttling 11.0.5 and
// plugin-retry 8.1.1), so the faults below trigger them:
// - plugin-throttling only considers errors with status 403 or 429 (or non-401 on /graphql).
//   * Secondary limit: /\bsecondary rate\b/i on error.message, which @octokit/request builds
//     from the body's `message` (+ " - " + documentation_url). Checked FIRST. The wait is
//     Number(retry-after header) seconds, or 60 s when the header is missing.
//   * Primary limit: headers['x-ratelimit-remaining'] === '0' (the exact string), or a
//     GraphQL errors[].type 'RATE_LIMITED'. The wait is
//     max(ceil((x-ratelimit-reset * 1000 - now) / 1000) + 1, 0) seconds.
//   * onSecondaryRateLimit / onRateLimit(retryAfter, options, octokit, retryCount) decide;
//     a retry waits retryAfter * 1000 ms. Writes are also spaced >= 1 s apart process-wide
//     and issue-comment POSTs >= 3 s (its notification paths; anchored at '/', so a GHES
//     /api/v3 prefix skips that group).
// - plugin-retry retries every status >= 400 except 400, 401, 403, 404, 410, 422, 451, up to
//   3 times, waiting (retryCount + 1)^2 seconds: 1 s, 4 s, 9 s. So a 5xx costs 1 s, and a 403
//   is left to the throttling plugin.
// src/github/client.ts tells a rate limit from a permission 403 by /rate limit/i on the
// message; both rate-limit messages here contain it.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { startServer } from './servers.ts';
import { readBody } from './requests.ts';

export interface FakeGitHubOptions {
  owner?: string; // default 'acme'
  repo?: string; // default 'travel'
  /** Login the token belongs to. GITHUB_TOKEN: 'github-actions[bot]' and GET /user answers 403 (as GitHub does for installation tokens). */
  tokenLogin?: string; // default 'github-actions[bot]'
  userEndpointForbidden?: boolean; // default true when tokenLogin ends with [bot]
  readOnly?: boolean; // every write answers 403 {"message":"Resource not accessible by integration"} (fork PR token)
  checksForbidden?: boolean; // only check-run writes answer 403 (token without checks: write); statuses still work
  pulls?: FakePull[]; // known PRs
  /** Pre-existing issue comments per PR number (e.g. comments of other users, or an old bot comment). */
  comments?: Record<number, FakeComment[]>;
  /** Faults injected on the next matching requests, consumed in order. */
  faults?: Fault[];
  perPageMax?: number; // default 100, like GitHub
  /** GHES serves the API under '/api/v3'; requests outside the prefix answer 404. Default ''. */
  pathPrefix?: string;
  /** Numeric repository id used in Link headers (/repositories/{id}/…), which the fake also serves. */
  repoId?: number;
  /** When set, any other token answers 401 "Bad credentials". */
  token?: string;
  /** When set, check runs and statuses for other SHAs (and not a PR head) answer 422 "No commit found for SHA". */
  knownShas?: string[];
  /** Reviews per PR number, as GET /pulls/{n}/reviews lists them (submitted order). */
  reviews?: Record<number, FakeReview[]>;
  /** File contents at a commit or branch: files[ref][path] = text (the contents API answers base64). */
  files?: Record<string, Record<string, string>>;
  /** Branch name → head SHA, for refs given as branch names (GET …/commits/main/check-runs). */
  branches?: Record<string, string>;
  /** Org team members: teams['acme/sre'][login] = 'active' | 'pending' (invited). Others answer 404. */
  teams?: Record<string, Record<string, 'active' | 'pending'>>;
  /** Team membership lookups answer 403 (GITHUB_TOKEN cannot read org teams). */
  teamsForbidden?: boolean;
  /** Tokens allowed to read teams despite teamsForbidden (a policy-token). */
  teamTokens?: string[];
  /** Check runs that exist before the run (e.g. on the base branch's head). */
  seedCheckRuns?: { name: string; head_sha: string; conclusion: string; external_id?: string }[];
}

export interface FakeReview {
  id: number;
  user: { login: string; type?: 'User' | 'Bot' };
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED (a dismissed review keeps its id with this state). */
  state: string;
  commit_id: string;
  body?: string;
  submitted_at: string;
}

export interface FakePull {
  number: number;
  headSha: string;
  /** full_name; default owner/repo; a different value = fork */
  headRepo?: string;
  state?: 'open' | 'closed';
  headRef?: string; // default 'feature-{number}'
  baseRef?: string; // default 'main'
  baseSha?: string; // default 'b'.repeat(40)
  author?: string; // default 'octocat'
  /** A merged PR: merged_at and its merge commit (commits/{sha}/pulls finds it by either). */
  mergedAt?: string;
  mergeCommitSha?: string;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'Bot' | 'User' };
  created_at: string;
  updated_at: string;
  html_url: string;
}

export type Fault =
  | { kind: 'status'; status: 502 | 503 | 500; match?: RequestMatch; times?: number }
  /** 403 (or 429) with x-ratelimit-remaining: 0 and x-ratelimit-reset = now + resetInSeconds (default 1). */
  | { kind: 'rate-limit'; match?: RequestMatch; resetInSeconds?: number; times?: number; status?: 403 | 429 }
  /** 403 (or 429) "You have exceeded a secondary rate limit"; retry-after default 1; null leaves the header out (octokit then waits 60 s). */
  | { kind: 'secondary-rate-limit'; match?: RequestMatch; retryAfterSeconds?: number | null; times?: number; status?: 403 | 429 };

export interface RequestMatch {
  method?: string;
  /** Tested against the path without the GHES prefix and without the query string. */
  path?: RegExp;
}

export interface RecordedRequest {
  method: string;
  /** The path as received (with any GHES prefix), without the query string. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** What we answered. */
  status: number;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output: { title?: string; summary?: string; text?: string };
  annotations: Annotation[];
  details_url?: string;
  external_id?: string;
  started_at?: string;
  completed_at?: string;
  /** Successful PATCHes. */
  updates: number;
  /** The accepted request bodies, create first. */
  history: unknown[];
  html_url: string;
}

export interface FakeStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description?: string;
  target_url?: string;
}

export interface FakeGitHub {
  /** Base URL for GITHUB_API_URL, e.g. http://127.0.0.1:PORT (plus the GHES prefix). */
  url: string;
  /** The server without the prefix. */
  origin: string;
  requests: RecordedRequest[];
  /** Current comments, oldest first. */
  comments(pr: number): FakeComment[];
  checkRuns: FakeCheckRun[];
  statuses: FakeStatus[];
  /** Queue another fault after start. */
  addFault(fault: Fault): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Ctx {
  /** http://host:port + prefix, for URLs inside answers. */
  base: string;
  query: Record<string, string>;
  body: unknown;
  now: string;
}

const DOCS = 'https://docs.github.com/rest';
const DOC = {
  root: DOCS,
  user: `${DOCS}/users/users#get-the-authenticated-user`,
  listComments: `${DOCS}/issues/comments#list-issue-comments`,
  createComment: `${DOCS}/issues/comments#create-an-issue-comment`,
  updateComment: `${DOCS}/issues/comments#update-an-issue-comment`,
  deleteComment: `${DOCS}/issues/comments#delete-an-issue-comment`,
  getPull: `${DOCS}/pulls/pulls#get-a-pull-request`,
  commitPulls: `${DOCS}/commits/commits#list-pull-requests-associated-with-a-commit`,
  createCheck: `${DOCS}/checks/runs#create-a-check-run`,
  updateCheck: `${DOCS}/checks/runs#update-a-check-run`,
  createStatus: `${DOCS}/commits/statuses#create-a-commit-status`,
  listReviews: `${DOCS}/pulls/reviews#list-reviews-for-a-pull-request`,
  getContent: `${DOCS}/repos/contents#get-repository-content`,
  teamMembership: `${DOCS}/teams/members#get-team-membership-for-a-user`,
  listCheckRuns: `${DOCS}/checks/runs#list-check-runs-for-a-git-reference`,
  listSuites: `${DOCS}/checks/suites#list-check-suites-for-a-git-reference`,
  primaryLimit: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
  secondaryLimit: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
};

const RATE_LIMIT = 5000;
const COMMENT_MAX_CHARS = 65536;
const OUTPUT_MAX = 65535;
const ANNOTATIONS_MAX = 50;
const STATUS_DESCRIPTION_MAX = 140;
const CHECK_STATUSES = ['queued', 'in_progress', 'completed'];
const CHECK_UPDATE_STATUSES = [...CHECK_STATUSES, 'waiting', 'requested', 'pending'];
const CONCLUSIONS = ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out'];
const LEVELS = ['notice', 'warning', 'failure'];
const STATES = ['error', 'failure', 'pending', 'success'];
const FORBIDDEN = 'Resource not accessible by integration';

// ---------- error bodies in GitHub's shape: message, errors?, documentation_url, status ----------

function error(status: number, message: string, documentation_url: string, errors?: unknown[]): Reply {
  return { status, body: { message, ...(errors ? { errors } : {}), documentation_url, status: String(status) } };
}

/** GitHub's JSON-schema answers: "Invalid request.\n\n" and one line per problem. */
function invalidRequest(documentation_url: string, lines: string[]): Reply {
  return error(422, `Invalid request.\n\n${lines.join('\n')}`, documentation_url);
}

function validationFailed(documentation_url: string, errors: unknown[]): Reply {
  return error(422, 'Validation Failed', documentation_url, errors);
}

function notFound(documentation_url = DOC.root): Reply {
  return error(404, 'Not Found', documentation_url);
}

/** `"a" wasn't supplied.` / `"a", "b" weren't supplied.` with the names sorted, as GitHub lists them. */
function notSupplied(names: string[]): string {
  const quoted = [...names].sort().map((name) => `"${name}"`);
  return quoted.length === 1 ? `${quoted[0]} wasn't supplied.` : `${quoted.join(', ')} weren't supplied.`;
}

/** Ruby's inspect, which GitHub's schema messages use: null is nil. */
function inspect(value: unknown): string {
  return value === null ? 'nil' : JSON.stringify(value);
}

function notA(field: string, value: unknown, kind: string): string {
  return `For 'properties/${field}', ${inspect(value)} is not ${kind}.`;
}

function notMember(field: string, value: unknown, members: string[]): string {
  return `For 'properties/${field}', ${inspect(value)} is not a member of [${members.map((m) => `"${m}"`).join(', ')}].`;
}

/** GitHub (Ruby) counts characters as code points, not UTF-16 units. */
function chars(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Schema problems of `fields` in `obj`: missing ones in one line, then wrong types one per line. */
function schemaLines(obj: Record<string, unknown>, required: string[], types: Record<string, 'string' | 'integer'>): string[] {
  const lines: string[] = [];
  const missing = required.filter((name) => obj[name] === undefined);
  if (missing.length > 0) lines.push(notSupplied(missing));
  for (const [name, type] of Object.entries(types)) {
    const value = obj[name];
    if (value === undefined) continue;
    if (type === 'string' && typeof value !== 'string') lines.push(notA(name, value, 'a string'));
    if (type === 'integer' && !Number.isInteger(value)) lines.push(notA(name, value, 'an integer'));
  }
  return lines;
}

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'travel';
  const fullName = `${owner}/${repo}`;
  const tokenLogin = options.tokenLogin ?? 'github-actions[bot]';
  const isBot = tokenLogin.endsWith('[bot]');
  const userForbidden = options.userEndpointForbidden ?? isBot;
  const perPageMax = options.perPageMax ?? 100;
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  const repoId = options.repoId ?? 700000001;

  const pulls = new Map<number, FakePull>((options.pulls ?? []).map((pull) => [pull.number, pull]));
  const commentsByIssue = new Map<number, FakeComment[]>();
  for (const [issue, list] of Object.entries(options.comments ?? {})) {
    commentsByIssue.set(Number(issue), list.map((comment) => ({ ...comment, user: { ...comment.user } })).sort((a, b) => a.id - b.id));
  }
  const faults = (options.faults ?? []).map((fault) => ({ fault, left: fault.times ?? 1 }));
  const requests: RecordedRequest[] = [];
  const checkRuns: FakeCheckRun[] = [];
  const statuses: FakeStatus[] = [];

  const existingIds = [...commentsByIssue.values()].flat().map((comment) => comment.id);
  let nextCommentId = Math.max(2_000_000_000, ...existingIds) + 1;
  let nextCheckRunId = 30_000_000_001;
  let nextStatusId = 40_000_000_001;
  let requestCounter = 0;
  let used = 0;
  // GitHub's window resets at a fixed time, not an hour after each request.
  const resetAt = Math.floor(Date.now() / 1000) + 3600;

  const issueKnown = (n: number): boolean => pulls.has(n) || commentsByIssue.has(n);
  const shaKnown = (sha: string): boolean =>
    options.knownShas === undefined || options.knownShas.includes(sha) || [...pulls.values()].some((pull) => pull.headSha === sha);

  function rateHeaders(remaining: number, reset = resetAt): Record<string, string> {
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-used': String(RATE_LIMIT - remaining),
      'x-ratelimit-resource': 'core',
    };
  }

  // ---------- JSON shapes ----------

  function commentJson(comment: FakeComment, issue: number, ctx: Ctx): unknown {
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${ctx.base}/repos/${fullName}/issues/comments/${comment.id}`,
      html_url: comment.html_url,
      issue_url: `${ctx.base}/repos/${fullName}/issues/${issue}`,
      body: comment.body,
      user: comment.user,
      created_at: comment.created_at,
      updated_at: comment.updated_at,
      author_association: comment.user.login === tokenLogin ? 'NONE' : 'MEMBER',
    };
  }

  function pullJson(pull: FakePull, ctx: Ctx): unknown {
    const headRepo = pull.headRepo ?? fullName;
    return {
      id: 900000000 + pull.number,
      number: pull.number,
      state: pull.state ?? 'open',
      url: `${ctx.base}/repos/${fullName}/pulls/${pull.number}`,
      html_url: `https://github.com/${fullName}/pull/${pull.number}`,
      head: {
        sha: pull.headSha,
        ref: pull.headRef ?? `feature-${pull.number}`,
        label: `${headRepo.split('/')[0]}:${pull.headRef ?? `feature-${pull.number}`}`,
        repo: { full_name: headRepo, fork: headRepo !== fullName },
      },
      base: { ref: pull.baseRef ?? 'main', sha: pull.baseSha ?? 'b'.repeat(40), repo: { full_name: fullName, fork: false } },
      user: { login: pull.author ?? 'octocat', type: 'User' },
      merged_at: pull.mergedAt ?? null,
      merge_commit_sha: pull.mergeCommitSha ?? null,
    };
  }

  function checkRunJson(run: FakeCheckRun, ctx: Ctx): unknown {
    const url = `${ctx.base}/repos/${fullName}/check-runs/${run.id}`;
    return {
      id: run.id,
      node_id: `CR_${run.id}`,
      name: run.name,
      head_sha: run.head_sha,
      external_id: run.external_id ?? '',
      url,
      html_url: run.html_url,
      details_url: run.details_url ?? null,
      status: run.status,
      conclusion: run.conclusion ?? null,
      started_at: run.started_at ?? null,
      completed_at: run.completed_at ?? null,
      output: {
        title: run.output.title ?? null,
        summary: run.output.summary ?? null,
        text: run.output.text ?? null,
        annotations_count: run.annotations.length,
        annotations_url: `${url}/annotations`,
      },
      check_suite: { id: 1 },
      app: { slug: 'github-actions', name: 'GitHub Actions' },
      // Like GitHub: only same-repo PRs whose head is this commit.
      pull_requests: [...pulls.values()]
        .filter((pull) => pull.headSha === run.head_sha && (pull.headRepo ?? fullName) === fullName)
        .map((pull) => ({ number: pull.number, head: { sha: pull.headSha }, base: { ref: pull.baseRef ?? 'main' } })),
    };
  }

  // ---------- validation ----------

  function commentBodyError(body: unknown, doc: string): Reply | undefined {
    const lines = isObject(body) ? schemaLines(body, ['body'], { body: 'string' }) : [notSupplied(['body'])];
    if (lines.length > 0) return invalidRequest(doc, lines);
    if (chars((body as { body: string }).body) > COMMENT_MAX_CHARS) {
      return validationFailed(doc, [
        { resource: 'IssueComment', code: 'unprocessable', field: 'data', message: `Body is too long (maximum is ${COMMENT_MAX_CHARS} characters)` },
      ]);
    }
    return undefined;
  }

  /** Check-run body problems: schema first ("Invalid request."), then model ("Validation Failed"), as GitHub orders them. */
  function checkRunError(body: Record<string, unknown>, existing: FakeCheckRun | undefined, doc: string): Reply | undefined {
    const create = existing === undefined;
    const lines = schemaLines(body, create ? ['name', 'head_sha'] : [], {
      name: 'string', head_sha: 'string', details_url: 'string', external_id: 'string', started_at: 'string', completed_at: 'string',
    });
    const statusEnum = create ? CHECK_STATUSES : CHECK_UPDATE_STATUSES;
    if (body.status !== undefined && !statusEnum.includes(body.status as string)) lines.push(notMember('status', body.status, statusEnum));
    if (body.conclusion !== undefined && !CONCLUSIONS.includes(body.conclusion as string)) lines.push(notMember('conclusion', body.conclusion, CONCLUSIONS));

    const output = body.output;
    let annotations: Record<string, unknown>[] = [];
    if (output !== undefined) {
      if (!isObject(output)) {
        lines.push(notA('output', output, 'an object'));
      } else {
        lines.push(...schemaLines(output, ['title', 'summary'], { title: 'string', summary: 'string', text: 'string' }));
        for (const field of ['summary', 'text']) {
          const value = output[field];
          if (typeof value === 'string' && chars(value) > OUTPUT_MAX) {
            lines.push(`Only ${OUTPUT_MAX} characters are allowed; ${chars(value)} were supplied.`);
          }
        }
        if (output.annotations !== undefined) {
          if (!Array.isArray(output.annotations)) {
            lines.push(notA('annotations', output.annotations, 'an array'));
          } else if (output.annotations.length > ANNOTATIONS_MAX) {
            lines.push(`No more than ${ANNOTATIONS_MAX} items are allowed; ${output.annotations.length} were supplied.`);
          } else {
            annotations = output.annotations as Record<string, unknown>[];
            for (const annotation of annotations) {
              if (!isObject(annotation)) {
                lines.push(notA('annotations', annotation, 'an object'));
                continue;
              }
              lines.push(...schemaLines(annotation, ['path', 'start_line', 'end_line', 'annotation_level', 'message'], {
                path: 'string', start_line: 'integer', end_line: 'integer', start_column: 'integer', end_column: 'integer',
                message: 'string', title: 'string', raw_details: 'string',
              }));
              if (annotation.annotation_level !== undefined && !LEVELS.includes(annotation.annotation_level as string)) {
                lines.push(notMember('annotation_level', annotation.annotation_level, LEVELS));
              }
            }
          }
        }
      }
    }
    if (lines.length > 0) return invalidRequest(doc, lines);

    const errors: unknown[] = [];
    if (isObject(output)) {
      for (const field of ['summary', 'text']) {
        const value = output[field];
        if (typeof value === 'string' && Buffer.byteLength(value, 'utf8') > OUTPUT_MAX) {
          errors.push({ resource: 'CheckRun', code: 'custom', field, message: `${field} exceeds a maximum bytesize of ${OUTPUT_MAX}` });
        }
      }
    }
    const badAnnotation = annotations.some((a) => {
      const start = a.start_line as number;
      const end = a.end_line as number;
      const columns = a.start_column !== undefined || a.end_column !== undefined;
      return end < start || (columns && start !== end) || (typeof a.title === 'string' && chars(a.title) > 255) ||
        Buffer.byteLength(a.message as string, 'utf8') > 65536 ||
        (typeof a.raw_details === 'string' && Buffer.byteLength(a.raw_details, 'utf8') > 65536);
    });
    if (badAnnotation) errors.push({ resource: 'CheckRun', code: 'invalid', field: 'annotations' });
    if (body.conclusion === 'stale') errors.push({ resource: 'CheckRun', code: 'invalid', field: 'conclusion', message: 'Only GitHub can set a conclusion of stale' });
    // GitHub documents that a conclusion alone completes the run; an explicit other status
    // with it is contradictory, and this fake refuses it rather than guess.
    if (body.conclusion !== undefined && body.status !== undefined && body.status !== 'completed') {
      errors.push({ resource: 'CheckRun', code: 'invalid', field: 'conclusion', message: 'conclusion can only be set when status is completed' });
    }
    const completing = body.status === 'completed' || body.completed_at !== undefined;
    if (completing && body.conclusion === undefined && existing?.conclusion === undefined) {
      errors.push({ resource: 'CheckRun', code: 'missing_field', field: 'conclusion' });
    }
    if (errors.length > 0) return validationFailed(doc, errors);

    const sha = (body.head_sha as string | undefined) ?? existing?.head_sha ?? '';
    if (create && !shaKnown(sha)) return error(422, `No commit found for SHA: ${sha}`, doc);
    return undefined;
  }

  function applyCheckRun(run: FakeCheckRun, body: Record<string, unknown>, now: string): void {
    if (typeof body.name === 'string') run.name = body.name;
    if (typeof body.details_url === 'string') run.details_url = body.details_url;
    if (typeof body.external_id === 'string') run.external_id = body.external_id;
    if (typeof body.started_at === 'string') run.started_at = body.started_at;
    if (typeof body.conclusion === 'string') {
      run.conclusion = body.conclusion;
      run.status = 'completed';
    } else if (typeof body.status === 'string') {
      run.status = body.status;
    }
    if (run.status === 'completed') run.completed_at = (body.completed_at as string | undefined) ?? run.completed_at ?? now;
    const output = body.output as { title?: string; summary?: string; text?: string; annotations?: Annotation[] } | undefined;
    if (output) {
      // Title, summary and text are replaced; annotations accumulate (GitHub's documented semantics).
      run.output = { title: output.title ?? run.output.title, summary: output.summary, ...(output.text !== undefined ? { text: output.text } : {}) };
      run.annotations.push(...(output.annotations ?? []).map((annotation) => ({ ...annotation })));
    }
    run.history.push(body);
  }

  // ---------- routes ----------

  type Permission = 'issues' | 'checks' | 'statuses';
  interface Route {
    method: string;
    pattern: RegExp;
    doc: string;
    /** Writes need this permission; readOnly or checksForbidden refuse them. */
    write?: Permission;
    run(match: RegExpMatchArray, ctx: Ctx): Reply;
  }

  const ACCEPTED: Record<Permission, string> = {
    issues: 'issues=write; pull_requests=write',
    checks: 'checks=write',
    statuses: 'statuses=write',
  };

  const reviewsByPull = new Map<number, FakeReview[]>(Object.entries(options.reviews ?? {}).map(([n, list]) => [Number(n), list]));
  const resolveRef = (ref: string): string => options.branches?.[ref] ?? ref;
  for (const seed of options.seedCheckRuns ?? []) {
    const id = nextCheckRunId++;
    checkRuns.push({ id, name: seed.name, head_sha: seed.head_sha, status: 'completed', conclusion: seed.conclusion, output: {}, annotations: [], updates: 0, history: [], html_url: `https://github.com/${fullName}/runs/${id}`, ...(seed.external_id ? { external_id: seed.external_id } : {}) });
  }

  const repoRoutes: Route[] = [
    {
      method: 'GET', pattern: /^\/pulls\/(\d+)\/reviews$/, doc: DOC.listReviews,
      run: (m) => {
        const number = Number(m[1]);
        if (!pulls.has(number)) return notFound(DOC.listReviews);
        const list = reviewsByPull.get(number) ?? [];
        return {
          status: 200,
          body: list.map((review) => ({
            id: review.id,
            node_id: `PRR_${review.id}`,
            user: { login: review.user.login, type: review.user.type ?? 'User' },
            body: review.body ?? '',
            state: review.state,
            commit_id: review.commit_id,
            submitted_at: review.submitted_at,
            author_association: 'MEMBER',
            html_url: `https://github.com/${fullName}/pull/${number}#pullrequestreview-${review.id}`,
          })),
        };
      },
    },
    {
      // Like GitHub: `ref` is a branch, tag or SHA (default branch when absent); files come back base64 in 60-column lines.
      method: 'GET', pattern: /^\/contents\/(.+)$/, doc: DOC.getContent,
      run: (m, ctx) => {
        const path = decodeURIComponent(m[1] ?? '');
        const ref = resolveRef(ctx.query.ref ?? 'main');
        const text = options.files?.[ref]?.[path] ?? options.files?.[ctx.query.ref ?? 'main']?.[path];
        if (text === undefined) return notFound(DOC.getContent);
        const content = (Buffer.from(text).toString('base64').match(/.{1,60}/g) ?? []).join('\n');
        return { status: 200, body: { type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name: path.split('/').at(-1), path, content, sha: 'f'.repeat(40) } };
      },
    },
    {
      method: 'GET', pattern: /^\/commits\/([^/]+)\/check-runs$/, doc: DOC.listCheckRuns,
      run: (m, ctx) => {
        const sha = resolveRef(m[1] ?? '');
        const runs = checkRuns.filter((run) => run.head_sha === sha && (ctx.query.check_name === undefined || run.name === ctx.query.check_name)).reverse();
        return { status: 200, body: { total_count: runs.length, check_runs: runs.map((run) => checkRunJson(run, ctx)) } };
      },
    },
    {
      method: 'GET', pattern: /^\/commits\/([^/]+)\/check-suites$/, doc: DOC.listSuites,
      run: () => ({ status: 200, body: { total_count: 0, check_suites: [] } }),
    },
    {
      method: 'GET', pattern: /^\/issues\/(\d+)\/comments$/, doc: DOC.listComments,
      run: (m, ctx) => {
        const issue = Number(m[1]);
        if (!issueKnown(issue)) return notFound(DOC.listComments);
        const all = commentsByIssue.get(issue) ?? [];
        const perPage = Math.min(Math.max(Number.parseInt(ctx.query.per_page ?? '', 10) || 30, 1), perPageMax);
        const page = Math.max(Number.parseInt(ctx.query.page ?? '', 10) || 1, 1);
        const lastPage = Math.max(1, Math.ceil(all.length / perPage));
        const items = all.slice((page - 1) * perPage, page * perPage).map((comment) => commentJson(comment, issue, ctx));
        const link = (n: number, rel: string): string => {
          const params = new URLSearchParams(ctx.query);
          params.delete('page');
          params.append('page', String(n));
          return `<${ctx.base}/repositories/${repoId}/issues/${issue}/comments?${params.toString()}>; rel="${rel}"`;
        };
        // GitHub's order: prev, next, last, first; no header when everything fits one page.
        const links: string[] = [];
        if (page > 1) links.push(link(Math.min(page - 1, lastPage), 'prev'));
        if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
        if (page > 1) links.push(link(1, 'first'));
        return { status: 200, body: items, headers: links.length > 0 ? { link: links.join(', ') } : {} };
      },
    },
    {
      method: 'POST', pattern: /^\/issues\/(\d+)\/comments$/, doc: DOC.createComment, write: 'issues',
      run: (m, ctx) => {
        const issue = Number(m[1]);
        if (!issueKnown(issue)) return notFound(DOC.createComment);
        const invalid = commentBodyError(ctx.body, DOC.createComment);
        if (invalid) return invalid;
        const id = nextCommentId++;
        const comment: FakeComment = {
          id,
          body: (ctx.body as { body: string }).body,
          user: { login: tokenLogin, type: isBot ? 'Bot' : 'User' },
          created_at: ctx.now,
          updated_at: ctx.now,
          html_url: `https://github.com/${fullName}/pull/${issue}#issuecomment-${id}`,
        };
        const list = commentsByIssue.get(issue) ?? [];
        list.push(comment);
        commentsByIssue.set(issue, list);
        return { status: 201, body: commentJson(comment, issue, ctx) };
      },
    },
    {
      // GitHub lets a token with write access edit anyone's comment, so no author check here;
      // tests see who was edited in `requests`.
      method: 'PATCH', pattern: /^\/issues\/comments\/(\d+)$/, doc: DOC.updateComment, write: 'issues',
      run: (m, ctx) => {
        const found = findComment(Number(m[1]));
        if (!found) return notFound(DOC.updateComment);
        const invalid = commentBodyError(ctx.body, DOC.updateComment);
        if (invalid) return invalid;
        found.comment.body = (ctx.body as { body: string }).body;
        found.comment.updated_at = ctx.now;
        return { status: 200, body: commentJson(found.comment, found.issue, ctx) };
      },
    },
    {
      method: 'DELETE', pattern: /^\/issues\/comments\/(\d+)$/, doc: DOC.deleteComment, write: 'issues',
      run: (m) => {
        const found = findComment(Number(m[1]));
        if (!found) return notFound(DOC.deleteComment);
        const list = commentsByIssue.get(found.issue) ?? [];
        list.splice(list.indexOf(found.comment), 1);
        return { status: 204 };
      },
    },
    {
      method: 'GET', pattern: /^\/pulls\/(\d+)$/, doc: DOC.getPull,
      run: (m, ctx) => {
        const pull = pulls.get(Number(m[1]));
        return pull ? { status: 200, body: pullJson(pull, ctx) } : notFound(DOC.getPull);
      },
    },
    {
      method: 'GET', pattern: /^\/commits\/([^/]+)\/pulls$/, doc: DOC.commitPulls,
      run: (m, ctx) => ({
        status: 200,
        body: [...pulls.values()].filter((pull) => pull.headSha === m[1] || pull.mergeCommitSha === m[1]).map((pull) => pullJson(pull, ctx)),
      }),
    },
    {
      method: 'POST', pattern: /^\/check-runs$/, doc: DOC.createCheck, write: 'checks',
      run: (_m, ctx) => {
        if (!isObject(ctx.body)) return invalidRequest(DOC.createCheck, [notSupplied(['head_sha', 'name'])]);
        const invalid = checkRunError(ctx.body, undefined, DOC.createCheck);
        if (invalid) return invalid;
        const id = nextCheckRunId++;
        const run: FakeCheckRun = {
          id,
          name: ctx.body.name as string,
          head_sha: ctx.body.head_sha as string,
          status: 'queued',
          output: {},
          annotations: [],
          started_at: ctx.now,
          updates: 0,
          history: [],
          html_url: `https://github.com/${fullName}/runs/${id}`,
        };
        applyCheckRun(run, ctx.body, ctx.now);
        checkRuns.push(run);
        return { status: 201, body: checkRunJson(run, ctx) };
      },
    },
    {
      method: 'PATCH', pattern: /^\/check-runs\/(\d+)$/, doc: DOC.updateCheck, write: 'checks',
      run: (m, ctx) => {
        const run = checkRuns.find((candidate) => candidate.id === Number(m[1]));
        if (!run) return notFound(DOC.updateCheck);
        const body = isObject(ctx.body) ? ctx.body : {};
        const invalid = checkRunError(body, run, DOC.updateCheck);
        if (invalid) return invalid;
        applyCheckRun(run, body, ctx.now);
        run.updates++;
        return { status: 200, body: checkRunJson(run, ctx) };
      },
    },
    {
      method: 'POST', pattern: /^\/statuses\/([^/]+)$/, doc: DOC.createStatus, write: 'statuses',
      run: (m, ctx) => {
        const body = isObject(ctx.body) ? ctx.body : {};
        const lines = schemaLines(body, ['state'], { state: 'string', target_url: 'string', description: 'string', context: 'string' });
        if (body.state !== undefined && !STATES.includes(body.state as string)) lines.push(notMember('state', body.state, STATES));
        if (lines.length > 0) return invalidRequest(DOC.createStatus, lines);
        const description = body.description as string | undefined;
        if (description !== undefined && chars(description) > STATUS_DESCRIPTION_MAX) {
          return validationFailed(DOC.createStatus, [
            { resource: 'Status', code: 'custom', field: 'description', message: `description is too long (maximum is ${STATUS_DESCRIPTION_MAX} characters)` },
          ]);
        }
        const sha = m[1] ?? '';
        if (!shaKnown(sha)) return error(422, `No commit found for SHA: ${sha}`, DOC.createStatus);
        const status: FakeStatus = {
          id: nextStatusId++,
          sha,
          state: body.state as string,
          context: (body.context as string | undefined) ?? 'default',
          ...(description !== undefined ? { description } : {}),
          ...(typeof body.target_url === 'string' ? { target_url: body.target_url } : {}),
        };
        statuses.push(status);
        return {
          status: 201,
          body: {
            id: status.id,
            url: `${ctx.base}/repos/${fullName}/statuses/${sha}`,
            state: status.state,
            description: status.description ?? null,
            target_url: status.target_url ?? null,
            context: status.context,
            created_at: ctx.now,
            updated_at: ctx.now,
            creator: { login: tokenLogin, type: isBot ? 'Bot' : 'User' },
          },
        };
      },
    },
  ];

  function findComment(id: number): { comment: FakeComment; issue: number } | undefined {
    for (const [issue, list] of commentsByIssue) {
      const comment = list.find((candidate) => candidate.id === id);
      if (comment) return { comment, issue };
    }
    return undefined;
  }

  function takeFault(method: string, path: string): Fault | undefined {
    const index = faults.findIndex(({ fault }) =>
      (fault.match?.method === undefined || fault.match.method.toUpperCase() === method) &&
      (fault.match?.path === undefined || new RegExp(fault.match.path.source, fault.match.path.flags.replace('g', '')).test(path)));
    const entry = faults[index];
    if (!entry) return undefined;
    if (--entry.left <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  function faultReply(fault: Fault, remaining: number): Reply {
    if (fault.kind === 'status') {
      const messages: Record<number, string> = { 500: 'Server Error', 502: 'Server Error', 503: 'Service Unavailable' };
      return { status: fault.status, body: { message: messages[fault.status] ?? 'Server Error' } };
    }
    if (fault.kind === 'rate-limit') {
      const reset = Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 1);
      const reply = error(fault.status ?? 403, 'API rate limit exceeded for installation ID 12345678.', DOC.primaryLimit);
      return { ...reply, headers: rateHeaders(0, reset) };
    }
    const reply = error(
      fault.status ?? 403,
      `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId()}.`,
      DOC.secondaryLimit,
    );
    const retryAfter = fault.retryAfterSeconds === undefined ? 1 : fault.retryAfterSeconds;
    // The primary budget is untouched, so x-ratelimit-remaining stays above 0.
    return { ...reply, headers: { ...rateHeaders(remaining), ...(retryAfter === null ? {} : { 'retry-after': String(retryAfter) }) } };
  }

  function requestId(): string {
    return `FAKE:${requestCounter.toString(16).toUpperCase().padStart(6, '0')}:${repoId.toString(16).toUpperCase()}`;
  }

  function authError(headers: IncomingHttpHeaders): Reply | undefined {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(headers.authorization ?? '');
    if (!match) return error(401, 'Requires authentication', DOC.root);
    if (options.token !== undefined && match[1] !== options.token) return error(401, 'Bad credentials', DOC.root);
    return undefined;
  }

  function answer(method: string, path: string, ctx: Ctx, headers: IncomingHttpHeaders, remaining: number, parseError: boolean): Reply {
    const unauthorized = authError(headers);
    if (unauthorized) return unauthorized;
    if (prefix && path !== prefix && !path.startsWith(`${prefix}/`)) return notFound();
    const route = path.slice(prefix.length) || '/';
    const fault = takeFault(method, route);
    if (fault) return faultReply(fault, remaining);
    if (parseError) return error(400, 'Problems parsing JSON', DOC.root);

    const team = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(route);
    if (team && method === 'GET') {
      const token = /^(?:token|bearer)\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1] ?? '';
      if (options.teamsForbidden && !(options.teamTokens ?? []).includes(token)) {
        return { ...error(403, FORBIDDEN, DOC.teamMembership), headers: { 'x-accepted-github-permissions': 'members=read' } };
      }
      const state = options.teams?.[`${team[1]}/${team[2]}`]?.[decodeURIComponent(team[3] ?? '')];
      if (!state) return notFound(DOC.teamMembership);
      return { status: 200, body: { url: `${ctx.base}${route}`, role: 'member', state } };
    }
    if (route === '/user' && method === 'GET') {
      if (userForbidden) return error(403, FORBIDDEN, DOC.user);
      return { status: 200, body: { login: tokenLogin, id: 41898282, type: isBot ? 'Bot' : 'User' } };
    }
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(route);
    const idMatch = /^\/repositories\/(\d+)(\/.*)$/.exec(route);
    const sameRepo = repoMatch
      ? repoMatch[1]?.toLowerCase() === owner.toLowerCase() && repoMatch[2]?.toLowerCase() === repo.toLowerCase()
      : idMatch !== null && Number(idMatch[1]) === repoId;
    const rest = repoMatch?.[3] ?? idMatch?.[2];
    if (!sameRepo || rest === undefined) return notFound();
    for (const candidate of repoRoutes) {
      const m = candidate.method === method ? candidate.pattern.exec(rest) : null;
      if (!m) continue;
      if (candidate.write && (options.readOnly || (candidate.write === 'checks' && options.checksForbidden))) {
        return { ...error(403, FORBIDDEN, candidate.doc), headers: { 'x-accepted-github-permissions': ACCEPTED[candidate.write] } };
      }
      return candidate.run(m, ctx);
    }
    return notFound();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const text = await readBody(req);
    let body: unknown;
    let parseError = false;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        parseError = true;
      }
    }
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method, path: url.pathname, query, headers: { ...req.headers }, body, status: 0 };
    requests.push(record);
    requestCounter++;
    used++;
    const remaining = Math.max(RATE_LIMIT - used, 0);
    const ctx: Ctx = { base: `http://${req.headers.host ?? 'localhost'}${prefix}`, query, body, now: timestamp() };

    const reply = answer(method, url.pathname, ctx, req.headers, remaining, parseError);
    record.status = reply.status;
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': requestId(),
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      ...rateHeaders(remaining),
      ...reply.headers,
      'content-length': String(Buffer.byteLength(payload)),
    });
    res.end(payload);
  }

  const server = await startServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: `fake-github crashed: ${String(err)}` }));
    });
  });

  return {
    url: `${server.url}${prefix}`,
    origin: server.url,
    requests,
    comments: (pr) => [...(commentsByIssue.get(pr) ?? [])],
    checkRuns,
    statuses,
    addFault: (fault) => {
      faults.push({ fault, left: fault.times ?? 1 });
    },
    close: () => server.close(),
  };
}
