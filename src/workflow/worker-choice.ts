/**
 * Which worker does a node: {@link chooseWorker} decides (pure, shared by `state next` and `workflow run`)
 * and {@link reserveWorker} decides again and records the choice in the run-state while holding the
 * project-wide workers lock, so two runs (two `workflow run` processes) never take the same idle worker:
 * a worker held by any run that is not finished is busy ({@link busyWorkers}). A worker a run uses for
 * the first time starts afresh from your branch when it holds another run's commits ({@link freshenWorker}).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { withFileLock } from '../store/lock.js';
import { projectRoot } from '../store/paths.js';
import { readRunState, timestamp } from './run-state.js';
import type { NodeState, RunState, WorkflowNode, WorkflowTemplate } from './schema.js';
import { listRuns, mutateRun } from './state-service.js';
import { applyTransition } from './transitions.js';
import type { WorkerLookup, WorkerPort } from './worker-port.js';

/** Which worker does an assigned node, as both `next` and `workflow run` decide it. */
export type WorkerChoice =
  | { kind: 'existing'; id: string }
  | { kind: 'reuse'; id: string }
  | { kind: 'create'; id: string }
  | { kind: 'none'; reason: string };

/** The workers a node's current visit may not be given to: those it was taken from (`reassigned_from`, written by `state reassign`). */
export function reassignedFrom(ns: NodeState | undefined): string[] {
  const list = (ns as { reassigned_from?: unknown } | undefined)?.reassigned_from;
  return Array.isArray(list) ? list.filter((w): w is string => typeof w === 'string') : [];
}

/** The worker playing `alias`: `role_worker_map`, else `roles.<alias>.worker`, else null. */
export function workerForActor(state: RunState, template: WorkflowTemplate, alias: string | undefined): string | null {
  if (!alias) return null;
  return state.role_worker_map[alias] ?? template.roles[alias]?.worker ?? null;
}

/**
 * The worker for `node`: the one already doing this visit (`node_states.<id>.worker`), else the run's
 * worker for the actor (`role_worker_map`), else the template's preferred `roles.<alias>.worker` — each
 * only if it still exists and no other active run has an open assignment on it; else, with
 * `reuse_worker` (default true), the idle worker `idle` the caller found; else a new one
 * (`create_worker_if_missing`, default true); else `none` with the reason and the command that helps.
 */
export function chooseWorker(state: RunState, template: WorkflowTemplate, node: WorkflowNode, lookup: WorkerLookup, idle?: string): WorkerChoice {
  const ns = state.node_states[node.id];
  const role = node.actor ? template.roles[node.actor]?.role : undefined;
  const candidates = [ns?.status !== 'pending' ? ns?.worker : undefined, node.actor ? state.role_worker_map[node.actor] : undefined, node.actor ? template.roles[node.actor]?.worker : undefined];
  const excluded = reassignedFrom(ns);
  for (const id of candidates) if (id && !excluded.includes(id) && lookup.exists(id) && !lookup.busy?.(id)) return { kind: 'existing', id };
  if (!role) return { kind: 'none', reason: `node ${node.id} has no role to assign` };
  if (template.defaults?.reuse_worker !== false && idle && !excluded.includes(idle)) return { kind: 'reuse', id: idle };
  if (template.defaults?.create_worker_if_missing === false) {
    return { kind: 'none', reason: `no free worker plays ${node.actor} (${role}) and create_worker_if_missing is false: create one with agent-team worker create ${role} --yes` };
  }
  return { kind: 'create', id: lookup.nextId(role) };
}

/** Run statuses after which a run holds no worker. */
const FINISHED_RUN = new Set(['completed', 'cancelled']);

/** The nodes a run is working on now: `current_node` and, for runs with parallel branches, `active_nodes`. */
function activeNodeIds(state: RunState): string[] {
  const extra = (state as { active_nodes?: unknown }).active_nodes;
  const ids = new Set([state.current_node, ...(Array.isArray(extra) ? extra.filter((x): x is string => typeof x === 'string') : [])]);
  ids.delete('');
  return [...ids];
}

