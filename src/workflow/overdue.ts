/**
 * `timeout:` on a worker node: a visit whose worker has had the task longer than the timeout is overdue.
 * `state next` then says so and offers the controller two choices — nudge the worker (`reply`) or give
 * the node to another worker (reassign) — and `workflow run` stops for that decision. Pure apart from
 * reading the clock.
 */
import { durationMs } from './parallel-schema.js';
import type { NodeState, WorkflowNode } from './schema.js';

/** How overdue a visit is: the time since it was given (ms) and the limit, or undefined when it is not. */
export function overdue(node: WorkflowNode, ns: NodeState, now = Date.now()): { elapsedMs: number; limitMs: number } | undefined {
  const limitMs = durationMs(node.timeout);
  const since = (ns as { assignment?: { at?: string } }).assignment?.at ?? ns.started_at;
  if (limitMs === undefined || !since) return undefined;
  const elapsedMs = now - Date.parse(since);
  return elapsedMs > limitMs ? { elapsedMs, limitMs } : undefined;
}

/** `95000` → `1m35s`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s % 60 || (!h && !m) ? `${s % 60}s` : ''}`;
}
