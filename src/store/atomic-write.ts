/**
 * Crash-safe writes: a temp file in the same folder, fsync, then rename (or link, for create-only), so a
 * crash at any point leaves either the old file or the new one, never a torn one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { OperationError } from '../errors.js';

/** Replaces `path` atomically with `content` (UTF-8), creating parent folders. Throws on I/O failure. */
export function writeFileAtomicSync(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic.sync(path, content, { fsync: true });
  fsyncDir(dirname(path));
}

/**
 * Creates `path` with `content` only if it does not exist yet, atomically (temp file + hard link, which
 * fails if the target exists). Returns false when the file already exists; throws on other I/O errors.
 */
export function createFileExclusiveSync(path: string, content: string): boolean {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    fsyncDir(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new OperationError(`cannot create ${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file is ours and already linked or never used; nothing to clean
    }
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
