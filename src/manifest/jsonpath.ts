// JSONPath queries as RFC 9535 defines them (json-p3 passes all 703 cases of the RFC's
// compliance suite; see the README's "Dependencies, and why"). Parsed here so that an
// invalid query is a manifest error with its position, never "nothing" at run time.
import { FunctionExpressionType, jsonpath, JSONPathEnvironment, JSONPathError, type FilterFunction, type JSONPathQuery } from 'json-p3';
import { patternTest } from '../util/pattern.ts';

/**
 * RFC 9535's match() and search() on RE2 (linear time), not JavaScript's backtracking
 * engine: the pattern is the manifest's, but the text is staging's. json-p3's own function
 * still decides what is valid I-Regexp (it tests the pattern on an empty string only).
 */
class LinearRegexpFunction implements FilterFunction {
  readonly argTypes = [FunctionExpressionType.ValueType, FunctionExpressionType.ValueType];
  readonly returnType = FunctionExpressionType.LogicalType;
  private readonly whole: boolean;
  private readonly validator: FilterFunction;

  constructor(whole: boolean) {
    this.whole = whole;
    this.validator = whole ? new jsonpath.functions.Match({ cacheSize: 0, throwErrors: true }) : new jsonpath.functions.Search({ cacheSize: 0, throwErrors: true });
  }

  call(text: unknown, pattern: unknown): boolean {
    if (typeof text !== 'string' || typeof pattern !== 'string') return false;
    try {
      this.validator.call('', pattern);
    } catch {
      return false;
    }
    // I-Regexp's "." is any character but a line break (RFC 9485 §5.3).
    const source = mapDots(pattern);
    try {
      return patternTest(this.whole ? `^(?:${source})$` : source, text);
    } catch {
      return false;
    }
  }
}

function mapDots(pattern: string): string {
  let out = '';
  let escaped = false;
  let inClass = false;
  for (const char of pattern) {
    if (escaped) escaped = false;
    else if (char === '\\') escaped = true;
    else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    else if (char === '.' && !inClass) {
      out += '[^\\n\\r]';
      continue;
    }
    out += char;
  }
  return out;
}

const ENVIRONMENT = new JSONPathEnvironment();
ENVIRONMENT.functionRegister.set('match', new LinearRegexpFunction(true));
ENVIRONMENT.functionRegister.set('search', new LinearRegexpFunction(false));

/** A query that is not valid RFC 9535 JSONPath (or that hit an evaluation limit); `index` is 0-based within the query. */
export class JsonPathError extends Error {
  readonly index: number;
  constructor(message: string, index: number) {
    super(message);
    this.index = index;
  }
}

export function parseJsonPath(path: string): JSONPathQuery {
  try {
    return ENVIRONMENT.compile(path);
  } catch (error) {
    if (error instanceof JSONPathError) {
      // json-p3 appends "('<query>':<index>)"; callers show the query and position their own way.
      const message = error.message.replace(/ \('[\s\S]*':\d+\)$/, '');
      throw new JsonPathError(`invalid JSONPath ${JSON.stringify(path)}: ${message} (at character ${error.token.index + 1})`, error.token.index);
    }
    throw error;
  }
}

/** The problem with a query, or undefined when it is valid. */
export function jsonPathProblem(path: string): string | undefined {
  try {
    parseJsonPath(path);
    return undefined;
  } catch (error) {
    if (error instanceof JsonPathError) return error.message;
    throw error;
  }
}
