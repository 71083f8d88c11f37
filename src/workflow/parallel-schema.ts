/**
 * Template keys of parallel runs (DESIGN.md "Parallel runs"): fork (`next:` as a list), join (`after:`),
 * `for_each`, `when:` conditions, `retry:` and `timeout:`. Spread into the node schema of `schema.ts`;
 * a template that uses none of them parses exactly as before.
 */
import * as z from 'zod';

const nonEmpty = z.string().trim().min(1);

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
  items: z.union([nonEmpty, z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)]).describe('"{{params.NAME}}", "{{nodes.ID.summary}}" (one item per line) or a literal list'),
  as: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'as must match ^[A-Za-z_][A-Za-z0-9_]*$').optional().describe('Name of the item in the task (default item: {{item}})'),
  max_parallel: z.number().int().positive().optional().describe('At most this many instances at work at once (default: all)'),
});

/** A `when:` condition (Spindrel's shape): param/equals, node/outcome, all/any/not. */
export type Condition =
  | { param: string; equals: unknown }
  | { node: string; outcome: string }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** The schema of a {@link Condition}. */
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ param: nonEmpty, equals: z.union([z.string(), z.number(), z.boolean()]) }),
    z.strictObject({ node: nonEmpty, outcome: nonEmpty }),
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
  ]),
) as z.ZodType<Condition>;

/** The node fields parallel runs add (all optional). */
export const PARALLEL_NODE_FIELDS = {
  after: z.array(nonEmpty).min(1).optional().describe('Join: entered only when every listed node has completed (or was skipped) in this pass'),
  for_each: ForEachSchema.optional().describe('One instance per item, each with its own worker'),
  when: ConditionSchema.optional().describe('A false condition skips the node (status skipped)'),
  retry: z.number().int().nonnegative().optional().describe('Reruns a failing check command up to N more times'),
  timeout: z.string().regex(DURATION, 'timeout must look like 90s, 30m or 2h').optional().describe('A worker node overdue after this is reported by next; a command is killed (failed)'),
};

/** The `next:` of a node: one node id, or a list of node ids entered at once (a fork). */
export const NextSchema = z.union([nonEmpty, z.array(nonEmpty).min(1)]);

/** The node ids `next:` names, as a list. */
export function nextTargets(next: string | string[] | undefined): string[] {
  if (next === undefined) return [];
  return Array.isArray(next) ? next : [next];
}
