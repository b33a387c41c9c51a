// The GitHub REST client: octokit with the retry plugin (5xx are retried with backoff)
// and the throttling plugin (primary and secondary rate limits wait and retry), on the
// API base URL of the runner (GITHUB_API_URL), so GitHub Enterprise Server works too.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { VERSION } from '../version.ts';

const GitHubClient = Octokit.plugin(retry, throttling);
export type GitHub = InstanceType<typeof GitHubClient>;

export interface ClientOptions {
  token: string;
  baseUrl: string;
  /** Where rate-limit waits are reported (the action log). */
  log: (message: string) => void;
}

/** How often one request may wait out a rate limit before giving up. */
const RATE_LIMIT_RETRIES = 2;

export function createGitHubClient({ token, baseUrl, log }: ClientOptions): GitHub {
  return new GitHubClient({
    auth: token,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    userAgent: `readiness-gate/${VERSION}`,
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
    throttle: {
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log(`GitHub API rate limit reached on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < RATE_LIMIT_RETRIES;
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log(`GitHub API secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < RATE_LIMIT_RETRIES;
      },
    },
  });
}

/** The parts of an octokit RequestError the publishers look at. */
export interface ApiError {
  status: number;
  message: string;
}

export function apiError(error: unknown): ApiError | undefined {
  if (error && typeof error === 'object' && 'status' in error && typeof error.status === 'number') {
    return { status: error.status, message: (error as { message?: string }).message ?? '' };
  }
  return undefined;
}

/** The token may not write here: a fork PR's read-only GITHUB_TOKEN, or missing permissions. */
export function isPermissionError(error: unknown): boolean {
  const api = apiError(error);
  return api !== undefined && api.status === 403 && !/rate limit/i.test(api.message);
}
