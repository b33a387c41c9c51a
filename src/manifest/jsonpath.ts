// JSONPath queries as RFC 9535 defines them (json-p3 passes all 703 cases of the RFC's
// compliance suite; see the README's "Dependencies, and why"). Parsed here so that an
// invalid query is a manifest error with its position, never "nothing" at run time.
import type { FilterFunction, FunctionExpressionType, JSONPathEnvironment, JSONPathQuery } from 'json-p3';
import { jsonP3 } from '../util/lazy-packages.ts';
import { patternTest } from '../util/pattern.ts';

/**
 * RFC 9535's match() and search() on RE2 (linear time), not JavaScript's backtracking
 * engine: the pattern is the manifest's, but the text is staging's. json-p3's own function
 * still decides what is valid I-Regexp (it tests the pattern on an empty string only).
 */
class LinearRegexpFunction implements FilterFunction {
  readonly argTypes: FunctionExpressionType[];
  readonly returnType: FunctionExpressionType;
  private readonly whole: boolean;
  private readonly validator: FilterFunction;

  constructor(whole: boolean) {
    const { FunctionExpressionType: Types, jsonpath } = jsonP3();
    this.argTypes = [Types.ValueType, Types.ValueType];
    this.returnType = Types.LogicalType;
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

let environment: JSONPathEnvironment | undefined;

/** json-p3 with match() and search() on RE2, made on first use (see util/lazy-packages.ts). */
function jsonPathEnvironment(): JSONPathEnvironment {
  if (environment === undefined) {
    environment = new (jsonP3().JSONPathEnvironment)();
    environment.functionRegister.set('match', new LinearRegexpFunction(true));
    environment.functionRegister.set('search', new LinearRegexpFunction(false));
  }
  return environment;
}

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
    return jsonPathEnvironment().compile(path);
  } catch (error) {
    if (error instanceof jsonP3().JSONPathError) {
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
