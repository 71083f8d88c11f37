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
import { NODE_MODULES, planStep, planSteps } from './nodes/index.js';
import type { ActIO, NextStep, RunStepRecord, Step, StopReason } from './nodes/step.js';
import type { RunState, WorkflowNode, WorkflowTemplate } from './schema.js';
import { loadRun, transitionRun } from './state-service.js';
import type { WorkerPort } from './worker-port.js';

export type { WorkerPort } from './worker-port.js';
export type { RunStepRecord, StopReason } from './nodes/step.js';

/** Options of {@link runController}. */
export interface RunOptions {
  stateFile: string;
  port: WorkerPort;
  /**
   * The merge visits the person approved, as {@link approvalKey}s (`workflow run --yes` passes
   * {@link awaitingApproval} of the run as the command started); a merge not listed stops for approval
   * (its node waits). Default: none.
   */
  approved?: ReadonlySet<string>;
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

/** The key of visit `visits` of node `id` in {@link RunOptions.approved}: `<id>#<visits>`. */
export function approvalKey(id: string, visits: number): string {
  return `${id}#${visits}`;
}

/**
 * The merge visits of the run at `stateFile` that wait for approval now, as {@link approvalKey}s: a merge
 * or merge train whose step is `confirm` and whose node an earlier `workflow run` put in `waiting` when it
 * stopped there for approval (so the controller was shown it), or that the controller started itself
 * (`state start --node <merge>`, e.g. to clear a block after resolving a conflict): not one still `pending`. What `workflow run --yes` approves is read
 * once, when the command starts: a merge the run reaches later in the same call, one only reached by hand
 * (`state complete` of the node before), or a later visit of the same node stops for approval first.
 * Throws like {@link loadRun}.
 */
export function awaitingApproval(stateFile: string, port: WorkerPort, cwd = process.cwd()): Set<string> {
  const run = loadRun(stateFile, cwd);
  const template = run.template?.template;
  if (!template) return new Set();
  const steps = planSteps(run.state, template, stateFile, port);
  const waiting = steps.filter((s) => s.node && s.next.kind === 'confirm' && (s.action.kind === 'merge' || s.action.kind === 'train') && (s.next.node?.status === 'waiting' || s.next.node?.status === 'running'));
  return new Set(waiting.map((s) => approvalKey((s.node as WorkflowNode).id, s.next.node?.visits ?? 0)));
}

async function runLoop(options: RunOptions): Promise<RunReport> {
  const cwd = options.cwd ?? process.cwd();
  const { port, stateFile } = options;
  const steps: RunStepRecord[] = [];
  const stop = (stopped: StopReason, why: string): RunReport => {
    const run = loadRun(stateFile, cwd);
    const template = run.template?.template;
    if (!template) throw new OperationError(`cannot compute the next step: ${run.templateProblem ?? 'template unavailable'}`);
    const fresh = planStep(run.state, template, stateFile, port);
    // time may have turned a wait into a decision since the round was planned (a worker became overdue):
    // report what the controller is shown, never "waiting" next to a decision
    const now = stopped === 'waiting' ? pureStop(fresh) : undefined;
    if (now && now.stopped !== 'waiting') return { steps, stopped: now.stopped, why: now.why, next: fresh.next, state: run.state };
    return { steps, stopped, why, next: fresh.next, state: run.state };
  };
  const io = (template: WorkflowTemplate): ActIO => ({
    port,
    stateFile,
    cwd,
    template,
    approved: (id, visits) => options.approved?.has(approvalKey(id, visits)) === true,
    rerunCheck: options.rerunCheck === true,
    move: async (m) => {
      await transitionRun(stateFile, m, cwd);
    },
    record: (node, action, detail) => {
      const s = { node, action, detail };
      steps.push(s);
      options.onStep?.(s);
    },
  });
  // A step that stopped (waiting, needs a decision…) is not acted on again in this call: the loop goes
  // on with the other active steps and ends when every one has stopped.
  const settled = new Map<string, { stopped: StopReason; why: string }>();
  const maxSteps = options.maxSteps ?? 100;
  let acted = 0;
  while (acted < maxSteps) {
    const run = loadRun(stateFile, cwd);
    if (!run.template || run.templateProblem) throw new OperationError(`cannot run ${stateFile}: ${run.templateProblem ?? 'template unavailable'}`, { hint: `fix ${run.state.workflow_file}` });
    const template = run.template.template;
    const planned = planSteps(run.state, template, stateFile, port);
    const first = planned[0];
    if (!first?.node || run.state.status === 'completed' || run.state.status === 'cancelled') {
      return stop('completed', first?.action.kind === 'stop' ? first.action.why : `run ${run.state.run_id} is completed`);
    }
    const todo = planned.filter((s) => s.node && !settled.has(stepKey(s)) && !pureStop(s)).slice(0, Math.max(1, maxSteps - acted));
    if (todo.length === 0) return stopAll(planned, settled, stop);
    // Checks run concurrently. Assignments overlap too: each starts once the previous one has chosen
    // and recorded its worker (so worker ids are handed out in step order), then opens its worker while
    // the next one is chosen. Everything else (merges, transitions) runs one after another.
    const act = async (s: Step, reserved?: () => void) => {
      const node = s.node as WorkflowNode;
      try {
        const result = await NODE_MODULES[node.type].act(s, node, { ...io(template), ...(reserved ? { reserved } : {}) });
        if (result.stopped !== null) settled.set(stepKey(s), { stopped: result.stopped, why: result.why });
      } finally {
        reserved?.();
      }
    };
    const checks = Promise.allSettled(todo.filter((s) => s.action.kind === 'check').map((s) => act(s))).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
    let chosen: Promise<void> = Promise.resolve();
    const assigns = todo.filter((s) => s.action.kind === 'assign').map((s) => {
      const turn = chosen;
      let release = () => {};
      chosen = new Promise<void>((r) => (release = r));
      return turn.then(() => act(s, release));
    });
    const others = (async () => {
      for (const s of todo.filter((x) => x.action.kind !== 'check' && x.action.kind !== 'assign')) await act(s);
    })();
    // every step of the round ends before the loop goes on or fails: a failed step must not release the
    // run lock while the others are still opening their workers (the next call would open them again)
    const failed = (await Promise.allSettled([others, checks, ...assigns])).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    acted += todo.length;
  }
  return stop('max_steps', `stopped after ${maxSteps} steps`);
}

/** Identifies a step across iterations: the node or instance and its visit. */
function stepKey(s: Step): string {
  return `${s.next.node?.id}#${s.next.node?.visits}`;
}

/** A step that only says why it waits (nothing to apply): planned again each iteration, never acted on. */
function pureStop(s: Step): { stopped: StopReason; why: string } | undefined {
  const a = s.action;
  if (a.kind === 'stop' && !a.moves?.length && !a.record) return { stopped: a.stopped, why: a.why };
  if (a.kind === 'resume' && !a.moves?.length && !a.reopen) return { stopped: 'waiting', why: a.why };
  return undefined;
}

/** Stop priority when several steps stopped: the one that most needs the controller comes first. */
const STOP_ORDER: StopReason[] = ['blocked', 'confirmation', 'decision', 'manual', 'waiting', 'completed', 'max_steps'];

/** The report when every active step has stopped: the most pressing reason, every step's why. */
function stopAll(planned: Step[], settled: Map<string, { stopped: StopReason; why: string }>, stop: (s: StopReason, why: string) => RunReport): RunReport {
  const reasons = planned.map((s) => settled.get(stepKey(s)) ?? pureStop(s)).filter((r): r is { stopped: StopReason; why: string } => r !== undefined);
  reasons.sort((a, b) => STOP_ORDER.indexOf(a.stopped) - STOP_ORDER.indexOf(b.stopped));
  const top = reasons[0] ?? { stopped: 'waiting' as StopReason, why: 'every active step waits' };
  return stop(top.stopped, reasons.length > 1 ? reasons.map((r) => r.why).join('; ') : top.why);
}
