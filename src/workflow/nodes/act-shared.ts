/**
 * Act pieces several node types share: applying a step's transitions and stopping or going on, giving a
 * worker its task (through {@link reserveWorker}), resuming a wait, and running a check command.
 */
import { dirname, resolve } from 'node:path';
import { hasCode } from '../../errors.js';
import { conflictOf, recordBuildsOnConflict, type BuildsOnConflict } from '../builds-on-conflict.js';
import { projectRoot } from '../../store/paths.js';
import { checkSummary, clearCheck, describeUnfinishedCheck, keepCheckOutput, recordCheckStart, unfinishedCheck } from '../check-command.js';
import { runCheckWithRetry } from '../check-retry.js';
import { restartClock } from '../overdue.js';
import { timestamp } from '../run-state.js';
import type { Assignment, WorkflowNode } from '../schema.js';
import { loadRun, mutateRun } from '../state-service.js';
import { freshenWorker, reassignedFrom, reserveWorker } from '../worker-choice.js';
import type { ActIO, ActResult, Move, RunAction, Step } from './step.js';

const GO_ON: ActResult = { stopped: null };

/** How a change never confirmed delivered was finished (WorkerPort.resend), as `workflow run` reports it. */
const REDELIVERED = {
  taken: 'the agent had taken it; nothing typed',
  entered: 'the text still in its input box was submitted (not typed again)',
  'typed-again': 'its input box was empty: typed again',
} as const;

async function applyMoves(moves: Move[] | undefined, io: ActIO): Promise<void> {
  for (const m of moves ?? []) await io.move(m);
}

/**
 * Performs the actions every node type may plan: `stop`, `advance`, `assign`, `resume`. Throws on an
 * action kind that belongs to one node type (check, merge): that type's `act` handles it.
 */
export async function actCommon(step: Step, node: WorkflowNode, io: ActIO): Promise<ActResult> {
  const action: RunAction = step.action;
  switch (action.kind) {
    case 'stop':
      await applyMoves(action.moves, io);
      if (action.record) io.record(node.id, action.record.action, action.record.detail);
      return { stopped: action.stopped, why: action.why };
    case 'advance':
      await applyMoves(action.moves, io);
      if (action.record) io.record(node.id, action.record.action, action.record.detail);
      return GO_ON;
    case 'resume':
      await applyMoves(action.moves, io);
      if (action.reopen) {
        await io.port.open(action.reopen);
        if (action.resend !== undefined && io.port.resend) await io.port.resend(action.reopen, action.resend.change, action.resend.text);
        else if (action.reassign !== undefined) await io.port.assign(action.reopen, action.reassign);
        if (action.resend !== undefined || action.reassign !== undefined) await restartOverdueClock(io, node);
        io.record(node.id, 'reopen', action.detail ?? `${action.reopen} had stopped: reopened in its worktree`);
      } else if (action.redeliver && io.port.resend) {
        const { worker, change, text } = action.redeliver;
        const done = await io.port.resend(worker, change, text);
        await restartOverdueClock(io, node);
        io.record(node.id, 'redeliver', `${worker} was never confirmed to have ${change} (the CLI typing it stopped): ${REDELIVERED[done?.redelivery ?? 'typed-again']}`);
      }
      return { stopped: 'waiting', why: action.why };
    case 'assign':
      return actAssign(action.text, action.buildsOn, node, io);
    default:
      throw new Error(`node type ${node.type} cannot ${action.kind} (this is a bug in agent-team)`);
  }
}

/**
 * Restarts the overdue clock of `node` (`overdue_from` = now, under the run lock) once its worker was
 * reopened and given the task again: the task was lost with the agent, so the worker gets its full
 * `timeout:` from now. A node without `timeout:` is left as it is (no new key in a Go run-state).
 */
async function restartOverdueClock(io: ActIO, node: WorkflowNode): Promise<void> {
  if (node.timeout === undefined) return; // nothing to restart: spare the run lock and the write
  await mutateRun(io.stateFile, io.cwd, (run) => {
    const ns = run.state.node_states[node.id];
    if (!ns) return { result: {} };
    const at = timestamp(new Date());
    return { result: {}, state: { ...run.state, node_states: { ...run.state.node_states, [node.id]: restartClock(node, ns, at) }, updated_at: at } };
  });
}

/**
 * Reserves the worker (choose + record under the workers lock), opens it, then gives it the task: the
 * branches it builds on are merged first (a conflict blocks the node, naming the files), and the
 * assignment (worker, change, time, branch head) is recorded under the run lock after the change folder
 * is made and before anything is typed, so no visit is ever assigned twice. Then the node waits.
 */
