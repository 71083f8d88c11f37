/** Linked worktrees: add (on a new or existing branch), list, remove, and branch deletion. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OperationError } from '../errors.js';
import { withFileLock } from '../store/lock.js';
import { runGit } from './git.js';
import { branchExists } from './repo.js';

/**
 * One entry of `git worktree list --porcelain`. `branch` is the short name (no `refs/heads/`); `locked`
 * is set (to the reason, possibly empty) when the worktree is locked (`git worktree lock --reason …`).
 */
export interface WorktreeInfo {
  path: string;
  head?: string;
  branch?: string;
  detached?: boolean;
  locked?: string;
}

/** Every worktree of the repository at `root`, the main one first. */
export async function listWorktrees(root: string): Promise<WorktreeInfo[]> {
  const out = await runGit(root, ['worktree', 'list', '--porcelain']);
  const result: WorktreeInfo[] = [];
  let current: WorktreeInfo | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('worktree ')) {
      current = { path: line.slice('worktree '.length) };
      result.push(current);
    } else if (current && line.startsWith('HEAD ')) current.head = line.slice(5);
    else if (current && line.startsWith('branch ')) current.branch = line.slice(7).replace(/^refs\/heads\//, '');
    else if (current && line === 'detached') current.detached = true;
    else if (current && (line === 'locked' || line.startsWith('locked '))) current.locked = line.slice('locked '.length);
  }
  return result;
}

/**
 * Creates the worktree `path` on `branch`: reuses the branch when it exists, else creates it at
 * `startPoint`. Returns whether the branch was created. Throws OperationError when `path` exists or
 * the branch is checked out elsewhere.
 *
 * `git worktree add` is not safe against itself: run while another add of the same repository is
 * half-way (its `.git/worktrees/<name>/commondir` still empty), it dies with "failed to read
 * …/commondir" after it had created its branch. So the adds of one repository (workers opened at once
 * by parallel steps or by two runs) take turns under a lock in its `.git` folder, and a failed attempt
 * is retried on the branch as it is then.
 */
export async function addWorktree(root: string, path: string, branch: string, startPoint: string): Promise<{ branchCreated: boolean }> {
  if (existsSync(path)) throw new OperationError(`${path} already exists; not creating a worktree over it`, { code: 'worktree_exists' });
  const listed = async () => (await listWorktrees(root)).some((w) => resolve(w.path) === resolve(path)) && (await branchExists(root, branch));
  const add = async () => runGit(root, (await branchExists(root, branch)) ? ['worktree', 'add', path, branch] : ['worktree', 'add', '-b', branch, path, startPoint]);
  return inTurn(root, async () => {
    // a concurrent open of the same worker made it while we waited for our turn (complete: its add is over): use it
    if (existsSync(path)) {
      if (await listed()) return { branchCreated: false };
      throw new OperationError(`${path} already exists; not creating a worktree over it`, { code: 'worktree_exists' });
    }
    const branchCreated = !(await branchExists(root, branch));
    try {
      await add();
      return { branchCreated };
    } catch (err) {
      // A worktree folder deleted by hand is still registered ("already checked out" / "already registered"),
      // or an add of another program got in the way: prune the stale entries and try once more, on the
      // branch as it is now (the failed attempt may have created it). (Pruning only then: git calls
      // without output cost ~50 ms.)
      await runGit(root, ['worktree', 'prune']);
      if (existsSync(path)) {
        if (await listed()) return { branchCreated: false };
        throw err;
      }
      await add();
      return { branchCreated };
    }
  });
}

/** Runs `fn` holding the repository's worktree-add lock (`.git/agent-team-worktree-add.lock`); without a `.git` folder (a linked worktree as root), just runs it. */
async function inTurn<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const gitDir = join(root, '.git');
  let folder = false;
  try {
    folder = statSync(gitDir).isDirectory();
  } catch {
    // no .git here: nothing to lock on
  }
  if (!folder) return fn();
  return withFileLock(join(gitDir, 'agent-team-worktree-add'), fn);
}

/** The lock reason of the worktree at `path` ('' when locked without one), or undefined when not locked or not listed. */
export async function worktreeLock(root: string, path: string): Promise<string | undefined> {
  return (await listWorktrees(root)).find((w) => resolve(w.path) === resolve(path))?.locked;
}

/** Removes the worktree at `path` (`--force` also drops uncommitted and ignored files), then prunes. */
export async function removeWorktree(root: string, path: string, options: { force?: boolean } = {}): Promise<void> {
  const listed = (await listWorktrees(root)).some((w) => resolve(w.path) === resolve(path));
  // ignored files (role prompts, .tasks/) always make `worktree remove` ask for --force
  if (listed) await runGit(root, ['worktree', 'remove', ...(options.force ? ['--force', '--force'] : ['--force']), path]);
  await runGit(root, ['worktree', 'prune']);
}

/** Deletes a local branch (`-D`: the caller has already checked it is merged or was told to force). */
export async function deleteBranch(root: string, branch: string): Promise<void> {
  if (await branchExists(root, branch)) await runGit(root, ['branch', '-D', branch]);
}
