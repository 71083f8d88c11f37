/**
 * Critical sections: multi-step changes that must finish or be undone before the process may stop (a
 * merge and its abort, a rebase and its abort). An interrupt (SIGINT/SIGTERM) that arrives inside one is
 * deferred until the section ends; the CLI registers what an interrupt does with {@link runOrDefer}.
 */

/** Process-wide by nature (signals are): how many critical sections run now, and the interrupt deferred until they end. */
let depth = 0;
let deferred: (() => void) | undefined;

/** Runs `fn` with interrupts deferred until it settles (then a deferred interrupt runs). */
export async function uninterruptible<T>(fn: () => Promise<T>): Promise<T> {
  depth++;
  try {
    return await fn();
  } finally {
    depth--;
    if (depth === 0 && deferred) {
      const action = deferred;
      deferred = undefined;
      action();
    }
  }
}

/** Runs `action` now, or when the current critical section ends. */
export function runOrDefer(action: () => void): void {
  if (depth > 0) deferred = action;
  else action();
}
