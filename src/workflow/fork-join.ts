/**
 * Moving a run on when a node (or a `for_each` instance) completes, with several active nodes: the
 * completed one leaves the active set and its targets are entered — every node of a `next:` list (a
 * fork); a node with `after:` (a join) only once each listed node has completed or was skipped in this
 * pass (an earlier path simply ends there and waits); a node whose `when:` is false is skipped and its
 * own way on followed; a `for_each` node is entered as one instance per item. Pure: mutates only the
 * state copy it is given (see `applyTransition`).
 */
import { activeIds, baseNodeId, instanceId, isInstanceId, setActive, summariseStatus } from './active.js';
import { evaluateCondition } from './conditions.js';
import { aggregateOutcome, forEachItems } from './for-each.js';
import { nextTargets } from './parallel-schema.js';
import type { NodeState, RunState, WorkflowNode, WorkflowTemplate } from './schema.js';
import { enterNode } from './transitions.js';

/** What leaving a node did: the nodes/instances entered (for `next_node`) and whether the run completed. */
export interface Moved {
  entered: string[];
  completed: boolean;
}

/** The ids to follow from `node` (not an instance) after it completed with `outcome`. */
function waysOn(node: WorkflowNode, outcome: string | undefined): string[] {
  if (node.branches?.length) {
    const branch = node.branches.find((b) => b.when === outcome);
    return branch ? [branch.next] : [];
  }
  return nextTargets(node.next);
}

/** Whether every node a join waits for has completed or was skipped, and none of them is still active. */
function joinReady(state: RunState, node: WorkflowNode, active: string[]): boolean {
  const after = node.after ?? [];
  const activeBases = new Set(active.map(baseNodeId));
  return after.every((id) => {
    const s = state.node_states[id]?.status;
    return (s === 'completed' || s === 'skipped') && !activeBases.has(id);
  });
}

/**
 * Enters `targets` (node ids), given the ids still `active`; returns the ids now active because of them
 * (instances for a for_each node; nothing for a join still waiting or a skipped node whose way on ended).
 * `depth` bounds chains of skipped nodes (a loop of false conditions).
 */
export function enterTargets(state: RunState, template: WorkflowTemplate, targets: string[], active: string[], now: string, depth = 0): string[] {
  const nodes = new Map(template.nodes.map((n) => [n.id, n]));
  const entered: string[] = [];
  for (const id of targets) {
    const node = nodes.get(id);
    if (!node) continue;
    const current = [...active, ...entered];
    if (current.includes(id) || current.some((a) => isInstanceId(a) && baseNodeId(a) === id)) continue; // never active twice
    if (node.after?.length && !joinReady(state, node, current)) continue; // the join waits for the other paths
    enterNode(state, id, now);
    if (node.when && !evaluateCondition(node.when, state)) {
      const ns = state.node_states[id] as NodeState;
      state.node_states[id] = { ...ns, status: 'skipped', completed_at: now, summary: 'skipped: its when: condition is false' };
      if (depth < template.nodes.length) entered.push(...enterTargets(state, template, waysOn(node, 'skipped'), current, now, depth + 1));
      continue;
    }
    if (node.for_each) {
      entered.push(...enterInstances(state, template, node, current, now, depth));
      continue;
    }
    entered.push(id);
  }
  return entered;
}

/** Enters the instances of a for_each node (the node itself records `instances` and `items`); an empty or unresolvable list is handled here. */
function enterInstances(state: RunState, template: WorkflowTemplate, node: WorkflowNode, active: string[], now: string, depth: number): string[] {
  const resolved = forEachItems(node, state);
  const ns = { ...(state.node_states[node.id] as NodeState) };
  for (const key of Object.keys(state.node_states)) if (key.startsWith(`${node.id}/`)) delete state.node_states[key];
  if ('error' in resolved) {
    state.node_states[node.id] = { ...ns, status: 'blocked', summary: resolved.error, updated_at: now };
    return [node.id];
  }
  const items = resolved.items;
  if (items.length === 0) {
    state.node_states[node.id] = { ...ns, status: 'completed', outcome: 'passed', summary: 'no items', completed_at: now, outcomes: [], instances: 0 } as NodeState;
    return depth < template.nodes.length ? enterTargets(state, template, waysOn(node, 'passed'), active, now, depth + 1) : [];
  }
  state.node_states[node.id] = { ...ns, status: 'running', started_at: now, updated_at: now, instances: items.length, items } as NodeState;
  return items.map((item, i) => {
    const id = instanceId(node.id, i + 1);
    state.node_states[id] = { status: 'pending', visits: 1, updated_at: now, item } as NodeState;
    return id;
  });
}

/**
 * Moves the run on after `id` (a node or instance, already marked completed in `state`) completed: it
 * leaves the active set; `targets` (the chosen way on of a node) are entered; an instance enters nothing
 * until every instance of its node is done, then the node completes with the aggregated outcome and its
 * way on is followed. The run completes when nothing is active any more. Sets `current_node`,
 * `active_nodes` and the run status. Mutates `state`.
 */
export function leaveNode(state: RunState, template: WorkflowTemplate, id: string, targets: string[], now: string): Moved {
  const before = activeIds(state);
  const rest = before.filter((a) => a !== id);
  let entered: string[] = [];
  if (isInstanceId(id)) {
    const base = baseNodeId(id);
    const node = template.nodes.find((n) => n.id === base) as WorkflowNode;
    const done = aggregateOutcome(state, base);
    if (done) {
      const ns = state.node_states[base] as NodeState;
      state.node_states[base] = { ...ns, status: 'completed', outcome: done.outcome, outcomes: done.outcomes, summary: done.summary, completed_at: now, updated_at: now } as NodeState;
      const ways = waysOn(node, done.outcome);
      if (ways.length === 0 && node.branches?.length) {
        // no branch for the aggregated outcome: the node stays for the controller to decide
        state.node_states[base] = { ...(state.node_states[base] as NodeState), status: 'blocked', summary: `${done.summary}\nno branch of ${base} is labelled ${done.outcome}` } as NodeState;
        entered = [base];
      } else {
        entered = enterTargets(state, template, ways, rest, now);
      }
    }
  } else {
    entered = enterTargets(state, template, targets, rest, now);
  }
  // keep the order: the finished id's place goes to what it entered
  const at = before.indexOf(id);
  const next = at < 0 ? [...rest, ...entered] : [...before.slice(0, at), ...entered, ...before.slice(at + 1)];
  setActive(state, next);
  if (next.length === 0) {
    // a join whose other paths can never arrive would leave nothing active: say so instead of finishing
    const stuck = targets.find((t) => template.nodes.find((n) => n.id === t)?.after?.length && state.node_states[t]?.status !== 'completed');
    if (stuck) {
      enterNode(state, stuck, now);
      const waiting = (template.nodes.find((n) => n.id === stuck)?.after ?? []).filter((a) => !['completed', 'skipped'].includes(state.node_states[a]?.status ?? ''));
      state.node_states[stuck] = { ...(state.node_states[stuck] as NodeState), status: 'blocked', summary: `join ${stuck} waits for ${waiting.join(', ')}, which no active path can reach` };
      setActive(state, [stuck]);
      Object.assign(state, summariseStatus(state, template));
      return { entered: [stuck], completed: false };
    }
    return { entered, completed: true };
  }
  return { entered, completed: false };
}
