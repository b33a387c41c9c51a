// `static-assets`: the CSS and JavaScript a page links under STATIC_URL are compressed
// and, when their names carry collectstatic's hash, cached for a long time (WhiteNoise's
// CompressedManifestStaticFilesStorage does both).
import { headerValues, type HttpResponse } from '../../http/client.ts';
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import type { CheckResult } from '../result.ts';
import { fetchPage, isSuccess, notEvaluable, ONE_YEAR_SECONDS, pathOf, runProbe } from './shared.ts';
import { plural } from './words.ts';

/** Assets fetched at most: a page with fifty scripts says no more than one with ten. */
const MAX_ASSETS = 10;
/** Lighthouse's threshold: smaller text gains too little from compression to matter. */
const MIN_COMPRESSIBLE_BYTES = 1400;
/** ManifestStaticFilesStorage inserts the first 12 hex digits of the file's MD5. */
const HASHED_NAME = /\.[0-9a-f]{12}\.[^/.]+$/;
const TEXT_TYPE = /^\s*(text\/|application\/(javascript|ecmascript|json|manifest\+json|xml)|image\/svg\+xml)/i;
const TEXT_EXTENSION = /\.(css|js|mjs|map|json|svg|txt|xml)$/i;
const COMPRESSED = /^(gzip|x-gzip|br|deflate|zstd)$/;
const STATIC_FIX = 'use WhiteNoise CompressedManifestStaticFilesStorage (or compress at the proxy)';

/**
 * Fetches `page` (default /), finds `<link rel=stylesheet href>` and `<script src>` under
 * `staticUrl` (default /static/) and GETs each with `Accept-Encoding: gzip`. FAIL when a
 * text asset over 1400 bytes comes back without Content-Encoding, when a hashed name
 * (`.0123456789ab.`) is cached for less than `minMaxAge` (default one year) or with
 * no-store / no-cache, or when a linked asset is missing. SKIP when the page links no
 * asset under staticUrl. Brotli and `immutable` are notes.
 */
