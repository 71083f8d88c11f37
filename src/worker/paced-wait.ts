/**
 * Waiting on a worker's pane without a tight poll. What a worker's agent does shows first in files of its
 * folder `.agents/workers/<id>/`: its hooks append to `events.jsonl`, the pane program marks the start and
 * the end of the launch command (open.ts). A check that needs the multiplexer (is the agent in front,
 * what does the pane show) therefore runs again when a file there changes (fs.watch, store/watch.ts), and
 * otherwise only after a pause that starts short and doubles up to a ceiling: what no file shows (a
 * dialog on screen, a pane killed from outside) is still seen within that ceiling. Measured with the
 * stand-in agent as claude (tmux 3.3a, 2 cores): `worker assign` ran 12–28 tmux clients with a fixed
 * 15–25 ms poll, most of them `list-panes`; see test/worker/e2e-tmux-calls.test.ts for the count now.
 */
import { startWatching } from '../store/watch.js';

/** Pauses between two checks when no file changed, ms: the first one, and the ceiling doubling stops at. */
export interface Pace {
  firstMs: number;
  maxMs: number;
}

/** The default {@link Pace}: 20 ms, doubling up to 250 ms (the pane just changed: what follows comes soon). */
export const PACE: Pace = { firstMs: 20, maxMs: 250 };

/**
 * The {@link Pace} of waiting for an agent whose events say what it does (start, take a prompt): 100 ms
 * doubling up to 1 s. The pane is looked at besides for what no event says (a dialog, an exit), which
 * waits for a person anyway.
 */
export const EVENT_PACE: Pace = { firstMs: 100, maxMs: 1000 };

/** Shortest time between two checks, ms, however often the folders change. */
const MIN_GAP_MS = 10;

/** Why {@link pacedWait} runs the check: the first time, a file changed, or a pause passed (or the deadline). */
export type Wake = 'start' | 'changed' | 'paused';

/** Options of {@link pacedWait}. */
export interface PacedWaitOptions {
  /** Folders whose entries' changes wake the check at once (those that do not exist are not watched). */
  folders: string[];
  /** Absolute time (ms since the epoch) after which the last check runs and `undefined` is returned. */
  deadline: number;
  pace?: Pace;
}

/**
 * Runs `check` now and again after each change in `options.folders` or paced pause (see the module
 * comment), until it returns a value other than `undefined` (returned) or the deadline passed after a
 * last check (`undefined`). `check` is told why it runs ({@link Wake}). A change resets the pause to its
 * first length: more is likely to follow.
 * Errors thrown by `check` propagate.
 */
export async function pacedWait<T>(check: (woke: Wake) => Promise<T | undefined>, options: PacedWaitOptions): Promise<T | undefined> {
  const pace = options.pace ?? PACE;
  const watcher = startWatching({ files: [], folders: options.folders }, { fallbackPollMs: pace.maxMs });
  try {
    let pause = pace.firstMs;
    let last = 0;
    let woke: Wake = 'start';
    for (;;) {
      // a folder that changes all the time (the process backend's output log) must not make this a busy loop
      const gap = last + MIN_GAP_MS - Date.now();
      if (gap > 0) await new Promise((r) => setTimeout(r, gap));
      last = Date.now();
      const value = await check(woke);
      if (value !== undefined) return value;
      const left = options.deadline - Date.now();
      if (left <= 0) return undefined;
      const outcome = await watcher.wait({ deadline: options.deadline, recheckMs: Math.min(pause, left) });
      pause = outcome === 'changed' ? pace.firstMs : Math.min(pause * 2, pace.maxMs);
      woke = outcome === 'changed' ? 'changed' : 'paused';
    }
  } finally {
    watcher.close();
  }
}
