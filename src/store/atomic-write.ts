/**
 * Crash-safe writes: a temp file in the same folder, fsync, then rename (or link, for create-only), so a
 * crash at any point leaves either the old file or the new one, never a torn one. A replaced file keeps
 * its mode and (as root) its owner, and a symlink is written through, as `write-file-atomic` does; that
 * library was used for replacing until 2026-11-30 and dropped because importing it loads `worker_threads`
 * (for a temp-name hash), ~1.5 ms of every transition's start-up (bench/README.md), for the ~10 lines below.
 */
import { closeSync, fchmodSync, fchownSync, fsyncSync, linkSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { randomId } from './random-id.js';
import { osError } from '../errors.js';

/**
 * Process-wide by nature: temp files of writes in progress, removed by one `exit` hook if the process
 * exits mid-write (e.g. SIGINT → exit 130); the hook is installed on the first write (`exitHookInstalled`).
 */
const pending = new Set<string>();
let exitHookInstalled = false;

function track(temp: string): void {
  pending.add(temp);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const t of pending) removeQuietly(t);
  });
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone (renamed into place, or never created)
  }
}

/** A temp name unique to this write: `<file>.<pid>.<nanoid>.tmp` (the pid tells `doctor` whether its writer is gone; `wx` guards clashes). */
function tempName(path: string): string {
  return `${path}.${process.pid}.${randomId(10)}.tmp`;
}

/**
 * Writes `content` to a new temp file next to `path`, fsyncs it, and returns its path. With `like` (the
 * file it will replace), the temp file gets its mode and, when we are root, its owner.
 */
function writeTemp(path: string, content: string, like?: Stats): string {
  const temp = tempName(path);
  track(temp);
  const fd = openSync(temp, 'wx', 0o666);
  try {
    if (like) {
      fchmodSync(fd, like.mode & 0o7777); // exactly, not filtered by the umask as open's mode is
      if (process.getuid?.() === 0) fchownSync(fd, like.uid, like.gid);
    }
    writeFileSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeQuietly(temp);
    pending.delete(temp);
    throw err;
  }
  closeSync(fd);
  return temp;
}

/**
 * Replaces `path` atomically with `content` (UTF-8), creating parent folders, fsyncing the file and its
 * folder. A symlink is written through (the link stays); the replaced file keeps its mode and, as root,
 * its owner. Throws the fs error (explained by `osError`) on I/O failure; the old file is then unchanged
 * and no temp file is left.
 */
export function writeFileAtomicSync(path: string, content: string): void {
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // not there yet (or a dangling link, which the file then replaces)
  }
  let temp: string | undefined;
  try {
    mkdirSync(dirname(target), { recursive: true });
    temp = writeTemp(target, content, statIfFile(target));
    renameSync(temp, target);
  } catch (err) {
    if (temp !== undefined) removeQuietly(temp);
    throw osError(err, path, `cannot write ${path}`);
  } finally {
    if (temp !== undefined) pending.delete(temp);
  }
  fsyncDir(dirname(target));
}

/** The stats of `path` when it is a file (its mode and owner are kept), else undefined. */
function statIfFile(path: string): Stats | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates `path` with `content` only if it does not exist yet, atomically (temp file + hard link, which
 * fails if the target exists). Returns false when the file already exists; throws on other I/O errors.
 */
export function createFileExclusiveSync(path: string, content: string): boolean {
  const dir = dirname(path);
  let temp: string;
  try {
    mkdirSync(dir, { recursive: true });
    temp = writeTemp(path, content);
  } catch (err) {
    throw osError(err, path, `cannot create ${path}`);
  }
  try {
    linkSync(temp, path);
    fsyncDir(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw osError(err, path, `cannot create ${path}`);
  } finally {
    removeQuietly(temp);
    pending.delete(temp);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some file systems refuse fsync on folders; the rename itself is still atomic
  }
}
