/**
 * The controller loop (`workflow run`, execution mode `semi_auto`): performs every step that needs no
 * judgement — assigning nodes to workers, running checks, merging when approved, turning worker replies
 * into transitions — and stops at the first step that does, returning why and the `next` step. Each
 * step is the node type's `plan` (the same `state next` prints) carried out by its `act`.
 * Worker operations come through a {@link WorkerPort} so this module depends only on the store.
 * It never guesses an outcome: only a worker's reply, a check's exit code or the controller gives one.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { withFileLock } from '../store/lock.js';
import { OperationError } from '../errors.js';
import { NODE_MODULES, planStep } from './nodes/index.js';
import type { ActIO, NextStep, RunStepRecord, StopReason } from './nodes/step.js';
import type { RunState, WorkflowNode } from './schema.js';
import { loadRun, transitionRun } from './state-service.js';
import type { WorkerPort } from './worker-port.js';

export type { WorkerPort } from './worker-port.js';
export type { RunStepRecord, StopReason } from './nodes/step.js';

/** Options of {@link runController}. */
export interface RunOptions {
  stateFile: string;
  port: WorkerPort;
  /** Approves merges (and nothing else). */
  yes?: boolean;
  /** Runs again a check whose earlier run did not finish (else the loop stops and reports it). */
  rerunCheck?: boolean;
  cwd?: string;
  /** Safety bound on steps in one call (default 100). */
  maxSteps?: number;
  /** Called after each step (for live output). */
  onStep?: (step: RunStepRecord) => void;
}

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
  const stop = (stopped: StopReason, why: string): RunReport => {
    const run = loadRun(stateFile, cwd);
    const template = run.template?.template;
    if (!template) throw new OperationError(`cannot compute the next step: ${run.templateProblem ?? 'template unavailable'}`);
    return { steps, stopped, why, next: planStep(run.state, template, stateFile, port).next, state: run.state };
  };

  for (let i = 0; i < (options.maxSteps ?? 100); i++) {
    const run = loadRun(stateFile, cwd);
    if (!run.template || run.templateProblem) throw new OperationError(`cannot run ${stateFile}: ${run.templateProblem ?? 'template unavailable'}`, { hint: `fix ${run.state.workflow_file}` });
    const template = run.template.template;
    const step = planStep(run.state, template, stateFile, port);
    const node = run.template.nodes.get(run.state.current_node) as WorkflowNode | undefined;
    if (!node || (step.action.kind === 'stop' && step.action.stopped === 'completed')) return stop('completed', step.action.kind === 'stop' ? step.action.why : `run ${run.state.run_id} is completed`);
    const io: ActIO = {
      port,
      stateFile,
      cwd,
      template,
      yes: options.yes === true,
      rerunCheck: options.rerunCheck === true,
      move: async (m) => {
        await transitionRun(stateFile, m, cwd);
      },
      record: (node, action, detail) => {
        const s = { node, action, detail };
        steps.push(s);
        options.onStep?.(s);
      },
    };
    const result = await NODE_MODULES[node.type].act(step, node, io);
    if (result.stopped !== null) return stop(result.stopped, result.why);
  }
  return stop('max_steps', `stopped after ${options.maxSteps ?? 100} steps`);
}
