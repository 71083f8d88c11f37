/**
 * The marker of a merge agent-team is making: `<git dir of the worktree>/agent-team-merge.json`, written
 * before the merge starts and removed when it ends either way. It records what is needed to recognise a
 * merge that was killed half-way: the branch, the HEAD before and the tip being merged, and who runs it
 * (agent-team's pid and, once spawned, git's, each with its process start time). git killed between
 * writing the index and committing (a kill -9 of the whole job, an OOM kill) leaves the merge's changes
 * staged with no MERGE_HEAD: without the marker that looks like the user's own uncommitted work, and
 * committing it would record half a merge as an ordinary commit.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime } from '../store/lock.js';
import { lines, runGit, runGitToCompletion, tryGit } from './git.js';
import { gitDir, headSha } from './repo.js';

const MARKER = 'agent-team-merge.json';

/** The marker's content (JSON). */
interface MergeMarker {
  /** What is merged, as messages name it: `team/dev-001`, or `the merge train (team/a, team/b)`. */
  what: string;
  /** HEAD before the merge. */
  before: string;
  /** The commit merged in (the branch's tip, or the integration's head for a fast-forward). */
  tip: string;
  /** A fast-forward to `tip` (the train's last step) rather than a merge commit. */
  ff: boolean;
  pid: number;
  start: string;
  git_pid?: number;
  git_start?: string;
  at: string;
}

/** What {@link interruptedMerge} finds: a killed merge of `what` that left `staged` files (HEAD still `before`), or one still `in_progress` (MERGE_HEAD). */
export interface InterruptedMerge {
  what: string;
  before: string;
  /** Paths whose staged content differs from HEAD. */
  staged: string[];
  /** git's MERGE_HEAD is there: the merge stopped after writing it (git merge --abort undoes it). */
  inProgress: boolean;
  /** The index is exactly the merge's result (nothing else staged since): `git reset --merge` loses nothing but the half merge. */
  exact: boolean;
}

/** `git reset --merge`: the command that undoes a half merge (the index and the files it changed) and keeps the user's other changes. */
export const UNDO_HALF_MERGE = 'git reset --merge';

function running(pid: number | undefined, start: string | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !start || processStartTime(pid) === start;
}

async function markerPath(cwd: string): Promise<string> {
  return join(await gitDir(cwd), MARKER);
}

function readMarker(path: string): MergeMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Partial<MergeMarker>;
    if (typeof m.what !== 'string' || typeof m.before !== 'string' || typeof m.tip !== 'string') return undefined;
    return m as MergeMarker;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` (the merge of `tip` into the branch checked out in `cwd`) with the marker written first and
 * removed afterwards, whether `fn` returns or throws. `fn` receives `spawned`, to be called with git's pid
 * (see runGitToCompletion's `onSpawn`), so a git that outlives a killed agent-team still counts as running.
 */
export async function withMergeMarker<T>(cwd: string, merge: { what: string; before: string; tip: string; ff?: boolean }, fn: (spawned: (pid: number) => void) => Promise<T>): Promise<T> {
  const path = await markerPath(cwd);
  const marker: MergeMarker = { what: merge.what, before: merge.before, tip: merge.tip, ff: merge.ff === true, pid: process.pid, start: processStartTime(process.pid), at: new Date().toISOString() };
  writeFileSync(path, `${JSON.stringify(marker)}\n`);
  const spawned = (pid: number) => {
    try {
      writeFileSync(path, `${JSON.stringify({ ...marker, git_pid: pid, git_start: processStartTime(pid) })}\n`);
    } catch {
      // the marker without git's pid still tells agent-team's
    }
  };
  try {
    return await fn(spawned);
  } finally {
    rmSync(path, { force: true });
  }
}

/** The merge agent-team is making in `cwd` right now (its marker's agent-team or git still runs): what, and the pids; else undefined. */
export async function mergeRunning(cwd: string): Promise<{ what: string; pids: number[] } | undefined> {
  const marker = readMarker(await markerPath(cwd));
  if (!marker) return undefined;
  const pids = [running(marker.pid, marker.start) ? marker.pid : 0, running(marker.git_pid, marker.git_start) ? (marker.git_pid as number) : 0].filter((p) => p > 0);
  return pids.length ? { what: marker.what, pids } : undefined;
}

/**
 * The merge agent-team was making in `cwd` when it was killed, if it left changes: the marker is there,
 * neither agent-team nor git of that merge runs, HEAD is still the one before, and the index differs from
 * HEAD (or MERGE_HEAD is there). A marker whose merge was committed (HEAD moved), or which left nothing, is
 * removed. Undefined when there is none (or the merge still runs). Throws OperationError when git cannot read the repository.
 */
export async function interruptedMerge(cwd: string): Promise<InterruptedMerge | undefined> {
  const path = await markerPath(cwd);
  const marker = readMarker(path);
  if (!marker) return undefined;
  if (running(marker.pid, marker.start) || running(marker.git_pid, marker.git_start)) return undefined;
  const head = await headSha(cwd);
  const inProgress = (await tryGit(cwd, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])) !== undefined;
  const staged = head === marker.before ? lines(await runGit(cwd, ['diff', '--cached', '--name-only', 'HEAD'])) : [];
  if (head !== marker.before || (staged.length === 0 && !inProgress)) {
    rmSync(path, { force: true }); // committed, or killed before git changed anything
    return undefined;
  }
  return { what: marker.what, before: marker.before, staged, inProgress, exact: !inProgress && (await indexIsMergeOf(cwd, marker)) };
}

/** Whether the index holds exactly the tree the marked merge produces (merge-tree needs git 2.38; false when unknown). */
async function indexIsMergeOf(cwd: string, marker: MergeMarker): Promise<boolean> {
  const index = await tryGit(cwd, ['write-tree']);
  const expected = marker.ff ? await tryGit(cwd, ['rev-parse', `${marker.tip}^{tree}`]) : await tryGit(cwd, ['merge-tree', '--write-tree', marker.before, marker.tip]);
  if (!index || !expected) return false;
  // unstaged edits on top would be lost by the reset too
  const unstaged = await tryGit(cwd, ['diff', '--name-only']);
  return unstaged === '' && (lines(expected)[0] ?? '') === index.trim();
}

/**
 * Undoes the half merge `found` in `cwd` ({@link UNDO_HALF_MERGE}) and removes the marker. Refuses
 * (throws Error) unless the index is exactly the merge's result ({@link InterruptedMerge.exact}) and HEAD
 * is still the one before, so nothing but the half merge is dropped.
 */
export async function undoInterruptedMerge(cwd: string, found: InterruptedMerge): Promise<void> {
  const again = await interruptedMerge(cwd);
  if (!again || again.before !== found.before) throw new Error('the repository changed meanwhile; run agent-team doctor again');
  if (!again.exact) throw new Error(`the index holds more than the merge of ${again.what}; look with git diff --cached and undo by hand (${UNDO_HALF_MERGE} drops staged changes)`);
  await runGitToCompletion(cwd, ['reset', '--merge']);
  if ((await headSha(cwd)) !== found.before) throw new Error(`HEAD moved while undoing; it should be ${found.before}`);
  rmSync(await markerPath(cwd), { force: true });
}
