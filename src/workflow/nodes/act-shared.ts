/**
 * Act pieces several node types share: applying a step's transitions and stopping or going on, giving a
 * worker its task (through {@link reserveWorker}), resuming a wait, and running a check command.
 */
import { dirname, resolve } from 'node:path';
import { projectRoot } from '../../store/paths.js';
import { clearCheck, describeUnfinishedCheck, recordCheckStart, runCheckCommand, unfinishedCheck } from '../check-command.js';
import type { WorkflowNode } from '../schema.js';
import { loadRun } from '../state-service.js';
import { reserveWorker } from '../worker-choice.js';
import type { ActIO, ActResult, Move, RunAction, Step } from './step.js';

const GO_ON: ActResult = { stopped: null };

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
        if (action.reassign !== undefined) await io.port.assign(action.reopen, action.reassign);
        io.record(node.id, 'reopen', action.detail ?? `${action.reopen} had stopped: reopened in its worktree`);
      }
      return { stopped: 'waiting', why: action.why };
    case 'assign':
      return actAssign(action.text, node, io);
    default:
      throw new Error(`node type ${node.type} cannot ${action.kind} (this is a bug in agent-team)`);
  }
}

/** Reserves the worker (choose + record under the workers lock), opens it, types the task, waits. */
async function actAssign(text: string, node: WorkflowNode, io: ActIO): Promise<ActResult> {
  const reserved = await reserveWorker({ stateFile: io.stateFile, cwd: io.cwd, template: io.template, node, port: io.port });
  if (reserved.kind === 'none') return { stopped: 'decision', why: reserved.reason };
  const worker = reserved.id;
  const role = node.actor ? io.template.roles[node.actor]?.role : undefined;
  if (reserved.kind === 'reuse') io.record(node.id, 'reuse', `reusing idle worker ${worker} (${role})`);
  if (reserved.kind === 'create') io.record(node.id, 'create', `created worker ${worker} (${role})`);
  const { opened } = await io.port.open(worker);
  if (opened) io.record(node.id, 'open', `opened ${worker}`);
  const { change } = await io.port.assign(worker, text);
  io.record(node.id, 'assign', `assigned ${node.id} to ${worker} (${change})`);
  await io.move({ action: 'wait', node: node.id, worker, reason: `waiting for ${worker}` });
  return { stopped: 'waiting', why: `waiting for ${worker} to reply on ${node.id}` };
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
  await recordCheckStart(io.stateFile, io.cwd, node.id, action.command);
  const result = await runCheckCommand(action.command, dir);
  await clearCheck(io.stateFile, io.cwd, node.id);
  const outcome = result.passed ? 'passed' : 'failed';
  const summary = `\`${action.command}\` exited ${result.exitCode ?? 'killed'}${result.tail ? `:\n${result.tail}` : ''}`;
  io.record(node.id, 'check', `${action.command} → ${outcome} (${result.durationMs} ms)`);
  if (node.requires_confirmation) {
    await io.move({ action: 'wait', node: node.id, reason: `check ${outcome} (a person confirms): ${summary}` });
    return { stopped: 'confirmation', why: `check ${outcome} on ${node.id}; it requires a person's confirmation` };
  }
  if (outcomes.length > 0 && !outcomes.includes(outcome)) {
    return { stopped: 'decision', why: `check ${outcome}, but node ${node.id} has no branch labelled ${outcome} (${outcomes.join('|')})` };
  }
  if (outcomes.length === 0 && !result.passed) {
    await io.move({ action: 'block', node: node.id, reason: summary });
    return { stopped: 'blocked', why: `check failed on ${node.id}` };
  }
  await io.move({ action: 'complete', node: node.id, ...(outcomes.length ? { outcome } : {}), summary });
  return GO_ON;
}
