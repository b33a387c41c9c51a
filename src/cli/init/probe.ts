// `init --url`: which of the template's paths answer on staging, and which health URL does.
// Bounded: a capped number of GETs, a few at a time, a few seconds each, through the run's
// own HTTP client (TLS verification, no redirects followed off the staging host).
import { HttpClient, TransportError } from '../../http/client.ts';
import { VERSION } from '../../version.ts';

/** A path the template requests, and whether it is only ever sent with another method than GET. */
export interface ProbePath {
  path: string;
  /** Only requested with POST/PUT/...: a 405 to GET means the endpoint is there. */
  getAllowed: boolean;
}

export type PathAnswer = { status: number } | { problem: string };

export interface StagingFacts {
  url: string;
  /** Staging answered at least one request with a status other than 401/403; without that, nothing is known about its paths. */
  reached: boolean;
  /** Path → what staging answered (status) or why it did not answer. */
  answers: Map<string, PathAnswer>;
  /** The health path that answered 2xx, the template's own first; undefined if none did. */
  health?: string;
  /** The health paths tried, in order. */
  healthTried: string[];
  /** The template's paths staging says are not there (404, 410; 405 to a GET it would send). */
  absent: string[];
  /** Paths not probed because of the cap. */
  skipped: string[];
}

export interface ProbeOptions {
  timeoutMs: number;
  concurrency: number;
  maxPaths: number;
  /** Extra trusted CA (PEM), like target.ca. */
  ca?: string;
}

export const DEFAULT_PROBE: ProbeOptions = { timeoutMs: 4_000, concurrency: 4, maxPaths: 40 };

/** Health URLs Django projects commonly serve (django-health-check uses /ht/). */
export const HEALTH_PATHS = ['/health/', '/health', '/healthz/', '/healthz', '/ht/', '/status/', '/ping'];

export async function probeStaging(url: string, paths: ProbePath[], options: ProbeOptions = DEFAULT_PROBE): Promise<StagingFacts> {
  const base = new URL(url);
  const http = new HttpClient({
    perHost: options.concurrency,
    allowedHosts: new Set([base.hostname.toLowerCase()]),
    userAgent: `readiness-gate/${VERSION} (init)`,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
  });
  const wanted = unique([...paths.map((entry) => entry.path), ...HEALTH_PATHS]);
  const probed = wanted.slice(0, options.maxPaths);
  const answers = new Map<string, PathAnswer>();
  try {
    const queue = [...probed];
    const worker = async () => {
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) answers.set(path, await ask(http, base, path, options.timeoutMs));
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    await http.close();
  }
  const status = (path: string) => {
    const answer = answers.get(path);
    return answer !== undefined && 'status' in answer ? answer.status : undefined;
  };
  // A health URL that answers 2xx; else one that answers 5xx (it is there, staging is unhealthy).
  const health = HEALTH_PATHS.find((path) => within(status(path), 200, 299)) ?? HEALTH_PATHS.find((path) => within(status(path), 500, 599));
  // A staging that refuses everyone without its key (init sends none) says nothing about its paths either.
  const reached = [...answers.values()].some((answer) => 'status' in answer && ![401, 403, 407].includes(answer.status));
  const absent = paths.filter((entry) => isAbsent(answers.get(entry.path), entry.getAllowed)).map((entry) => entry.path);
  return { url, reached, answers, absent, ...(health ? { health } : {}), healthTried: HEALTH_PATHS.filter((path) => answers.has(path)), skipped: wanted.slice(options.maxPaths) };
}

/** Whether an answer says the endpoint is not there. */
export function isAbsent(answer: PathAnswer | undefined, getAllowed: boolean): boolean {
  if (answer === undefined || !('status' in answer)) return false;
  return answer.status === 404 || answer.status === 410 || (getAllowed && answer.status === 405);
}

async function ask(http: HttpClient, base: URL, path: string, timeoutMs: number): Promise<PathAnswer> {
  try {
    // A redirect (to a login page, or adding a slash) is an answer: the path exists.
    const response = await http.send({ method: 'GET', url: new URL(path, base), headers: { accept: 'text/html,application/json' }, followRedirects: false, timeoutMs, maxBodyBytes: 16 * 1024 });
    return { status: response.status };
  } catch (error) {
    if (error instanceof TransportError) return { problem: error.message };
    throw error;
  }
}

function within(value: number | undefined, low: number, high: number): boolean {
  return value !== undefined && value >= low && value <= high;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
