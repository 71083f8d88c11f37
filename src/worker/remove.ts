/** `worker close` (pane only) and `worker delete` (pane, worktree, branch and config). */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError } from '../errors.js';
import { branchExists, countCommits, statusEntries } from '../git/repo.js';
import { archiveTips, commitsMissingFrom, unsavedTips, type ArchivedRef } from '../git/archive.js';
import { deleteBranch, removeWorktree, worktreeLock } from '../git/worktree.js';
import { readWorkerConfig, updateWorkerConfig } from './config.js';
import { assertName } from './ids.js';
import { workerPaths } from './paths.js';
import { backendFor, paneOwner, type SessionOptions } from './session.js';
import { strayPanesOrNone } from './stray-panes.js';

/**
 * `worker close`: kills the pane (no error when gone) and clears `pane_id`, and kills the worker's stray
 * panes too ({@link strayPanes}: tagged as its own, not recorded); worktree, branch and config stay.
 * `paneId`: the recorded pane, else the first stray one killed; `strayPanes`: the strays killed.
 */
export async function closeWorker(root: string, id: string, options: SessionOptions = {}): Promise<{ id: string; paneId?: string; wasRunning: boolean; strayPanes?: string[] }> {
  assertName('worker id', id);
  const config = readWorkerConfig(root, id);
  const backend = await backendFor(options, config.backend);
  const owner = paneOwner(root, id);
  const strays = await strayPanesOrNone(backend, root, id, config.pane_id || undefined);
  if (!config.pane_id && strays.length === 0) return { id, wasRunning: false };
  const panes = [...(config.pane_id ? [config.pane_id] : []), ...strays];
  const alive = await backend.aliveMany(panes, new Map(panes.map((p) => [p, owner])));
  const wasRunning = [...alive.values()].some(Boolean);
  // A stale pane id may name another pane now (ids are reused): only kill the worker's own.
  if (config.pane_id && (await backend.owns(config.pane_id, owner))) await backend.kill(config.pane_id);
  for (const stray of strays) await backend.kill(stray);
  if (config.pane_id) {
    await updateWorkerConfig(root, id, (c) => {
      c.pane_id = '';
    });
  }
  return { id, paneId: config.pane_id || strays[0], wasRunning, ...(strays.length > 0 ? { strayPanes: strays } : {}) };
}

/** Result of {@link deleteWorker}: what was removed, and the archive refs that keep commits nothing else reaches. */
export interface DeleteResult {
  id: string;
  killedPane?: string;
  removedWorktree: boolean;
  deletedBranch: boolean;
  forced: boolean;
  archived: ArchivedRef[];
  /** True when only a reserved id folder (no worker.yaml, no worktree, no branch) was removed. */
  removedReservedFolder?: boolean;
}

/**
 * `worker delete`: unless `force`, refuses (OperationError, nothing removed) when the worktree has
 * uncommitted changes (`uncommitted_work`), is locked (`worktree_locked`, details.reason), `team/<id>` has
 * commits not in the current branch (`unmerged_commits`), or the worktree's HEAD (attached or detached)
 * or a commit only its reflog or the branch's reflog reaches is on no surviving branch, tag or remote and
 * not in the current branch as a patch (`unsaved_commits`, details.commits). Then kills the pane and
 * removes the worktree, the branch and `.agents/workers/<id>/`; with `force`, every commit (and tracked
 * uncommitted change) that would be lost is first kept on `team-archive/<id>/<timestamp>` (`archived`).
 */
export async function deleteWorker(root: string, id: string, options: SessionOptions & { force?: boolean; now?: Date } = {}): Promise<DeleteResult> {
  assertName('worker id', id);
  const paths = workerPaths(root, id);
  const hasConfig = existsSync(paths.config);
  const hasWorktree = existsSync(join(paths.worktree, '.git'));
  const hasBranch = await branchExists(root, paths.branch);
  if (!hasConfig && !hasWorktree && !hasBranch) {
    // A folder reserved for this id by a `worker create` that crashed (or hit a full disk) before its config
    if (existsSync(paths.dir)) {
      rmSync(paths.dir, { recursive: true, force: true });
      return { id, removedWorktree: false, deletedBranch: false, forced: options.force === true, archived: [], removedReservedFolder: true };
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
    const lock = hasWorktree ? await worktreeLock(root, paths.worktree) : undefined;
    if (lock !== undefined) {
      throw new OperationError(`${paths.worktree} is locked${lock ? ` (${lock})` : ''}; not removing it`, {
        code: 'worktree_locked',
        details: { reason: lock, worktree: paths.worktree },
        hint: `unlock it when it is safe (git worktree unlock ${paths.worktree}), or remove it anyway: agent-team worker delete ${id} --force`,
      });
    }
    if (hasBranch) {
      const unmerged = await countCommits(root, `HEAD..${paths.branch}`);
      if (unmerged > 0) {
        throw new OperationError(`${paths.branch} has ${unmerged} commit(s) not merged into your current branch`, {
          code: 'unmerged_commits',
          details: { commits: unmerged },
          hint: `agent-team worker merge ${id}, or keep them on an archive branch and delete: agent-team worker delete ${id} --force`,
        });
      }
    }
    const tips = await unsavedTips({ root, worktree: hasWorktree ? paths.worktree : undefined, branch: paths.branch });
    const missing = await commitsMissingFrom(root, 'HEAD', tips);
    if (missing.length > 0) {
      const where = [...new Set(tips.filter((t) => t.commits.some((c) => missing.includes(c))).map((t) => (t.source === 'HEAD' ? 'its HEAD (detached or on a branch that is going away)' : t.source === 'branch' ? `${paths.branch}` : 'its reflog only (reset or rebased away)')))];
      throw new OperationError(`${id} has ${missing.length} commit(s) on no surviving branch, reachable from ${where.join(' and ')}: ${missing.map((c) => c.slice(0, 12)).join(', ')}`, {
        code: 'unsaved_commits',
        details: { commits: missing },
        hint: `put them on a branch (git branch keep-${id} ${missing[0]}) or merge them, or keep them on team-archive/${id}/… and delete: agent-team worker delete ${id} --force`,
      });
    }
  }
  // With --force, what would be lost is kept first (refs cost nothing; a wrong delete is undoable).
  const archived = options.force
    ? await archiveTips(root, id, await unsavedTips({ root, worktree: hasWorktree ? paths.worktree : undefined, branch: paths.branch, includeUncommitted: true }), options.now)
    : [];
  let killedPane: string | undefined;
  if (hasConfig) {
    const config = readWorkerConfig(root, id);
    const backend = await backendFor(options, config.backend);
    if (config.pane_id) {
      if (await backend.owns(config.pane_id, paneOwner(root, id))) {
        await backend.kill(config.pane_id);
        killedPane = config.pane_id;
      }
    }
    // Panes tagged as the worker's that worker.yaml does not record (an interrupted open): theirs too.
    for (const stray of await strayPanesOrNone(backend, root, id, config.pane_id || undefined)) {
      await backend.kill(stray);
      killedPane ??= stray;
    }
  }
  if (hasWorktree || existsSync(paths.worktree)) await removeWorktree(root, paths.worktree, { force: true });
  if (existsSync(paths.worktree)) rmSync(paths.worktree, { recursive: true, force: true });
  if (hasBranch) await deleteBranch(root, paths.branch);
  rmSync(paths.dir, { recursive: true, force: true });
  return { id, killedPane, removedWorktree: hasWorktree, deletedBranch: hasBranch, forced: options.force === true, archived };
}
