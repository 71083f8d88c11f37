/**
 * Crash-safe writes: a temp file in the same folder, fsync, then rename (or link, for create-only), so a
 * crash at any point leaves either the old file or the new one, never a torn one. Replacing a file is
 * `write-file-atomic`'s job (it also keeps mode and owner and follows symlinks); creating one only when
 * it does not exist (temp file + hard link) is ours, as no library offers it.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { nanoid } from 'nanoid';
import writeFileAtomic from 'write-file-atomic';
import { osError } from '../errors.js';

/** Temp files of writes in progress, removed if the process exits mid-write (e.g. SIGINT → exit 130). */
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
  return `${path}.${process.pid}.${nanoid(10)}.tmp`;
}

/** Writes `content` to a new temp file next to `path` (mode `mode`), fsyncs it, and returns its path. */
function writeTemp(path: string, content: string, mode?: number): string {
  const temp = tempName(path);
  track(temp);
  const fd = openSync(temp, 'wx', mode ?? 0o666);
  try {
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
 * folder. Throws the fs error on I/O failure; the old file is then unchanged.
 */
export function writeFileAtomicSync(path: string, content: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic.sync(path, content, { fsync: true });
  } catch (err) {
    throw osError(err, path, `cannot write ${path}`);
  }
  fsyncDir(dirname(path));
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
