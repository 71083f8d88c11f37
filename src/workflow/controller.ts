/**
 * The controller loop (`workflow run`, execution mode `semi_auto`): performs every step that needs no
 * judgement — assigning nodes to workers, running checks, merging when approved, turning worker replies
 * into transitions — and stops at the first step that does, returning why and the `next` step.
 * Worker operations come through a {@link WorkerPort} so this module depends only on the store.
 * It never guesses an outcome: only a worker's reply, a check's exit code or the controller gives one.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { withFileLock } from '../store/lock.js';
import { OperationError } from '../errors.js';
import { projectRoot } from '../store/paths.js';
import { runCheckCommand } from './check-command.js';
import { assignmentText, chooseWorker, isAssignedNode, nextStep, workerForActor, type NextStep, type WorkerLookup } from './next.js';
import type { RunState, WorkflowNode } from './schema.js';
import { loadRun, transitionRun } from './state-service.js';
import { outcomesOf, type TransitionAction } from './transitions.js';

/** Worker operations the loop needs; implemented in `src/worker/` over real git and session backends. */
export interface WorkerPort extends WorkerLookup {
  /** Whether another active run waits on the worker. */
  busy(id: string): boolean;
  /** An existing idle worker of `role` (clean worktree, no active run waiting on it) other than `exclude`, for `reuse_worker`. */
  findIdle(role: string, exclude: string[]): Promise<string | undefined>;
  /** Creates a worker for `role` (no worktree yet) and returns its id. */
  create(role: string): Promise<string>;
  /** Opens the worker (worktree, pane, provider) unless it is running; `opened` when it had to. */
  open(id: string): Promise<{ opened: boolean }>;
  /** Gives the worker a change and types the assignment; returns the change folder. */
  assign(id: string, description: string): Promise<{ change: string }>;
  /** Merges `team/<id>` into the current branch; throws OperationError on conflict (branch unchanged). */
  merge(id: string): Promise<{ summary: string }>;
  /** The worker's worktree folder, when created. */
  worktree(id: string): string | undefined;
}

/** Options of {@link runController}. */
export interface RunOptions {
  stateFile: string;
  port: WorkerPort;
  /** Approves merges (and nothing else). */
  yes?: boolean;
  cwd?: string;
  /** Safety bound on steps in one call (default 100). */
  maxSteps?: number;
  /** Called after each step (for live output). */
  onStep?: (step: RunStepRecord) => void;
}

/** One thing the loop did. */
export interface RunStepRecord {
  node: string;
  action: string;
  detail: string;
}

/** Why the loop stopped. */
export type StopReason = 'completed' | 'manual' | 'waiting' | 'decision' | 'confirmation' | 'blocked' | 'max_steps';

/** Result of {@link runController}. */
export interface RunReport {
  steps: RunStepRecord[];
  stopped: StopReason;
  /** One sentence: why it stopped. */
  why: string;
  next: NextStep;
  state: RunState;
}

/**
 * Steps the run at `stateFile` until a step needs judgement. Throws UnreadableFileError for a bad
 * run-state and TransitionError when the template is unusable; a failed merge or worker error blocks
 * the run (recorded) instead of throwing.
 */
export async function runController(options: RunOptions): Promise<RunReport> {
  // One controller at a time per run: a second `workflow run` waits, then sees the first one's work
  // (e.g. the node already assigned and waiting) instead of assigning it twice.
  const path = resolve(options.cwd ?? process.cwd(), options.stateFile);
  if (!existsSync(path)) loadRun(options.stateFile, options.cwd); // the friendly not-found error
  return withFileLock(`${path}.run`, () => runLoop(options));
}

