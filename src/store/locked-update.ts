/**
 * The locked read-modify-write cycle every stored file goes through: take the file's lock, read it
 * (bounded), compute the new content, check that the file is still the one that was read, and replace it
 * atomically. The check catches any writer that did not respect the lock (a lock removed by hand, a
 * holder on another host judged stale), in which case the cycle starts over on the new content.
 */
import { OperationError } from '../errors.js';
import { writeFileAtomicSync } from './atomic-write.js';
import { withFileLock } from './lock.js';
import { currentIdentity, readFileBounded, sameFile, type FileSnapshot, type ReadOptions } from './read-file.js';

/** How many times a cycle is started over when the file changed under it before giving up. */
const ATTEMPTS = 5;

/** What a change function returns: the new content (undefined: write nothing) and a result to hand back. */
export interface UpdateOutcome<R> {
  content?: string;
  result: R;
}

/**
 * Runs `change` on the current bytes of `path` under its lock and writes what it returns. `change` may
 * run more than once (it must be pure apart from its return value). Throws what `change`, the bounded
 * read ({@link readFileBounded}) or the lock throw; OperationError `file_changed` when the file kept
 * changing under the lock ({@link ATTEMPTS} times).
 */
export async function updateFileLocked<R>(path: string, read: ReadOptions, change: (snapshot: FileSnapshot) => UpdateOutcome<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await withFileLock(path, () => {
      const snapshot = readFileBounded(path, read);
      const out = change(snapshot);
      if (out.content === undefined) return { done: true as const, result: out.result };
      const now = currentIdentity(path);
      if (!now || !sameFile(now, snapshot.stat)) return { done: false as const };
      writeFileAtomicSync(path, out.content);
      return { done: true as const, result: out.result };
    });
    if (outcome.done) return outcome.result;
    if (attempt >= ATTEMPTS) {
      throw new OperationError(`${read.display ?? path}: the file changed while it was being updated, ${ATTEMPTS} times; nothing was written`, {
        code: 'file_changed',
        hint: 'another program writes this file without agent-team\'s lock; stop it, then retry',
      });
    }
  }
}