/** Node statuses whose recorded worker a run that is not finished holds: at work, blocked, or done with work not yet merged by the run. */
const HOLDING = new Set(['running', 'waiting', 'blocked', 'completed']);

/**
 * Workers held by a run under `root` other than `except` (an absolute run-state path) that is not
 * finished (completed or cancelled): the worker recorded on any node's current visit that is at work
 * (running, waiting), blocked, or completed — a blocked run (e.g. blocked by the person) keeps its
 * workers, and a completed node's worker keeps the code the run has not merged yet on its branch, so no
 * other run is handed it as idle (and rebases or resets that code). Unreadable runs claim no worker.
 * Reads every run-state once.
 */
export function busyWorkers(root: string, except?: string): Set<string> {
  const busy = new Set<string>();
  for (const summary of listRuns(root)) {
    if (summary.error || FINISHED_RUN.has(summary.status)) continue;
    const path = join(root, summary.path);
    if (except && resolve(path) === resolve(except)) continue;
    try {
      const state = readRunState(path);
      for (const ns of Object.values(state.node_states)) if (ns.worker && HOLDING.has(ns.status)) busy.add(ns.worker);
    } catch {
      // an unreadable run claims no worker
    }
  }
  return busy;
}

/** Whether this run gave `worker` work before the current visit of `nodeId`: on another node or instance, or on an earlier visit. */
export function workedInRun(state: RunState, nodeId: string, worker: string): boolean {
  return Object.entries(state.node_states).some(
    ([id, ns]) => (id !== nodeId && ns.status !== 'pending' && ns.worker === worker) || (ns.history ?? []).some((v) => v.worker === worker),
  );
}

/**
 * Before a worker new to this run (a {@link Reservation}'s `newToRun`) gets its first task of the run:
 * when its branch holds commits your branch does not (an earlier, finished run's work, or work by hand),
 * it starts afresh from your branch with those commits kept on a backup branch (`port.startAfresh`), and
 * the run's `decision_log` gets a `fresh_start` entry naming the commits and the backup. Returns that
 * text, or undefined when nothing was there. Throws what the port and the run-state write throw.
 */
export async function freshenWorker(options: { stateFile: string; cwd: string; nodeId: string; worker: string; port: WorkerPort; now?: () => Date }): Promise<string | undefined> {
  const { stateFile, cwd, nodeId, worker, port } = options;
  if (!port.startAfresh) return undefined;
  const fresh = await port.startAfresh(worker);
  if (!fresh) return undefined;
  const n = fresh.commits.length;
  const held = `team/${worker} held ${n} commit${n === 1 ? '' : 's'} not on ${fresh.upstream} from outside this run (${fresh.commits.join('; ')}), kept on branch ${fresh.backup}`;
  const summary = fresh.reset
    ? `${worker} started afresh from ${fresh.upstream}: ${held}`
    : `${worker} could not be started afresh (${fresh.reason}): ${held}; they stay on its branch and reach this run's work`;
  const at = timestamp(options.now?.() ?? new Date());
  await mutateRun(stateFile, cwd, (run) => ({ result: {}, state: { ...run.state, decision_log: [...run.state.decision_log, { timestamp: at, node: nodeId, action: 'fresh_start', summary, worker }], updated_at: at } }));
  return summary;
}

/**
 * Workers this run's active nodes and instances other than `except` hold: the worker recorded on one at
 * work (running, waiting, blocked), and the actor's worker of a `wait_for_completion` node, which waits
 * on that worker's current work before any worker is recorded on it. A parallel step never gets them.
 */
