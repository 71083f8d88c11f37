/**
 * The blocking wait of `workflow run --wait` and `workflow state next --wait`: do (or compute) the step,
 * and while the run only waits on workers, block until the run-state or a worker's event log changes
 * (see src/store/watch.ts: fs.watch, no polling sleep), then look again; return as soon as the controller
 * is needed, or at the deadline with `timedOut`.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startWatching, type WatchSet } from '../store/watch.js';
import type { RunReport } from '../workflow/controller.js';
import type { NextStep, RunStepRecord } from '../workflow/nodes/step.js';
import { workersDir } from './paths.js';

/**
 * How long a waiting `run`/`next` looks again even when no file changed (a pane that died without a
 * word), ms: `$AGENT_TEAM_WAIT_RECHECK_MS`, else 30 s. Tests set it high to prove the wake-ups come from
 * file changes.
 */
export const RECHECK_MS = Number(process.env.AGENT_TEAM_WAIT_RECHECK_MS) > 0 ? Number(process.env.AGENT_TEAM_WAIT_RECHECK_MS) : 30_000;

/** Name of the event log each worker's hooks append to (`.agents/workers/<id>/events.jsonl`). */
export const EVENTS_FILE = 'events.jsonl';

/** The files whose change can end a wait: the run-state, and every worker's event log. */
export function runWatchSet(root: string, stateFile: string): WatchSet {
  const dir = workersDir(root);
  let ids: string[] = [];
  try {
    ids = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    // no workers yet
  }
  // the workers folder itself: a worker created while waiting shows up (its events are watched on the next look)
  return { files: [resolve(stateFile), ...ids.map((id) => join(dir, id, EVENTS_FILE))], folders: [dir] };
}

/** Worker activities (issue 8's `activity`) that may need the controller: a turn ended without a reply, a question, a dialog, a limit, an exit. */
const NOTEWORTHY_ACTIVITY = new Set(['idle', 'needs-input', 'attention', 'rate-limited', 'exited']);

/**
 * What a step looks like to the controller (two equal keys: nothing new to judge). A worker's activity
 * counts only when it may need the controller ({@link NOTEWORTHY_ACTIVITY}); `working` ↔ `ready` does not wake it.
 */
function stepKey(step: NextStep): string {
  const activity = step.node?.activity && NOTEWORTHY_ACTIVITY.has(step.node.activity) ? step.node.activity : null;
  return JSON.stringify({ kind: step.kind, node: step.node?.id, status: step.node?.status, activity, message: step.message, commands: step.commands, choices: step.choices });
}

/** Whether `step` only asks the controller to wait (a worker is working; nothing to run). */
export function onlyWaiting(step: NextStep): boolean {
  return step.kind === 'wait' && step.commands.length === 0;
}

/**
 * How long to wait for a file change before looking again, ms: the re-check interval, or less when a
 * waiting step becomes overdue sooner (`overdue_at`, on the step or any active step), so an overdue
 * worker is reported at its deadline, not at the next re-check.
 */
function recheckFor(step: NextStep, recheckMs: number, now = Date.now()): number {
  const dues = [step, ...(step.steps ?? [])].map((s) => (s.overdue_at ? Date.parse(s.overdue_at) : NaN)).filter((t) => !Number.isNaN(t));
  // a few ms past the deadline: the visit is overdue once more than `timeout` has passed
  return dues.length ? Math.max(1, Math.min(recheckMs, Math.min(...dues) - now + 20)) : recheckMs;
}

/** Options of {@link waitForNext} and {@link runUntilNeeded}: `timeoutMs` from now; `recheckMs` default {@link RECHECK_MS}. */
export interface WaitLoopOptions {
  root: string;
  stateFile: string;
  timeoutMs: number;
  recheckMs?: number;
  signal?: AbortSignal;
}

/**
 * `state next --wait`: computes the step with `compute` and, while it {@link onlyWaiting} and has not
 * changed, blocks until a watched file changes (or a recheck); returns the step and whether the deadline
 * passed first.
 */
export async function waitForNext(compute: () => Promise<NextStep>, options: WaitLoopOptions): Promise<{ step: NextStep; timedOut: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  const watcher = startWatching(runWatchSet(options.root, options.stateFile));
  try {
    const first = await compute();
    if (!onlyWaiting(first)) return { step: first, timedOut: false };
    const key = stepKey(first);
    let last = first;
    for (;;) {
      const outcome = await watcher.wait({ deadline, recheckMs: recheckFor(last, options.recheckMs ?? RECHECK_MS), signal: options.signal });
      const step = await compute();
      last = step;
      if (!onlyWaiting(step) || stepKey(step) !== key) return { step, timedOut: false };
      if (outcome === 'timeout') return { step, timedOut: true };
    }
  } finally {
    watcher.close();
  }
}

/** Result of {@link runUntilNeeded}: the last report, every step done across rounds, and whether time ran out. */
export interface WaitedRun {
  report: RunReport;
  steps: RunStepRecord[];
  timedOut: boolean;
}

/**
 * `workflow run --wait`: runs `runOnce` (one `workflow run`, given the steps still allowed) and, while it
 * stops only because workers are working (`stopped: waiting`), blocks until a watched file changes and
 * runs again. Returns when a round stops for anything else, when a round did nothing but its next step
 * changed (e.g. a worker's activity), or at the deadline (`timedOut`).
 */
export async function runUntilNeeded(runOnce: (maxSteps: number) => Promise<RunReport>, maxSteps: number, options: WaitLoopOptions): Promise<WaitedRun> {
  const deadline = Date.now() + options.timeoutMs;
  const watcher = startWatching(runWatchSet(options.root, options.stateFile));
  const steps: RunStepRecord[] = [];
  try {
    let report = await runOnce(maxSteps);
    steps.push(...report.steps);
    let key = stepKey(report.next);
    for (;;) {
      if (report.stopped !== 'waiting' || steps.length >= maxSteps) return { report, steps, timedOut: false };
      const outcome = await watcher.wait({ deadline, recheckMs: recheckFor(report.next, options.recheckMs ?? RECHECK_MS), signal: options.signal });
      report = await runOnce(maxSteps - steps.length);
      steps.push(...report.steps);
      if (report.stopped === 'waiting' && report.steps.length === 0 && stepKey(report.next) !== key) return { report, steps, timedOut: false };
      key = stepKey(report.next);
      if (report.stopped === 'waiting' && outcome === 'timeout') return { report, steps, timedOut: true };
    }
  } finally {
    watcher.close();
  }
}
