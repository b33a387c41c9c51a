// The JSON Schema editors use for autocomplete (`# yaml-language-server: $schema=…`),
// generated from the zod schema so the two never disagree. zod writes its own checks
// (types, patterns, lengths, enums) itself; a `z.refine()` it cannot see carries its JSON
// Schema form in the same schema's `meta()` (oneOf, minProperties, dependentRequired, …),
// and what cannot be said in JSON Schema at all is listed in the README ("What the JSON
// Schema cannot say"). __tests__/manifest/json-schema-differential.test.ts holds the two
// to that: ajv in strict mode against `validate` on generated and mutated manifests.
import { z } from 'zod/mini';
import { item, manifest } from './schema.ts';
import { SCHEMA_URL } from './schema-url.ts';
import { builtinWithJsonSchemas } from './builtins.ts';

// The formats JSON Schema 2020-12 defines. zod also writes names of its own checks as
// formats ("starts_with"); those are not standard, strict validators refuse the schema
// for them, and the same check is already a `pattern` beside them.
const STANDARD_FORMATS = new Set([
  'date-time', 'date', 'time', 'duration', 'email', 'idn-email', 'hostname', 'idn-hostname', 'ipv4', 'ipv6',
  'uri', 'uri-reference', 'iri', 'iri-reference', 'uuid', 'uri-template', 'json-pointer', 'relative-json-pointer', 'regex',
]);

export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifest, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: (context) => {
      // zod can only say `with` is a map; the JSON Schema also says which parameters each built-in takes.
      if (context.zodSchema === item) context.jsonSchema.allOf = builtinWithJsonSchemas().map(requireWithWhenNeeded);
    },
  });
  return strictFriendly({ ...schema, $id: SCHEMA_URL }) as Record<string, unknown>;
}

/** A built-in with a required parameter needs `with` itself (validate checks `with ?? {}`). */
function requireWithWhenNeeded(entry: Record<string, unknown>): Record<string, unknown> {
  const then = entry.then as { properties: { with: { required?: string[] } } };
  return then.properties.with.required?.length ? { ...entry, then: { ...then, required: ['with'] } } : entry;
}

/**
 * The same schema in the form strict validators (ajv's strict mode) accept: no format
 * outside the standard ones, and every key a subschema `required`s also named in its own
 * `properties` (as `true`, which allows anything: `{ required: [json] }` in a oneOf
 * branch means the same with or without it).
 */
function strictFriendly(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictFriendly);
  if (node === null || typeof node !== 'object') return node;
  const object = Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'format' && typeof value === 'string' && !STANDARD_FORMATS.has(value)))
      .map(([key, value]) => [key, strictFriendly(value)]),
  ) as Record<string, unknown>;
  if (Array.isArray(object.required)) {
    const properties = { ...(object.properties as Record<string, unknown> | undefined) };
    for (const key of object.required as string[]) properties[key] ??= true;
    object.properties = properties;
  }
  return object;
}

export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
