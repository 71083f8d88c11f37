/**
 * `for_each` on a worker node: the items (a literal list, `{{params.NAME}}` — a list param or text with
 * one item per line — or `{{nodes.ID.summary}}`, one item per non-empty line), the instance task with
 * `{{item}}` (or the `as:` name) filled in, and the node's outcome once every instance is done
 * (`passed` when all passed, else `failed`). Pure.
 */
import { baseNodeId, instanceId } from './active.js';
import { runParams } from './conditions.js';
import type { NodeState, RunState, WorkflowNode } from './schema.js';

/** The items of `node.for_each` in `state`, or `{ error }` naming what is missing. */
export function forEachItems(node: WorkflowNode, state: RunState): { items: string[] } | { error: string } {
  const spec = node.for_each;
  if (!spec) return { items: [] };
  if (Array.isArray(spec.items)) return { items: spec.items.map(String) };
  const ref = /^\s*\{\{\s*(params|nodes)\.([A-Za-z0-9_-]+)(?:\.(summary|outcome))?\s*\}\}\s*$/.exec(spec.items);
  if (!ref) return { items: lines(spec.items) };
  if (ref[1] === 'params') {
    const value = runParams(state)[ref[2] as string];
    if (value === undefined || value === null) return { error: `for_each of ${node.id}: the run has no param ${ref[2]} (give it with state init --param ${ref[2]}=…)` };
    return { items: Array.isArray(value) ? value.map(String) : lines(String(value)) };
  }
  const ns = state.node_states[ref[2] as string];
  const text = ref[3] === 'outcome' ? ns?.outcome : ns?.summary;
  if (ns?.status !== 'completed' || text === undefined) return { error: `for_each of ${node.id}: node ${ref[2]} has not completed with a ${ref[3] ?? 'summary'} yet` };
  return { items: lines(text) };
}

/** Non-empty lines of `text`, trimmed, with a leading list marker (`- `, `* `, `1. `) removed. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/^(?:[-*]|\d+[.)])\s+/, ''))
    .filter((l) => l !== '');
}

/** The task of instance `n` of `node`: `{{item}}` (or `{{<as>}}`) replaced by the item. */
export function instanceTask(node: WorkflowNode, item: string): string | undefined {
  if (node.task === undefined) return undefined;
  const name = node.for_each?.as ?? 'item';
  return node.task.replace(new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`, 'g'), item);
}

/** The node as instance `id` (`api/2`) sees it: its id, its task with the item, no `for_each`. */
export function instanceNode(node: WorkflowNode, id: string, ns: NodeState | undefined): WorkflowNode {
  const item = (ns as { item?: unknown } | undefined)?.item;
  const { for_each: _f, ...rest } = node;
  const task = instanceTask(node, item === undefined ? '' : String(item));
  return { ...rest, id, ...(task !== undefined ? { task } : {}) };
}

/** Instance ids of `node` recorded in `state`, in order (`api/1`, `api/2`, …). */
export function instanceIds(state: RunState, node: string): string[] {
  const count = (state.node_states[node] as { instances?: unknown } | undefined)?.instances;
  const n = typeof count === 'number' ? count : 0;
  return Array.from({ length: n }, (_, i) => instanceId(node, i + 1));
}

/**
 * The outcome of a for_each node whose instances are all completed: `passed` when every instance
 * passed (an instance of a node without outcomes that completed counts as passed), else `failed`; with
 * the list of instance outcomes (`{{nodes.ID.outcomes}}`). Undefined while an instance is not done.
 */
export function aggregateOutcome(state: RunState, node: string): { outcome: 'passed' | 'failed'; outcomes: string[]; summary: string } | undefined {
  const ids = instanceIds(state, node);
  const states = ids.map((id) => state.node_states[id]);
  if (states.some((s) => s?.status !== 'completed' && s?.status !== 'skipped')) return undefined;
  const outcomes = states.map((s) => s?.outcome ?? (s?.status === 'skipped' ? 'skipped' : 'passed'));
  const outcome = outcomes.every((o) => o === 'passed' || o === 'skipped') ? 'passed' : 'failed';
  const summary = ids.map((id, i) => `${id} ${outcomes[i]}: ${states[i]?.summary ?? ''}`.trim()).join('\n');
  return { outcome, outcomes, summary };
}

/** Whether instance `id` may be given to a worker now: fewer than `max_parallel` earlier instances are at work or ahead of it. */
export function instanceHasSlot(state: RunState, node: WorkflowNode, id: string): boolean {
  const max = node.for_each?.max_parallel;
  if (max === undefined) return true;
  const ids = instanceIds(state, baseNodeId(id));
  const status = (o: string) => state.node_states[o]?.status ?? 'pending';
  const atWork = ids.filter((o) => o !== id && ['running', 'waiting', 'blocked'].includes(status(o))).length;
  const queuedAhead = ids.slice(0, Math.max(0, ids.indexOf(id))).filter((o) => status(o) === 'pending').length;
  return atWork + queuedAhead < max;
}
