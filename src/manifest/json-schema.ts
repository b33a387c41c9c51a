// The JSON Schema editors use for autocomplete (`# yaml-language-server: $schema=…`),
// generated from the zod schema so the two never disagree.
import { z } from 'zod';
import { item, manifest } from './schema.ts';
import { VERSION } from '../version.ts';
import { builtinWithJsonSchemas } from './builtins.ts';

// The released version's schema, not main's: a manifest written today keeps validating against the
// schema of the version that wrote it, whatever main becomes.
export const SCHEMA_URL = `https://raw.githubusercontent.com/readiness-gate/readiness-gate/v${VERSION}/schema/readiness.schema.json`;

export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifest, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    // zod can only say `with` is a map; the JSON Schema also says which parameters each built-in takes.
    override: (context) => {
      if (context.zodSchema === item) context.jsonSchema.allOf = builtinWithJsonSchemas();
    },
  });
  return { ...schema, $id: SCHEMA_URL };
}

export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
