/**
 * `timeout:` on a worker node: a visit whose worker has had the task longer than the timeout is overdue.
 * `state next` then says so and offers the controller two choices — nudge the worker (`reply`) or give
 * the node to another worker (reassign) — and `workflow run` stops for that decision. Pure apart from
 * reading the clock. The clock restarts when the controller nudges or answers the worker (`overdue_from`)
 * and when a block is cleared.
 */
import { durationMs } from './parallel-schema.js';
import type { NodeState, WorkflowNode } from './schema.js';

/**
 * `ns` with its overdue clock restarted at `at` (a nudge, an answer, a cleared block, the task given
 * again after a crash): `overdue_from` is set only on a node with a `timeout:`, so a node without one
 * gets no new key and a Go run-state stays Go-shaped. Pure.
 */
export function restartClock(node: Pick<WorkflowNode, 'timeout'> | undefined, ns: NodeState, at: string): NodeState {
  return node?.timeout === undefined ? ns : { ...ns, overdue_from: at };
}

/**
 * When the overdue clock of a visit started (ms since the epoch): the latest of its assignment (else its
 * start) and `overdue_from` (a nudge, an answer, a cleared block); undefined when it never started.
 */
function clockStart(ns: NodeState): number | undefined {
  const times = [ns.assignment?.at ?? ns.started_at, ns.overdue_from].filter((t): t is string => t !== undefined).map((t) => Date.parse(t)).filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : undefined;
}

/** When the visit becomes overdue (ms since the epoch), or undefined when the node has no `timeout:` or the clock has not started. */
export function overdueAt(node: WorkflowNode, ns: NodeState): number | undefined {
  const limitMs = durationMs(node.timeout);
  const since = clockStart(ns);
  return limitMs === undefined || since === undefined ? undefined : since + limitMs;
}

/** How overdue a visit is: the time since its clock started (ms; see {@link overdueAt}) and the limit, or undefined when it is not. */
export function overdue(node: WorkflowNode, ns: NodeState, now = Date.now()): { elapsedMs: number; limitMs: number } | undefined {
  const limitMs = durationMs(node.timeout);
  const since = clockStart(ns);
  if (limitMs === undefined || since === undefined) return undefined;
  const elapsedMs = now - since;
  return elapsedMs > limitMs ? { elapsedMs, limitMs } : undefined;
}

/** `95000` → `1m35s`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s % 60 || (!h && !m) ? `${s % 60}s` : ''}`;
}
