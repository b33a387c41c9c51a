// Sends the requests checks make: one undici Agent per run (connections reused and
// limited per host), raw header lines kept (a repeated header stays visible), bodies
// capped, redirects followed by hand so credentials never leave the origin they were
// meant for and requests never leave the hosts the manifest names.
import { isIP } from 'node:net';
import { Agent, buildConnector, request as undiciRequest } from './undici.ts';
import { formatDuration } from '../manifest/units.ts';
import { CHAIN_PROBLEMS, describeChainError } from './tls-errors.ts';
import { HostSlots, STALLED_AFTER_MS } from './slots.ts';
import { targetTrust } from './trust.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 10;
/**
 * undici's connect timeout is per pool, not per request, and would cut a long request
 * short (10 s by default). Each request's own timeout bounds its connect instead; this
 * only ends connects nobody waits for any more.
 */
const CONNECT_TIMEOUT_CAP_MS = 10 * 60_000;
/** Headers that still go along when a redirect leaves the request's origin. */
const CROSS_ORIGIN_SAFE = new Set(['accept', 'accept-encoding', 'accept-language', 'user-agent']);

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
  followRedirects: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Cap on the body read into memory; the rest is discarded. */
  maxBodyBytes?: number;
  /** A cookie jar (flows): asked for the Cookie header of every hop, told every Set-Cookie. */
  cookies?: CookieStore;
}

export interface CookieStore {
  header(url: URL): Promise<string | undefined>;
  store(url: URL, setCookieLines: string[]): Promise<void>;
}

export interface RedirectHop {
  status: number;
  url: string;
  location: string;
  headers: [string, string][];
}

export interface HttpResponse {
  /** The URL that produced this response (after redirects). */
  url: string;
  status: number;
  statusText: string;
  /** Header lines exactly as received: original case, repeats kept, in order. */
  headers: [string, string][];
  /** The body, decompressed when the server compressed it, at most maxBodyBytes. */
  body: Buffer;
  /** Bytes received on the wire before the cap. */
  wireBytes: number;
  truncated: boolean;
  hops: RedirectHop[];
  /** Why redirects stopped before the end, if they did. */
  redirectStopped?: RedirectStop;
  timings: { ttfbMs: number; totalMs: number };
}

/** A loop (too many hops) is the site's fault; a host we may not follow is a limit of the manifest. */
export interface RedirectStop {
  reason: 'too-many' | 'host-not-allowed' | 'bad-location';
  message: string;
}

export interface TargetHeaders {
  host: string;
  headers: Record<string, string>;
  /** The target's scheme ("https:"): its headers never go over plain http unless it is http itself. */
  protocol?: string;
}

export interface HttpClientOptions {
  perHost: number;
  /** PEM text of extra trusted CAs (added to Node's default store). */
  ca?: string;
  /** Hosts requests may go to (lower case). Empty: any host. */
  allowedHosts?: ReadonlySet<string>;
  /** Headers for every request to the target host (staging keys). */
  target?: TargetHeaders;
  userAgent?: string;
}

