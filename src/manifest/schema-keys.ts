// The keys a zod object schema allows at a path of the input, for "did you mean".
import type { z } from 'zod/mini';

type PathSegment = string | number;

interface Def {
  type: string;
  shape?: Record<string, z.ZodMiniType>;
  element?: z.ZodMiniType;
  innerType?: z.ZodMiniType;
  options?: z.ZodMiniType[];
  in?: z.ZodMiniType;
  valueType?: z.ZodMiniType;
  getter?: () => z.ZodMiniType;
}

function defOf(schema: z.ZodMiniType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Object schemas a value at `path` may be checked against (several under a union). */
function schemasAt(schema: z.ZodMiniType, path: PathSegment[]): z.ZodMiniType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return schemasAt(def.innerType as z.ZodMiniType, path);
    case 'pipe':
      return schemasAt(def.in as z.ZodMiniType, path);
    case 'lazy':
      return schemasAt((def.getter as () => z.ZodMiniType)(), path);
    case 'union':
      return (def.options ?? []).flatMap((option) => schemasAt(option, path));
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  if (def.type === 'object' && typeof head === 'string' && def.shape && head in def.shape) return schemasAt(def.shape[head] as z.ZodMiniType, rest);
  if (def.type === 'array' && typeof head === 'number') return schemasAt(def.element as z.ZodMiniType, rest);
  if (def.type === 'record' && typeof head === 'string') return schemasAt(def.valueType as z.ZodMiniType, rest);
  return [];
}

export function keysAt(schema: z.ZodMiniType, path: PathSegment[]): string[] {
  const keys = new Set<string>();
  for (const candidate of schemasAt(schema, path)) {
    const def = defOf(candidate);
    if (def.type === 'object' && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return [...keys];
}
