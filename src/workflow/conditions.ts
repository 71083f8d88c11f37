/**
 * `when:` conditions (Spindrel's shape): `{ param, equals }` compares a run input (`params:` of the
 * run-state), `{ node, outcome }` a node's recorded outcome in this run, and `all` / `any` / `not`
 * combine them. Pure: evaluated when the node is entered; false → the node is skipped.
 */
import type { Condition } from './parallel-schema.js';
import type { RunState } from './schema.js';

/** The run inputs recorded on a run-state (`params:`, written by `state init --param`), or `{}`. */
export function runParams(state: RunState): Record<string, unknown> {
  const params = (state as { params?: unknown }).params;
  return params !== null && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
}

/** Whether `cond` holds for `state`. A param compares as text (`true` equals "true"); a node never completed has no outcome. */
export function evaluateCondition(cond: Condition, state: RunState): boolean {
  if ('all' in cond) return cond.all.every((c) => evaluateCondition(c, state));
  if ('any' in cond) return cond.any.some((c) => evaluateCondition(c, state));
  if ('not' in cond) return !evaluateCondition(cond.not, state);
  if ('param' in cond) {
    const value = runParams(state)[cond.param];
    return value !== undefined && value !== null && String(value) === String(cond.equals);
  }
  const ns = state.node_states[cond.node];
  return ns?.status === 'completed' && ns.outcome === cond.outcome;
}

/** The node ids a condition reads (`{ node }` leaves), for validation. */
export function conditionNodes(cond: Condition): string[] {
  if ('all' in cond) return cond.all.flatMap(conditionNodes);
  if ('any' in cond) return cond.any.flatMap(conditionNodes);
  if ('not' in cond) return conditionNodes(cond.not);
  return 'node' in cond ? [cond.node] : [];
}