async function actAssign(text: string, buildsOn: string[], node: WorkflowNode, io: ActIO): Promise<ActResult> {
  const reserved = await reserveWorker({ stateFile: io.stateFile, cwd: io.cwd, template: io.template, node, port: io.port });
  io.reserved?.();
  if (reserved.kind === 'none') return { stopped: 'decision', why: reserved.reason };
  const worker = reserved.id;
  const role = node.actor ? io.template.roles[node.actor]?.role : undefined;
  if (reserved.kind === 'reuse') io.record(node.id, 'reuse', `reusing idle worker ${worker} (${role})`);
  if (reserved.kind === 'create') io.record(node.id, 'create', `created worker ${worker} (${role})`);
  // a worker new to this run carries no other run's commits into its work (kept on a backup branch)
  const fresh = reserved.kind === 'create' || !reserved.newToRun ? undefined : await freshenWorker({ stateFile: io.stateFile, cwd: io.cwd, nodeId: node.id, worker, port: io.port });
  if (fresh) io.record(node.id, 'fresh_start', fresh);
  const { opened } = await io.port.open(worker);
  if (opened) io.record(node.id, 'open', `opened ${worker}`);
  const branches = buildsOn.filter((b) => b !== `team/${worker}`);
  supersedePrevious(node, worker, io);
  const answers = takenOverAnswers(node, worker, io);
  let assigned: { change: string };
  try {
    assigned = await io.port.assign(worker, text, {
      ...(branches.length ? { buildsOn: branches } : {}),
      ...(answers.length ? { answers } : {}),
      beforeType: async (change) => {
        const base = await io.port.head?.(worker);
        await recordAssignment(io, node, { worker, change, at: timestamp(new Date()), ...(base ? { base } : {}) });
      },
    });
  } catch (err) {
    // a conflict with the branches it builds on, or with your branch (it moved since the worker's branch
    // was made): the node is blocked with the files named, and `next` offers [resolve]
    if (!hasCode(err, 'merge_conflict', 'unknown_branch', 'update_conflict')) throw err;
    const reason = `${err.code === 'update_conflict' ? 'update' : 'builds_on'}: ${err.message}`;
    await io.move({ action: 'block', node: node.id, reason });
    await recordConflict(io, node, conflictOf(err, worker, branches, reason));
    io.record(node.id, 'block', reason);
    return { stopped: 'blocked', why: reason };
  }
  if (branches.length) io.record(node.id, 'build_on', `${worker} builds on ${branches.join(', ')}`);
  io.record(node.id, 'assign', `assigned ${node.id} to ${worker} (${assigned.change})`);
  await io.move({ action: 'wait', node: node.id, worker, reason: `waiting for ${worker}` });
  return { stopped: 'waiting', why: `waiting for ${worker} to reply on ${node.id}` };
}

/** Records a builds_on conflict next to the block it caused (so `state next` offers a way to resolve it). */
async function recordConflict(io: ActIO, node: WorkflowNode, conflict: BuildsOnConflict | undefined): Promise<void> {
  if (conflict) await recordBuildsOnConflict(io.stateFile, io.cwd, node.id, conflict);
}

/** Writes `assignment` on the node's current visit under the run lock. */
async function recordAssignment(io: ActIO, node: WorkflowNode, assignment: Assignment): Promise<void> {
  await mutateRun(io.stateFile, io.cwd, (run) => {
    const ns = run.state.node_states[node.id] ?? { status: 'running' as const };
    const state = { ...run.state, node_states: { ...run.state.node_states, [node.id]: { ...ns, worker: assignment.worker, assignment } }, updated_at: assignment.at };
    return { result: {}, state };
  });
}

/**
 * The answers the controller gave on the change of this same visit that another worker had (the node
 * was reassigned: its `reassigned_from` names that worker), so the new worker is not asked again; none
 * for a first assignment or a new visit of a loop.
 */
function takenOverAnswers(node: WorkflowNode, worker: string, io: ActIO): { at: string; question?: string; text: string }[] {
  if (!io.port.changeAnswers) return [];
  const ns = loadRun(io.stateFile, io.cwd).state.node_states[node.id];
  if (!ns) return [];
  const previous = [...(ns.history ?? [])].reverse().find((v) => (v as { assignment?: Assignment }).assignment);
  const old = (previous as { assignment?: Assignment } | undefined)?.assignment;
  // `reassigned_from` lists the workers this visit was taken from (a loop's new visit starts without it)
  if (!old?.change || old.worker === worker || !reassignedFrom(ns).includes(old.worker)) return [];
  return io.port.changeAnswers(old.worker, old.change);
}

/** A loop re-entered the node: the change of its previous visit, if still open, is marked `superseded`. */
function supersedePrevious(node: WorkflowNode, _worker: string, io: ActIO): void {
  const { state } = loadRun(io.stateFile, io.cwd);
  const previous = [...(state.node_states[node.id]?.history ?? [])].reverse().find((v) => (v as { assignment?: Assignment }).assignment);
  const old = (previous as { assignment?: Assignment } | undefined)?.assignment;
  if (!old?.change || !io.port.setChangeStatus) return;
  if (!io.port.openChanges?.(old.worker).some((c) => c.change === old.change)) return;
  try {
    io.port.setChangeStatus(old.worker, old.change, 'superseded');
    io.record(node.id, 'supersede', `${old.worker}'s change ${old.change} is superseded by this visit`);
  } catch {
    // a change folder removed by hand supersedes nothing
  }
}

