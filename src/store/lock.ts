/**
 * Per-file locks for read-modify-write cycles. The lock of a file is `<real path>.lock`, a small JSON
 * file naming its owner ({@link LockOwner}: pid, process start time, host, a random token, the command),
 * created atomically (temp file + hard link, which fails when the lock exists). Two paths to one file (a
 * symlink, `..`) therefore meet at one lock.
 *
 * A lock is stale only when its owner is gone: on this host, its pid no longer runs or now belongs to a
 * process that started at another time (a reused pid); on another host (a shared folder), when its
 * holder has not refreshed it for {@link OTHER_HOST_STALE_MS}. A live holder that is paused (Ctrl-Z,
 * SIGSTOP, a suspended laptop, a stalled fsync) keeps its lock however long it takes: the waiter waits,
 * says whom it waits for, and gives up after {@link WAIT_MS} without writing anything.
 *
 * Lock folders made by earlier agent-team versions (`<file>.lock/`, refreshed every 5 s) are honoured
 * and taken over when not refreshed for {@link LEGACY_STALE_MS}, as those versions did.
 */
import { closeSync, fstatSync, linkSync, openSync, readFileSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomId } from './random-id.js';
import { OperationError, osError } from '../errors.js';

/** A lock folder of an earlier version not refreshed for this long (ms) was abandoned by a crashed process. */
export const LEGACY_STALE_MS = 10_000;
/** A lock held by a process on another host (shared folder) is stale when not refreshed for this long (ms). */
export const OTHER_HOST_STALE_MS = 10 * 60_000;
/** How long (ms) a writer waits for one live holder before giving up (exit 1, nothing written); AGENT_TEAM_LOCK_WAIT_MS overrides. */
export const WAIT_MS = Number(process.env.AGENT_TEAM_LOCK_WAIT_MS) > 0 ? Number(process.env.AGENT_TEAM_LOCK_WAIT_MS) : 30_000;
/** How often (ms) a holder refreshes its lock's mtime (only hosts elsewhere look at it). */
const REFRESH_MS = 30_000;
/** Retry delays while another process holds the lock: 5 ms growing to 80 ms, with jitter. */
const MIN_DELAY_MS = 5;
const MAX_DELAY_MS = 80;
const FACTOR = 1.3;
/** After this long (ms) of waiting, the waiter is told whom it waits for (once). */
const REPORT_AFTER_MS = 1_000;

/** Who holds a lock: written as JSON into the lock file by its holder. */
export interface LockOwner {
  pid: number;
  /** Process start time (Linux: clock ticks since boot from /proc/<pid>/stat, field 22); '' elsewhere. */
  start: string;
  host: string;
  /** A random nanoid: tells this acquisition from any other by the same pid. */
  token: string;
  /** The command line of the holder (`agent-team workflow state start …`), for messages. */
  command: string;
  /** When the lock was taken (ISO 8601). */
  acquired_at: string;
}

/** What {@link inspectLock} finds at a lock path. */
export type LockStatus =
  | { kind: 'free' }
  | { kind: 'held'; owner: LockOwner }
  | { kind: 'stale'; owner?: LockOwner; why: string }
  | { kind: 'legacy'; stale: boolean; ageMs: number };

/** Receives one message while a writer waits for a lock (the CLI prints it on stderr). */
export type LockWaitReporter = (message: string) => void;
/** Process-wide setting: who hears about lock waits in this process, set once by the entry point (src/cli/program.ts). */
let reporter: LockWaitReporter | undefined;

/** Sets who is told when a writer has waited for a lock for a second (the store itself never prints). */
export function setLockWaitReporter(fn: LockWaitReporter | undefined): void {
  reporter = fn;
}

/** The start time of process `pid` as recorded in {@link LockOwner.start}; '' when unknown (not Linux, gone). */
export function processStartTime(pid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); starttime is field 22
    return fields[0] === 'Z' ? '' : (fields[19] ?? '');
  } catch {
    return '';
  }
}

/** Cache: this process's own start time ({@link processStartTime}), read once. */
let selfStart: string | undefined;

/** Whether `owner` (recorded on this host) still runs: its pid exists and started when it recorded. */
function ownerAlive(owner: LockOwner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  if (owner.pid === process.pid) return owner.start === (selfStart ??= processStartTime(process.pid));
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: gone
  }
  if (owner.start === '') return true; // no /proc: the pid alone tells
  const start = processStartTime(owner.pid);
  // '' here: /proc unreadable for it (hidepid) or a zombie; a zombie is gone, hidepid cannot be told apart: alive
  if (start === '') return existsProc(owner.pid) ? true : false;
  return start === owner.start;
}

