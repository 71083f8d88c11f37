/** Bounded polling: wait on a condition instead of sleeping a fixed time. */
import { setTimeout as delay } from 'node:timers/promises';
import { OperationError } from '../errors.js';

/** Options for {@link waitFor}. Times in milliseconds. */
export interface WaitOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Pause between two checks (default 15 ms). */
  intervalMs?: number;
  /** What is being waited for, used in the timeout message, e.g. `pane %3 to show a prompt`. */
  description?: string;
}

/** Thrown by {@link waitFor} when the bound passes; exit code 1, code `timeout`. */
export class WaitTimeoutError extends OperationError {
  constructor(description: string, timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${description}`, { code: 'timeout', details: { timeoutMs } });
  }
}

/**
 * Calls `condition` until it returns a value other than `undefined`, `null` or `false`, and resolves with
 * that value. Checks once immediately, then every `intervalMs`. Errors thrown by `condition` propagate
 * at once. Throws {@link WaitTimeoutError} after `timeoutMs` (the last check may run slightly after it).
 */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 15;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimeoutError(options.description ?? 'a condition', timeoutMs);
    await delay(Math.min(intervalMs, left));
  }
}
