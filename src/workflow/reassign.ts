/**
 * `workflow state reassign`: takes a worker node's visit (a node or a for_each instance) away from the
 * worker doing it — the choice `state next` offers when the node is overdue (`timeout:`). The visit goes
 * to the node's `history` (with its assignment), the node is `pending` again (same visit count: a
 * reassignment is not a new entry for `max_visits`), and the worker is listed in `reassigned_from`, so
 * neither `next` nor `workflow run` gives it that node again; `workflow run` then gives it to another
 * worker (an idle one, or a new one). The old worker's change is marked `superseded` by the caller
 * (the worker layer), which gets it back here.
 */
import { TransitionError } from '../errors.js';
import { activeIds, nodeOfId, setActive, summariseStatus } from './active.js';
import { isAssignedNode } from './nodes/lines.js';
import { timestamp } from './run-state.js';
import type { DecisionEntry, NodeState, RunState, WorkflowTemplate } from './schema.js';
import { mutateRun } from './state-service.js';
import { reassignedFrom } from './worker-choice.js';
import { assertNotFinished, nextCommand } from './transitions.js';

/** What `state reassign` asks for: the node or instance id, an optional reason, the clock and the file (for hints). */
export interface ReassignRequest {
  node: string;
  reason?: string;
  now: Date;
  stateFile: string;
}

/** The new state, the log entry, and the visit taken away: its worker and change folder (relative to the worker's worktree, when recorded). */
export interface ReassignResult {
  state: RunState;
  entry: DecisionEntry;
  from: { worker: string; change?: string };
}

/**
 * Reassigns `req.node`. Throws TransitionError (exit 1, nothing changed) when the run is final, the node
 * is unknown or not active, it is not a node a worker is given (assign_role_task, handoff,
 * verify_or_test without a command), or no worker has it (not running or waiting, no worker recorded).
 * The input state is never mutated.
 */
export function reassignNode(current: RunState, template: WorkflowTemplate, req: ReassignRequest): ReassignResult {
  assertNotFinished(current);
  const id = req.node;
  const node = nodeOfId(template, id);
  const active = activeIds(current);
  if (!node || !active.includes(id)) {
    throw new TransitionError(`node ${id} is not active (active: ${active.join(', ') || '(none)'}); only a node a worker is doing now can be reassigned`, {
      code: node ? 'not_current_node' : 'unknown_node',
      hint: nextCommand(req.stateFile),
      details: { active_nodes: active },
    });
  }
  const ns = current.node_states[id] ?? { status: 'pending' as const };
  const worker = ns.assignment?.worker ?? ns.worker;
  if (!isAssignedNode(node) || (ns.status !== 'running' && ns.status !== 'waiting') || !worker) {
    const why = !isAssignedNode(node) ? `its type ${node.type}${node.command ? ' with a command' : ''} is not given to a worker` : `no worker is doing it (status ${ns.status}${worker ? '' : ', no worker recorded'})`;
    throw new TransitionError(`node ${id} cannot be reassigned: ${why}`, { code: 'not_reassignable', hint: nextCommand(req.stateFile) });
  }
  const now = timestamp(req.now);
  const { visits, history, reassigned_from: _r, ...visit } = ns as NodeState & { reassigned_from?: unknown };
  const item = (ns as { item?: unknown }).item;
  const fresh = {
    status: 'pending' as const,
    ...(visits !== undefined ? { visits } : {}),
    updated_at: now,
    history: [...(history ?? []), visit],
    reassigned_from: [...new Set([...reassignedFrom(ns), worker])],
    ...(item !== undefined ? { item } : {}),
  } as NodeState;
  const state: RunState = { ...current, node_states: { ...current.node_states, [id]: fresh } };
  setActive(state, active);
  const summary = req.reason?.trim() || `taken from ${worker}`;
  const entry: DecisionEntry = { timestamp: now, node: id, action: 'reassign', worker, summary };
  if (active.length > 1) Object.assign(state, summariseStatus(state, template));
  else Object.assign(state, { status: 'ready', blocking_reason: '', pending_confirmation: '' });
  state.decision_log = [...current.decision_log, entry];
  state.updated_at = now;
  const change = ns.assignment?.worker === worker ? ns.assignment.change : undefined;
  return { state, entry, from: { worker, ...(change ? { change } : {}) } };
}

/**
 * {@link reassignNode} on the run-state at `stateFile`, under its lock, written atomically. Same errors
 * as `transitionRun` (UnreadableFileError exit 2, TransitionError exit 1 with the file unchanged).
 */
export async function reassignRun(stateFile: string, request: { node: string; reason?: string; now?: Date }, cwd = process.cwd()): Promise<ReassignResult & { path: string; warnings: string[] }> {
  return mutateRun(stateFile, cwd, (run) => {
    const result = reassignNode(run.state, run.template.template, { ...request, now: request.now ?? new Date(), stateFile });
    return { result, state: result.state };
  });
}
