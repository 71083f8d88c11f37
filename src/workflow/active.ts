/**
 * The nodes a run is at: `active_nodes` (ours) when the run has more than one, else `current_node` (the
 * Go version's single node). Instance ids of a `for_each` node are `<node>/<n>` (node ids never contain
 * `/`). Pure helpers over the run-state; nothing here reads files.
 */
import type { NodeState, RunState, RunStatus, WorkflowNode, WorkflowTemplate } from './schema.js';

/** Whether `id` names an instance (`api/2`) rather than a node. */
export function isInstanceId(id: string): boolean {
  return id.includes('/');
}

/** The node of a node or instance id: `api/2` → `api`, `build` → `build`. */
export function baseNodeId(id: string): string {
  const at = id.indexOf('/');
  return at < 0 ? id : id.slice(0, at);
}

/** The instance id of item `n` (1-based) of node `node`: `api/2`. */
export function instanceId(node: string, n: number): string {
  return `${node}/${n}`;
}

/** Every node and instance the run is at, in order (`current_node` first); empty for a finished run. */
export function activeIds(state: RunState): string[] {
  const listed = state.active_nodes?.filter((id) => id !== '') ?? [];
  if (listed.length > 0) return listed;
  return state.current_node ? [state.current_node] : [];
}

/**
 * Records `ids` as the run's active nodes: `current_node` is the first (or '' when none), and
 * `active_nodes` is written only when there is more than one, so a run without parallel parts keeps
 * the Go version's shape byte for byte. Mutates `state`.
 */
export function setActive(state: RunState, ids: string[]): void {
  const unique = [...new Set(ids.filter((id) => id !== ''))];
  state.current_node = unique[0] ?? '';
  if (unique.length > 1) state.active_nodes = unique;
  else delete state.active_nodes;
}

/** The template node of a node or instance id, or undefined. */
export function nodeOfId(template: WorkflowTemplate, id: string): WorkflowNode | undefined {
  const base = baseNodeId(id);
  return template.nodes.find((n) => n.id === base);
}

/**
 * The run status that summarises several active nodes (documented in the README): `blocked` when any is
 * blocked; else `waiting_confirmation` when any waits for a person's confirmation; else `running` when
 * any is running; else `waiting` when any waits for a worker; else `ready`. `pending_confirmation` names
 * the first node awaiting confirmation; `blocking_reason` the first blocked node's reason.
 */
export function summariseStatus(state: RunState, template: WorkflowTemplate): { status: RunStatus; pending_confirmation: string; blocking_reason: string } {
  const ids = activeIds(state);
  const of = (id: string): NodeState => state.node_states[id] ?? { status: 'pending' };
  const blocked = ids.find((id) => of(id).status === 'blocked');
  if (blocked) return { status: 'blocked', pending_confirmation: '', blocking_reason: `${blocked}: ${of(blocked).summary ?? 'blocked'}` };
  const confirm = ids.find((id) => of(id).status === 'waiting' && nodeOfId(template, id)?.requires_confirmation === true);
  if (confirm) return { status: 'waiting_confirmation', pending_confirmation: confirm, blocking_reason: '' };
  if (ids.some((id) => of(id).status === 'running')) return { status: 'running', pending_confirmation: '', blocking_reason: '' };
  if (ids.some((id) => of(id).status === 'waiting')) return { status: 'waiting', pending_confirmation: '', blocking_reason: '' };
  return { status: 'ready', pending_confirmation: '', blocking_reason: '' };
}
