// Regular expressions from the manifest, run against text we do not control (staging
// bodies and headers, command output, repository files). JavaScript's backtracking engine
// can take exponential time on a pattern like (a+)+$ and a hostile body, and no timeout
// can interrupt it; RE2 matches in time linear in the text. Patterns are written in
// JavaScript syntax; what RE2 cannot run (look-around, back-references) is refused when
// the manifest is loaded.
import type { RE2JS } from 're2js';
import { re2js } from './lazy-packages.ts';

const compiled = new Map<string, RE2JS>();

function compile(source: string, flags: number): RE2JS {
  const key = `${flags}/${source}`;
  let pattern = compiled.get(key);
  if (!pattern) {
    const { RE2JS: Engine } = re2js();
    pattern = Engine.compile(Engine.translateRegExp(source), flags);
    compiled.set(key, pattern);
  }
  return pattern;
}

/** Why the engine cannot run `source`, or undefined when it can. */
export function patternProblem(source: string): string | undefined {
  try {
    compile(source, 0);
    return undefined;
  } catch (error) {
    const said = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return `expected a regular expression that runs in linear time (RE2 syntax: no look-around or back-references): ${said}`;
  }
}

export interface PatternOptions {
  /** ^ and $ match at line boundaries. */
  multiline?: boolean;
  /** Letters match either case (as Prometheus' and Alertmanager's (?i) does). */
  caseInsensitive?: boolean;
}

/** Does `source` match anywhere in `text`? */
export function patternTest(source: string, text: string, options: PatternOptions = {}): boolean {
  const { RE2JS: Engine } = re2js();
  return compile(source, (options.multiline ? Engine.MULTILINE : 0) | (options.caseInsensitive ? Engine.CASE_INSENSITIVE : 0)).test(text);
}

/** The first match and its groups (undefined for a group that took no part), or null. */
export function patternExec(source: string, text: string): (string | undefined)[] | null {
  const match = compile(source, 0).exec(text);
  if (!match) return null;
  return Array.from(match, (group: unknown) => (typeof group === 'string' ? group : undefined));
}