export function runStaticAssets(params: BuiltinParams<'static-assets'>, context: CheckContext): Promise<CheckResult> {
  return runProbe(context, async (probe) => {
    const pagePath = params.page ?? '/';
    const staticUrl = params.staticUrl ?? '/static/';
    const minMaxAge = params.minMaxAge ?? ONE_YEAR_SECONDS;
    const page = await fetchPage(probe, pagePath);
    const why = notEvaluable(page.response);
    if (why !== undefined) return probe.result('error', `cannot tell: ${why}; set with.page to a page that links the static files`);

    const prefix = probe.url(staticUrl);
    const assets = linkedAssets(page.response).filter((url) => url.origin === prefix.origin && url.pathname.startsWith(prefix.pathname));
    if (assets.length === 0) {
      probe.judge(page.step, 'skip', `no asset under ${staticUrl}`);
      return probe.result('skip', `no <link rel="stylesheet"> or <script src> under ${staticUrl} on ${pagePath}; set with.staticUrl (your STATIC_URL) or with.page`);
    }
    if (assets.length > MAX_ASSETS) probe.note(`${assets.length} assets linked; the first ${MAX_ASSETS} were checked`);

    const problems: string[] = [];
    let hashed = 0;
    let brotliChecked = false;
    for (const url of assets.slice(0, MAX_ASSETS)) {
      const path = pathOf(url);
      const { response, step } = await probe.send(`GET ${path}`, url, { headers: { 'accept-encoding': 'gzip' } });
      if (!isSuccess(response.status)) {
        probe.judge(step, 'fail', 'missing');
        problems.push(`${path}, linked from ${pagePath}, answered ${response.status}; run python manage.py collectstatic (and check STATIC_ROOT / STATICFILES_STORAGE)`);
        continue;
      }
      const encoding = contentEncoding(response);
      const text = TEXT_TYPE.test(headerValues(response.headers, 'content-type')[0] ?? '') || TEXT_EXTENSION.test(url.pathname);
      const bytes = response.body.length;
      const cacheControl = headerValues(response.headers, 'cache-control').join(', ');
      const stepProblems: string[] = [];

      if (text && bytes > MIN_COMPRESSIBLE_BYTES && !COMPRESSED.test(encoding)) {
        stepProblems.push(`${path} (${bytes} bytes) is served uncompressed although gzip was asked for; ${STATIC_FIX}`);
      } else if (COMPRESSED.test(encoding)) {
        if (!headerValues(response.headers, 'vary').some((value) => /accept-encoding/i.test(value))) {
          probe.note(`${path} is compressed without Vary: Accept-Encoding: a shared cache may give the compressed copy to a client that did not ask for it`);
        }
        if (!brotliChecked) {
          brotliChecked = true;
          const br = await probe.send(`GET ${path} (Accept-Encoding: br)`, url, { headers: { 'accept-encoding': 'br' } });
          const brEncoding = contentEncoding(br.response);
          probe.judge(br.step, 'pass', brEncoding === 'br' ? 'br' : `not br (${brEncoding || 'identity'})`);
          if (brEncoding !== 'br') probe.note(`Brotli is not served (${path} came back ${brEncoding || 'uncompressed'} when only br was offered); pip install Brotli so WhiteNoise precompresses .br files`);
        }
      }

      if (HASHED_NAME.test(url.pathname)) {
        hashed++;
        const directives = cacheControl.toLowerCase();
        const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d+)/.exec(directives)?.[1];
        const cacheFix = `hashed files should be cached ≥ ${duration(minMaxAge)} (ManifestStaticFilesStorage + WhiteNoise)`;
        if (/(?:^|[,\s])(no-store|no-cache)\b/.test(directives)) stepProblems.push(`${path} is sent with Cache-Control: ${cacheControl}; ${cacheFix}`);
        else if (maxAge === undefined) stepProblems.push(`${path} has no Cache-Control max-age${cacheControl ? ` (${cacheControl})` : ''}; ${cacheFix}`);
        else if (Number(maxAge) < minMaxAge) stepProblems.push(`${path} is cached for ${maxAge}s; ${cacheFix}`);
        else if (!/\bimmutable\b/.test(directives)) probe.note(`${path} has a hashed name but no "immutable": browsers may still revalidate it on reload`);
      }
      probe.facts[path] = `${encoding || 'uncompressed'}, ${bytes} bytes, Cache-Control: ${cacheControl || '(none)'}`;
      probe.judge(step, stepProblems.length > 0 ? 'fail' : 'pass', stepProblems.length > 0 ? 'see the summary' : 'compressed where it matters, cached as it should be');
      problems.push(...stepProblems);
    }
    if (hashed === 0) {
      probe.note(`none of the assets has a hashed name (name.0123456789ab.css): ManifestStaticFilesStorage not used? Without it browsers cannot cache static files for long`);
    }
    const checked = Math.min(assets.length, MAX_ASSETS);
    return probe.verdict(problems, `${plural(checked, 'static asset')} compressed where it matters${hashed > 0 ? `, ${hashed} hashed and cached ≥ ${duration(minMaxAge)}` : ''}`);
  });
}

function contentEncoding(response: HttpResponse): string {
  return headerValues(response.headers, 'content-encoding').map((value) => value.trim().toLowerCase()).join(', ');
}

/** Stylesheets and scripts the HTML links, resolved against the page URL. */
function linkedAssets(response: HttpResponse): URL[] {
  const html = response.body.toString('utf8');
  const urls = new Map<string, URL>();
  for (const [, tag = '', attributes = ''] of html.matchAll(/<(link|script)\b([^>]*)>/gi)) {
    const isScript = tag.toLowerCase() === 'script';
    if (!isScript && !(attribute(attributes, 'rel') ?? '').toLowerCase().split(/\s+/).includes('stylesheet')) continue;
    const reference = attribute(attributes, isScript ? 'src' : 'href');
    if (!reference) continue;
    try {
      const url = new URL(reference.replace(/&amp;/g, '&'), response.url);
      urls.set(url.href, url);
    } catch {
      // Not a URL: nothing to fetch.
    }
  }
  return [...urls.values()];
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(attributes);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

/** 31536000 → "1 year", 2592000 → "30 days", else seconds. */
function duration(seconds: number): string {
  if (seconds > 0 && seconds % ONE_YEAR_SECONDS === 0) return plural(seconds / ONE_YEAR_SECONDS, 'year');
  if (seconds > 0 && seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  return `${seconds}s`;
}
