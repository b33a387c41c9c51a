// re2js (manifest regexes) and json-p3 (JSONPath) are about 200 kB that a manifest without
// a regex or a JSONPath never runs, so they are required on first use, not imported at
// start: compiling them cost a run's first request about 9 ms on a machine without the
// compile cache. In development they come from node_modules; in dist/ the build copies them
// beside the bundle and points these two requires at the copies (scripts/build.mjs,
// LAZY_PACKAGES). Synchronous, so that validating a manifest stays synchronous.
import { createRequire } from 'node:module';
import type * as JsonP3 from 'json-p3';
import type * as Re2js from 're2js';

const requireOnFirstUse = createRequire(import.meta.url);
let re2jsModule: typeof Re2js | undefined;
let jsonP3Module: typeof JsonP3 | undefined;

export function re2js(): typeof Re2js {
  return (re2jsModule ??= requireOnFirstUse('re2js') as typeof Re2js);
}

export function jsonP3(): typeof JsonP3 {
  return (jsonP3Module ??= requireOnFirstUse('json-p3') as typeof JsonP3);
}