export function workersHeldByActive(state: RunState, template: WorkflowTemplate, except: string): Set<string> {
  const held = new Set<string>();
  for (const id of activeNodeIds(state)) {
    if (id === except) continue;
    const ns = state.node_states[id];
    if (ns?.worker && (ns.status === 'running' || ns.status === 'waiting' || ns.status === 'blocked')) held.add(ns.worker);
    const node = template.nodes.find((n) => n.id === id);
    const awaited = node?.type === 'wait_for_completion' && ns?.status !== 'completed' ? (ns?.status !== 'pending' ? ns?.worker : undefined) ?? workerForActor(state, template, node.actor) : null;
    if (awaited) held.add(awaited);
  }
  return held;
}

/** The file whose lock serializes choosing workers across every run of a project: `<root>/.agents/workers` (lock folder `workers.lock`). */
export function workersLockTarget(root: string): string {
  return join(root, '.agents', 'workers');
}

/**
 * A reserved worker: how it was found, and the actions taken (`reuse`, `create`) for the loop's record;
 * `newToRun` when the run had recorded it on no node or visit before (not even an earlier try of this one).
 */
export type Reservation = { kind: 'existing' | 'reuse' | 'create'; id: string; newToRun: boolean } | { kind: 'none'; reason: string };

/**
 * Chooses the worker for the current visit of `node` (as {@link chooseWorker}, with a fresh view of
 * which workers other runs hold, asking `port.findIdle` only when no recorded worker fits) and reserves
 * it — creating it when needed and recording it on the node (`start --worker` for a pending node) —
 * all under the project-wide workers lock. Returns `none` (nothing written) when no worker may be used.
 * Throws what the port and the run-state write throw (OperationError, TransitionError, UnreadableFileError).
 */
export async function reserveWorker(options: { stateFile: string; cwd: string; template: WorkflowTemplate; node: WorkflowNode; port: WorkerPort; now?: () => Date }): Promise<Reservation> {
  const { stateFile, cwd, template, node, port } = options;
  const path = resolve(cwd, stateFile);
  const root = projectRoot(dirname(path));
  mkdirSync(join(root, '.agents'), { recursive: true });
  return withFileLock(workersLockTarget(root), async () => {
    const held = busyWorkers(root, path);
    const state = readRunState(path);
    // parallel steps of this run: a worker at work on (or awaited by) another active node or instance is not free
    for (const w of workersHeldByActive(state, template, node.id)) held.add(w);
    // the workers this visit was taken from (state reassign) never get it back
    for (const w of reassignedFrom(state.node_states[node.id])) held.add(w);
    const lookup: WorkerLookup = { ...port, busy: (id) => held.has(id) || port.busy(id) };
    let choice = chooseWorker(state, template, node, lookup);
    const role = node.actor ? template.roles[node.actor]?.role : undefined;
    if ((choice.kind === 'create' || choice.kind === 'none') && role && template.defaults?.reuse_worker !== false) {
      const idle = await port.findIdle(role, [...held]);
      choice = chooseWorker(state, template, node, lookup, idle && !held.has(idle) ? idle : undefined);
    }
    if (choice.kind === 'none') return choice;
    const id = choice.kind === 'create' ? await port.create(role as string) : choice.id;
    // read before the reservation is written: a worker this node had already (a retry) is not new to the run
    const newToRun = !workedInRun(state, node.id, id) && state.node_states[node.id]?.worker !== id;
    const now = options.now?.() ?? new Date();
    await mutateRun(stateFile, cwd, (run) => {
      const ns = run.state.node_states[node.id];
      if (!ns || ns.status === 'pending') {
        const { state: next } = applyTransition(run.state, run.template.template, { action: 'start', node: node.id, worker: id, now, stateFile });
        return { result: {}, state: next };
      }
      if (ns.worker === id) return { result: {} };
      // a visit started without a worker (by hand, or by the Go version): record who does it now
      const at = timestamp(now);
      return { result: {}, state: { ...run.state, node_states: { ...run.state.node_states, [node.id]: { ...ns, worker: id, updated_at: at } }, updated_at: at } };
    });
    return { kind: choice.kind, id, newToRun };
  });
}
