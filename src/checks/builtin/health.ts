// `health`: the health endpoint answers 2xx (and, when asked, its JSON says healthy).
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { HttpExpect } from '../../manifest/schema.ts';
import type { CheckContext } from '../context.ts';
import { sendAndEvaluate, unevaluated } from '../http.ts';
import { resolveUrl } from '../request.ts';
import type { CheckResult } from '../result.ts';

/**
 * GET `path` (default /health/), no redirect followed. PASS on 2xx whose JSON matches
 * every `json` predicate; FAIL on anything else (a 502/503/504 may be retried); ERROR
 * when there is no answer (refused, timeout).
 */
export async function runHealth(params: BuiltinParams<'health'>, context: CheckContext): Promise<CheckResult> {
  const path = params.path ?? '/health/';
  let url: URL;
  try {
    url = resolveUrl(path, context.baseUrl);
  } catch (error) {
    return unevaluated(error);
  }
  const expect: HttpExpect = { status: { gte: 200, lt: 300 } };
  if (params.json !== undefined) expect.json = params.json;
  const request = {
    method: 'GET',
    url,
    headers: { accept: 'application/json, */*;q=0.5' },
    followRedirects: false,
    timeoutMs: context.requestTimeoutMs,
    line: context.redactor.text(`GET ${url.href}`),
  };
  const result = await sendAndEvaluate(request, expect, context);
  if (result.outcome === 'fail') result.summary = `${path}: ${result.summary}`;
  return result;
}
