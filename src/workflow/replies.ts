/**
 * Worker replies close the loop: `reply-main "<msg>" [--outcome L] [--status S]` records the reply on
 * every active run whose current node is being done by that worker, so `workflow run` / `next` can turn
 * it into the right transition. Each run is updated under its own lock.
 */
import { projectRoot } from '../store/paths.js';
import { restartClock } from './overdue.js';
import { timestamp } from './run-state.js';
import type { NodeReply, NodeState, ReplyStatus, RunState, WorkflowNode } from './schema.js';
import type { BuildsOnConflict, ResolveReply } from './builds-on-conflict.js';
import { listRuns, mutateRun } from './state-service.js';
import { isAssignedNode, workerForActor } from './next.js';
import { join } from 'node:path';
import { activeIds, baseNodeId, isInstanceId } from './active.js';

/** A reply as the worker sent it. */
export interface WorkerReply {
  worker: string;
  message: string;
  status: ReplyStatus;
  outcome?: string;
  /** The change folder it answers (`.tasks/changes/<name>/`). */
  change?: string;
  /** The worker branch's head commit and whether the worktree was clean when it replied. */
  head?: string;
  clean?: boolean;
}

/** One run the reply was recorded in. `late`: it answers an older change, so it was logged but not taken as the node's reply. */
export interface RecordedReply {
  path: string;
  run_id: string;
  node: string;
  late?: boolean;
}

/**
 * The active node (or instance) of `state` being done by `worker` that can take a reply, if any: only nodes whose work is
 * a worker's (assigned nodes and wait_for_completion) — a controller_task, decision, merge or check is
 * never completed by a worker's reply, even when a worker was named on it.
 */
function awaitsReplyFrom(state: RunState, worker: string, nodeOf: (node: string) => WorkflowNode | undefined, template: Parameters<typeof workerForActor>[1]): string | undefined {
  if (state.status === 'completed' || state.status === 'cancelled') return undefined;
  // several active nodes (fork, for_each instances): the one this worker is doing
  return activeIds(state).find((id) => {
    const node = nodeOf(baseNodeId(id));
    if (!node || !(isAssignedNode(node) || node.type === 'wait_for_completion')) return false;
    const ns = state.node_states[id];
    if (!ns || (ns.status !== 'waiting' && ns.status !== 'running')) return false;
    const doer = ns.assignment?.worker ?? ns.worker ?? (isInstanceId(id) ? undefined : workerForActor(state, template, node.actor));
    return doer === worker;
  });
}

/**
 * A reply to the `[resolve]` assignment of a node blocked by a builds_on conflict (builds-on-conflict.ts):
 * recorded on the conflict (`resolve.reply`) and in decision_log when the worker (and its change, when
 * both are known) match a pending resolve; else no hit.
 */
function resolveReply(state: RunState, reply: WorkerReply, at: string): { result: { hit: boolean; run_id?: string; node?: string }; state?: RunState } {
  for (const [node, ns] of Object.entries(state.node_states)) {
    const conflict = (ns as { builds_on_conflict?: BuildsOnConflict }).builds_on_conflict;
    const pending = conflict?.resolve;
    if (ns.status !== 'blocked' && state.status !== 'blocked') continue;
    if (!conflict || !pending || pending.reply || pending.worker !== reply.worker) continue;
    if (reply.change && pending.change && reply.change !== pending.change) continue;
    const answered: ResolveReply = { message: reply.message, status: reply.status, at, ...(reply.head ? { head: reply.head } : {}), ...(reply.clean !== undefined ? { clean: reply.clean } : {}) };
    const next: RunState = {
      ...state,
      node_states: { ...state.node_states, [node]: { ...ns, builds_on_conflict: { ...conflict, resolve: { ...pending, reply: answered } }, updated_at: at } as NodeState },
      decision_log: [...state.decision_log, { timestamp: at, node, action: 'reply', summary: reply.message, worker: reply.worker, status: reply.status, change: pending.change }],
      updated_at: at,
    };
    return { result: { hit: true, run_id: state.run_id, node }, state: next };
  }
  return { result: { hit: false } };
}

/**
 * Records `reply` on every active run under `<repo root>/.agents/workflow/runs/` waiting on the worker
 * (`cwd` is anywhere in the main repository): on the node it is doing, or on the pending `[resolve]` of
 * a node blocked by a builds_on conflict. Unreadable runs are skipped. Returns where it was recorded.
 */
