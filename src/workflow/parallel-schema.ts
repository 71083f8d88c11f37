/**
 * Template keys of parallel runs (DESIGN.md "Parallel runs"): fork (`next:` as a list), join (`after:`),
 * `for_each`, `when:` conditions, `retry:` and `timeout:`. Spread into the node schema of `schema.ts`;
 * a template that uses none of them parses exactly as before.
 */
import * as z from 'zod/mini';
import { described, nonEmpty } from './schema-parts.js';

/** A duration such as `90s`, `30m`, `2h` (also `1h30m`): digits followed by s, m or h. */
export const DURATION = /^(?:\d+[smh])+$/;

/** Milliseconds of a {@link DURATION} string (`30m` → 1 800 000). Returns undefined for anything else. */
export function durationMs(text: string | undefined): number | undefined {
  if (text === undefined || !DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smh])/g)) ms += Number(n) * (unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
  return ms;
}

/** `for_each: { items, as, max_parallel }`: one instance `<node>/<n>` per item. */
export const ForEachSchema = z.strictObject({
  items: described(z.union([nonEmpty(), z.array(z.union([z.string(), z.number(), z.boolean()])).check(z.minLength(1))]), '"{{params.NAME}}", "{{nodes.ID.summary}}" (one item per line) or a literal list'),
  as: described(z.optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'as must match ^[A-Za-z_][A-Za-z0-9_]*$'))), 'Name of the item in the task (default item: {{item}})'),
  max_parallel: described(z.optional(z.int().check(z.positive())), 'At most this many instances at work at once (default: all)'),
});

/** A `when:` condition (Spindrel's shape): param/equals, node/outcome, all/any/not. */
export type Condition =
  | { param: string; equals: unknown }
  | { node: string; outcome: string }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** The schema of a {@link Condition}. */
export const ConditionSchema: z.ZodMiniType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ param: nonEmpty(), equals: z.union([z.string(), z.number(), z.boolean()]) }),
    z.strictObject({ node: nonEmpty(), outcome: nonEmpty() }),
    z.strictObject({ all: z.array(ConditionSchema).check(z.minLength(1)) }),
    z.strictObject({ any: z.array(ConditionSchema).check(z.minLength(1)) }),
    z.strictObject({ not: ConditionSchema }),
  ]),
) as z.ZodMiniType<Condition>;

/** The node fields parallel runs add (all optional). */
export const PARALLEL_NODE_FIELDS = {
  after: described(z.optional(z.array(nonEmpty()).check(z.minLength(1))), 'Join: entered only when every listed node has completed (or was skipped) in this pass'),
  for_each: described(z.optional(ForEachSchema), 'One instance per item, each with its own worker'),
  when: described(z.optional(ConditionSchema), 'A false condition skips the node (status skipped)'),
  retry: described(z.optional(z.int().check(z.nonnegative())), 'Reruns a failing check command up to N more times'),
  timeout: described(z.optional(z.string().check(z.regex(DURATION, 'timeout must look like 90s, 30m or 2h'))), 'A worker node overdue after this is reported by next; a command is killed (failed)'),
};

/** The `next:` of a node: one node id, or a list of node ids entered at once (a fork). */
export const NextSchema = z.union([nonEmpty(), z.array(nonEmpty()).check(z.minLength(1))]);

/** The node ids `next:` names, as a list. */
export function nextTargets(next: string | string[] | undefined): string[] {
  if (next === undefined) return [];
  return Array.isArray(next) ? next : [next];
}
