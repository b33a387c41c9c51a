// Evaluating a JSONPath query on a response document: the value a predicate is judged on.
import type { JSONValue } from 'json-p3';
import { JsonPathError, parseJsonPath } from '../manifest/jsonpath.ts';
import { jsonP3 } from '../util/lazy-packages.ts';
import { markNodelist } from './predicates.ts';

/**
 * A singular query ($.a.b, $.items[-1].id, $['@odata.count']) gives its one value or
 * undefined; any other query (wildcards, filters, slices, unions, descendants) gives its
 * nodelist as an array, marked so that `exists` means "selected at least one node".
 * Throws JsonPathError for a query that is not RFC 9535 JSONPath.
 */
export function jsonPathValue(document: unknown, path: string): unknown {
  const { singular, values } = jsonPathNodes(document, path);
  return singular ? values[0] : markNodelist(values);
}

/** The values of the nodes the query selects, in the order RFC 9535 gives them. */
export function jsonPathNodes(document: unknown, path: string): { singular: boolean; values: unknown[] } {
  const query = parseJsonPath(path);
  try {
    return { singular: query.singularQuery(), values: query.query(document as JSONValue).values() };
  } catch (error) {
    // A hostile document nested past the descendant selector's recursion limit.
    if (error instanceof jsonP3().JSONPathError) throw new JsonPathError(`JSONPath ${JSON.stringify(path)}: ${error.message}`, error.token.index);
    throw error;
  }
}