/** The request could not be completed: no HTTP answer to evaluate. */
export class TransportError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(message: string, code: string, retryable: boolean) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
    this.retryable = retryable;
  }
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly options: HttpClientOptions;
  private readonly slots: HostSlots;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.slots = new HostSlots(options.perHost);
    const connector = buildConnector({ timeout: CONNECT_TIMEOUT_CAP_MS, ...targetTrust(options.ca) });
    this.agent = new Agent({
      // perHost is counted by `slots` (a stalled request gives its slot back), so undici's
      // pool is not limited: a request that has a slot never queues behind a stalled one.
      connections: null,
      // TLS names the host we connect to, even when a check sends its own Host header
      // (the ALLOWED_HOSTS probe); undici would otherwise take SNI from that header.
      connect: (connectOptions, callback) => {
        const { servername: _fromHostHeader, ...rest } = connectOptions;
        connector(isIP(rest.hostname) ? rest : { ...rest, servername: rest.hostname }, callback);
      },
    });
  }

  async send(request: OutgoingRequest): Promise<HttpResponse> {
    const started = performance.now();
    const hops: RedirectHop[] = [];
    let method = request.method.toUpperCase();
    let body = request.body;
    let url = request.url;
    this.assertAllowed(url);

    for (;;) {
      const headers = this.headersFor(url, request);
      if (body === undefined) delete headers['content-type'];
      const jarCookies = await request.cookies?.header(url);
      if (jarCookies) headers.cookie = headers.cookie ? `${headers.cookie}; ${jarCookies}` : jarCookies;
      const { response, ttfbMs } = await this.once(method, url, headers, body, request, started);
      await request.cookies?.store(url, headerValues(response.headers, 'set-cookie'));
      const finish = (redirectStopped?: RedirectStop): HttpResponse => ({
        ...response,
        hops,
        ...(redirectStopped ? { redirectStopped } : {}),
        timings: { ttfbMs, totalMs: performance.now() - started },
      });
      const location = headerValue(response.headers, 'location');
      if (!request.followRedirects || !isRedirect(response.status) || location === undefined) return finish();

      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return finish({ reason: 'bad-location', message: `Location "${location}" is not a URL` });
      }
      if (hops.length >= MAX_REDIRECTS) return finish({ reason: 'too-many', message: `more than ${MAX_REDIRECTS} redirects (a loop?); stopped at ${next.href}` });
      if (!this.isAllowed(next)) {
        return finish({ reason: 'host-not-allowed', message: `not followed to ${next.href}: ${next.host} is not a host the manifest names (write a URL on that host in the manifest to allow it)` });
      }
      hops.push({ status: response.status, url: url.href, location: next.href, headers: response.headers });
      // Browsers turn a redirected POST into a GET for 301/302/303; 307/308 repeat it.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  /** Lets requests in flight finish for at most `graceMs`, then drops every connection. */
  async close(graceMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const closed = this.agent.close().then(() => true);
    const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const clean = await Promise.race([closed, graceOver]);
    clearTimeout(timer);
    if (!clean) await this.agent.destroy();
  }

  isAllowed(url: URL): boolean {
    const allowed = this.options.allowedHosts;
    return !allowed || allowed.size === 0 || allowed.has(url.hostname.toLowerCase());
  }

  private assertAllowed(url: URL): void {
    if (!this.isAllowed(url)) {
      throw new TransportError(`${url.host} is not a host the manifest names; requests stay on the target and the URLs written in the manifest`, 'HOST_NOT_ALLOWED', false);
    }
  }

  /** The headers a request to `url` carries: the target's (on its host), the request's own (on its origin), a user agent. */
  headersFor(url: URL, request: Pick<OutgoingRequest, 'url' | 'headers'>): Record<string, string> {
    const sameOrigin = url.origin === request.url.origin;
    const headers: Record<string, string> = {};
    const target = this.options.target;
    // Target headers are credentials: not in clear text to an https target's host (an https → http redirect).
    const downgraded = url.protocol === 'http:' && target?.protocol === 'https:';
    if (target && url.hostname.toLowerCase() === target.host.toLowerCase() && !downgraded) {
      for (const [name, value] of Object.entries(target.headers)) headers[name.toLowerCase()] = value;
    }
    for (const [name, value] of Object.entries(request.headers)) {
      const lower = name.toLowerCase();
      if (sameOrigin || CROSS_ORIGIN_SAFE.has(lower)) headers[lower] = value;
    }
    headers['user-agent'] ??= this.options.userAgent ?? 'readiness-gate';
    return headers;
  }

  private async once(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    request: OutgoingRequest,
    started: number,
  ): Promise<{ response: Omit<HttpResponse, 'hops' | 'timings' | 'redirectStopped'>; ttfbMs: number }> {
    let release: () => void;
    try {
      release = await this.slots.acquire(url.origin, request.signal);
    } catch {
      throw stoppedError(request.signal?.reason, url);
    }
    // The request's own time starts once it has a connection slot.
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const cap = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const stalled = setTimeout(release, STALLED_AFTER_MS);
    try {
      const response = await undiciRequest(this.agent, {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body: body ?? null,
        signal,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
        responseHeaders: 'raw',
      });
      clearTimeout(stalled);
      const ttfbMs = performance.now() - started;
      const lines = rawHeaderLines(response.headers as unknown as (string | Buffer)[]);
      const chunks: Buffer[] = [];
      let wireBytes = 0;
      let truncated = false;
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        if (wireBytes + buffer.length > cap) {
          chunks.push(buffer.subarray(0, cap - wireBytes));
          wireBytes = cap;
          truncated = true;
          response.body.destroy();
          break;
        }
        chunks.push(buffer);
        wireBytes += buffer.length;
      }
      // undici frees the connection for the next request one event-loop turn after the
      // response; without this wait, the next step of a flow would open a second one.
      if (!truncated) await new Promise((resolve) => setImmediate(resolve));
      const raw = Buffer.concat(chunks);
      const encoding = headerValue(lines, 'content-encoding')?.trim().toLowerCase();
      return {
        response: {
          url: url.href,
          status: response.statusCode,
          statusText: response.statusText,
          headers: lines,
          body: truncated ? raw : decode(raw, encoding, cap),
          wireBytes,
          truncated,
        },
        ttfbMs,
      };
    } catch (error) {
      // Stopped by the caller (the item's timeout, the run's deadline, a cancel): say why.
      if (request.signal?.aborted && !timeout.aborted) throw stoppedError(request.signal.reason, url);
      throw toTransportError(error, url, request.timeoutMs, timeout.aborted);
    } finally {
      clearTimeout(stalled);
      release();
    }
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function rawHeaderLines(raw: (string | Buffer)[]): [string, string][] {
  const lines: [string, string][] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) lines.push([String(raw[index]), String(raw[index + 1])]);
  return lines;
}

