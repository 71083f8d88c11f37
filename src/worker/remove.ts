/** `worker close` (pane only) and `worker delete` (pane, worktree, branch and config). */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError } from '../errors.js';
import { branchExists, countCommits, statusEntries } from '../git/repo.js';
import { deleteBranch, removeWorktree } from '../git/worktree.js';
import { readWorkerConfig, updateWorkerConfig } from './config.js';
import { assertName } from './ids.js';
import { workerPaths } from './paths.js';
import { backendFor, type SessionOptions } from './session.js';

/** `worker close`: kills the pane (no error when gone) and clears `pane_id`; worktree, branch and config stay. */
export async function closeWorker(root: string, id: string, options: SessionOptions = {}): Promise<{ id: string; paneId?: string; wasRunning: boolean }> {
  assertName('worker id', id);
  const config = readWorkerConfig(root, id);
  if (!config.pane_id) return { id, wasRunning: false };
  const backend = await backendFor(options, config.backend);
  const wasRunning = await backend.isAlive(config.pane_id, id);
  // A stale pane id may name another pane now (ids are reused): only kill the worker's own.
  if (await backend.owns(config.pane_id, id)) await backend.kill(config.pane_id);
  await updateWorkerConfig(root, id, (c) => {
    c.pane_id = '';
  });
  return { id, paneId: config.pane_id, wasRunning };
}

/** Result of {@link deleteWorker}: what was removed. */
export interface DeleteResult {
  id: string;
  killedPane?: string;
  removedWorktree: boolean;
  deletedBranch: boolean;
  forced: boolean;
  /** True when only a reserved id folder (no worker.yaml, no worktree, no branch) was removed. */
  removedReservedFolder?: boolean;
}

/**
 * `worker delete`: refuses (OperationError `uncommitted_work` / `unmerged_commits`) when the worktree has
 * uncommitted changes or `team/<id>` has commits not in the current branch, unless `force`; otherwise
 * kills the pane and removes the worktree, the branch and `.agents/workers/<id>/`.
 */
export async function deleteWorker(root: string, id: string, options: SessionOptions & { force?: boolean } = {}): Promise<DeleteResult> {
  assertName('worker id', id);
  const paths = workerPaths(root, id);
  const hasConfig = existsSync(paths.config);
  const hasWorktree = existsSync(join(paths.worktree, '.git'));
  const hasBranch = await branchExists(root, paths.branch);
  if (!hasConfig && !hasWorktree && !hasBranch) {
    // A folder reserved for this id by a `worker create` that crashed (or hit a full disk) before its config
    if (existsSync(paths.dir)) {
      rmSync(paths.dir, { recursive: true, force: true });
      return { id, removedWorktree: false, deletedBranch: false, forced: options.force === true, removedReservedFolder: true };
    }
    throw new OperationError(`no worker ${id}`, { code: 'unknown_worker' });
  }
  if (!options.force) {
    if (hasWorktree) {
      const dirty = await statusEntries(paths.worktree);
      if (dirty.length) {
        throw new OperationError(`${id} has uncommitted work in ${paths.worktree}: ${dirty.map((e) => e.path).join(', ')}`, {
          code: 'uncommitted_work',
          details: { files: dirty.map((e) => e.path) },
          hint: `ask the worker to commit, then merge it (agent-team worker merge ${id}); or discard it: agent-team worker delete ${id} --force`,
        });
      }
    }
    if (hasBranch) {
      const unmerged = await countCommits(root, `HEAD..${paths.branch}`);
      if (unmerged > 0) {
        throw new OperationError(`${paths.branch} has ${unmerged} commit(s) not merged into your current branch`, {
          code: 'unmerged_commits',
          details: { commits: unmerged },
          hint: `agent-team worker merge ${id}, or discard them: agent-team worker delete ${id} --force`,
        });
      }
    }
  }
  let killedPane: string | undefined;
  if (hasConfig) {
    const config = readWorkerConfig(root, id);
    if (config.pane_id) {
      const backend = await backendFor(options, config.backend);
      if (await backend.owns(config.pane_id, id)) {
        await backend.kill(config.pane_id);
        killedPane = config.pane_id;
      }
    }
  }
  if (hasWorktree || existsSync(paths.worktree)) await removeWorktree(root, paths.worktree, { force: true });
  if (existsSync(paths.worktree)) rmSync(paths.worktree, { recursive: true, force: true });
  if (hasBranch) await deleteBranch(root, paths.branch);
  rmSync(paths.dir, { recursive: true, force: true });
  return { id, killedPane, removedWorktree: hasWorktree, deletedBranch: hasBranch, forced: options.force === true };
}
