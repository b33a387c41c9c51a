// The keys a zod object schema allows at a path of the input, for "did you mean".
import type { z } from 'zod';

type PathSegment = string | number;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Object schemas a value at `path` may be checked against (several under a union). */
function schemasAt(schema: z.ZodType, path: PathSegment[]): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return schemasAt(def.innerType as z.ZodType, path);
    case 'pipe':
      return schemasAt(def.in as z.ZodType, path);
    case 'lazy':
      return schemasAt((def.getter as () => z.ZodType)(), path);
    case 'union':
      return (def.options ?? []).flatMap((option) => schemasAt(option, path));
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  if (def.type === 'object' && typeof head === 'string' && def.shape && head in def.shape) return schemasAt(def.shape[head] as z.ZodType, rest);
  if (def.type === 'array' && typeof head === 'number') return schemasAt(def.element as z.ZodType, rest);
  if (def.type === 'record' && typeof head === 'string') return schemasAt(def.valueType as z.ZodType, rest);
  return [];
}

export function keysAt(schema: z.ZodType, path: PathSegment[]): string[] {
  const keys = new Set<string>();
  for (const candidate of schemasAt(schema, path)) {
    const def = defOf(candidate);
    if (def.type === 'object' && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return [...keys];
}
