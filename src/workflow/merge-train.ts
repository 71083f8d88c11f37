/**
 * Which branches a `merge` node's train merges (DESIGN.md "Parallel runs"): the workers of this pass's
 * worker nodes and for_each instances that completed (their branches `team/<id>`), in the order they
 * completed (a node that builds on another completes after it), each once. Branches already in the
 * target are skipped when merging. Pure.
 */
import { baseNodeId } from './active.js';
import { isAssignedNode } from './nodes/lines.js';
import type { RunState, WorkflowNode, WorkflowTemplate } from './schema.js';
import { usesParallelKeys } from './transitions.js';

/** Whether `node` (a merge node) runs as a merge train: it has a `command:`, or its template forks, joins or repeats. */
export function isMergeTrain(node: WorkflowNode, template: WorkflowTemplate): boolean {
  return node.command !== undefined || usesParallelKeys(template);
}

/** The worker ids whose branches the train of `node` merges, in dependency (completion) order. */
export function trainWorkers(state: RunState, template: WorkflowTemplate, node: WorkflowNode): string[] {
  const nodes = new Map(template.nodes.map((n) => [n.id, n]));
  const done = Object.entries(state.node_states)
    .filter(([id, ns]) => {
      const n = nodes.get(baseNodeId(id));
      return id !== node.id && n !== undefined && isAssignedNode(n) && !n.for_each === !id.includes('/') && ns.status === 'completed' && ns.worker;
    })
    .sort(([, a], [, b]) => (a.completed_at ?? '').localeCompare(b.completed_at ?? ''));
  return [...new Set(done.map(([, ns]) => ns.worker as string))];
}
