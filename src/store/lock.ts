/**
 * Per-file locks for read-modify-write cycles, with stale-lock recovery (a lock whose holder died is
 * taken over after {@link STALE_MS}). Built on `proper-lockfile` (a `<file>.lock` folder, mtime-refreshed).
 */
import lockfile from 'proper-lockfile';
import { OperationError } from '../errors.js';

/** A lock not refreshed for this long (ms) is considered abandoned by a crashed process. */
export const STALE_MS = 10_000;

/**
 * Runs `fn` while holding the lock on `file` (which must exist), and releases it afterwards even when
 * `fn` throws. Waits up to ~30 s for other holders. Throws {@link OperationError} when the lock
 * cannot be had in time.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      stale: STALE_MS,
      retries: { retries: 400, factor: 1.3, minTimeout: 5, maxTimeout: 80, randomize: true },
      onCompromised: () => {
        // Another process took the lock over as stale; our write is still atomic, so we only finish.
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw err;
    throw new OperationError(`${file}: could not lock the file (another agent-team process holds ${file}.lock): ${(err as Error).message}`, {
      code: 'lock_timeout',
      hint: `if no agent-team process is running, remove the folder ${file}.lock`,
      cause: err,
    });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
