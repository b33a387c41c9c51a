// JSONPath queries as RFC 9535 defines them (json-p3 passes all 703 cases of the RFC's
// compliance suite; see the README's "Dependencies, and why"). Parsed here so that an
// invalid query is a manifest error with its position, never "nothing" at run time.
import { jsonpath, JSONPathError, type JSONPathQuery } from 'json-p3';

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
    return jsonpath.compile(path);
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
