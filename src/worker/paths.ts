/**
 * Where worker things live (the Go layout): config `.agents/workers/<id>/worker.yaml`, worktree
 * `.worktrees/<id>/` (or `worktrees/<id>/` when that folder exists, as the Go version does), branch
 * `team/<id>`, project config `.agents/config.yaml`, project roles `.agents/teams/<role>/`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Prefix of every worker branch. */
export const BRANCH_PREFIX = 'team/';

/** `<root>/.agents/workers`: one folder per worker. */
export function workersDir(root: string): string {
  return join(root, '.agents', 'workers');
}

/** `<root>/.agents/config.yaml`: user providers. */
export function projectConfigPath(root: string): string {
  return join(root, '.agents', 'config.yaml');
}

/** The folder holding worker worktrees: `<root>/worktrees` when it exists (Go compatibility), else `<root>/.worktrees`. */
export function worktreeBase(root: string): string {
  const legacy = join(root, 'worktrees');
  return existsSync(legacy) ? legacy : join(root, '.worktrees');
}

/** All paths of worker `id`. */
export interface WorkerPaths {
  /** `.agents/workers/<id>/` (also the session backend's state folder). */
  dir: string;
  /** `.agents/workers/<id>/worker.yaml`. */
  config: string;
  /** `.worktrees/<id>/`. */
  worktree: string;
  /** `team/<id>`. */
  branch: string;
}

/** The paths of worker `id` in the repository at `root` (the id must already be validated). */
export function workerPaths(root: string, id: string): WorkerPaths {
  const dir = join(workersDir(root), id);
  return { dir, config: join(dir, 'worker.yaml'), worktree: join(worktreeBase(root), id), branch: `${BRANCH_PREFIX}${id}` };
}