/**
 * Runs the node's check command (in the worker's worktree when the actor has one, else the repository
 * root) and records the outcome: `passed` on exit 0, else `failed`; a node without outcomes is blocked
 * when it fails; a node that requires confirmation waits for a person.
 */
export async function actCheck(step: Step, node: WorkflowNode, io: ActIO): Promise<ActResult> {
  const action = step.action;
  if (action.kind !== 'check') return actCommon(step, node, io);
  const outcomes = step.next.outcomes;
  const dir = (action.worker && io.port.worktree(action.worker)) || projectRoot(dirname(resolve(io.cwd, io.stateFile)));
  // A check recorded as running whose runner died is reported, never run again silently.
  const unfinished = unfinishedCheck(loadRun(io.stateFile, io.cwd).state.node_states[node.id]);
  if (unfinished && !io.rerunCheck) return { stopped: 'decision', why: describeUnfinishedCheck(node.id, unfinished, io.stateFile) };
  if (action.start) await io.move({ action: 'start', node: node.id });
  if (action.worker && action.buildsOn.length && io.port.worktree(action.worker) && io.port.buildOn) {
    // the check runs where the code under test is: the branches it builds on first
    const branches = action.buildsOn.filter((b) => b !== `team/${action.worker}`);
    try {
      const { merged } = await io.port.buildOn(action.worker, branches);
      if (merged.length) io.record(node.id, 'build_on', `${action.worker} builds on ${merged.join(', ')}`);
    } catch (err) {
      const reason = `builds_on: ${(err as Error).message}`;
      await io.move({ action: 'block', node: node.id, reason });
      await recordConflict(io, node, conflictOf(err, action.worker, branches, reason));
      return { stopped: 'blocked', why: reason };
    }
  }
  await recordCheckStart(io.stateFile, io.cwd, node.id, action.command);
  // retry: N reruns a failing command; timeout: kills a run that takes too long (it counts as failed)
  const result = await runCheckWithRetry(action.command, node, dir, (attempt, r) => io.record(node.id, 'retry', `${action.command} exited ${r.exitCode ?? 'killed'} (run ${attempt} of ${(node.retry ?? 0) + 1}): running it again`));
  // the whole output goes to a file next to the run-state; the summary names it and quotes what failed
  const kept = keptOutput(io, node.id, result.output);
  await clearCheck(io.stateFile, io.cwd, node.id, kept);
  const outcome = result.passed ? 'passed' : 'failed';
  const exited = result.timedOut ? `was killed after ${node.timeout} (timeout)` : `exited ${result.exitCode ?? 'killed'}`;
  const summary = checkSummary(action.command, `${exited}${result.attempts > 1 ? ` (run ${result.attempts} of ${(node.retry ?? 0) + 1})` : ''}`, result, kept);
  io.record(node.id, 'check', `${action.command} → ${outcome} (${result.durationMs} ms${result.attempts > 1 ? `, run ${result.attempts}` : ''})${kept ? `; output: ${kept}` : ''}`);
  if (node.requires_confirmation) {
    await io.move({ action: 'wait', node: node.id, reason: `check ${outcome} (a person confirms): ${summary}` });
    return { stopped: 'confirmation', why: `check ${outcome} on ${node.id}; it requires a person's confirmation` };
  }
  if (outcomes.length > 0 && !outcomes.includes(outcome)) {
    return { stopped: 'decision', why: `check ${outcome}, but node ${node.id} has no branch labelled ${outcome} (its outcomes: ${outcomes.join(', ')})` };
  }
  if (outcomes.length === 0 && !result.passed) {
    await io.move({ action: 'block', node: node.id, reason: summary });
    return { stopped: 'blocked', why: `check failed on ${node.id}` };
  }
  await io.move({ action: 'complete', node: node.id, ...(outcomes.length ? { outcome } : {}), summary });
  return GO_ON;
}

/**
 * Keeps a check's whole `output` next to the run-state ({@link keepCheckOutput}) for the node's current
 * visit; its path relative to the project root, or undefined when it could not be written (recorded in
 * the log: the check's result still counts).
 */
export function keptOutput(io: ActIO, nodeId: string, output: string): string | undefined {
  try {
    const visit = loadRun(io.stateFile, io.cwd).state.node_states[nodeId]?.visits ?? 1;
    return keepCheckOutput(io.stateFile, io.cwd, nodeId, visit, output);
  } catch (err) {
    io.record(nodeId, 'check_output', `the check's output could not be kept: ${(err as Error).message}`);
    return undefined;
  }
}
