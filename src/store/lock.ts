/**
 * Per-file locks for read-modify-write cycles, with stale-lock recovery (a lock whose holder died is
 * taken over after {@link STALE_MS}). The lock is a `<file>.lock` folder (mkdir is atomic) whose mtime
 * the holder refreshes — the same protocol as `proper-lockfile`, which this replaces because loading it
 * (with graceful-fs, which patches `fs`) cost ~8 ms on every transition (bench/README.md).
 */
import { mkdirSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import { dirname } from 'node:path';
import { OperationError } from '../errors.js';

/** A lock not refreshed for this long (ms) is considered abandoned by a crashed process. */
export const STALE_MS = 10_000;

/** How often (ms) a holder refreshes its lock's mtime: well inside {@link STALE_MS}. */
const REFRESH_MS = STALE_MS / 2;
/** Retry schedule while another process holds the lock: ~400 tries, 5 ms growing to 80 ms (≈ 30 s). */
const RETRIES = 400;
const MIN_DELAY_MS = 5;
const MAX_DELAY_MS = 80;
const FACTOR = 1.3;

/** Lock folders this process holds, removed on exit (e.g. SIGINT → exit 130) so no one waits for them. */
const held = new Set<string>();
let exitHookInstalled = false;

function releaseQuietly(lockPath: string): void {
  held.delete(lockPath);
  try {
    rmdirSync(lockPath);
  } catch {
    // already removed (taken over as stale, or by hand)
  }
}

/** Tries once to take the lock: true when taken; a stale lock is removed and retried at once. */
function tryAcquire(lockPath: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lockPath);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let mtime: number;
    try {
      mtime = statSync(lockPath).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again now
      throw err;
    }
    if (mtime >= Date.now() - STALE_MS) return false;
    if (!removeStale(lockPath)) return false;
  }
  return false;
}

/**
 * Removes a lock folder abandoned by a crashed holder, if it is still stale. Serialized by a
 * `<lock>.takeover` folder: without it, two processes that both saw the stale lock could each remove
 * it, the second removing the fresh lock the first had just taken, and both would write (measured:
 * 20 writers meeting a stale lock kept 12–16 of 20 updates). Returns true when the lock is gone.
 */
function removeStale(lockPath: string): boolean {
  const guard = `${lockPath}.takeover`;
  try {
    mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    try {
      // a guard left by a process that died inside this function (held for microseconds otherwise)
      if (statSync(guard).mtimeMs < Date.now() - STALE_MS) rmdirSync(guard);
    } catch {
      // gone meanwhile
    }
    return false;
  }
  try {
    let mtime: number;
    try {
      mtime = statSync(lockPath).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw err;
    }
    // re-checked under the guard: another process may have taken the lock over already
    if (mtime >= Date.now() - STALE_MS) return false;
    try {
      rmdirSync(lockPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return true;
  } finally {
    try {
      rmdirSync(guard);
    } catch {
      // nothing to clean
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` while holding the lock on `file`, and releases it afterwards even when `fn` throws. Waits
 * up to ~30 s for other holders. Throws {@link OperationError} (code `lock_timeout`) when the lock
 * cannot be had in time, and the fs error (e.g. ENOENT when the folder of `file` is missing) when the
 * lock folder cannot be created at all.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
  const lockPath = `${file}.lock`;
  let acquired = false;
  try {
    for (let attempt = 0; ; attempt++) {
      if (tryAcquire(lockPath)) break;
      if (attempt >= RETRIES) throw new Error(`still locked after ${RETRIES} tries`);
      const delay = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * FACTOR ** attempt) * (1 + Math.random());
      await sleep(delay);
    }
    acquired = true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw err;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new OperationError(`${file}: cannot lock the file: the folder ${dirname(lockPath)} is not writable (${code})`, {
        code: 'not_writable',
        hint: `make ${dirname(lockPath)} writable for this user, or run as the user who owns it`,
        cause: err,
      });
    }
    throw new OperationError(`${file}: could not lock the file (another agent-team process holds ${lockPath}): ${(err as Error).message}`, {
      code: 'lock_timeout',
      hint: `if no agent-team process is running, remove the folder ${lockPath}`,
      cause: err,
    });
  }
  held.add(lockPath);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const l of held) releaseQuietly(l);
    });
  }
  // Keep the lock fresh while `fn` runs for long (synchronous cycles finish before the first tick).
  const refresh = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(lockPath, now, now);
    } catch {
      // taken over as stale: our write is still atomic, so we only finish
    }
  }, REFRESH_MS);
  refresh.unref();
  try {
    return await fn();
  } finally {
    clearInterval(refresh);
    if (acquired) releaseQuietly(lockPath);
  }
}