/** Every value of a header (case-insensitive), in the order received. */
export function headerValues(lines: [string, string][], name: string): string[] {
  const lower = name.toLowerCase();
  return lines.filter(([key]) => key.toLowerCase() === lower).map(([, value]) => value);
}

export function headerValue(lines: [string, string][], name: string): string | undefined {
  return headerValues(lines, name)[0];
}

function decode(raw: Buffer, encoding: string | undefined, cap: number): Buffer {
  if (!encoding || encoding === 'identity' || raw.length === 0) return raw;
  // Loaded for the first compressed body, not with the client (most staging answers are not).
  const { brotliDecompressSync, gunzipSync, inflateSync } = process.getBuiltinModule('node:zlib');
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(raw, { maxOutputLength: cap });
    if (encoding === 'deflate') return inflateSync(raw, { maxOutputLength: cap });
    if (encoding === 'br') return brotliDecompressSync(raw, { maxOutputLength: cap });
  } catch (error) {
    // Larger than the cap once decompressed: kept as received, as before.
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return raw;
    // A body that says it is compressed and is not cannot be read: no expectation on it means anything.
    const why = (error as Error).message;
    throw Object.assign(new Error(`the body says Content-Encoding: ${encoding} but cannot be decoded as ${encoding} (${why}); the server (or a proxy) labels an uncompressed body as compressed`), { code: 'ERR_CONTENT_ENCODING' });
  }
  return raw;
}

function stoppedError(reason: unknown, url: URL): TransportError {
  const why = reason instanceof Error && reason.name !== 'AbortError' ? reason.message : 'cancelled';
  return new TransportError(`${why} (waiting for ${url.host})`, 'ABORTED', false);
}

/** Any failure to get an HTTP answer, in words that say what to look at. */
export function toTransportError(error: unknown, url: URL, timeoutMs: number, timedOut: boolean): TransportError {
  const err = error as { code?: string; message?: string; name?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code ?? err.name ?? 'ERROR';
  const where = url.host;
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new TransportError(`no response from ${where} within ${formatDuration(timeoutMs)}`, 'TIMEOUT', true);
  }
  if (code === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') return new TransportError(`request to ${where} was cancelled`, 'ABORTED', false);
  if (code === 'ECONNREFUSED') return new TransportError(`connection refused by ${where}`, code, true);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return new TransportError(`connection to ${where} was closed before a complete response`, code, true);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError(`DNS lookup failed for ${url.hostname}`, code, code === 'EAI_AGAIN');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return new TransportError(`TLS to ${where}: the certificate does not cover ${url.hostname} (${code})`, code, false);
  if (CHAIN_PROBLEMS[code]) return new TransportError(`TLS to ${where}: certificate ${describeChainError(code)}`, code, false);
  const message = err.cause?.message ?? err.message ?? String(error);
  return new TransportError(`request to ${where} failed: ${message}`, code, false);
}
