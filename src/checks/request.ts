// A manifest request ("GET /health/" or a map) → the request to send, placeholders filled.
import type { RequestSpec } from '../manifest/schema.ts';
import { interpolate, interpolateDeep, type Scope } from '../manifest/interpolate.ts';
import { hasTemplate } from '../manifest/template.ts';
import { parseDuration } from '../manifest/units.ts';
import type { OutgoingRequest } from '../http/client.ts';

export interface RequestDefaults {
  timeoutMs: number;
  /** The staging URL relative paths are resolved against. */
  baseUrl?: URL;
}

export interface ResolvedRequest extends OutgoingRequest {
  /** "POST https://staging.example.com/accounts/login/", secrets redacted. */
  line: string;
}

/** A request that cannot be built: no base URL for a path, or a bad URL. */
export class RequestSpecError extends Error {}

export function resolveRequest(spec: RequestSpec, scope: Scope, defaults: RequestDefaults): ResolvedRequest {
  const map = typeof spec === 'string' ? fromLine(spec) : spec;
  const method = (map.method ?? 'GET').toUpperCase();
  const url = resolveUrl(interpolate(map.url, scope), defaults.baseUrl);
  for (const [name, value] of Object.entries(interpolateDeep(map.query ?? {}, scope))) url.searchParams.append(name, String(value ?? ''));

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(map.headers ?? {})) {
    headers[name.toLowerCase()] = interpolate(value, scope);
    // A filled-in header (a token, a key) is redacted wherever the server echoes it.
    if (hasTemplate(value)) scope.redactor.add(headers[name.toLowerCase()] as string);
  }

  let body: string | undefined;
  if (map.json !== undefined) {
    body = JSON.stringify(interpolateDeep(map.json, scope));
    headers['content-type'] ??= 'application/json';
  } else if (map.form !== undefined) {
    const form = interpolateDeep(map.form, scope);
    body = new URLSearchParams(Object.entries(form).map(([key, value]): [string, string] => [key, String(value ?? '')])).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (map.body !== undefined) {
    body = interpolate(map.body, scope);
  }

  const timeoutMs = map.timeout ? (parseDuration(map.timeout) as number) : defaults.timeoutMs;
  const request: ResolvedRequest = {
    method,
    url,
    headers,
    followRedirects: map.follow_redirects ?? false,
    timeoutMs,
    line: scope.redactor.text(`${method} ${url.href}`),
  };
  if (body !== undefined) request.body = body;
  return request;
}

function fromLine(line: string): { method: string; url: string } & Partial<Record<'query' | 'headers' | 'json' | 'form' | 'body' | 'timeout' | 'follow_redirects', undefined>> {
  const [method = 'GET', ...rest] = line.trim().split(/\s+/);
  return { method, url: rest.join(' ') };
}

/**
 * Absolute URLs are used as written. A path starting with "/" is appended to the base
 * URL's own path, so a target of https://host/staging/ turns "/health/" into
 * https://host/staging/health/.
 */
export function resolveUrl(text: string, base: URL | undefined): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      return new URL(text);
    } catch {
      throw new RequestSpecError(`"${text}" is not a valid URL`);
    }
  }
  if (!base) throw new RequestSpecError(`"${text}" is a path, but there is no staging URL to resolve it against (set target.url or pass --url)`);
  if (text.startsWith('/')) {
    const prefix = base.pathname.replace(/\/+$/, '');
    return new URL(`${prefix}${text}`, base.origin);
  }
  return new URL(text, base);
}