function existsProc(pid: number): boolean {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * The lock path of `file`: `<real path of file>.lock`. For a name that does not exist, the real path of
 * the longest existing name it extends (`run.yaml.run` → `<real run.yaml>.run.lock`, so a symlink to a
 * run-state and its target share the controller's lock too), else of its folder.
 */
export function lockPathOf(file: string): string {
  const abs = resolve(file);
  try {
    return `${realpathSync(abs)}.lock`;
  } catch {
    // not there (yet): a suffixed name of an existing file, or a new file in an existing folder
  }
  const name = basename(abs);
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
    try {
      return `${realpathSync(join(dirname(abs), name.slice(0, dot)))}${name.slice(dot)}.lock`;
    } catch {
      // try a shorter prefix
    }
  }
  try {
    return join(realpathSync(dirname(abs)), `${name}.lock`);
  } catch {
    return `${abs}.lock`;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || typeof o.token !== 'string' || typeof o.host !== 'string') return undefined;
    return { pid: o.pid, start: String(o.start ?? ''), host: o.host, token: o.token, command: String(o.command ?? ''), acquired_at: String(o.acquired_at ?? '') };
  } catch {
    return undefined;
  }
}

/**
 * What holds `lockPath` now: free, held by a live owner, stale (owner gone, or a lock file that was
 * never completed), or an earlier version's lock folder. Throws the fs error for anything but absence.
 */
export function inspectLock(lockPath: string): LockStatus {
  let text: string;
  let mtimeMs: number;
  try {
    const fd = openSync(lockPath, 'r');
    try {
      const st = fstatSync(fd);
      mtimeMs = st.mtimeMs;
      if (st.isDirectory()) {
        const ageMs = Date.now() - mtimeMs;
        return { kind: 'legacy', stale: ageMs > LEGACY_STALE_MS, ageMs };
      }
      text = st.size > 64 * 1024 ? '' : readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'free' };
    if (code === 'EISDIR') {
      const ageMs = Date.now() - statSync(lockPath).mtimeMs;
      return { kind: 'legacy', stale: ageMs > LEGACY_STALE_MS, ageMs };
    }
    throw err;
  }
  const owner = parseOwner(text);
  // Lock files are linked into place complete, so an unparsable one was not written by agent-team.
  if (!owner) return Date.now() - mtimeMs > LEGACY_STALE_MS ? { kind: 'stale', why: 'the lock file names no owner' } : { kind: 'held', owner: unknownOwner() };
  if (owner.host !== hostname()) {
    return Date.now() - mtimeMs > OTHER_HOST_STALE_MS ? { kind: 'stale', owner, why: `its holder on host ${owner.host} has not refreshed it for ${Math.round((Date.now() - mtimeMs) / 60_000)} min` } : { kind: 'held', owner };
  }
  return ownerAlive(owner) ? { kind: 'held', owner } : { kind: 'stale', owner, why: `process ${owner.pid} that took it is gone` };
}

function unknownOwner(): LockOwner {
  return { pid: 0, start: '', host: hostname(), token: '', command: 'unknown', acquired_at: '' };
}

/**
 * Process-wide by nature: the lock files this process holds (path → token), removed by one `exit` hook
 * (e.g. SIGINT → exit 130), which is installed on the first lock (`exitHookInstalled`).
 */
const held = new Map<string, string>();
let exitHookInstalled = false;

