/**
 * The one way agent-team reads a file it did not write this instant: only a regular file, only up to a
 * size bound, never blocking. The file is opened non-blocking and checked with `fstat` on the open
 * descriptor, so a FIFO (which would block forever), a device such as `/dev/zero` or `/dev/urandom`
 * (endless), a folder, or a file swapped in after a check are refused at once, with the file named.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type BigIntStats } from 'node:fs';
import { osError, UnreadableFileError } from '../errors.js';

/** Size bounds in bytes: run-states and templates 64 MB, configs (worker.yaml, config.yaml, roles) 1 MB. */
export const SIZE_LIMIT = { runState: 64 * 1024 * 1024, template: 64 * 1024 * 1024, config: 1024 * 1024 } as const;

/** What {@link readFileBounded} returns: the bytes and the identity of the file they came from. */
export interface FileSnapshot {
  bytes: Buffer;
  /** Device, inode, size, mtime and ctime (ns) of the file read: see {@link sameFile}. */
  stat: Pick<BigIntStats, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>;
}

/** Options of {@link readFileBounded}. */
export interface ReadOptions {
  /** Largest size accepted, in bytes (see {@link SIZE_LIMIT}). */
  limit: number;
  /** What the file is, for messages: "run-state", "workflow template", "worker config". */
  what: string;
  /** The path as the user should see it (default: `path`). */
  display?: string;
  /** Hint for a missing file (e.g. the command that lists what exists). */
  notFoundHint?: string;
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function human(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * Reads the regular file at `path`, at most `limit` bytes. Throws {@link UnreadableFileError} (exit 2)
 * naming the file when it is missing, a folder, not a regular file (FIFO, device, socket) or larger than
 * the bound; OS errors (EACCES, EMFILE, EIO…) become messages with their fix (exit 1, see osError).
 */
export function readFileBounded(path: string, options: ReadOptions): FileSnapshot {
  const display = options.display ?? path;
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UnreadableFileError(display, `${options.what} file not found`, { hint: options.notFoundHint, cause: err });
    if (code === 'EISDIR') throw new UnreadableFileError(display, `is a directory, not a ${options.what} file`, { cause: err });
    if (code === 'ENXIO') throw new UnreadableFileError(display, `is not a regular file (a socket or device), so it cannot be a ${options.what}`, { code: 'not_a_regular_file', cause: err });
    throw osError(err, display, `cannot read ${display}`);
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (st.isDirectory()) throw new UnreadableFileError(display, `is a directory, not a ${options.what} file`);
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
      throw new UnreadableFileError(display, `is ${kind}, not a regular file; agent-team reads a ${options.what} only from a regular file`, {
        code: 'not_a_regular_file',
        hint: `replace ${display} with the real ${options.what} file`,
      });
    }
    const size = Number(st.size);
    if (size > options.limit) throw tooLarge(display, size, options);
    // Read up to limit + 1: a file that grows while read past the bound is refused too.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(Math.max(size - total, 64 * 1024), options.limit + 1 - total);
      if (want <= 0) throw tooLarge(display, total, options);
      const buf = Buffer.allocUnsafe(want);
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw osError(err, display, `cannot read ${display}`);
      }
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
    }
    return { bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total), stat: { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs } };
  } finally {
    closeSync(fd);
  }
}

function tooLarge(display: string, size: number, options: ReadOptions): UnreadableFileError {
  return new UnreadableFileError(display, `is ${human(size)}, more than the ${human(options.limit)} a ${options.what} may have; it was not read`, {
    code: 'file_too_large',
    hint: `check that ${display} is the ${options.what} you meant (agent-team never writes one this large)`,
  });
}

/** Whether `a` and `b` describe the same version of a file: same device, inode, size, mtime and ctime. */
export function sameFile(a: FileSnapshot['stat'], b: FileSnapshot['stat']): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** The identity of the file now at `path` (follows symlinks), as {@link FileSnapshot.stat}; undefined when it is gone. */
export function currentIdentity(path: string): FileSnapshot['stat'] | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
  } catch {
    return undefined;
  }
}

/**
 * {@link readFileBounded} for small text files (role prompts, role.yaml, change.yaml): UTF-8 text of a
 * regular file of at most `limit` bytes (default 1 MB). Same errors.
 */
export function readTextFile(path: string, what: string, limit: number = SIZE_LIMIT.config): string {
  return readFileBounded(path, { limit, what }).bytes.toString('utf8');
}
