/**
 * How work moves between nodes of a run: which worker branches a node builds on (`builds_on`, and a
 * handoff's default), what is missing from a `done` reply on a `requires_commits` node, and the text that
 * resends an assignment. Pure.
 */
import { instanceIds } from '../for-each.js';
import type { NodeReply, NodeState, RunState, WorkflowNode } from '../schema.js';

/** The worker who did (or is doing) `id` in this run: the node's worker, else the latest earlier visit's. */
export function workerOfNode(state: RunState, id: string): string | undefined {
  const ns: NodeState | undefined = state.node_states[id];
  if (!ns) return undefined;
  if (ns.worker) return ns.worker;
  return [...(ns.history ?? [])].reverse().find((v) => v.worker)?.worker;
}

/** The node completed last before entering `node` (from `decision_log`), for a handoff's default `builds_on`. */
function nodeBefore(state: RunState, node: WorkflowNode): string | undefined {
  return [...state.decision_log].reverse().find((e) => e.next_node === node.id && (e.action === 'complete' || e.action === 'confirm'))?.node;
}

/**
 * The branches (`team/<worker>`) merged into `self`'s branch before `node`'s work: one per `builds_on`
 * node that has a worker in this run (not `self`) — for a for_each node, one per instance — in order,
 * each once. A handoff without `builds_on` builds on the node before it.
 */
export function buildsOnBranches(state: RunState, node: WorkflowNode, self: string | null): string[] {
  const named = node.builds_on ?? (node.type === 'handoff' ? [nodeBefore(state, node)].filter((n): n is string => n !== undefined) : []);
  const sources = named.flatMap((id) => {
    const instances = instanceIds(state, id);
    return instances.length ? instances : [id];
  });
  const branches: string[] = [];
  for (const id of sources) {
    const worker = workerOfNode(state, id);
    if (!worker || worker === self) continue;
    const branch = `team/${worker}`;
    if (!branches.includes(branch)) branches.push(branch);
  }
  return branches;
}

/**
 * What a `done` reply lacks on a `requires_commits` node: a new commit since the assignment (the reply's
 * `head` differs from the assignment's `base`) and a clean worktree. Empty when nothing is missing.
 */
export function missingEvidence(node: WorkflowNode, ns: NodeState, reply: NodeReply): string[] {
  if (node.requires_commits !== true || reply.status !== 'done') return [];
  const missing: string[] = [];
  const base = ns.assignment?.base;
  if (!reply.head) missing.push('the reply records no commit (send it with agent-team reply-main from the worktree)');
  else if (base && reply.head === base) missing.push(`no new commit on team/${reply.worker} since the assignment (head is still ${base.slice(0, 12)})`);
  if (reply.clean === false) missing.push(`uncommitted changes in ${reply.worker}'s worktree`);
  return missing;
}