/** Removes `lockPath` if it still holds `token` (never someone else's lock). */
function releaseIfOurs(lockPath: string, token: string): void {
  held.delete(lockPath);
  try {
    const owner = parseOwner(readFileSync(lockPath, 'utf8'));
    if (owner?.token === token) unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

function ownerRecord(token: string): LockOwner {
  const argv = process.argv.slice(2).join(' ');
  return {
    pid: process.pid,
    start: (selfStart ??= processStartTime(process.pid)),
    host: hostname(),
    token,
    command: `agent-team ${argv}`.slice(0, 200),
    acquired_at: new Date().toISOString(),
  };
}

/** Writes `content` to a fresh temp file next to `target` (`<target>.<nanoid>.tmp`) and returns its path. */
function writeTempFile(target: string, content: string): string {
  const temp = `${target}.${randomId(10)}.tmp`;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** Tries once to create `lockPath` naming this process; true when taken. Throws fs errors other than EEXIST. */
function tryCreate(lockPath: string, token: string): boolean {
  const temp = writeTempFile(lockPath, JSON.stringify(ownerRecord(token)));
  try {
    linkSync(temp, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // nothing to clean
    }
  }
}

/**
 * Removes the stale lock at `lockPath` if it is still the one judged stale (`staleToken`; undefined for
 * an ownerless or legacy lock). Serialized by `<lock>.takeover` (itself a lock file whose dead owner is
 * cleared the same way); under it the lock is judged again, and only a lock that is stale now is moved
 * aside and removed, so a fresh lock that replaced the stale one meanwhile is never touched. Returns true
 * when the stale lock is gone.
 */
export function removeStaleLock(lockPath: string, staleToken: string | undefined): boolean {
  const guard = `${lockPath}.takeover`;
  const guardToken = randomId();
  if (!tryCreate(guard, guardToken)) {
    const g = inspectLock(guard);
    if (g.kind === 'stale' || (g.kind === 'legacy' && g.stale)) {
      try {
        if (g.kind === 'legacy') rmdirSync(guard);
        else unlinkSync(guard);
      } catch {
        // gone meanwhile
      }
    }
    return false;
  }
  try {
    // Judge again under the guard: another process may have removed the stale lock and taken the lock
    // since we looked. Only a lock that is stale now is moved; a live one is never touched (moving it
    // aside, even to put it back, would leave the path free for a moment and let a third process in).
    const now = inspectLock(lockPath);
    if (now.kind === 'free') return true;
    if (!(now.kind === 'stale' || (now.kind === 'legacy' && now.stale))) return false;
    const aside = `${lockPath}.${randomId(10)}.stale`;
    try {
      renameSync(lockPath, aside);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      throw err;
    }
    let isDir = false;
    let owner: LockOwner | undefined;
    try {
      owner = parseOwner(readFileSync(aside, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
      isDir = true;
    }
    if (!isDir && owner && owner.token !== staleToken) {
      // a live lock replaced the stale one before we moved it: put it back
      try {
        linkSync(aside, lockPath);
      } catch {
        // someone took the free lock in between: its holder and the write check keep the file safe
      }
      unlinkSync(aside);
      return false;
    }
    if (isDir) rmdirSync(aside);
    else unlinkSync(aside);
    return true;
  } finally {
    releaseIfOurs(guard, guardToken);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One line saying whom a waiter waits for. */
function describeHolder(status: LockStatus, lockPath: string): string {
  if (status.kind === 'held') {
    const o = status.owner;
    const who = o.pid > 0 ? `pid ${o.pid} (${o.command})${o.host !== hostname() ? ` on host ${o.host}` : ''}` : 'an unknown process';
    return `waiting for ${who} holding ${lockPath}${o.acquired_at ? ` since ${o.acquired_at}` : ''}`;
  }
  if (status.kind === 'legacy') return `waiting for an earlier agent-team version holding ${lockPath} (taken over when not refreshed for ${LEGACY_STALE_MS / 1000} s)`;
  return `waiting for ${lockPath}`;
}

/** Takes the lock at `lockPath` for this process, waiting up to {@link WAIT_MS}. Returns its token. */
async function acquire(file: string, lockPath: string): Promise<string> {
  const token = randomId();
  const started = Date.now();
  let reported = false;
  // The bound is per holder: while the lock changes hands, writers make progress and this one waits on.
  let holder = '';
  let holderSince = started;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockPath, token)) return token;
    const status = inspectLock(lockPath);
    if (status.kind === 'free') continue;
    const current = status.kind === 'held' ? status.owner.token || 'unknown' : status.kind;
    if (current !== holder) {
      holder = current;
      holderSince = Date.now();
    }
    if (status.kind === 'stale' || (status.kind === 'legacy' && status.stale)) {
      if (status.kind === 'stale' && !reported) reporter?.(`${lockPath}: removing a stale lock (${status.why})`);
      removeStaleLock(lockPath, status.kind === 'stale' ? status.owner?.token : undefined);
      continue;
    }
    const waited = Date.now() - started;
    if (Date.now() - holderSince >= WAIT_MS) {
      throw new OperationError(`${file}: ${describeHolder(status, lockPath)}: still locked after ${Math.round(WAIT_MS / 1000)} s; nothing was written`, {
        code: 'lock_timeout',
        hint: status.kind === 'held' && status.owner.pid > 0 ? `let pid ${status.owner.pid} finish (resume it with: kill -CONT ${status.owner.pid}), then retry` : 'retry when the other agent-team command has finished; agent-team doctor shows stale locks',
        details: status.kind === 'held' ? { lock: lockPath, owner: status.owner } : { lock: lockPath },
      });
    }
    if (!reported && waited >= REPORT_AFTER_MS) {
      reported = true;
      reporter?.(describeHolder(status, lockPath));
    }
    await sleep(Math.min(MAX_DELAY_MS, MIN_DELAY_MS * FACTOR ** attempt) * (1 + Math.random()));
  }
}

/**
 * Runs `fn` while holding the lock on `file` (see the module comment), and releases it afterwards even
 * when `fn` throws. Waits while live holders keep it, up to {@link WAIT_MS} for any one holder (telling
 * the reporter after a second).
 * Throws OperationError `lock_timeout` (exit 1) when the holder keeps it, the fs error translated by
 * {@link osError} (ENOSPC, EROFS, EACCES… naming the lock) when the lock cannot be created, and ENOENT
 * as is when the folder of `file` is missing.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
  const lockPath = lockPathOf(file);
  let token: string;
  try {
    token = await acquire(file, lockPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || err instanceof OperationError) throw err;
    throw osError(err, lockPath, `cannot lock ${file}`);
  }
  held.set(lockPath, token);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const [l, t] of held) releaseIfOurs(l, t);
    });
  }
  // Refresh the mtime while `fn` runs for long: only holders on other hosts are judged by it.
  const refresh = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(lockPath, now, now);
    } catch {
      // removed by hand: our write is still checked against the file we read
    }
  }, REFRESH_MS);
  refresh.unref();
  try {
    return await fn();
  } finally {
    clearInterval(refresh);
    releaseIfOurs(lockPath, token);
  }
}
