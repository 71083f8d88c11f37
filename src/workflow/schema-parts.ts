/**
 * Building blocks of the zod schemas of templates and run-states (schema.ts, parallel-schema.ts,
 * run-state-schema.ts), written with `zod/mini`, zod's functional API: the same checks and issues as
 * classic zod, but a schema is a plain object instead of one carrying ~40 methods as closures, which made
 * building the template's schemas most of a `validate`'s own start-up (bench/README.md).
 */
import * as z from 'zod/mini';

/** A fresh schema of a non-empty string (trimmed first, as YAML `"  "` counts as empty). */
export function nonEmpty(): z.ZodMiniString {
  return z.string().check(z.trim(), z.minLength(1));
}

/** `schema` with `description` in zod's global registry: the text `workflow schema` prints for the field (JSON Schema). */
export function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}
