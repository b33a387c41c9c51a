// Where editors fetch the manifest's JSON Schema: the templates write it into every new
// manifest, so it lives apart from the schema code (init then loads no zod at all).
import { VERSION } from '../version.ts';

// The released version's schema, not main's: a manifest written today keeps validating against the
// schema of the version that wrote it, whatever main becomes.
export const SCHEMA_URL = `https://raw.githubusercontent.com/readiness-gate/readiness-gate/v${VERSION}/schema/readiness.schema.json`;