export async function recordReply(reply: WorkerReply, cwd = process.cwd(), now = new Date()): Promise<RecordedReply[]> {
  const root = projectRoot(cwd);
  const recorded: RecordedReply[] = [];
  for (const summary of listRuns(root)) {
    if (summary.error || summary.status === 'completed' || summary.status === 'cancelled') continue;
    try {
      const result = await mutateRun<{ hit: boolean; run_id?: string; node?: string; late?: boolean }>(join(root, summary.path), root, (run) => {
        const template = run.template.template;
        const nodeOf = (id: string) => run.template.nodes.get(id);
        const state: RunState = { ...run.state, node_states: { ...run.state.node_states } };
        const node = awaitsReplyFrom(state, reply.worker, nodeOf, template);
        if (node === undefined) return resolveReply(state, reply, timestamp(now));
        const at = timestamp(now);
        const original = state.node_states[node];
        if (!original) return { result: { hit: false } };
        const evidence = { ...(reply.change ? { change: reply.change } : {}), ...(reply.head ? { head: reply.head } : {}), ...(reply.clean !== undefined ? { clean: reply.clean } : {}) };
        const entry = { timestamp: at, node, action: 'reply', ...(reply.outcome ? { outcome: reply.outcome } : {}), summary: reply.message, worker: reply.worker, status: reply.status };
        // A reply to an older change (e.g. the visit before a loop re-entered the node) is history, not this visit's answer.
        const expected = original.assignment?.change;
        if (expected && reply.change && reply.change !== expected) {
          state.decision_log = [...state.decision_log, { ...entry, ...evidence, late: true, expected_change: expected }];
          state.updated_at = at;
          return { result: { hit: true, late: true, run_id: state.run_id, node }, state };
        }
        const ns = { ...original };
        state.node_states[node] = ns;
        const stored: NodeReply = { worker: reply.worker, message: reply.message, status: reply.status, at, ...(reply.outcome ? { outcome: reply.outcome } : {}), ...evidence };
        ns.reply = stored;
        ns.summary = reply.message;
        ns.updated_at = at;
        state.decision_log = [...state.decision_log, entry];
        state.updated_at = at;
        return { result: { hit: true, run_id: state.run_id, node }, state };
      });
      if (result.hit && result.run_id && result.node) recorded.push({ path: result.path, run_id: result.run_id, node: result.node, ...(result.late ? { late: true } : {}) });
    } catch {
      // a run that cannot be read or whose template is broken does not stop the reply reaching others
    }
  }
  return recorded;
}

/** A run where the controller's `reply <id>` was recorded: `answer` (it answered the node's needs-input reply) or `nudge`. */
export interface RecordedAnswer extends RecordedReply {
  action: 'answer' | 'nudge';
}

/**
 * Records the controller's message to `worker` (`reply <id> "<msg>"`, once typed) on every active run
 * whose node waits on that worker (`cwd` anywhere in the main repository): an `answer` when the node's
 * last reply is an unanswered needs-input one (the reply is marked answered, so `next`/`run` wait for
 * the worker's next reply-main instead of asking again), else a `nudge`. Either restarts the overdue
 * clock (`overdue_from`) of a node with a `timeout:`. Unreadable runs are skipped. Returns where it was recorded.
 */
export async function recordControllerReply(worker: string, message: string, cwd = process.cwd(), now = new Date()): Promise<RecordedAnswer[]> {
  const root = projectRoot(cwd);
  const recorded: RecordedAnswer[] = [];
  for (const summary of listRuns(root)) {
    if (summary.error || summary.status === 'completed' || summary.status === 'cancelled') continue;
    try {
      const result = await mutateRun<{ run_id?: string; node?: string; action?: 'answer' | 'nudge' }>(join(root, summary.path), root, (run) => {
        const state: RunState = { ...run.state, node_states: { ...run.state.node_states } };
        const node = awaitsReplyFrom(state, worker, (id) => run.template.nodes.get(id), run.template.template);
        const original = node === undefined ? undefined : state.node_states[node];
        if (node === undefined || !original) return { result: {} };
        const at = timestamp(now);
        const ns = { ...restartClock(run.template.nodes.get(baseNodeId(node)), original, at), updated_at: at };
        const answers = ns.reply?.status === 'needs-input' && ns.reply.answered_at === undefined;
        if (answers && ns.reply) ns.reply = { ...ns.reply, answer: message, answered_at: at };
        const action = answers ? 'answer' : 'nudge';
        state.node_states[node] = ns;
        state.decision_log = [...state.decision_log, { timestamp: at, node, action, worker, summary: message }];
        state.updated_at = at;
        return { result: { run_id: state.run_id, node, action }, state };
      });
      if (result.run_id && result.node && result.action) recorded.push({ path: result.path, run_id: result.run_id, node: result.node, action: result.action });
    } catch {
      // a run that cannot be read or whose template is broken does not stop the message reaching others
    }
  }
  return recorded;
}