async function runLoop(options: RunOptions): Promise<RunReport> {
  const cwd = options.cwd ?? process.cwd();
  const { port, stateFile } = options;
  const steps: RunStepRecord[] = [];
  const record = (node: string, action: string, detail: string) => {
    const s = { node, action, detail };
    steps.push(s);
    options.onStep?.(s);
  };
  const move = (action: TransitionAction, node: string, extra: { reason?: string; outcome?: string; worker?: string; summary?: string } = {}) =>
    transitionRun(stateFile, { action, node, ...extra }, cwd);
  const stop = (stopped: StopReason, why: string): RunReport => {
    const run = loadRun(stateFile, cwd);
    const template = run.template?.template;
    if (!template) throw new OperationError(`cannot compute the next step: ${run.templateProblem ?? 'template unavailable'}`);
    return { steps, stopped, why, next: nextStep(run.state, template, stateFile, port), state: run.state };
  };

  for (let i = 0; i < (options.maxSteps ?? 100); i++) {
    const run = loadRun(stateFile, cwd);
    if (!run.template || run.templateProblem) throw new OperationError(`cannot run ${stateFile}: ${run.templateProblem ?? 'template unavailable'}`, { hint: `fix ${run.state.workflow_file}` });
    const { state } = run;
    const template = run.template.template;
    if (state.status === 'completed') return stop('completed', `run ${state.run_id} is completed`);
    if ((template.defaults?.execution_mode ?? 'semi_auto') === 'manual') return stop('manual', 'execution_mode is manual: workflow run only prints the next step');
    const node = run.template.nodes.get(state.current_node) as WorkflowNode;
    const ns = state.node_states[node.id] ?? { status: 'pending' as const };
    if (state.status === 'blocked' || ns.status === 'blocked') return stop('blocked', `node ${node.id} is blocked: ${state.blocking_reason || ns.summary || ''}`);
    const requiresConfirmation = node.requires_confirmation === true;
    const outcomes = outcomesOf(node);
    const awaitConfirmation = async (reason: string) => {
      if (ns.status !== 'waiting') await move('wait', node.id, { reason });
      return stop('confirmation', `node ${node.id} requires confirmation: ${reason}`);
    };

    // 1. A worker replied: complete, block, or hand the decision to the controller.
    const reply = ns.reply;
    if (reply && (ns.status === 'waiting' || ns.status === 'running')) {
      if (reply.status === 'blocked') {
        await move('block', node.id, { reason: `${reply.worker}: ${reply.message}` });
        record(node.id, 'block', `${reply.worker} is blocked: ${reply.message}`);
        return stop('blocked', `${reply.worker} reported it is blocked`);
      }
      if (reply.status === 'needs-input') return stop('decision', `${reply.worker} needs input: ${reply.message}`);
      const usable = outcomes.length === 0 || (reply.outcome !== undefined && outcomes.includes(reply.outcome));
      if (!usable) return stop('decision', `${reply.worker} replied without one of the outcomes ${outcomes.join('|')} (got ${reply.outcome ?? 'none'}): the controller decides`);
      if (requiresConfirmation) return awaitConfirmation(`${reply.worker} finished: ${reply.message}`);
      await move('complete', node.id, { outcome: reply.outcome, worker: reply.worker, summary: reply.message });
      record(node.id, 'complete', `${reply.worker} finished${reply.outcome ? ` (${reply.outcome})` : ''}: ${reply.message}`);
      continue;
    }

    // 2. Work done by a worker: the same choice `next` prints (chooseWorker).
    if (isAssignedNode(node)) {
      const role = node.actor ? template.roles[node.actor]?.role : undefined;
      let choice = chooseWorker(state, template, node, port);
      if ((choice.kind === 'create' || choice.kind === 'none') && role && template.defaults?.reuse_worker !== false) {
        choice = chooseWorker(state, template, node, port, await port.findIdle(role, []));
      }
      if (choice.kind === 'none') return stop('decision', choice.reason);
      if (ns.status === 'waiting' && choice.kind === 'existing') {
        if (port.running?.(choice.id) === false) {
          await port.open(choice.id);
          await port.assign(choice.id, assignmentText(template, node));
          record(node.id, 'reopen', `${choice.id} had stopped: reopened in its worktree and given ${node.id} again`);
        }
        return stop('waiting', `waiting for ${choice.id} to reply on ${node.id}`);
      }
      let worker = choice.id;
      if (choice.kind === 'reuse') record(node.id, 'reuse', `reusing idle worker ${worker} (${role})`);
      if (choice.kind === 'create') {
        worker = await port.create(role as string);
        record(node.id, 'create', `created worker ${worker} (${role})`);
      }
      const { opened } = await port.open(worker);
      if (opened) record(node.id, 'open', `opened ${worker}`);
      if (ns.status === 'pending') await move('start', node.id, { worker });
      const { change } = await port.assign(worker, assignmentText(template, node));
      record(node.id, 'assign', `assigned ${node.id} to ${worker} (${change})`);
      await move('wait', node.id, { worker, reason: `waiting for ${worker}` });
      return stop('waiting', `waiting for ${worker} to reply on ${node.id}`);
    }

    if (node.type === 'wait_for_completion') {
      const worker = ns.worker ?? workerForActor(state, template, node.actor);
      if (ns.status !== 'waiting') await move('wait', node.id, { reason: `waiting for ${worker ?? node.actor}`, ...(worker ? { worker } : {}) });
      if (worker && port.exists(worker) && port.running?.(worker) === false) {
        // Nothing was assigned here, so only the agent is restarted, in its worktree with its open changes.
        await port.open(worker);
        record(node.id, 'reopen', `${worker} had stopped: reopened in its worktree`);
      }
      return stop('waiting', `waiting for ${worker ?? node.actor} to reply on ${node.id}`);
    }

    // 3. A check command.
    if (node.command && (node.type === 'verify_or_test' || node.type === 'controller_task')) {
      // A node that requires confirmation runs its check once, then waits for a person to confirm the result.
      if (requiresConfirmation && ns.status === 'waiting') return stop('confirmation', `node ${node.id} requires confirmation of its check: ${ns.summary ?? ''}`);
      const worker = workerForActor(state, template, node.actor);
      const dir = (worker && port.worktree(worker)) || projectRoot(dirname(run.path));
      if (ns.status === 'pending') await move('start', node.id);
      const result = await runCheckCommand(node.command, dir);
      const outcome = result.passed ? 'passed' : 'failed';
      const summary = `\`${node.command}\` exited ${result.exitCode ?? 'killed'}${result.tail ? `:\n${result.tail}` : ''}`;
      record(node.id, 'check', `${node.command} → ${outcome} (${result.durationMs} ms)`);
      if (requiresConfirmation) {
        await move('wait', node.id, { reason: `check ${outcome} (a person confirms): ${summary}` });
        return stop('confirmation', `check ${outcome} on ${node.id}; it requires a person's confirmation`);
      }
      if (outcomes.length > 0 && !outcomes.includes(outcome)) {
        return stop('decision', `check ${outcome}, but node ${node.id} has no branch labelled ${outcome} (${outcomes.join('|')})`);
      }
      if (outcomes.length === 0 && !result.passed) {
        await move('block', node.id, { reason: summary });
        return stop('blocked', `check failed on ${node.id}`);
      }
      await move('complete', node.id, { ...(outcomes.length ? { outcome } : {}), summary });
      continue;
    }

    // 4. A merge: only when approved.
    if (node.type === 'merge') {
      const worker = workerForActor(state, template, node.actor);
      if (!worker) return stop('decision', `merge node ${node.id}: no worker plays ${node.actor} yet`);
      if (!options.yes) {
        if (ns.status !== 'waiting') await move('wait', node.id, { worker, reason: `merge of team/${worker} awaits approval` });
        return stop('confirmation', `merging team/${worker} needs approval: rerun with --yes`);
      }
      if (ns.status === 'pending') await move('start', node.id, { worker });
      try {
        const { summary } = await port.merge(worker);
        await move(requiresConfirmation ? 'confirm' : 'complete', node.id, { worker, summary, ...(outcomes.includes('merged') ? { outcome: 'merged' } : {}) });
        record(node.id, 'merge', summary);
      } catch (err) {
        const reason = `merge of team/${worker} failed: ${(err as Error).message}`;
        await move('block', node.id, { reason });
        record(node.id, 'block', reason);
        return stop('blocked', reason);
      }
      continue;
    }

    // 5. The controller's judgement.
    if (requiresConfirmation) return awaitConfirmation(node.task ?? node.id);
    return stop('decision', `node ${node.id} (${node.type}) is the controller's: ${node.task ?? ''}`);
  }
  return stop('max_steps', `stopped after ${options.maxSteps ?? 100} steps`);
}
